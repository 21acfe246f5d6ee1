"""The reception schedule and rule pages, through HTTP, as each member of the cast."""

import datetime as dt

import pytest
from django.urls import reverse

from audit.models import AuditRecord
from receptions.models import ReceptionException, ReceptionRule
from tests import factories as f

from .conftest import join, make_rule

SCHEDULE = reverse("receptions:schedule")


def rule_post(**overrides):
    data = {
        "kind": "monthly",
        "day_of_month": "20",
        "weekday": "",
        "start_time": "09:00",
        "end_time": "11:30",
        "valid_from": "2026-11-01",
        "valid_until": "",
        "note": "县人大代表进站",
    }
    data.update(overrides)
    return data


@pytest.fixture
def rules(world):
    ours = make_rule(world.station, kind="monthly", day_of_month=20, deputies=[world.deputy])
    theirs = make_rule(
        world.neighbour_station, kind="monthly", day_of_month=20, deputies=[world.neighbour_deputy]
    )
    return ours, theirs


def test_county_staff_see_their_stations_month(client, world, rules):
    client.force_login(world.county_officer)
    page = client.get(SCHEDULE, {"month": "2026-12"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "天宁镇人大代表联络站" in text and "马志刚" in text
    assert "凤城镇联络站" not in text
    assert "12月21日" in text  # 20 Dec 2026 is a Sunday
    assert "遇节假日顺延" in text


def test_outsider_sees_only_their_own_stations(client, world, rules):
    client.force_login(world.outsider)
    text = client.get(SCHEDULE, {"month": "2026-12"}).content.decode()
    assert "凤城镇联络站" in text
    assert "天宁镇人大代表联络站" not in text and "马志刚" not in text


def test_station_filter_cannot_reach_another_region(client, world, rules):
    client.force_login(world.outsider)
    page = client.get(SCHEDULE, {"month": "2026-12", "station": world.station.pk})
    assert page.context["selected"] is None
    assert "马志刚" not in page.content.decode()


def test_station_officer_sees_and_filters_their_station(client, world, rules):
    client.force_login(world.station_officer)
    page = client.get(SCHEDULE, {"month": "2026-12", "station": world.station.pk})
    assert page.context["selected"] == world.station
    assert page.context["can_manage"] is True
    assert "马志刚" in page.content.decode()


def test_deputy_sees_own_duty_days(client, world, rules):
    make_rule(world.station, kind="weekly", weekday=3, deputies=[world.other_deputy])
    client.force_login(world.deputy_user)
    page = client.get(SCHEDULE, {"month": "2026-12"})
    days = list(page.context["page"])
    assert [day.date for day in days] == [dt.date(2026, 12, 21)]
    assert "王秀英" not in page.content.decode()


def test_clerk_is_refused_the_schedule(client, world):
    client.force_login(world.clerk)
    assert client.get(SCHEDULE).status_code == 403


def test_month_switching_works_with_htmx(client, world, rules):
    client.force_login(world.county_officer)
    page = client.get(SCHEDULE, {"month": "2027-01"}, headers={"HX-Request": "true"})
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="schedule"' in text and "2027年1月" in text
    assert 'hx-get="?month=2027-02' in text
    assert "暂定" in text  # 2027 has no holiday data yet


def test_bad_month_falls_back_to_this_month(client, world):
    client.force_login(world.county_officer)
    assert client.get(SCHEDULE, {"month": "2026-13"}).status_code == 200
    assert client.get(SCHEDULE, {"month": "abc"}).status_code == 200


def test_schedule_query_count_is_constant(client, world, django_assert_max_num_queries):
    def stations(numbers):
        for n in numbers:
            station = f.StationFactory(name=f"测试站{n}", region=world.township)
            deputy = f.DeputyFactory(region=world.township)
            join(deputy, station)
            make_rule(station, kind="weekly", weekday=3, deputies=[deputy])
            make_rule(station, kind="rota", weekday=1)

    stations(range(2))
    client.force_login(world.county_officer)
    client.get(SCHEDULE, {"month": "2026-12"})  # the session's one-off costs
    with django_assert_max_num_queries(20) as small:
        page = client.get(SCHEDULE, {"month": "2026-12"})
    days = len(page.context["page"].object_list)
    stations(range(2, 12))  # measured again at twelve stations: no query more
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(SCHEDULE, {"month": "2026-12"})
    assert len(page.context["page"].object_list) >= max(12 * 5, days + 10 * 5)


def test_station_rules_page(client, world, rules):
    url = reverse("receptions:station_rules", args=[world.station.pk])
    client.force_login(world.township_officer)
    text = client.get(url).content.decode()
    assert "每月20日" in text and "添加接待规则" in text
    client.force_login(world.leader)
    page = client.get(url)
    assert page.status_code == 200 and page.context["can_manage"] is False
    assert "添加接待规则" not in page.content.decode()
    client.force_login(world.deputy_user)
    assert client.get(url).status_code == 404
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("member", ["county_officer", "station_officer"])
def test_staff_and_liaison_officer_create_a_rule(client, world, member):
    # The liaison officer sees the deputies grouped into the station (编组进站).
    join(world.deputy, world.station)
    join(world.other_deputy, world.station)
    client.force_login(getattr(world, member))
    url = reverse("receptions:rule_new", args=[world.station.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, rule_post(deputies=[world.deputy.pk, world.other_deputy.pk]))
    assert response.status_code == 302
    rule = ReceptionRule.objects.get()
    assert (rule.station, rule.region, rule.day_of_month) == (world.station, world.township, 20)
    assert set(rule.deputies.all()) == {world.deputy, world.other_deputy}
    record = AuditRecord.objects.get(action="create", object_id=str(rule.pk))
    assert record.changes["deputies"][1] == ["王秀英", "马志刚"]
    assert record.region_path == world.township.path


def test_leader_and_outsider_cannot_create_rules(client, world):
    url = reverse("receptions:rule_new", args=[world.station.pk])
    client.force_login(world.leader)
    assert client.post(url, rule_post()).status_code == 403
    client.force_login(world.outsider)
    assert client.post(url, rule_post()).status_code == 404
    assert not ReceptionRule.objects.exists()


def test_rule_form_reports_errors_and_keeps_input(client, world):
    client.force_login(world.county_officer)
    url = reverse("receptions:rule_new", args=[world.station.pk])
    response = client.post(url, rule_post(kind="weekly", end_time="08:00", note="保留的备注"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "每周固定日须选择星期几" in text and "结束时间须晚于开始时间" in text
    assert 'value="保留的备注"' in text
    assert not ReceptionRule.objects.exists()


def test_a_deputy_of_another_region_cannot_be_put_on_duty(client, world):
    client.force_login(world.county_officer)
    url = reverse("receptions:rule_new", args=[world.station.pk])
    response = client.post(url, rule_post(deputies=[world.neighbour_deputy.pk]))
    assert response.status_code == 200
    assert "deputies" in response.context["form"].errors
    assert not ReceptionRule.objects.exists()


def test_liaison_officer_picks_from_the_station_members(client, world):
    outsider_deputy = f.DeputyFactory(name="外站代表", region=world.other_township)
    join(outsider_deputy, world.station)
    client.force_login(world.station_officer)
    url = reverse("receptions:rule_new", args=[world.station.pk])
    choices = {d.pk for d in client.get(url).context["form"].fields["deputies"].queryset}
    assert outsider_deputy.pk in choices  # grouped into the station from elsewhere
    assert world.neighbour_deputy.pk not in choices


def test_edit_rule_and_deactivate_are_audited(client, world, rules):
    ours, _ = rules
    client.force_login(world.county_officer)
    edit = reverse("receptions:rule_edit", args=[ours.pk])
    page = client.get(edit)
    assert page.status_code == 200
    assert page.context["form"].initial["day_of_month"] == 20
    response = client.post(edit, rule_post(kind="weekly", weekday="3", deputies=[world.deputy.pk]))
    assert response.status_code == 302
    ours.refresh_from_db()
    assert (ours.kind, ours.weekday) == ("weekly", 3)
    toggle = reverse("receptions:rule_toggle_active", args=[ours.pk])
    assert client.post(toggle).status_code == 302
    ours.refresh_from_db()
    assert ours.active is False
    actions = list(
        AuditRecord.objects.filter(object_id=str(ours.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["update", "state"]
    update = AuditRecord.objects.get(object_id=str(ours.pk), action="update")
    assert update.changes["kind"] == ["monthly", "weekly"]


def test_station_officer_cannot_touch_another_stations_rule(client, world):
    rule = make_rule(world.sibling_station, kind="monthly", day_of_month=5)
    client.force_login(world.station_officer)
    assert client.get(reverse("receptions:rule_edit", args=[rule.pk])).status_code == 404
    toggle = reverse("receptions:rule_toggle_active", args=[rule.pk])
    assert client.post(toggle).status_code == 404
    rule.refresh_from_db()
    assert rule.active


def test_exception_cancels_a_day_and_can_be_undone(client, world, rules):
    ours, _ = rules
    client.force_login(world.station_officer)
    url = reverse("receptions:exception_new", args=[ours.pk])
    assert client.get(url, {"date": "2026-12-21"}).status_code == 200
    response = client.post(url, {"date": "2026-12-21", "cancelled": "on", "note": "场地维修"})
    assert response.status_code == 302
    exception = ReceptionException.objects.get()
    page = client.get(SCHEDULE, {"month": "2026-12", "station": world.station.pk})
    assert list(page.context["page"]) == []
    delete = reverse("receptions:exception_delete", args=[exception.pk])
    assert client.post(delete).status_code == 302
    page = client.get(SCHEDULE, {"month": "2026-12", "station": world.station.pk})
    assert len(page.context["page"]) == 1
    actions = AuditRecord.objects.filter(object_id=str(exception.pk)).values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["create", "delete"]


def test_exception_needs_deputies_or_cancel(client, world, rules):
    ours, _ = rules
    client.force_login(world.county_officer)
    url = reverse("receptions:exception_new", args=[ours.pk])
    response = client.post(url, {"date": "2026-12-21"})
    assert response.status_code == 200
    assert "请选择当日值班代表" in response.content.decode()
    response = client.post(url, {"date": "2026-12-21", "deputies": [world.other_deputy.pk]})
    assert response.status_code == 302
    page = client.get(SCHEDULE, {"month": "2026-12", "station": world.station.pk})
    [day] = page.context["page"]
    assert day.deputies == [world.other_deputy] and day.changed
