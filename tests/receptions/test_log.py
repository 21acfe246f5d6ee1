"""The reception register (接待登记簿), through HTTP, as each member of the cast."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditRecord
from core.outbox import run_pending
from duties.models import DeputyPoints
from receptions.models import Reception
from receptions.services import RaisedSuggestion, reception_log
from suggestions.models import Suggestion
from tests import factories as f

from .conftest import join, make_rule

NEW = reverse("receptions:log_new")
LIST = reverse("receptions:log_list")
TOKEN = "a-form-token-0123456789abcdef"


@pytest.fixture
def members(world):
    join(world.deputy, world.station)
    join(world.other_deputy, world.station)
    return world


def log_post(world, *, token=TOKEN, raised=(), **overrides):
    data = {
        "form_token": token,
        "station": str(world.station.pk),
        "date": "2026-03-20",
        "deputies": [str(world.deputy.pk)],
        "people_count": "3",
        "notes": "",
        "raised-TOTAL_FORMS": str(max(len(raised), 1)),
        "raised-INITIAL_FORMS": "0",
        "raised-MIN_NUM_FORMS": "0",
        "raised-MAX_NUM_FORMS": "20",
    }
    for index, row in enumerate(raised):
        for key, value in row.items():
            data[f"raised-{index}-{key}"] = value
    data.update(overrides)
    return data


TWO_MATTERS = [
    {"category": "roads", "content": "坡底社区的路坑洼不平，下雨出不去。"},
    {
        "category": "water",
        "content": "西街3号楼水压太低。",
        "contact_name": "张大爷",
        "contact_phone": "13812345678",
    },
]


def test_deputy_logs_a_reception_and_each_matter_becomes_a_suggestion(client, members):
    world = members
    client.force_login(world.deputy_user)
    response = client.post(NEW, log_post(world, raised=TWO_MATTERS))
    reception = Reception.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("receptions:log_detail", args=[reception.pk])
    assert reception.station == world.station and reception.people_count == 3
    assert list(reception.deputies.all()) == [world.deputy]
    assert reception.recorded_by == world.deputy_user
    suggestions = list(reception.suggestions.order_by("pk"))
    assert [s.channel for s in suggestions] == ["reception", "reception"]
    assert [s.category for s in suggestions] == ["roads", "water"]
    assert all(s.deputy == world.deputy and s.station == world.station for s in suggestions)
    assert suggestions[1].constituent.phone == "13812345678"
    assert AuditRecord.objects.filter(
        action=AuditRecord.Action.CREATE,
        object_id=str(reception.pk),
        object_repr__contains="天宁镇",
    ).exists()
    page = client.get(response["Location"]).content.decode()
    assert "坡底社区的路坑洼不平" in page and "138****5678" in page


def test_the_same_form_token_twice_saves_one_reception_and_one_set_of_suggestions(client, members):
    world = members
    client.force_login(world.deputy_user)
    first = client.post(NEW, log_post(world, raised=TWO_MATTERS))
    again = client.post(NEW, log_post(world, raised=TWO_MATTERS))
    assert Reception.objects.count() == 1
    assert Suggestion.objects.count() == 2
    assert first["Location"] == again["Location"]


def test_service_returns_the_first_reception_for_a_repeated_token(members):
    world = members
    args = dict(
        actor=world.station_officer,
        form_token=TOKEN,
        station=world.station,
        date=dt.date(2026, 3, 20),
        deputies=[world.deputy],
        people_count=2,
        raised=[RaisedSuggestion(category="roads", content="路灯不亮")],
    )
    first, created = reception_log(**args)
    second, created_again = reception_log(**args)
    assert (created, created_again) == (True, False)
    assert first.pk == second.pk and Suggestion.objects.count() == 1


def test_a_failing_matter_saves_nothing(members):
    world = members
    with pytest.raises(ValidationError):
        reception_log(
            actor=world.station_officer,
            form_token=TOKEN,
            station=world.station,
            date=dt.date(2026, 3, 20),
            deputies=[world.deputy],
            people_count=2,
            raised=[
                RaisedSuggestion(category="roads", content="路灯不亮"),
                RaisedSuggestion("water", "   "),
            ],
        )
    assert not Reception.objects.exists() and not Suggestion.objects.exists()


def test_a_blank_matter_row_is_ignored_and_a_half_filled_one_is_refused(client, members):
    world = members
    client.force_login(world.station_officer)
    client.post(NEW, log_post(world, raised=[{"category": "", "content": ""}]))
    assert Reception.objects.get().suggestions.count() == 0
    half = log_post(world, token="another-token-0123456789", raised=[{"category": "roads"}])
    page = client.post(NEW, half)
    assert page.status_code == 200 and Reception.objects.count() == 1
    assert "该字段是必填项" in page.content.decode()


def test_add_a_row_keeps_what_was_typed_and_saves_nothing(client, members):
    world = members
    client.force_login(world.deputy_user)
    data = log_post(world, raised=TWO_MATTERS[:1], add_suggestion="1")
    page = client.post(NEW, data)
    text = page.content.decode()
    assert page.status_code == 200 and not Reception.objects.exists()
    assert "坡底社区的路坑洼不平" in text
    assert 'name="raised-TOTAL_FORMS" value="2"' in text
    assert 'name="raised-1-content"' in text
    assert "field-error" not in text  # nothing is marked wrong on a re-show


def test_changing_station_refreshes_the_deputies_without_saving(client, world):
    join(world.deputy, world.station)
    sibling_member = f.DeputyFactory(name="赵站员", region=world.other_township)
    join(sibling_member, world.sibling_station)
    client.force_login(world.county_officer)
    data = log_post(world, station=str(world.sibling_station.pk), refresh="1")
    text = client.post(NEW, data).content.decode()
    assert not Reception.objects.exists()
    assert "赵站员" in text and "马志刚" not in text


def test_deputy_is_always_among_those_present(client, members):
    world = members
    client.force_login(world.deputy_user)
    client.post(NEW, log_post(world, deputies=[str(world.other_deputy.pk)]))
    assert set(Reception.objects.get().deputies.all()) == {world.deputy, world.other_deputy}


def test_deputy_cannot_log_at_a_station_they_are_not_grouped_into(client, members):
    world = members
    client.force_login(world.deputy_user)
    page = client.post(NEW, log_post(world, station=str(world.sibling_station.pk)))
    assert page.status_code == 200 and not Reception.objects.exists()
    with pytest.raises(PermissionDenied):
        reception_log(
            actor=world.deputy_user,
            form_token=TOKEN,
            station=world.sibling_station,
            date=dt.date(2026, 3, 20),
            deputies=[world.deputy],
            people_count=1,
        )


def test_leader_and_clerk_cannot_log(client, members):
    world = members
    for user in (world.leader, world.clerk):
        client.force_login(user)
        assert client.get(NEW).status_code == 403
        assert client.post(NEW, log_post(world)).status_code == 403
    assert not Reception.objects.exists()


def test_a_future_date_is_refused(client, members):
    world = members
    client.force_login(world.station_officer)
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    page = client.post(NEW, log_post(world, date=future))
    assert "日期不能晚于今天" in page.content.decode() and not Reception.objects.exists()


def test_answer_given_on_the_spot_replies_the_suggestion(client, members):
    world = members
    client.force_login(world.deputy_user)
    suggestion = {**TWO_MATTERS[0], "answer": "已联系镇政府，本周内修补。"}
    client.post(NEW, log_post(world, raised=[suggestion]))
    suggestion = Suggestion.objects.get()
    assert suggestion.status == Suggestion.Status.REPLIED
    assert suggestion.handling == Suggestion.Handling.ON_SPOT
    assert suggestion.reply_text == "已联系镇政府，本周内修补。"


def test_officer_files_a_matter_under_the_deputy_chosen(client, members):
    world = members
    client.force_login(world.station_officer)
    suggestion = {**TWO_MATTERS[0], "deputy": str(world.other_deputy.pk)}
    deputies = [str(world.deputy.pk), str(world.other_deputy.pk)]
    client.post(NEW, log_post(world, deputies=deputies, raised=[suggestion, TWO_MATTERS[1]]))
    first, second = Suggestion.objects.order_by("pk")
    assert first.deputy == world.other_deputy
    assert second.deputy is None  # two deputies present, none chosen: the station's suggestion


def test_a_reception_on_a_schedule_day_is_linked_to_its_rule(members):
    world = members
    rule = make_rule(world.station, kind="monthly", day_of_month=20, deputies=[world.deputy])
    planned, _ = reception_log(
        actor=world.station_officer,
        form_token=TOKEN,
        station=world.station,
        date=dt.date(2026, 3, 20),
        deputies=[world.deputy],
        people_count=1,
    )
    unplanned, _ = reception_log(
        actor=world.station_officer,
        form_token="other-token-0123456789",
        station=world.station,
        date=dt.date(2026, 3, 18),
        deputies=[world.deputy],
        people_count=1,
    )
    assert planned.rule == rule and unplanned.rule is None


def test_logging_queues_a_points_recompute(members):
    world = members
    reception_log(
        actor=world.station_officer,
        form_token=TOKEN,
        station=world.station,
        date=dt.date(2026, 3, 20),
        deputies=[world.deputy],
        people_count=1,
        raised=[RaisedSuggestion(category="roads", content="路灯不亮")],
    )
    run_pending()
    points = DeputyPoints.objects.get(deputy=world.deputy, year=2026)
    # reception 3 + suggestion 1 with the default weights
    assert points.points == 4
    assert points.breakdown["reception"]["count"] == 1


# --- Who sees which entries ------------------------------------------------------------


@pytest.fixture
def entries(members):
    world = members
    ours, _ = reception_log(
        actor=world.station_officer,
        form_token="ours-token-0123456789",
        station=world.station,
        date=dt.date(2026, 3, 20),
        deputies=[world.deputy],
        people_count=1,
    )
    join(world.other_deputy, world.sibling_station)
    sibling, _ = reception_log(
        actor=world.county_officer,
        form_token="sibling-token-0123456789",
        station=world.sibling_station,
        date=dt.date(2026, 3, 21),
        deputies=[world.other_deputy],
        people_count=1,
    )
    join(world.neighbour_deputy, world.neighbour_station)
    theirs, _ = reception_log(
        actor=world.outsider,
        form_token="theirs-token-0123456789",
        station=world.neighbour_station,
        date=dt.date(2026, 3, 22),
        deputies=[world.neighbour_deputy],
        people_count=1,
    )
    return ours, sibling, theirs


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("county_officer", {"ours", "sibling"}),
        ("township_officer", {"ours"}),
        ("station_officer", {"ours"}),
        ("deputy_user", {"ours"}),
        ("leader", {"ours", "sibling"}),
        ("outsider", {"theirs"}),
    ],
)
def test_each_role_lists_the_receptions_in_its_scope(client, world, entries, who, sees):
    names = dict(zip(("ours", "sibling", "theirs"), entries, strict=True))
    client.force_login(getattr(world, who))
    page = client.get(LIST)
    listed = {
        name for name, r in names.items() if f'/receptions/log/{r.pk}/"' in page.content.decode()
    }
    assert page.status_code == 200 and listed == sees


def test_clerk_cannot_open_the_register(client, world):
    client.force_login(world.clerk)
    assert client.get(LIST).status_code == 403


def test_list_query_count_is_constant(client, members, django_assert_max_num_queries):
    world = members
    client.force_login(world.county_officer)

    def log(index):
        reception_log(
            actor=world.county_officer,
            form_token=f"bulk-token-{index:04d}-0123456789",
            station=world.station,
            date=dt.date(2026, 3, 1) + dt.timedelta(days=index),
            deputies=[world.deputy, world.other_deputy],
            people_count=index,
            raised=[RaisedSuggestion(category="roads", content=f"问题{index}")],
        )

    for index in range(2):
        log(index)
    client.get(LIST)  # the session's one-off costs
    with django_assert_max_num_queries(14) as small:
        shown = client.get(LIST).content.decode().count("/receptions/log/")
    for index in range(2, 12):  # measured again at twelve: no query more
        log(index)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(LIST)
    assert page.content.decode().count("/receptions/log/") >= max(12, shown + 10)


# --- Corrections ------------------------------------------------------------------------


def edit_post(reception, **overrides):
    data = {
        "form_token": "edit-token-0123456789abc",
        "date": reception.date.isoformat(),
        "deputies": [str(d.pk) for d in reception.deputies.all()],
        "people_count": "9",
        "notes": "补充说明",
        "raised-TOTAL_FORMS": "0",
        "raised-INITIAL_FORMS": "0",
        "raised-MIN_NUM_FORMS": "0",
        "raised-MAX_NUM_FORMS": "20",
    }
    data.update(overrides)
    return data


def test_recorder_corrects_within_the_window_and_it_is_audited(client, entries, world):
    ours = entries[0]
    client.force_login(world.station_officer)
    url = reverse("receptions:log_edit", args=[ours.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, edit_post(ours))
    ours.refresh_from_db()
    assert response.status_code == 302 and ours.people_count == 9
    record = AuditRecord.objects.filter(
        action=AuditRecord.Action.UPDATE, object_id=str(ours.pk)
    ).get()
    assert record.changes["people_count"] == [1, 9]


def test_after_the_window_only_staff_may_correct(client, entries, world):
    ours = entries[0]
    Reception.objects.filter(pk=ours.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    url = reverse("receptions:log_edit", args=[ours.pk])
    client.force_login(world.station_officer)
    assert client.post(url, edit_post(ours)).status_code == 403
    client.force_login(world.township_officer)
    assert client.post(url, edit_post(ours)).status_code == 302
    ours.refresh_from_db()
    assert ours.people_count == 9


def test_leader_cannot_correct(client, entries, world):
    client.force_login(world.leader)
    url = reverse("receptions:log_edit", args=[entries[0].pk])
    assert client.post(url, edit_post(entries[0])).status_code == 403


def test_matters_added_in_a_correction_become_suggestions_once(client, entries, world):
    ours = entries[0]
    client.force_login(world.station_officer)
    url = reverse("receptions:log_edit", args=[ours.pk])
    data = edit_post(
        ours,
        **{
            "raised-TOTAL_FORMS": "1",
            "raised-0-category": "gas",
            "raised-0-content": "燃气管道老化",
        },
    )
    client.post(url, data)
    client.post(url, data)
    assert ours.suggestions.count() == 1
