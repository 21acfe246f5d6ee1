"""Deadlines of other workflows go through the same reminders and 督办, exactly once.

The subject here is a station (any row will do: the machinery knows only what the
app registered); the deadline belongs to 交城县 and 交城县水务局 must act.
"""

import datetime

import pytest
from django.urls import reverse

from calendars.deadlines import compute
from core import outbox
from notifications.models import Notification
from supervision import sweeps, tracking
from supervision.models import Supervision, TrackedDeadline, TrackedReminder

D = datetime.date


def _at(day: datetime.date) -> datetime.datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


@pytest.fixture
def tracked(world):
    # Reply within 10 working days from Monday 2026-03-02: due Monday 2026-03-16.
    deadline = compute(
        what="答复", spec="wd:10", start=D(2026, 3, 2), region=world.county, source="测试"
    )
    row = tracking.track(
        subject=world.station,
        kind="test.reply",
        label="答复代表建议",
        title="关于西街排水改造的建议",
        link="/stations/",
        region=world.county,
        unit=world.unit,
        deadline=deadline,
    )
    assert row.due_date == D(2026, 3, 16)
    return row


def test_the_unit_is_reminded_once_before_the_date(world, tracked):
    assert tracking.remind_tracked(now=_at(D(2026, 3, 11))) == 0  # 3 working days ahead
    assert sweeps.remind_due(now=_at(D(2026, 3, 12))).counts["tracked"] == 1
    assert sweeps.remind_due(now=_at(D(2026, 3, 12))).counts["tracked"] == 0
    assert sweeps.remind_due(now=_at(D(2026, 3, 13))).counts["tracked"] == 0
    outbox.run_pending()
    outbox.run_pending()
    notices = Notification.objects.filter(recipient=world.clerk, kind="deadline_reminder")
    assert notices.count() == 1
    assert "答复代表建议" in notices.get().title


def test_a_moved_date_is_reminded_again_and_the_old_one_not(world, tracked):
    tracking.remind_tracked(now=_at(D(2026, 3, 12)))
    later = compute(what="答复", spec="wd:15", start=D(2026, 3, 2), region=world.county, source="")
    moved = tracking.track(
        subject=world.station,
        kind="test.reply",
        label="答复代表建议",
        title="关于西街排水改造的建议",
        region=world.county,
        unit=world.unit,
        deadline=later,
    )
    assert moved.pk == tracked.pk and moved.due_date == D(2026, 3, 23)
    assert tracking.remind_tracked(now=_at(D(2026, 3, 19))) == 1
    assert TrackedReminder.objects.filter(deadline=tracked).count() == 2


def test_overdue_is_supervised_by_the_body_then_one_level_up_once_each(world, tracked):
    assert tracking.escalate_tracked(now=_at(D(2026, 3, 16))) == 0  # the due day is in time
    result = sweeps.escalate_overdue(now=_at(D(2026, 3, 17)))
    assert result.counts["tracked"] == 1
    first = Supervision.objects.get(deadline=tracked)
    assert first.region == world.county and first.unit == world.unit
    assert sweeps.escalate_overdue(now=_at(D(2026, 3, 17))).counts["tracked"] == 0
    # Five working days later still overdue: the city supervises too, then nobody more.
    assert tracking.escalate_tracked(now=_at(D(2026, 3, 24))) == 0
    assert tracking.escalate_tracked(now=_at(D(2026, 3, 25))) == 1
    assert set(Supervision.objects.values_list("region__name", flat=True)) == {"交城县", "吕梁市"}
    assert tracking.escalate_tracked(now=_at(D(2026, 4, 30))) == 0  # SUPERVISION_TOP_LEVEL
    outbox.run_pending()
    assert Notification.objects.filter(recipient=world.clerk, kind="supervision_unit").exists()
    assert Notification.objects.filter(recipient=world.county_officer, kind="supervision").exists()


def test_a_settled_deadline_is_neither_reminded_nor_supervised(world, tracked):
    assert tracking.settle(subject=world.station, kind="test.reply") == 1
    assert tracking.remind_tracked(now=_at(D(2026, 3, 12))) == 0
    assert tracking.escalate_tracked(now=_at(D(2026, 3, 20))) == 0
    assert TrackedDeadline.objects.get().status == TrackedDeadline.Status.MET


def test_the_queue_and_the_letter_show_it_to_the_body_and_hide_it_from_the_neighbour(
    client, world, tracked
):
    tracking.escalate_tracked(now=_at(D(2026, 3, 17)))
    record = Supervision.objects.get(deadline=tracked)
    client.force_login(world.county_officer)
    page = client.get(reverse("supervision:queue")).content.decode()
    assert "关于西街排水改造的建议" in page and "答复代表建议" in page
    letter = client.get(reverse("supervision:letter", args=[record.pk]))
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    client.force_login(world.outsider)
    assert "关于西街排水改造的建议" not in client.get(reverse("supervision:queue")).content.decode()
    assert client.get(reverse("supervision:letter", args=[record.pk])).status_code == 404
    tracking.settle(subject=world.station, kind="test.reply")
    client.force_login(world.county_officer)
    assert "关于西街排水改造的建议" not in client.get(reverse("supervision:queue")).content.decode()
    closed = client.get(reverse("supervision:queue"), {"state": "closed"}).content.decode()
    assert "关于西街排水改造的建议" in closed
