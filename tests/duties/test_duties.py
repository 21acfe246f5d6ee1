"""Duty records (一人一档), points and planned-versus-done, in a small hand-counted world."""

import datetime as dt
import io
from collections import Counter

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditRecord
from core.outbox import run_pending
from deputies.models import Deputy, DeputyGroup
from duties.models import DEFAULT_POINTS, DeputyPoints, DutyKind, DutyReport, PointRule
from duties.selectors import (
    PEOPLE,
    duty_counts,
    missed_duty_days,
    points_for,
    score,
    weights_for_paths,
    weights_for_region,
)
from duties.services import deputy_points_recompute
from duties.tasks import recompute_all_points
from receptions.models import ActivityKind, Reception, StationActivity, Visit
from stations.models import Station
from suggestions.models import Suggestion
from tests import factories as f
from tests.receptions.conftest import join, make_rule

TODAY = dt.date(2026, 11, 25)


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def reception(station, day, deputies, people, token):
    row = Reception.objects.create(
        station=station,
        region=station.region,
        date=day,
        people_count=people,
        form_token=token,
    )
    row.deputies.set(deputies)
    return row


def suggestion(world, day, *, deputy, **fields):
    return Suggestion.objects.create(
        region=world.township,
        channel="reception",
        category="roads",
        content="路面坑洼",
        deputy=deputy,
        station=world.station,
        submitted_at=at(day),
        **fields,
    )


@pytest.fixture
def record(world):
    """The hand-counted year of 马志刚 (world.deputy) and 王秀英 (world.other_deputy)."""
    join(world.deputy, world.station)
    join(world.other_deputy, world.station)
    # Every Thursday of March 2026 马志刚 is on duty: 5, 12, 19 and 26 March.
    make_rule(
        world.station,
        kind="weekly",
        weekday=3,
        deputies=[world.deputy],
        valid_from=dt.date(2026, 3, 1),
        valid_until=dt.date(2026, 3, 31),
    )
    both = [world.deputy, world.other_deputy]
    reception(world.station, dt.date(2026, 3, 5), both, 4, "t-0001-abcdefghijklmnop")  # attended
    reception(world.station, dt.date(2026, 3, 12), [world.other_deputy], 2, "t-0002-abcdefghijk")
    reception(world.point, dt.date(2026, 3, 19), [world.deputy], 5, "t-0003-abcdefghijklmnop")
    reception(world.station, dt.date(2025, 12, 10), [world.deputy], 7, "t-0004-abcdefghijklm")
    for day in (dt.date(2026, 4, 2), dt.date(2026, 6, 9), dt.date(2025, 6, 9)):
        Visit.objects.create(
            deputy=world.deputy,
            region=world.township,
            date=day,
            place="西街",
            form_token=f"v-{day.isoformat()}-abcdefghijk",
        )
    training = StationActivity.objects.create(
        station=world.station,
        region=world.township,
        kind=ActivityKind.TRAINING,
        title="履职培训",
        date=dt.date(2026, 4, 1),
    )
    training.deputies.set([world.deputy])
    lecture = StationActivity.objects.create(
        station=world.station,
        region=world.township,
        kind=ActivityKind.LAW_LECTURE,
        title="讲法律",
        date=dt.date(2026, 5, 1),
    )
    lecture.deputies.set(both)
    StationActivity.objects.create(
        station=world.station,
        region=world.township,
        kind=ActivityKind.THEME,
        title="无代表参加的主题活动",
        date=dt.date(2026, 5, 2),
    )
    suggestion(world, dt.date(2026, 3, 5), deputy=world.deputy)
    suggestion(world, dt.date(2026, 3, 6), deputy=world.deputy)
    suggestion(
        world,
        dt.date(2026, 3, 7),
        deputy=world.deputy,
        status=Suggestion.Status.REPLIED,
        handling=Suggestion.Handling.ON_SPOT,
    )
    suggestion(world, dt.date(2026, 3, 8), deputy=world.deputy, status=Suggestion.Status.MERGED)
    suggestion(world, dt.date(2025, 3, 8), deputy=world.deputy)
    DutyReport.objects.create(
        deputy=world.deputy, region=world.township, year=2026, date=dt.date(2026, 11, 1)
    )
    DutyReport.objects.create(
        deputy=world.deputy, region=world.township, year=2025, date=dt.date(2026, 1, 8)
    )
    return world


HAND_COUNT = {
    DutyKind.RECEPTION: 2,
    PEOPLE: 9,
    DutyKind.DUTY_ATTENDED: 1,
    DutyKind.DUTY_MISSED: 3,
    DutyKind.VISIT: 2,
    DutyKind.TRAINING: 1,
    DutyKind.LAW_LECTURE: 1,
    DutyKind.SUGGESTION: 3,
    DutyKind.ANSWERED: 1,
    DutyKind.REPORT: 1,
}
# 3*2 + 2*1 - 2*3 + 2*2 + 1*1 + 3*1 + 1*3 + 2*1 + 5*1 with the default weights
HAND_POINTS = 20


