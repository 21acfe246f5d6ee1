"""The tenancy rule itself: who sees which rows."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import User
from deputies.models import Deputy
from regions.models import Region
from stations.models import Station
from suggestions.models import HandlingUnit
from tenancy.access import access_object
from tests import factories as f


def names(queryset):
    return {obj.name for obj in queryset}


def test_city_officer_sees_every_county_below(world):
    visible = names(Station.objects.visible_to(world.city_officer))
    assert {"天宁镇人大代表联络站", "夏家营镇联络站", "凤城镇联络站"} <= visible


def test_county_officer_sees_own_county_not_the_neighbour(world):
    visible = names(Station.objects.visible_to(world.county_officer))
    assert "天宁镇人大代表联络站" in visible
    assert "西街社区联络点" in visible
    assert "凤城镇联络站" not in visible


def test_township_officer_sees_only_their_township(world):
    visible = names(Station.objects.visible_to(world.township_officer))
    assert visible == {"天宁镇人大代表联络站", "西街社区联络点"}


def test_station_officer_sees_their_station_and_its_points(world):
    visible = names(Station.objects.visible_to(world.station_officer))
    assert visible == {"天宁镇人大代表联络站", "西街社区联络点"}


def test_deputy_sees_only_their_own_record(world):
    assert names(Deputy.objects.visible_to(world.deputy_user)) == {"马志刚"}
    assert not Station.objects.visible_to(world.deputy_user).exists()


def test_unit_clerk_sees_only_their_unit(world):
    assert names(HandlingUnit.objects.visible_to(world.clerk)) == {"交城县水务局"}
    assert names(HandlingUnit.objects.visible_to(world.neighbour_clerk)) == {"文水县水务局"}


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not Station.objects.visible_to(AnonymousUser()).exists()


def test_disabled_account_sees_nothing(world):
    world.county_officer.is_active = False
    world.county_officer.save()
    officer = User.objects.get(pk=world.county_officer.pk)
    assert not Station.objects.visible_to(officer).exists()


def test_subtree_filter_is_one_prefix_predicate(world):
    sql = str(Station.objects.visible_to(world.county_officer).query)
    assert "LIKE" in sql.upper()
    assert sql.count("LIKE") == 1


def test_access_answers_404_outside_scope_exactly_like_missing(world):
    with pytest.raises(Http404):
        access_object(Station, world.outsider, world.station.pk)
    with pytest.raises(Http404):
        access_object(Station, world.outsider, 987654)
    with pytest.raises(Http404):
        access_object(Station, world.outsider, "not-a-number")


def test_leader_reads_but_may_not_write(world):
    assert access_object(Station, world.leader, world.station.pk) == world.station
    with pytest.raises(PermissionDenied):
        access_object(Station, world.leader, world.station.pk, for_write=True)


def test_staff_may_write_inside_their_region(world):
    station = access_object(Station, world.county_officer, world.station.pk, for_write=True)
    assert station == world.station


def test_person_with_two_roles_gets_both_scopes(world):
    from accounts.models import Role, RoleAssignment
    from tenancy.scope import forget_scope

    RoleAssignment.objects.create(
        user=world.township_officer, role=Role.LEADER, region=world.neighbour
    )
    forget_scope(world.township_officer)
    visible = names(Station.objects.visible_to(world.township_officer))
    assert "凤城镇联络站" in visible
    # ...but the leader half is read-only.
    with pytest.raises(PermissionDenied):
        access_object(Station, world.township_officer, world.neighbour_station.pk, for_write=True)
    assert (
        access_object(Station, world.township_officer, world.station.pk, for_write=True)
        == world.station
    )


def test_regions_visible_are_the_subtree(world):
    codes = set(Region.objects.visible_to(world.county_officer).values_list("code", flat=True))
    assert "141122" in codes and "141122100" in codes
    assert "1411" not in codes and "141121" not in codes


def test_account_admin_manages_below_never_above_or_beside(world):
    manageable = set(
        User.objects.visible_to(world.county_officer).values_list("username", flat=True)
    )
    assert {"township_officer", "station_officer", "clerk", "deputy", "leader"} <= manageable
    assert "city_officer" not in manageable  # above
    assert "outsider" not in manageable  # beside
    assert "sysadmin" not in manageable  # above (city)


def test_account_with_a_role_beside_is_out_of_reach(world):
    from accounts.models import Role, RoleAssignment

    RoleAssignment.objects.create(
        user=world.township_officer, role=Role.LEADER, region=world.neighbour
    )
    manageable = User.objects.visible_to(world.county_officer)
    assert not manageable.filter(pk=world.township_officer.pk).exists()


def test_non_admin_roles_manage_no_accounts(world):
    for member in (world.leader, world.station_officer, world.deputy_user, world.clerk):
        assert not User.objects.visible_to(member).exists()


def test_models_without_a_rule_are_refused():
    from django.contrib.sessions.models import Session

    from tenancy.scope import restrict

    with pytest.raises(TypeError):
        restrict(Session.objects.all(), None)


def test_staff_cannot_manage_a_system_administrator_in_their_region(world):
    from accounts.models import Role, RoleAssignment

    county_admin = f.user_with_role("county_admin", Role.SYSADMIN, region=world.county)

    assert not User.objects.visible_to(world.city_officer).filter(pk=county_admin.pk).exists()
    assert User.objects.visible_to(world.sysadmin).filter(pk=county_admin.pk).exists()
    assert RoleAssignment.objects.filter(user=county_admin).exists()


def test_station_officer_no_longer_sees_a_deputy_who_left_the_station(world):
    import datetime

    from deputies.models import StationMembership

    today = datetime.date.today()
    StationMembership.objects.create(
        deputy=world.neighbour_deputy, station=world.station, start_date=today.replace(year=2020)
    )
    left = StationMembership.objects.create(
        deputy=world.other_deputy,
        station=world.station,
        start_date=today.replace(year=2020),
        end_date=today - datetime.timedelta(days=1),
    )

    visible = names(Deputy.objects.visible_to(world.station_officer))

    assert "文水代表" in visible  # grouped into the station now, wherever managed
    assert left.deputy.name not in visible
