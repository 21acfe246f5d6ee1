"""The cast every tenancy test uses.

吕梁市 (city) > 交城县 (county) > 天宁镇 (township), and the neighbouring county
文水县 > 凤城镇 whose officer is the outsider who must see nothing of ours.
"""

import contextlib
from types import SimpleNamespace

import pytest

from accounts.models import Role
from core import clock as core_clock
from tests import factories as f


@pytest.fixture
def world(db):
    province = f.region("14", "山西省", "province")
    city = f.region("1411", "吕梁市", "city", province)
    county = f.region("141122", "交城县", "county", city)
    township = f.region("141122100", "天宁镇", "township", county)
    village = f.region("141122100001", "西街居委会", "village", township)
    other_township = f.region("141122101", "夏家营镇", "township", county)
    neighbour = f.region("141121", "文水县", "county", city)
    neighbour_township = f.region("141121100", "凤城镇", "township", neighbour)

    station = f.StationFactory(name="天宁镇人大代表联络站", region=township)
    point = f.StationFactory(
        name="西街社区联络点", region=village, parent=station, kind="village_point"
    )
    sibling_station = f.StationFactory(name="夏家营镇联络站", region=other_township)
    neighbour_station = f.StationFactory(name="凤城镇联络站", region=neighbour_township)
    unit = f.HandlingUnitFactory(name="交城县水务局", region=county)
    neighbour_unit = f.HandlingUnitFactory(name="文水县水务局", region=neighbour)
    deputy = f.DeputyFactory(name="马志刚", region=township)
    other_deputy = f.DeputyFactory(name="王秀英", region=township)
    neighbour_deputy = f.DeputyFactory(name="文水代表", region=neighbour_township)

    deputy_user = f.user_with_role("deputy", Role.DEPUTY, region=township)
    deputy.user = deputy_user
    deputy.save(update_fields=["user"])

    return SimpleNamespace(
        province=province,
        city=city,
        county=county,
        township=township,
        village=village,
        other_township=other_township,
        neighbour=neighbour,
        neighbour_township=neighbour_township,
        station=station,
        point=point,
        sibling_station=sibling_station,
        neighbour_station=neighbour_station,
        unit=unit,
        neighbour_unit=neighbour_unit,
        deputy=deputy,
        other_deputy=other_deputy,
        neighbour_deputy=neighbour_deputy,
        # the cast
        sysadmin=f.user_with_role("sysadmin", Role.SYSADMIN, region=city),
        city_officer=f.user_with_role("city_officer", Role.CITY_STAFF, region=city),
        county_officer=f.user_with_role("county_officer", Role.COUNTY_STAFF, region=county),
        township_officer=f.user_with_role("township_officer", Role.TOWNSHIP_STAFF, region=township),
        station_officer=f.user_with_role("station_officer", Role.STATION_OFFICER, station=station),
        deputy_user=deputy_user,
        clerk=f.user_with_role("clerk", Role.UNIT_CLERK, unit=unit),
        leader=f.user_with_role("leader", Role.LEADER, region=county),
        outsider=f.user_with_role("outsider", Role.COUNTY_STAFF, region=neighbour),
        neighbour_clerk=f.user_with_role("neighbour_clerk", Role.UNIT_CLERK, unit=neighbour_unit),
    )


@pytest.fixture
def client_for(client):
    """Log the test client in as one member of the cast."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def clock():
    """Move the one clock (`core.clock`): `clock(day)` pins now/today until the test ends."""
    with contextlib.ExitStack() as stack:

        def pin(value):
            stack.enter_context(core_clock.frozen(value))
            return value

        yield pin


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Hashing is not what these tests are about; PBKDF2 would dominate their time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _outbox_by_hand(settings):
    # Tests run queued work explicitly with core.outbox.run_pending(); the tests
    # that exercise the broker itself turn sending back on.
    settings.OUTBOX_SEND_ON_COMMIT = False


@pytest.fixture(autouse=True)
def _fresh_two_factor_rules():
    # Each process keeps the two-factor rules for a minute; a test's rules are rolled
    # back without the signals that drop that copy.
    from accounts import two_factor

    two_factor.forget_rules()
    yield
    two_factor.forget_rules()
