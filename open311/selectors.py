"""What a client may read: the suggestions of its region, in GeoReport's terms, no personal data."""

from __future__ import annotations

import datetime
import re

from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone

from core.masking import mask_phone
from suggestions.models import Assignment, Category, Suggestion, SuggestionEvent
from tenancy.scope import restrict_to

from .permissions import client_scope

S = Suggestion.Status
# The specification's two states: open until answered and done with, closed after.
OPEN = (S.SUBMITTED, S.ACCEPTED, S.ASSIGNED, S.HANDLING, S.REPLIED)
CLOSED = (S.CLOSED, S.REJECTED, S.MERGED)
MAX_ROWS = 1000
# A phone number a citizen typed into the description is masked like any other.
_PHONE_IN_TEXT = re.compile(r"(?<!\d)1\d{10}(?!\d)")


def services() -> list[tuple[str, str]]:
    """One service per suggestion category: (service_code, service_name)."""
    return list(Category.choices)


def requests_of(client, *, ids=None, service_code="", start=None, end=None, status=""):
    """The client's region's suggestions filtered as GET requests asks (at most 1000)."""
    last_public = (
        SuggestionEvent.objects.filter(suggestion=OuterRef("pk"))
        .exclude(public_text="")
        .order_by("-at", "-pk")
        .values("public_text")[:1]
    )
    rows = (
        restrict_to(Suggestion.objects.all(), client_scope(client))
        .annotate(status_notes=Subquery(last_public))
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(role=Assignment.Role.LEAD)
                .select_related("unit")
                .order_by("-pk"),
                to_attr="leads",
            )
        )
    )
    if ids:  # "This overrides all other arguments" (the specification)
        return rows.filter(tracking_code__in=ids).order_by("-submitted_at", "-pk")[:MAX_ROWS]
    if service_code:
        rows = rows.filter(category=service_code)
    if start:
        rows = rows.filter(submitted_at__gte=start)
    if end:
        rows = rows.filter(submitted_at__lte=end)
    if status == "open":
        rows = rows.filter(status__in=OPEN)
    elif status == "closed":
        rows = rows.filter(status__in=CLOSED)
    return rows.order_by("-submitted_at", "-pk")[:MAX_ROWS]


def request_by_token(client, token: str) -> Suggestion | None:
    rows = restrict_to(Suggestion.objects.all(), client_scope(client))
    return rows.filter(submission_token=f"o311-{client.pk}-{token}").first()


def _moment(value) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _due(day: datetime.date | None) -> str | None:
    if day is None:
        return None
    end = datetime.datetime.combine(day, datetime.time(23, 59, 59))
    return timezone.make_aware(end).isoformat(timespec="seconds")


def as_request(suggestion: Suggestion) -> dict:
    """A suggestion as a GeoReport service request; never a citizen's name or phone."""
    leads = [a for a in getattr(suggestion, "leads", []) if a.status != "withdrawn"]
    description = _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), suggestion.content)
    return {
        "service_request_id": suggestion.tracking_code,
        "status": "closed" if suggestion.status in CLOSED else "open",
        "status_notes": getattr(suggestion, "status_notes", None) or "",
        "service_name": suggestion.get_category_display(),
        "service_code": suggestion.category,
        "description": description,
        "agency_responsible": leads[0].unit.name if leads else "",
        "service_notice": "",
        "requested_datetime": _moment(suggestion.submitted_at),
        "updated_datetime": _moment(suggestion.updated_at),
        "expected_datetime": _due(suggestion.due_date),
        "address": suggestion.place,
        "address_id": "",
        "zipcode": "",
        "lat": float(suggestion.latitude) if suggestion.latitude is not None else None,
        "long": float(suggestion.longitude) if suggestion.longitude is not None else None,
        "media_url": "",
    }


MAX_OFFSET = datetime.timedelta(hours=14)


def parse_moment(value: str | None):
    """An ISO 8601 moment as the specification writes them; None if absent, ValueError if bad."""
    if not value:
        return None
    moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not timezone.is_aware(moment):
        moment = timezone.make_aware(moment)
    if abs(moment.utcoffset()) > MAX_OFFSET:
        # Python takes any offset under a day; no zone on earth (nor PostgreSQL) goes past 14 hours.
        raise ValueError(value)
    try:
        return moment.astimezone(datetime.UTC)
    except OverflowError as beyond:  # 0001-01-01 with a positive offset has no UTC moment
        raise ValueError(value) from beyond
