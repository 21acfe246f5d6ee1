"""The supervision queue, letters, key supervision, supervising by hand, the schedules page."""

import datetime

import pypdfium2
import pytest
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from accounts.models import Role
from audit.models import AuditRecord
from core import clock
from core.models import Heartbeat
from suggestions import services as workflow
from suggestions.models import SuggestionEvent
from supervision import sweeps
from supervision.beat import ensure_default_schedules
from supervision.models import Supervision
from tests import factories as f
from tests.public.helpers import pdf_font_names

from .helpers import assigned

D = datetime.date


def _escalated(world, count: int = 1) -> list[Supervision]:
    """Suggestions the township assigned on 2 March 2026 and the county supervises since the 5th."""
    for _ in range(count):
        assigned(world, on=D(2026, 3, 2))
    sweeps.escalate_overdue(now=timezone.make_aware(datetime.datetime(2026, 3, 5, 9)))
    return list(Supervision.objects.order_by("pk"))


def _pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(content)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    return "".join(text.split())  # letter-spaced titles come out with spaces


# --- The queue ----------------------------------------------------------------------


@pytest.mark.parametrize("member", ["county_officer", "township_officer", "city_officer", "leader"])
def test_the_queue_shows_the_county_record_to_those_above_and_at_the_suggestion(
    client, world, member
):
    (record,) = _escalated(world)
    client.force_login(getattr(world, member))

    body = client.get(reverse("supervision:queue")).content.decode()

    assert record.suggestion.display_code in body
    assert "交城县水务局" in body and "逾期未签收" in body


def test_the_queue_hides_other_regions_records(client, world):
    (record,) = _escalated(world)
    client.force_login(world.outsider)

    response = client.get(reverse("supervision:queue"))

    assert response.status_code == 200
    assert record.suggestion.display_code not in response.content.decode()


@pytest.mark.parametrize("member", ["clerk", "deputy_user", "station_officer"])
def test_units_deputies_and_stations_have_no_queue(client, world, member):
    client.force_login(getattr(world, member))

    assert client.get(reverse("supervision:queue")).status_code == 403


def test_key_items_come_first_and_the_filter_narrows_to_them(client, world):
    first, second = _escalated(world, 2)
    Supervision.objects.filter(pk=second.pk).update(key=True)
    client.force_login(world.county_officer)

    page = client.get(reverse("supervision:queue")).context["page"]
    assert [r.pk for r in page] == [second.pk, first.pk]
    page = client.get(reverse("supervision:queue"), {"key": "on"}).context["page"]
    assert [r.pk for r in page] == [second.pk]


def test_closed_suggestions_leave_the_open_queue(client, world):
    (record,) = _escalated(world)
    suggestion = record.suggestion
    with clock.frozen(D(2026, 3, 6)):
        workflow.assignment_acknowledge(actor=world.clerk, assignment=suggestion.assignments.get())
        workflow.suggestion_reply(actor=world.clerk, suggestion=suggestion, text="已修复。")
    client.force_login(world.county_officer)

    assert list(client.get(reverse("supervision:queue")).context["page"]) == []
    closed = client.get(reverse("supervision:queue"), {"state": "closed"}).context["page"]
    assert [r.pk for r in closed] == [record.pk]


def test_the_queue_takes_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    _escalated(world, 1)
    client.force_login(world.county_officer)
    client.get(reverse("supervision:queue"))  # the session's one-off costs
    with django_assert_max_num_queries(12) as small:
        response = client.get(reverse("supervision:queue"))
    assert len(response.context["page"]) == 1

    _escalated(world, 5)  # measured again at six: no query more
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("supervision:queue"))
    assert len(response.context["page"]) == 6


# --- Key supervision -------------------------------------------------------------------


