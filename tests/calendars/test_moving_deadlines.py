"""A holiday entered or removed for any year moves every open deadline it affects."""

import datetime

import pytest
from django.urls import reverse

from audit.models import AuditRecord
from calendars.deadlines import compute
from calendars.models import CalendarOverride
from core.outbox import OutboxMessage, run_pending
from notifications.models import Notification
from suggestions import services
from supervision.models import TrackedDeadline
from supervision.tracking import track

pytestmark = pytest.mark.django_db

D = datetime.date
NEW = reverse("calendars:override_new")


def _assigned(world, category="water"):
    suggestion, _ = services.suggestion_submit(
        channel="qr", category=category, content="测试期限随节假日调整的事项", deputy=world.deputy
    )
    return services.suggestion_assign(
        actor=world.county_officer, suggestion=suggestion, lead_unit=world.unit
    )


def _holiday(client, day, region, *, name="元旦", preview=False, kind="holiday"):
    data = {"date": day.isoformat(), "kind": kind, "name": name, "region": region.pk}
    if preview:
        data["preview"] = "1"
    return client.post(NEW, data)


def test_the_2027_schedule_entered_by_hand_moves_open_deadlines(client, world, clock):
    # Water matters are answered in 5 working days. Assigned on Mon 28 Dec 2026, the
    # count runs into 2027, which the holiday package does not know: Monday to Friday.
    clock(D(2026, 12, 28))
    matter = _assigned(world)
    assert matter.due_date == D(2027, 1, 4)
    plan = track(
        subject=world.station,
        kind="test.plan",
        label="办理计划",
        title="西街排水改造计划",
        region=world.township,
        responsible=world.deputy_user,
        deadline=compute(
            what="计划", spec="wd:5", start=D(2026, 12, 28), region=world.township, source="测试"
        ),
    )
    assert plan.due_date == D(2027, 1, 4)
    client.force_login(world.sysadmin)
    queued = OutboxMessage.objects.count()

    # The preview counts what would move and keeps nothing.
    page = _holiday(client, D(2027, 1, 1), world.city, preview=True)
    assert page.status_code == 200
    assert "保存后，2项未到期的办理期限将随之调整" in page.content.decode()
    assert not CalendarOverride.objects.exists() and OutboxMessage.objects.count() == queued
    matter.refresh_from_db()
    assert matter.due_date == D(2027, 1, 4)

    # Saved: the worker moves the reply deadline and the tracked plan, and says so.
    assert _holiday(client, D(2027, 1, 1), world.city).status_code == 302
    run_pending()
    matter.refresh_from_db()
    plan.refresh_from_db()
    assert matter.due_date == D(2027, 1, 5) and plan.due_date == D(2027, 1, 5)
    event = matter.events.get(kind="deadline")
    assert event.data == {"old": "2027-01-04", "new": "2027-01-05"} and event.public_text
    assert Notification.objects.filter(recipient=world.clerk, kind="deadline_moved").exists()
    assert Notification.objects.filter(recipient=world.deputy_user, kind="deadline_moved").exists()
    assert AuditRecord.objects.filter(
        object_id=str(plan.pk), changes__due_date=["2027-01-04", "2027-01-05"]
    ).exists()

    # The year is marked complete: its dates are no longer provisional...
    response = client.post(
        reverse("calendars:year_mark"), {"year": "2027", "region": world.city.pk, "complete": "on"}
    )
    assert response.status_code == 302
    run_pending()
    matter.refresh_from_db()
    assert matter.due_provisional is False
    # ...and a county holiday added later still moves them: not only provisional dates.
    assert _holiday(client, D(2027, 1, 4), world.county, name="县庆").status_code == 302
    run_pending()
    matter.refresh_from_db()
    plan.refresh_from_db()
    assert matter.due_date == D(2027, 1, 6) and plan.due_date == D(2027, 1, 6)

    # Removing it moves them back; the edit page said how many would move.
    county_day = CalendarOverride.objects.get(region=world.county)
    edit = client.get(reverse("calendars:override_edit", args=[county_day.pk]))
    assert "删除此调整将使2项未到期的办理期限随之调整" in edit.content.decode()
    client.post(reverse("calendars:override_delete", args=[county_day.pk]))
    run_pending()
    matter.refresh_from_db()
    assert matter.due_date == D(2027, 1, 5)
    assert TrackedDeadline.objects.get(pk=plan.pk).due_date == D(2027, 1, 5)


def test_a_passed_deadline_never_moves(client, world, clock):
    clock(D(2026, 12, 1))
    late = _assigned(world)  # 5 working days: 2, 3, 4, 7, 8 December
    assert late.due_date == D(2026, 12, 8)
    clock(D(2026, 12, 28))
    client.force_login(world.sysadmin)

    page = _holiday(client, D(2026, 12, 3), world.county, name="补休", preview=True)
    assert "保存后，0项未到期的办理期限" in page.content.decode()
    assert _holiday(client, D(2026, 12, 3), world.county, name="补休").status_code == 302
    run_pending()

    late.refresh_from_db()
    assert late.due_date == D(2026, 12, 8)
    assert not late.events.filter(kind="deadline").exists()
