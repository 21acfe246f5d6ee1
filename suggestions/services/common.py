"""Steps every stage of the suggestion workflow shares: lock, check, record, save.

Each service locks the suggestion row (SELECT ... FOR UPDATE) before reading its
state, asks the workflow table (`suggestions.workflow`) whether the actor may take
the action now, writes a timeline event and an audit record, and saves with
`update_fields`, all in one transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record, diff, snapshot
from core import writes
from core.outbox import enqueue
from regions.models import Region
from tenancy.scope import deepest_root

from .. import deadlines
from ..models import Suggestion, SuggestionEvent
from ..workflow import SUGGESTION

Status = Suggestion.Status
Kind = SuggestionEvent.Kind

TRACKED_FIELDS = [
    "status",
    "handling",
    "reject_reason",
    "reply_text",
    "satisfaction",
    "reopened_count",
    "merged_into",
    "due_date",
    "due_provisional",
]
DUE_FIELDS = ["due_date", "due_rule", "due_provisional", "due_start", "due_spec"]


def signed_in(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def actor_label(actor) -> str:
    return actor.get_full_name() if signed_in(actor) else _("群众")


def lock(suggestion: Suggestion) -> Suggestion:
    """The row, locked for this transaction, with the state other writers committed."""
    return (
        Suggestion.objects.select_for_update(of=("self",))
        .select_related("region", "deputy", "station")
        .get(pk=suggestion.pk)
    )


def locked_for(name: str, actor, suggestion: Suggestion) -> Suggestion:
    """Lock the row and check the workflow table's action `name` for `actor` on it."""
    suggestion = lock(suggestion)
    SUGGESTION.check(name, actor, suggestion)
    return suggestion


def event_row(
    suggestion_id: int,
    kind: str,
    actor,
    *,
    public: str = "",
    staff: str = "",
    data: dict | None = None,
    at=None,
) -> SuggestionEvent:
    """One timeline entry, not yet saved: the one shape every writer of the timeline uses."""
    row = SuggestionEvent(
        suggestion_id=suggestion_id,
        kind=kind,
        actor=actor if signed_in(actor) else None,
        actor_label=actor_label(actor) if actor is not None else _("系统"),
        public_text=public[:500],
        staff_text=staff,
        data=data or {},
    )
    if at is not None:
        row.at = at
    return row


def event(
    suggestion: Suggestion,
    kind: str,
    actor,
    *,
    public: str = "",
    staff: str = "",
    data: dict | None = None,
) -> SuggestionEvent:
    row = event_row(suggestion.pk, kind, actor, public=public, staff=staff, data=data)
    if actor is None:
        row.actor_label = _("群众")
    return writes.insert(row)  # inside writes.together(): with the block's other rows


def system_events(rows: list[SuggestionEvent]) -> None:
    """Write a batch of the system's timeline entries (the sweeps), a few INSERTs in all."""
    SuggestionEvent.objects.bulk_create(rows, batch_size=1000)


# The fields a deputy's points are counted from (`duties.selectors.points_for`).
POINTS_FIELDS = {"status", "handling", "deputy"}


def save(suggestion: Suggestion, before: dict, actor, note: str, fields: Iterable[str]) -> None:
    """Save a change of state, audited; the one place every stage writes a suggestion."""
    fields = list(fields)
    suggestion.save(update_fields=[*fields, "updated_at"])
    if POINTS_FIELDS & set(fields):
        queue_points(suggestion, before.get("deputy"))
    audit_record(
        actor=actor,
        action=AuditRecord.Action.STATE,
        obj=suggestion,
        changes=diff(before, snapshot(suggestion, TRACKED_FIELDS)),
        note=note,
        actor_label="" if signed_in(actor) else _("群众"),
    )


def set_reply_deadline(suggestion: Suggestion, *, spec: str, start: datetime.date) -> None:
    terms = deadlines.terms_for(suggestion.region, suggestion.category)
    due = deadlines.compute(
        what=_("答复"), spec=spec, start=start, region=suggestion.region, source=terms.source
    )
    suggestion.due_date = due.date
    suggestion.due_rule = due.rule
    suggestion.due_provisional = due.provisional
    suggestion.due_start = due.start
    suggestion.due_spec = due.spec


def clear_deadline(suggestion: Suggestion) -> None:
    suggestion.due_date = None
    suggestion.due_rule = ""
    suggestion.due_provisional = False
    suggestion.due_start = None
    suggestion.due_spec = ""


def accept_implicitly(suggestion: Suggestion, actor) -> None:
    """A handling decision on a submitted suggestion accepts it first."""
    if suggestion.status == Status.SUBMITTED:
        event(suggestion, Kind.ACCEPTED, actor, public=_("您反映的问题已受理。"))


CONGRESS_LEVELS = (
    Region.Level.TOWNSHIP,
    Region.Level.COUNTY,
    Region.Level.CITY,
    Region.Level.PROVINCE,
)


def congress_region_of(region: Region) -> Region:
    """The nearest region at or above `region` that has a congress (villages have none)."""
    if region.level in CONGRESS_LEVELS or region.parent_id is None:
        return region
    return region.parent


def assigning_region(actor, suggestion: Suggestion) -> Region:
    """The congress on whose behalf `actor` acts on the suggestion: its deepest covering region.

    A superuser (no region roles) acts for the suggestion's own township or county.
    """
    root = deepest_root(actor, suggestion.region_path)
    if root is not None:
        region = Region.objects.filter(path=root).first()
        if region is not None:
            return congress_region_of(region)
    return congress_region_of(suggestion.region)


def chinese_date(value: datetime.date | None) -> str:
    return value.strftime("%Y年%m月%d日").replace("年0", "年").replace("月0", "月") if value else ""


def queue_points(suggestion: Suggestion, *former_deputies) -> None:
    """Recompute the points of the deputies a change concerns once it commits, through
    the outbox: a matter closed, merged away or answered on the spot counts at once,
    not at the nightly run."""
    ids = sorted({pk for pk in (suggestion.deputy_id, *former_deputies) if pk})
    if ids:
        year = timezone.localtime(suggestion.submitted_at).year
        enqueue("duties.tasks.recompute_points", deputy_ids=ids, year=year)