def test_the_supervising_county_marks_a_key_item(client, world):
    (record,) = _escalated(world)
    client.force_login(world.county_officer)

    response = client.post(
        reverse("supervision:mark_key", args=[record.pk]), {"key": "1"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert "重点督办" in response.content.decode() and "取消重点" in response.content.decode()
    record.refresh_from_db()
    assert record.key and record.key_marked_by == world.county_officer
    assert AuditRecord.objects.filter(object_id=str(record.pk), note="重点督办").exists()
    assert SuggestionEvent.objects.filter(staff_text="列为重点督办。").exists()


@pytest.mark.parametrize(("member", "status"), [("township_officer", 403), ("leader", 403)])
def test_the_township_below_and_leaders_cannot_mark_key_items(client, world, member, status):
    (record,) = _escalated(world)
    client.force_login(getattr(world, member))

    response = client.post(reverse("supervision:mark_key", args=[record.pk]), {"key": "1"})

    assert response.status_code == status
    record.refresh_from_db()
    assert not record.key


# --- Letters ------------------------------------------------------------------------------


def test_the_letter_is_a_pdf_with_chinese_text_and_no_personal_data(client, world):
    (record,) = _escalated(world)
    client.force_login(world.county_officer)

    response = client.get(reverse("supervision:letter", args=[record.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = response.content
    text = _pdf_text(content)
    for expected in ("提醒督办函", "交城县人大常委会", "交城县水务局", "签收", "停水三天"):
        assert expected in text, expected
    assert record.suggestion.tracking_code in text
    assert "张大爷" not in text and "13812345678" not in text
    fonts = pdf_font_names(content)  # the Chinese glyphs come from an embedded Noto CJK
    assert any("CJK" in name and "Noto" in name.replace("-", "") for name in fonts), fonts


@pytest.mark.parametrize("member", ["clerk", "outsider", "neighbour_clerk", "deputy_user"])
def test_the_letter_is_for_congress_staff_of_the_region_only(client, world, member):
    (record,) = _escalated(world)
    client.force_login(getattr(world, member))

    assert client.get(reverse("supervision:letter", args=[record.pk])).status_code == 404


# --- Supervising by hand -----------------------------------------------------------------


def test_county_staff_supervise_a_suggestion_by_hand_as_a_key_item(client, world):
    suggestion = assigned(world, on=D(2026, 3, 2))
    client.force_login(world.county_officer)
    url = reverse("supervision:escalate", args=[suggestion.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"note": "群众反映强烈，请三日内解决。", "key": "on"})

    assert response.status_code == 302
    record = Supervision.objects.get()
    assert (record.region, record.reason, record.key) == (world.county, "by_hand", True)
    assert record.created_by == world.county_officer
    assert record.note == "群众反映强烈，请三日内解决。"
    assert record.unit == world.unit and record.due_date == D(2026, 3, 4)
    # The suggestion's page no longer offers the county a second 督办; the city may still
    detail = reverse("suggestions:detail", args=[suggestion.pk])
    assert url not in client.get(detail).content.decode()
    client.force_login(world.city_officer)
    assert url in client.get(detail).content.decode()


def test_supervising_by_hand_needs_a_note_and_happens_once_per_level(client, world):
    suggestion = assigned(world, on=D(2026, 3, 2))
    client.force_login(world.county_officer)
    url = reverse("supervision:escalate", args=[suggestion.pk])

    empty = client.post(url, {"note": "  "})
    assert empty.status_code == 400 and "督办意见" in empty.content.decode()
    client.post(url, {"note": "请抓紧办理"})
    again = client.post(url, {"note": "再次督办"})

    assert again.status_code == 400
    assert "交城县人大常委会已督办该事项" in again.content.decode()
    assert "再次督办" in again.content.decode()  # what was typed is kept
    assert Supervision.objects.count() == 1


@pytest.mark.parametrize(
    ("member", "status"),
    [("leader", 403), ("clerk", 403), ("outsider", 404), ("neighbour_clerk", 404)],
)
def test_supervising_by_hand_is_for_region_staff(client, world, member, status):
    suggestion = assigned(world, on=D(2026, 3, 2))
    client.force_login(getattr(world, member))

    response = client.post(reverse("supervision:escalate", args=[suggestion.pk]), {"note": "督办"})

    assert response.status_code == status
    assert not Supervision.objects.exists()


def test_the_suggestion_page_shows_its_supervisions_to_staff_but_not_to_the_unit(client, world):
    (record,) = _escalated(world)
    url = reverse("suggestions:detail", args=[record.suggestion_id])
    letter = reverse("supervision:letter", args=[record.pk])

    client.force_login(world.township_officer)
    body = client.get(url).content.decode()
    assert letter in body and "督办该事项" in body
    client.force_login(world.clerk)
    body = client.get(url).content.decode()
    assert letter not in body and "督办该事项" not in body


# --- Schedules ------------------------------------------------------------------------------


def test_default_schedules_are_created_once_and_never_overwrite_an_edit(db, settings):
    created = ensure_default_schedules(settings.CELERY_BEAT_SCHEDULE)
    assert "supervision-overdue-sweep" in created and "outbox-relay" in created

    relay = PeriodicTask.objects.get(name="outbox-relay")
    relay.enabled = False
    relay.interval = IntervalSchedule.objects.create(every=30, period="seconds")
    relay.save()

    assert ensure_default_schedules(settings.CELERY_BEAT_SCHEDULE) == []
    relay.refresh_from_db()
    assert (relay.enabled, relay.interval.every) == (False, 30)


def test_the_schedules_page_lists_tasks_runs_and_heartbeats_for_sysadmins(client, world, settings):
    ensure_default_schedules(settings.CELERY_BEAT_SCHEDULE)
    PeriodicTask.objects.filter(name="outbox-relay").update(last_run_at=timezone.now())
    Heartbeat.objects.create(name="beat", at=timezone.now() - datetime.timedelta(minutes=20))
    client.force_login(world.sysadmin)

    body = client.get(reverse("supervision:schedules")).content.decode()

    assert "后台任务计划" in body
    assert "supervision.tasks.sweep_overdue" in body and "每天7-20时，每小时第5分" in body
    assert "每15秒" in body and "每天2:30" in body and "每小时" in body  # 3600 seconds
    assert "逾期事项自动提请上级督办" in body
    assert "超过5分钟未更新" in body
    assert "django-admin" not in body  # editing is for superusers


def test_superusers_edit_schedules_in_django_admin(client, world, settings):
    ensure_default_schedules(settings.CELERY_BEAT_SCHEDULE)
    admin = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)

    assert "在系统后台修改" in client.get(reverse("supervision:schedules")).content.decode()
    response = client.get("/django-admin/django_celery_beat/periodictask/")
    assert response.status_code == 200 and "supervision-overdue-sweep" in response.content.decode()


@pytest.mark.parametrize("member", ["county_officer", "leader", "clerk"])
def test_the_schedules_page_is_not_for_others(client, world, member):
    client.force_login(getattr(world, member))

    assert client.get(reverse("supervision:schedules")).status_code == 403


def test_the_menu_offers_the_queue_to_staff_and_schedules_to_sysadmins(client, world):
    client.force_login(world.county_officer)
    home = client.get(reverse("accounts:home")).content.decode()
    assert reverse("supervision:queue") in home
    assert reverse("supervision:schedules") not in home

    sysadmin = f.user_with_role("sys2", Role.SYSADMIN, region=world.county)
    client.force_login(sysadmin)
    assert reverse("supervision:schedules") in client.get(reverse("accounts:home")).content.decode()
