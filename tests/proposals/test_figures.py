"""Figures per body, unit and year; the ledger job; the public page; reminders; double clicks."""

import datetime
import threading

import pytest
from django.db import connection
from django.urls import reverse

from core import clock as core_clock
from core import outbox
from jobs.models import Job
from notifications.models import Notification
from proposals import services
from proposals.models import Proposal
from proposals.selectors import figures
from supervision.models import TrackedDeadline
from supervision.tracking import remind_tracked
from tests.proposals.world import assigned, contact, replied, submitted


def _rate(world, p, result, comment=""):
    services.proposal_rate(
        actor=world.deputy_user, proposal=p, attitude="satisfied", result=result, comment=comment
    )


@pytest.fixture
def year_of(world, pc, day):
    """Six proposals of 2026 in 交城县: 5 assigned, 4 replied (A, A, B, D), rated."""
    a1 = replied(world, klass="A", title="一")
    _rate(world, a1, "satisfied")
    a2 = replied(world, klass="A", title="二")
    _rate(world, a2, "basically")
    b = replied(world, klass="B", title="三")
    _rate(world, b, "unsatisfied", "没有时间表")  # reopened: not rated again yet
    d = replied(world, klass="D", title="四")
    assigned(world, title="五")  # assigned, not replied
    submitted(world, title="六")  # received only
    return {"a1": a1, "b": b, "d": d}


def test_the_rates_of_the_issue(world, year_of):
    f = figures(world.county_officer, year=2026, region=world.county)[None]
    assert (f.received, f.registered, f.assigned, f.replied) == (6, 5, 5, 4)
    assert f.replied_on_time == 4
    assert f.completion_rate == 80.0  # 办结率 = replied / assigned
    # 面商率: face-to-face contacts on the four replied ones (the helpers meet face to face)
    assert f.face_rate == 80.0
    # 满意率: of the 3 rated (the re-handled one counts by its latest rating: 不满意)
    assert (f.rated, f.satisfied, f.basically) == (3, 1, 1)
    assert f.satisfied_rate == 33.3 and f.satisfied_or_basic_rate == 66.7
    assert f.solved_rate == 50.0  # A / replied
    assert [(k, n) for k, n, _share in f.class_shares()] == [("A", 2), ("B", 1), ("C", 0), ("D", 1)]


def test_grouped_by_unit_and_scoped(world, pc, year_of):
    by_unit = figures(world.county_officer, year=2026, group_by="unit")
    assert set(by_unit) == {world.unit.pk}
    assert by_unit[world.unit.pk].assigned == 5
    assert figures(world.outsider, year=2026)[None].received == 0
    assert figures(world.county_officer, year=2025)[None].received == 0
    # the city above sees the county's figures on its dashboards too
    assert figures(world.city_officer, year=2026, region=world.city)[None].received == 6


def test_figures_page_drills_down_to_the_list(client_for, world, year_of):
    client = client_for(world.leader)
    page = client.get(reverse("proposals:figures") + "?year=2026").content.decode()
    assert "交城县" in page and "80.0" in page
    listing = client.get(reverse("proposals:list") + f"?year=2026&region_id={world.county.pk}")
    assert listing.content.decode().count('href="/proposals/') >= 6


def test_the_ledger_is_an_excel_job(client_for, world, year_of, django_capture_on_commit_callbacks):
    import io

    from openpyxl import load_workbook

    client = client_for(world.county_officer)
    response = client.post(reverse("proposals:ledger"), {"year": "2026"})
    job = Job.objects.get(kind="proposals_ledger")
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    with django_capture_on_commit_callbacks(execute=True):
        outbox.run_pending()
    job.refresh_from_db()
    assert job.status == "done", job.error
    download = client.get(reverse("jobs:download", args=[job.pk]))
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    rows = list(book.worksheets[0].values)
    assert len(rows) == 7 and rows[0][0] == "建议编号"
    assert {r[11] for r in rows[1:]} == {"A", "B", "D", None}
    assert list(book.worksheets[1].values)[1][0] == "交城县水务局"


