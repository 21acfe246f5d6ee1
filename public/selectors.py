"""Reads for the citizens' pages and the placards.

Public pages find their deputy or station by an unguessable token, not through the
tenancy gate: anyone holding the printed code may read what the wall shows. Staff
callers (placards, batches) pass querysets already narrowed with `visible_to`.
"""

import datetime
import functools
from dataclasses import dataclass

from django.db.models import Exists, QuerySet

from deputies.models import Deputy, StationMembership, current_membership_q
from regions.models import Region
from stations.models import Station
from tenancy.scope import Grants, grants_q

from .cache import generation_subquery

_TOKEN = "\x00token\x00"  # stands for the token in the SQL compiled once
_SUBMISSION_TOKEN = "\x00submission\x00"  # and for the form's submission token


@functools.cache
def _kept_page_row_sql(model, with_token: bool = False) -> tuple[str, tuple]:
    """The SQL of "the row with this token, and the kept pages' generation", compiled by
    the ORM once per process: on a kept page compiling the query cost more Python than
    the indexed read itself (the burst of phones is all kept pages). `with_token` adds
    `token_used`: whether a suggestion came from this submission token already (the
    citizen's POST: a double tap is answered by this one read)."""
    from suggestions.models import Suggestion

    rows = model.objects.filter(public_token=_TOKEN).annotate(page_generation=generation_subquery())
    if with_token:
        used = Suggestion.objects.filter(submission_token=_SUBMISSION_TOKEN)
        rows = rows.annotate(token_used=Exists(used))
    rows = rows.order_by()[:1]
    return rows.query.get_compiler(using=rows.db).as_sql()


def _row_with_generation(model, token: str, submission_token: str | None = None):
    sql, params = _kept_page_row_sql(model, with_token=submission_token is not None)
    stand_ins = {_TOKEN: token, _SUBMISSION_TOKEN: submission_token}
    params = tuple(
        stand_ins.get(value, value) if isinstance(value, str) else value for value in params
    )
    return next(iter(model.objects.raw(sql, params)), None)


def deputy_by_token(
    token: str, *, with_generation: bool = False, submission_token: str | None = None
) -> Deputy | None:
    """The deputy; `with_generation` also reads the kept pages' generation in the same
    query (as `page_generation`, see public/cache.py), and `submission_token` whether it
    was used (as `token_used`)."""
    if with_generation:
        return _row_with_generation(Deputy, token, submission_token)
    # No region joined: the public pages never show it.
    return Deputy.objects.filter(public_token=token).first()


def station_by_token(
    token: str, *, with_generation: bool = False, submission_token: str | None = None
) -> Station | None:
    if with_generation:
        return _row_with_generation(Station, token, submission_token)
    return Station.objects.filter(public_token=token).first()


def deputy_is_public(deputy: Deputy) -> bool:
    # A deputy whose duties are suspended (暂停履职) or who left office must not
    # receive suggestions: their page says "not available", like a missing one.
    return deputy.status == Deputy.Status.ACTIVE


def station_is_public(station: Station) -> bool:
    return station.status == Station.Status.ACTIVE


def stations_of_deputy(deputy: Deputy) -> list[Station]:
    """The open stations the deputy is grouped into (编组进站) today."""
    memberships = StationMembership.objects.filter(current_membership_q(), deputy=deputy)
    return list(
        Station.objects.filter(
            pk__in=memberships.values("station_id"), status=Station.Status.ACTIVE
        ).order_by("name")
    )


def deputies_of_station(station: Station, base: QuerySet | None = None) -> QuerySet:
    """Active deputies grouped into the station today (of `base`, when given)."""
    memberships = StationMembership.objects.filter(current_membership_q(), station=station)
    deputies = Deputy.objects.all() if base is None else base
    return deputies.filter(
        pk__in=memberships.values("deputy_id"), status=Deputy.Status.ACTIVE
    ).order_by("name")


def deputies_under(region: Region, base: QuerySet) -> QuerySet:
    """Active deputies of `base` (already scoped to the user) in the region's subtree."""
    # "Under a region" is the tenancy module's own predicate, not a hand-made filter.
    under = grants_q(Deputy, Deputy.tenancy_rule, Grants(region_paths=(region.path,)))
    return base.filter(under, status=Deputy.Status.ACTIVE).order_by("region_path", "name")


@dataclass(frozen=True)
class DutyDay:
    """One upcoming reception day, flattened for the public templates."""

    date: datetime.date
    start_time: datetime.time | None
    end_time: datetime.time | None
    station: Station | None
    deputy_names: tuple[str, ...]
    moved_from: datetime.date | None
    note: str = ""


def _flatten(days) -> list[DutyDay]:
    flat = []
    for day in days:
        deputies = getattr(day, "deputies", None) or ()
        if hasattr(deputies, "all"):
            deputies = deputies.all()
        flat.append(
            DutyDay(
                date=day.date,
                start_time=getattr(day, "start_time", None),
                end_time=getattr(day, "end_time", None),
                station=getattr(day, "station", None),
                deputy_names=tuple(deputy.name for deputy in deputies),
                moved_from=getattr(day, "moved_from", None),
                note=getattr(day, "note", ""),
            )
        )
    return flat


def upcoming_days_for_deputy(deputy: Deputy, *, limit: int = 5) -> list[DutyDay] | None:
    """The deputy's next reception days; None while the reception schedule is not built."""
    try:
        from receptions.selectors import upcoming_duty_days_for_deputy
    except ImportError:
        return None
    return _flatten(upcoming_duty_days_for_deputy(deputy, limit=limit))


def upcoming_days_for_station(station: Station, *, limit: int = 5) -> list[DutyDay] | None:
    try:
        from receptions.selectors import upcoming_reception_days
    except ImportError:
        return None
    return _flatten(upcoming_reception_days(station, limit=limit))