def test_duty_counts_match_a_hand_count(record):
    world = record
    counts = duty_counts(Deputy.objects.filter(pk__in=[world.deputy.pk]), 2026, today=TODAY)
    assert counts[world.deputy.pk] == Counter(HAND_COUNT)


def test_counts_for_several_deputies_come_from_one_pass(record, django_assert_max_num_queries):
    world = record
    one = Deputy.objects.filter(pk__in=[world.deputy.pk])
    with django_assert_max_num_queries(16) as single:
        duty_counts(one, 2026, today=TODAY)
    for index in range(6):  # measured again with eight deputies: no query more
        join(f.DeputyFactory(name=f"代表{index:02d}", region=world.township), world.station)
    deputies = Deputy.objects.filter(region__path__startswith=world.township.path)
    assert deputies.count() >= 8
    with django_assert_max_num_queries(len(single.captured_queries)):
        counts = duty_counts(deputies, 2026, today=TODAY)
    assert set(counts) == {world.deputy.pk, world.other_deputy.pk}  # the new have none yet
    assert counts[world.other_deputy.pk] == Counter(
        {DutyKind.RECEPTION: 2, PEOPLE: 6, DutyKind.LAW_LECTURE: 1}
    )


def test_points_from_the_default_weights(record):
    world = record
    results = points_for(Deputy.objects.filter(pk=world.deputy.pk), 2026, today=TODAY)
    total, breakdown = results[world.deputy.pk]
    assert total == HAND_POINTS
    assert breakdown["duty_missed"] == {"count": 3, "points": -2, "total": -6, "source": ""}


def test_nearest_region_up_the_tree_wins_per_kind(world):
    PointRule.objects.create(region=world.city, kind=DutyKind.VISIT, points=4)
    PointRule.objects.create(region=world.county, kind=DutyKind.RECEPTION, points=5)
    PointRule.objects.create(region=world.township, kind=DutyKind.RECEPTION, points=7)
    weights = weights_for_paths([world.township.path, world.other_township.path])
    here, there = weights[world.township.path], weights[world.other_township.path]
    assert (here["reception"].points, here["reception"].source) == (7, "天宁镇")
    assert (there["reception"].points, there["reception"].source) == (5, "交城县")
    assert here["visit"].points == there["visit"].points == 4
    assert here["report"].points == DEFAULT_POINTS["report"] and here["report"].source == ""
    total, _breakdown = score(Counter({"reception": 2, "visit": 1, "report": 1}), here)
    assert total == 2 * 7 + 4 + DEFAULT_POINTS["report"]
    neighbour = weights_for_region(world.neighbour)
    assert neighbour["reception"].points == DEFAULT_POINTS["reception"]


def test_recompute_stores_points_and_is_idempotent(record):
    world = record
    deputies = Deputy.objects.filter(pk__in=[world.deputy.pk, world.other_deputy.pk])
    deputy_points_recompute(deputies=deputies, year=2026, today=TODAY)
    deputy_points_recompute(deputies=deputies, year=2026, today=TODAY)
    stored = dict(DeputyPoints.objects.filter(year=2026).values_list("deputy_id", "points"))
    assert stored == {world.deputy.pk: HAND_POINTS, world.other_deputy.pk: 9}
    row = DeputyPoints.objects.get(deputy=world.deputy)
    assert row.region == world.township and row.breakdown["reception"]["total"] == 6


def test_nightly_task_is_scheduled_and_recomputes_everyone(record):
    entry = settings.CELERY_BEAT_SCHEDULE["duty-points-nightly"]
    assert entry["task"] == "duties.tasks.recompute_all_points"
    written = recompute_all_points(year=2026)
    assert written == Deputy.objects.count()
    assert DeputyPoints.objects.filter(year=2026).count() == written


def test_activity_kinds_are_duty_kinds():
    assert set(ActivityKind.values) <= set(DutyKind.values)
    assert set(DEFAULT_POINTS) == set(DutyKind.values)


# --- Planned versus done ---------------------------------------------------------------


def test_missed_duty_days_of_the_schedule(record):
    world = record
    stations = Station.objects.filter(pk=world.station.pk)
    march = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    missed = missed_duty_days(stations, *march, today=TODAY)
    assert [(m.date.day, m.deputy.name, m.station.pk) for m in missed] == [
        (12, "马志刚", world.station.pk),  # a reception that day, without him
        (19, "马志刚", world.station.pk),  # he was at the point, not the station
        (26, "马志刚", world.station.pk),  # nothing logged
    ]
    # Today and later are not missed yet.
    assert [m.date.day for m in missed_duty_days(stations, *march, today=dt.date(2026, 3, 19))] == [
        12
    ]