def test_public_page_shows_results_without_personal_data(client, world, pc, day):
    from tests.suggestions.world import suggestion_world

    sw = suggestion_world(world)
    sw.suggestion.deputy = world.deputy
    sw.suggestion.save(update_fields=["deputy"])
    p = services.proposal_create(
        actor=world.deputy_user,
        values={
            "title": "关于西街排水的建议",
            "problem": "西街排水不畅。",
            "causes": "管径小。",
            "solution": "扩建。",
            "category": "urban",
        },
        sources=[("suggestion", sw.suggestion.pk)],
    )
    services.proposal_submit(actor=world.deputy_user, proposal=p)
    services.proposal_register(actor=world.county_officer, proposal=p)
    services.proposal_assign(actor=world.county_officer, proposal=p, lead_unit=world.unit)
    contact(world, p)
    from tests.proposals.world import letter

    services.proposal_reply(
        actor=world.clerk,
        proposal=p,
        klass="A",
        text="已扩建西街排水管。",
        signed_by="张局长",
        letter=letter(),
    )
    hidden = replied(world, title="不公开的建议")
    services.proposal_publication(
        actor=world.county_officer, proposal=hidden, withheld=True, reason="涉及国家秘密"
    )
    draft_only = submitted(world, title="还在办理的建议")
    html = client.get(reverse("public_proposals:body", args=[world.county.code])).content.decode()
    assert "关于西街排水的建议" in html and "已扩建西街排水管。" in html
    assert "马志刚" in html and "交城县水务局" in html
    assert "不公开的建议" not in html and draft_only.title not in html
    constituent = sw.suggestion.constituent
    for personal in (constituent.name, constituent.phone, sw.suggestion.content[:12]):
        assert personal and personal not in html
    assert (
        client.get(reverse("public_proposals:body", args=[world.neighbour.code])).status_code == 200
    )
    assert (
        "关于西街排水"
        not in client.get(
            reverse("public_proposals:body", args=[world.neighbour.code])
        ).content.decode()
    )


def test_reminders_before_the_reply_deadline_exactly_once(world, pc, clock):
    clock(datetime.date(2026, 7, 1))
    p = assigned(world)  # due 8 October; reminders 5 working days before
    clock(datetime.date(2026, 9, 30))
    remind_tracked()
    outbox.run_pending()
    remind_tracked()
    outbox.run_pending()
    told = Notification.objects.filter(kind="deadline_reminder", title__contains="答复代表建议")
    assert list(told.values_list("recipient_id", flat=True)) == [world.clerk.pk]
    assert (
        TrackedDeadline.objects.get(object_id=p.pk, kind="proposals.reply").reminders.count() == 1
    )


def test_overdue_reply_is_supervised_up_the_levels(world, pc, clock):
    from supervision.tracking import escalate_tracked

    clock(datetime.date(2026, 7, 1))
    p = assigned(world)
    clock(datetime.date(2026, 10, 9))
    escalate_tracked()
    escalate_tracked()
    row = TrackedDeadline.objects.get(object_id=p.pk, kind="proposals.reply")
    assert row.supervisions.count() == 1
    assert (
        Proposal.objects.filter(Proposal.REPLY_DUE.overdue_q(today=core_clock.today())).count() == 1
    )


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_counts_once(world, pc):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    from duties.models import DutyCredit

    with core_clock.frozen(datetime.date(2026, 7, 1)):
        p = services.proposal_create(
            actor=world.deputy_user,
            values={
                "title": "双击",
                "problem": "问题",
                "causes": "原因",
                "solution": "建议",
                "category": "other",
            },
        )
    errors = []

    def click():
        try:
            with core_clock.frozen(datetime.date(2026, 7, 1)):
                services.proposal_submit(actor=world.deputy_user, proposal=p)
        except Exception as error:  # noqa: BLE001 - the loser's refusal is the point
            errors.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == ["ValidationError"]
    assert DutyCredit.objects.filter(object_id=p.pk).count() == 1
    assert TrackedDeadline.objects.filter(object_id=p.pk, kind="proposals.assign").count() == 1
