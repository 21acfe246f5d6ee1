"""The three workflow tables, walked whole: for every state and every member of the cast,
the detail page offers exactly the actions the table allows, the API's
`available_actions` is the table's answer, and an action the table refuses is refused
by the API (403/404, or 400 with a Chinese message) leaving the state as it was."""

import datetime

import pytest
from django.urls import reverse

from appointments.models import Booking, MeetingRequest, ReportBack
from appointments.workflow import BOOKING, MEETING, REPORT_BACK

from .world import appointments_world

ACTORS = [
    "county_officer",
    "township_officer",
    "station_officer",
    "deputy_user",
    "clerk",
    "leader",
    "outsider",
    "neighbour_clerk",
]
NOW = datetime.datetime(2026, 6, 10, 10, 0, tzinfo=datetime.UTC)
# Actions the citizen takes on the receipt page, not on the staff page.
CITIZEN_ACTIONS = {"accept", "cancel"}
# Taken on the public poll page.
PUBLIC_ACTIONS = {"vote"}

TABLES = [
    (
        BOOKING,
        "booking",
        "appointments:booking_detail",
        "appointment-booking-detail",
        "appointment-booking-act",
    ),
    (
        MEETING,
        "meeting",
        "appointments:meeting_detail",
        "appointment-meeting-detail",
        "appointment-meeting-act",
    ),
    (
        REPORT_BACK,
        "report",
        "appointments:report_detail",
        "appointment-report-detail",
        "appointment-report-act",
    ),
]


def _put(obj, state):
    type(obj).objects.filter(pk=obj.pk).update(status=state)
    obj.refresh_from_db()
    return obj


@pytest.mark.parametrize(
    "table, attr, page, detail, act", TABLES, ids=["booking", "meeting", "report"]
)
def test_pages_and_api_offer_what_the_table_allows(
    client, world, clock, table, attr, page, detail, act
):
    clock(NOW)
    a = appointments_world(world)
    obj = getattr(a, attr)
    if attr == "meeting":
        obj.meeting_at = NOW - datetime.timedelta(days=1)
        obj.save(update_fields=["meeting_at"])
    for state in table.states.values:
        obj = _put(obj, state)
        for name in ACTORS:
            user = getattr(world, name)
            client.force_login(user)
            allowed = table.available(user, obj)
            html_response = client.get(reverse(page, args=[obj.pk]))
            api = client.get(reverse(detail, args=[obj.pk]))
            if html_response.status_code == 404:
                assert api.status_code == 404 and not allowed, (state, name)
                continue
            html = html_response.content.decode()
            offered = {
                action.name
                for action in table.actions
                if f'name="action" value="{action.name}"' in html
            }
            citizen = CITIZEN_ACTIONS if attr == "booking" else set()
            staff_side = set(allowed) - citizen - PUBLIC_ACTIONS
            assert offered == staff_side, (state, name, offered, allowed)
            assert api.json()["available_actions"] == allowed, (state, name)
            for action in table.actions:
                if action.name in allowed or action.name in citizen | PUBLIC_ACTIONS:
                    continue
                if action.name not in act_choices(attr):
                    continue
                refused = client.post(
                    reverse(act, args=[obj.pk]),
                    {"action": action.name},
                    content_type="application/json",
                )
                assert refused.status_code in (400, 403, 404), (state, name, action.name)
                obj.refresh_from_db()
                assert obj.status == state


def act_choices(attr):
    return {
        "booking": {"confirm", "propose", "decline", "hold", "miss"},
        "meeting": {"forward", "decline", "schedule", "hold", "answer", "rate"},
        "report": {"hold", "tally", "open_poll", "close_poll", "cancel"},
    }[attr]


def test_the_citizen_acts_only_from_the_receipt(client, world, clock):
    clock(NOW)
    booking = _put(appointments_world(world).booking, Booking.Status.PROPOSED)
    receipt = reverse("public_appointments:booking", args=[booking.public_token])
    assert 'value="accept"' in client.get(receipt).content.decode()
    client.post(receipt, {"action": "accept"})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert 'value="accept"' not in client.get(receipt).content.decode()


__all__ = ["MeetingRequest", "ReportBack"]
