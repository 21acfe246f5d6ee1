"""Ledgers to Excel: the page, the job, and what each workbook holds."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core import outbox
from jobs.models import Job
from suggestions.models import Constituent, SuggestionEvent

Q2 = {"period": "custom", "start": "2026-04-01", "end": "2026-06-30"}


def order(client, user, region, ledger, full_phones=None, phone_reason=None, **period):
    client.force_login(user)
    data = {"ledger": ledger, "region": region.code, **(period or Q2)}
    if full_phones:
        data["full_phones"] = full_phones
    if phone_reason:
        data["phone_reason"] = phone_reason
    return client.post(reverse("ledgers:index"), data)


def build(django_capture_on_commit_callbacks) -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        outbox.run_pending()
    job = Job.objects.get()
    assert job.status == Job.Status.DONE, job.error
    return job


def sheet_rows(job: Job, index: int = 0) -> list[tuple]:
    with job.result.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()), read_only=True)
    sheet = workbook.worksheets[index]
    return [row for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def caller(known):
    """A constituent with a phone on the reception's first suggestion."""
    w = known.world
    person = Constituent.objects.create(region=w.county, name="张大爷", phone="13812345678")
    suggestion = w.station.receptions.get(date="2026-06-10").suggestions.order_by("pk").first()
    suggestion.constituent = person
    suggestion.save(update_fields=["constituent"])
    SuggestionEvent.objects.create(suggestion=suggestion, kind="submitted", public_text="群众提交")
    return suggestion


def test_page_offers_only_regions_in_scope(client, known):
    client.force_login(known.world.leader)
    response = client.get(reverse("ledgers:index"))
    assert response.status_code == 200
    codes = [r.code for r in response.context["form"].fields["region"].queryset]
    assert known.world.county.code in codes and known.world.township.code in codes
    assert known.world.neighbour.code not in codes and known.world.city.code not in codes


def test_region_outside_scope_is_refused(client, known):
    response = order(client, known.world.leader, known.world.neighbour, "receptions")
    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert not Job.objects.exists()


def test_clerks_have_no_ledgers(client, known):
    client.force_login(known.world.clerk)
    assert client.get(reverse("ledgers:index")).status_code == 403


def test_reception_register_has_one_line_per_suggestion_and_masks_phones_for_leaders(
    client, known, caller, django_capture_on_commit_callbacks
):
    response = order(client, known.world.leader, known.world.county, "receptions")
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "jobs:detail", args=[job.pk]
    )
    job = build(django_capture_on_commit_callbacks)
    rows = sheet_rows(job)
    assert "接待群众意见建议登记簿" in rows[0][0]
    assert rows[1][:5] == ("序号", "接待日期", "联络站点", "接待代表", "接待人数")
    body = rows[2:]
    # 6-10 at 天宁镇 with two suggestions, 5-31 at the point, 4-15 at 夏家营镇: four lines.
    assert [(r[1], r[4]) for r in body] == [
        ("2026-04-15", 7),
        ("2026-05-31", 5),
        ("2026-06-10", 12),
        ("2026-06-10", 12),
    ]
    assert body[2][3] == "王秀英、马志刚"
    assert body[2][5] == "张大爷" and body[2][6] == "138****5678"
    assert job.progress_done == job.progress_total == 3


def test_staff_exports_are_masked_unless_they_choose_full_numbers_with_a_reason(
    client, known, caller, django_capture_on_commit_callbacks
):
    from audit.models import AuditRecord

    order(client, known.world.county_officer, known.world.county, "receptions")
    rows = sheet_rows(build(django_capture_on_commit_callbacks))
    assert "13812345678" not in [r[6] for r in rows[2:]]
    assert "138****5678" in [r[6] for r in rows[2:]]
    Job.objects.all().delete()

    # Full numbers without a reason: refused, no job, nothing recorded.
    refused = order(
        client, known.world.county_officer, known.world.county, "receptions", full_phones="on"
    )
    assert refused.status_code == 200 and "请选择导出完整手机号的原因" in refused.content.decode()
    assert not Job.objects.exists()
    assert not AuditRecord.objects.filter(action=AuditRecord.Action.REVEAL).exists()

    order(
        client,
        known.world.county_officer,
        known.world.county,
        "receptions",
        full_phones="on",
        phone_reason="callback",
    )
    rows = sheet_rows(build(django_capture_on_commit_callbacks))
    assert "13812345678" in [r[6] for r in rows[2:]]
    record = AuditRecord.objects.get(action=AuditRecord.Action.REVEAL)
    assert record.actor == known.world.county_officer and record.changes["reason"] == "callback"


def test_a_leader_cannot_order_full_numbers(
    client, known, caller, django_capture_on_commit_callbacks
):
    client.force_login(known.world.leader)
    page = client.get(reverse("ledgers:index")).content.decode()
    assert 'name="full_phones"' not in page
    order(
        client,
        known.world.leader,
        known.world.county,
        "receptions",
        full_phones="on",
        phone_reason="callback",
    )
    rows = sheet_rows(build(django_capture_on_commit_callbacks))
    assert "13812345678" not in [r[6] for r in rows[2:]]


def test_suggestion_register_lists_every_suggestion_the_dashboard_counts_with_its_steps(
    client, known, caller, django_capture_on_commit_callbacks
):
    order(client, known.world.county_officer, known.world.county, "suggestions")
    job = build(django_capture_on_commit_callbacks)
    rows = sheet_rows(job)[2:]
    assert len(rows) == 7  # the dashboard's "received" for 交城县 in the quarter
    assert {r[20] for r in rows} >= {"已办结", "不予受理", "办理中"}
    steps = sheet_rows(job, 1)[2:]
    assert steps == [(caller.tracking_code, steps[0][1], "提交", "群众提交", None)]
    assert "提交：群众提交" in next(r[21] for r in rows if r[1] == caller.tracking_code)


def test_duty_summary_counts_the_period_for_each_deputy(
    client, known, django_capture_on_commit_callbacks
):
    order(client, known.world.county_officer, known.world.county, "duties")
    rows = {r[1]: r for r in sheet_rows(build(django_capture_on_commit_callbacks))[2:]}
    assert set(rows) == {"马志刚", "王秀英", "夏家营代表甲", "暂停代表", "夏家营代表乙"}
    assert rows["马志刚"][7:9] == (2, 17)  # two receptions, 12 + 5 people
    assert rows["马志刚"][6] == "天宁镇人大代表联络站"
    assert rows["夏家营代表乙"][7] == 0 and rows["夏家营代表乙"][13] == "是"


def test_station_list_has_ratings_and_the_period_receptions(
    client, known, django_capture_on_commit_callbacks
):
    order(client, known.world.leader, known.world.township, "stations")
    rows = {r[1]: r for r in sheet_rows(build(django_capture_on_commit_callbacks))[2:]}
    assert set(rows) == {"天宁镇人大代表联络站", "西街社区联络点"}
    station = rows["天宁镇人大代表联络站"]
    assert station[9] == "★★★★★" and station[11] == 1 and station[12:14] == (1, 12)
    assert rows["西街社区联络点"][3] == "天宁镇人大代表联络站"


def test_ledger_job_rereads_the_scope_when_it_runs(
    client, known, django_capture_on_commit_callbacks
):
    order(client, known.world.leader, known.world.county, "stations")
    known.world.leader.role_assignments.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        outbox.run_pending()
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert "管辖范围" in job.error