def test_missed_page_for_the_station_officer(client, record):
    world = record
    client.force_login(world.station_officer)
    page = client.get(reverse("duties:missed"), {"start": "2026-03-01", "end": "2026-03-31"})
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count("马志刚") == 3 and "2026-03-26" in text and "2026-03-05" not in text


def test_missed_page_hides_other_regions_and_refuses_deputies(client, record):
    world = record
    client.force_login(world.outsider)
    page = client.get(reverse("duties:missed"), {"start": "2026-03-01", "end": "2026-03-31"})
    assert "马志刚" not in page.content.decode()
    client.force_login(world.deputy_user)
    assert client.get(reverse("duties:missed")).status_code == 403


# --- The record page, export and print ------------------------------------------------------


def test_deputy_sees_own_record_with_the_hand_counted_figures(client, record):
    world = record
    client.force_login(world.deputy_user)
    response = client.get(reverse("duties:index"))
    assert response["Location"] == reverse("duties:record", args=[world.deputy.pk])
    page = client.get(reverse("duties:record", args=[world.deputy.pk]), {"year": 2026})
    text = page.content.decode()
    assert page.status_code == 200
    assert f"<strong>{HAND_POINTS}</strong>" in text
    assert "缺席进站值班" in text and "履职培训" in text and "向选民述职" in text
    assert "@media print" not in text and "duties/duties.css" in text


def test_deputy_cannot_open_another_deputys_record(client, record):
    world = record
    client.force_login(world.deputy_user)
    url = reverse("duties:record", args=[world.other_deputy.pk])
    assert client.get(url).status_code == 404


def test_station_officer_opens_member_records_and_the_list(client, record):
    world = record
    client.force_login(world.station_officer)
    assert client.get(reverse("duties:record", args=[world.other_deputy.pk])).status_code == 200
    text = client.get(reverse("duties:index"), {"year": 2026}).content.decode()
    assert "马志刚" in text and "王秀英" in text


def test_record_exports_to_excel_with_masked_phones(client, record):
    world = record
    Deputy.objects.filter(pk=world.deputy.pk).update(phone="13935800001")
    client.force_login(world.county_officer)
    response = client.get(reverse("duties:record_export", args=[world.deputy.pk]), {"year": 2026})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["履职汇总", "履职记录"]
    cells = [str(c) for row in workbook["履职汇总"].iter_rows(values_only=True) for c in row if c]
    assert any("139****0001" in c for c in cells) and not any("13935800001" in c for c in cells)
    assert ("合计积分", None, None, HAND_POINTS) in list(
        workbook["履职汇总"].iter_rows(values_only=True)
    )
    timeline = list(workbook["履职记录"].iter_rows(values_only=True))
    assert len(timeline) - 1 == 2 + 2 + 2 + 3 + 1 + 1 + 3  # receptions, visits... duty days


def test_overview_exports_to_excel(client, record):
    world = record
    client.force_login(world.county_officer)
    response = client.get(reverse("duties:index_export"), {"year": 2026})
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook.active.iter_rows(values_only=True))
    names = {row[0] for row in rows[1:]}
    assert {"马志刚", "王秀英"} <= names
    ma = next(row for row in rows if row[0] == "马志刚")
    assert ma[4:13] == (2, 9, 1, 3, 2, 2, 3, 1, 1)


def test_overview_query_count_is_constant(client, record, django_assert_max_num_queries):
    world = record
    client.force_login(world.county_officer)
    client.get(reverse("duties:index"), {"year": 2026})  # the session's one-off costs
    with django_assert_max_num_queries(30) as small:
        page = client.get(reverse("duties:index"), {"year": 2026})
    shown = page.content.decode().count("/duties/deputies/")
    for index in range(12):
        deputy = f.DeputyFactory(name=f"代表{index:02d}", region=world.township)
        join(deputy, world.station)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("duties:index"), {"year": 2026})
    assert page.content.decode().count("/duties/deputies/") >= shown + 12 >= 14


def test_clerk_and_outsider_see_no_records(client, record):
    world = record
    client.force_login(world.clerk)
    assert client.get(reverse("duties:index")).status_code == 403
    client.force_login(world.outsider)
    assert "马志刚" not in client.get(reverse("duties:index")).content.decode()


# --- Report-back -------------------------------------------------------------------------------


def test_deputy_records_a_report_back_and_it_counts(client, world):
    client.force_login(world.deputy_user)
    url = reverse("duties:report_new", args=[world.deputy.pk])
    data = {"year": "2026", "date": "2026-11-20", "notes": "在西街社区述职，选民45人参加"}
    assert client.post(url, data).status_code == 302
    report = DutyReport.objects.get()
    assert AuditRecord.objects.filter(object_id=str(report.pk), action="create").exists()
    run_pending()
    assert (
        DeputyPoints.objects.get(deputy=world.deputy, year=2026).breakdown["report"]["count"] == 1
    )
    bad = client.post(url, {"year": "2020", "date": "2026-11-20"})
    assert "述职年度应为" in bad.content.decode()


