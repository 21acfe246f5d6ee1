"""Three confirms of one clean import posted at the same moment import it once
(issue 12, point 2): the confirm consumes its token in the transaction that writes
the rows, and the database refuses a second station or deputy of the same key.

PostgreSQL (threads, each with its own connection):
DATABASE_URL=postgres://... pytest tests/stations/test_import_double_confirm.py
"""

import contextlib
import threading
from unittest import mock

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client
from django.urls import reverse

from deputies.importing import DEPUTY_COLUMNS
from deputies.models import Deputy
from stations.importing import STATION_COLUMNS
from stations.models import Station
from tests.stations.helpers import sheet

pytestmark = pytest.mark.django_db(transaction=True)


def _row(columns, **values):
    return [values.get(column.header, "") for column in columns]


def _confirm_three_times_at_once(client, confirm_url, token, check_path):
    """Post the confirm from three threads sharing the session; all three pass the
    sheet check before any of them writes (the worst interleaving)."""
    barrier = threading.Barrier(3, timeout=5)
    real_check = __import__(check_path.rsplit(".", 1)[0], fromlist=["x"])
    real = getattr(real_check, check_path.rsplit(".", 1)[1])

    def check_then_wait(**kwargs):
        result = real(**kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):  # a late confirm goes on
            barrier.wait()
        return result

    statuses, errors = [], []

    def post():
        try:
            other = Client()
            other.cookies = client.cookies
            statuses.append(other.post(confirm_url, {"token": token}).status_code)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    with mock.patch(check_path, side_effect=check_then_wait):
        threads = [threading.Thread(target=post) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert not errors, errors
    return statuses


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions: run with DATABASE_URL=postgres://...")


def test_three_simultaneous_confirms_of_a_station_import_import_it_once(
    postgresql, client_for, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.county_officer)
    upload = sheet(
        [c.header for c in STATION_COLUMNS],
        _row(
            STATION_COLUMNS,
            **{"名称": "三击联络站", "类型": "联络站", "区划代码": world.other_township.code},
        ),
        _row(
            STATION_COLUMNS,
            **{
                "名称": "三击村联络点",
                "类型": "联络点",
                "区划代码": world.other_township.code,
                "所属联络站": "三击联络站",
            },
        ),
    )
    checked = client.post(reverse("stations:import"), {"file": upload})
    assert checked.context["ready"] == 2

    statuses = _confirm_three_times_at_once(
        client,
        reverse("stations:import_confirm"),
        checked.context["token"],
        "stations.importing.check_station_sheet",
    )

    assert len(statuses) == 3 and 500 not in statuses
    assert Station.objects.filter(name="三击联络站").count() == 1
    assert Station.objects.filter(name="三击村联络点").count() == 1


def test_three_simultaneous_confirms_of_a_deputy_import_import_it_once(
    postgresql, client_for, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.county_officer)
    upload = sheet(
        [c.header for c in DEPUTY_COLUMNS],
        *[
            _row(
                DEPUTY_COLUMNS,
                **{
                    "姓名": name,
                    "代表层级": "乡镇人大代表",
                    "区划代码": world.township.code,
                    "手机号": phone,
                },
            )
            for name, phone in (("三击甲", "13900000031"), ("三击乙", "13900000032"))
        ],
    )
    checked = client.post(reverse("deputies:import"), {"file": upload})
    assert checked.context["ready"] == 2

    statuses = _confirm_three_times_at_once(
        client,
        reverse("deputies:import_confirm"),
        checked.context["token"],
        "deputies.importing.check_deputy_sheet",
    )

    assert len(statuses) == 3 and 500 not in statuses
    assert Deputy.objects.filter(name="三击甲").count() == 1
    assert Deputy.objects.filter(name="三击乙").count() == 1


def test_the_database_refuses_a_second_station_or_deputy_of_the_same_key(world):
    # The key the import's duplicate check uses: name + region for a station, name +
    # phone for a deputy (deputies without a phone are not compared).
    Station.objects.create(name="同名站", region=world.township)
    with pytest.raises(IntegrityError), transaction.atomic():
        Station.objects.create(name="同名站", region=world.township)
    Station.objects.create(name="同名站", region=world.other_township)

    Deputy.objects.create(name="同名", phone="13900000099", level="township", region=world.township)
    with pytest.raises(IntegrityError), transaction.atomic():
        Deputy.objects.create(name="同名", phone="13900000099", level="county", region=world.county)
    Deputy.objects.create(name="同名", phone="", level="township", region=world.township)
    Deputy.objects.create(name="同名", phone="", level="township", region=world.township)