def test_other_deputy_cannot_record_a_report_for_someone_else(client, world):
    client.force_login(world.deputy_user)
    url = reverse("duties:report_new", args=[world.other_deputy.pk])
    assert client.post(url, {"year": "2026", "date": "2026-11-20"}).status_code == 404


# --- Point rules ---------------------------------------------------------------------------------


def test_county_staff_set_points_and_deputies_are_recomputed(client, record):
    world = record
    client.force_login(world.county_officer)
    url = reverse("duties:point_rules_edit", args=[world.county.code])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reception": "10", "duty_missed": "-5"})
    assert response.status_code == 302
    assert dict(PointRule.objects.values_list("kind", "points")) == {
        "reception": 10,
        "duty_missed": -5,
    }
    assert AuditRecord.objects.filter(content_type__model="pointrule").count() == 2
    run_pending()
    year = timezone.localdate().year
    assert DeputyPoints.objects.filter(year=year, deputy=world.deputy).exists()
    client.post(url, {"reception": "", "duty_missed": "-5"})  # back to inheriting
    assert list(PointRule.objects.values_list("kind", flat=True)) == ["duty_missed"]


def test_point_rules_are_out_of_reach_above_and_beside(client, world):
    url = reverse("duties:point_rules_edit", args=[world.county.code])
    client.force_login(world.township_officer)
    assert client.get(url).status_code == 404
    client.force_login(world.leader)
    assert client.post(url, {"reception": "9"}).status_code == 403
    client.force_login(world.outsider)
    assert client.post(url, {"reception": "9"}).status_code == 404
    assert not PointRule.objects.exists()


def test_point_rules_refuse_out_of_range_values(client, world):
    client.force_login(world.county_officer)
    url = reverse("duties:point_rules_edit", args=[world.county.code])
    page = client.post(url, {"reception": "999"})
    assert page.status_code == 200 and not PointRule.objects.exists()


# --- Ranking -------------------------------------------------------------------------


def test_ranking_within_a_station_a_group_and_a_region(client, record):
    world = record
    deputy_points_recompute(deputies=Deputy.objects.all(), year=2026, today=TODAY)
    group = DeputyGroup.objects.create(name="第一小组", region=world.township)
    group.members.add(world.other_deputy)
    client.force_login(world.county_officer)
    url = reverse("duties:ranking")
    text = client.get(url, {"year": 2026, "by": "station", "station": world.station.pk}).content
    text = text.decode()
    assert text.index("马志刚") < text.index("王秀英")
    text = client.get(url, {"year": 2026, "by": "group", "group": group.pk}).content.decode()
    assert "王秀英" in text and "马志刚" not in text
    text = client.get(url, {"year": 2026, "by": "region", "region": world.county.code}).content
    assert "马志刚" in text.decode()
    client.force_login(world.outsider)
    text = client.get(url, {"year": 2026}).content.decode()
    assert "马志刚" not in text and "文水代表" in text


def test_ranking_query_count_is_constant(client, record, django_assert_max_num_queries):
    world = record
    url = reverse("duties:ranking")
    deputy_points_recompute(deputies=Deputy.objects.all(), year=2026, today=TODAY)
    client.force_login(world.county_officer)
    client.get(url, {"year": 2026})  # the session's one-off costs
    with django_assert_max_num_queries(14) as small:
        shown = client.get(url, {"year": 2026}).content.decode().count("代表")
    for index in range(10):
        join(f.DeputyFactory(name=f"代表{index:02d}", region=world.township), world.station)
    deputy_points_recompute(deputies=Deputy.objects.all(), year=2026, today=TODAY)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url, {"year": 2026}).content.decode()
    assert "代表09" in page and page.count("代表") >= shown + 10


def test_timeline_links_only_where_the_viewer_may_go(client, record):
    world = record
    elsewhere = Suggestion.objects.create(
        region=world.other_township,
        channel="qr",
        category="water",
        content="别处的事项",
        deputy=world.deputy,
        station=world.sibling_station,
        submitted_at=at(dt.date(2026, 6, 1)),
    )
    link = reverse("suggestions:detail", args=[elsewhere.pk])
    url = reverse("duties:record", args=[world.deputy.pk])
    client.force_login(world.station_officer)
    text = client.get(url, {"year": 2026}).content.decode()
    assert "别处的事项" in text and link not in text
    client.force_login(world.county_officer)
    assert link in client.get(url, {"year": 2026}).content.decode()
