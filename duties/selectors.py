"""Reading a deputy's duty record (一人一档): counts, timeline, planned versus done.

Everything is computed set-based: one aggregate query per kind of record for any
number of deputies, and the reception schedule's engine (a fixed number of
queries) for duty days. Callers pass querysets they already scoped with
`visible_to(user)`; these functions add no tenancy of their own.

Planned versus done: a deputy on duty at a station on a reception day (by the
schedule, `receptions.selectors`) attended when a reception of that station on
that date lists them; a day before today without one is a missed duty day.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock
from core.params import parse_id
from deputies.models import Deputy
from receptions.models import (
    ActivityKind,
    Reception,
    ReceptionRule,
    StationActivity,
    Visit,
)
from receptions.selectors import ReceptionDay, reception_days_between
from stations.models import Station
from suggestions.models import Suggestion

from .models import DEFAULT_POINTS, DeputyPoints, DutyCredit, DutyKind, DutyReport, PointRule

# Not a duty kind: people received at the receptions a deputy attended (shown, not scored).
PEOPLE = "people"
ACTIVITY_KINDS = tuple(ActivityKind.values)


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _aware_bounds(start: datetime.date, end: datetime.date):
    """[start 00:00, end+1 00:00) in the portal's time zone, for datetime columns."""
    tz = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return low, high


# --- Planned versus done -------------------------------------------------------------


@dataclass(frozen=True)
class DutyCheck:
    """One deputy's duty on one reception day, and what became of it."""

    day: ReceptionDay
    deputy: Deputy
    attended: bool  # a reception of the station that day lists the deputy
    missed: bool  # the day has passed and no such reception was logged

    @property
    def date(self) -> datetime.date:
        return self.day.date

    @property
    def station(self) -> Station:
        return self.day.station


@dataclass(frozen=True)
class MissedDuty:
    """A deputy on duty by the schedule for whom no reception was logged that day."""

    date: datetime.date
    station: Station
    deputy: Deputy
    rule_id: int | None


def _present_at(station_ids, start: datetime.date, end: datetime.date) -> set[tuple]:
    """(station id, date, deputy id) for every deputy listed at a reception in the range."""
    through = Reception.deputies.through
    return set(
        through.objects.filter(
            reception__station_id__in=station_ids,
            reception__date__gte=start,
            reception__date__lte=end,
        ).values_list("reception__station_id", "reception__date", "deputy_id")
    )


def duty_checks(
    stations_queryset: QuerySet,
    start: datetime.date,
    end: datetime.date,
    *,
    deputy_ids: set[int] | None = None,
    today: datetime.date | None = None,
) -> list[DutyCheck]:
    """Each (reception day, deputy on duty) of the stations up to today, checked against
    the log. Only deputies in `deputy_ids`, when given."""
    today = today or clock.today()
    end = min(end, today)
    if end < start:
        return []
    days = reception_days_between(stations_queryset, start, end)
    if not days:
        return []
    present = _present_at({day.station.pk for day in days}, start, end)
    checks = []
    for day in days:
        for deputy in day.deputies:
            if deputy_ids is not None and deputy.pk not in deputy_ids:
                continue
            attended = (day.station.pk, day.date, deputy.pk) in present
            checks.append(
                DutyCheck(
                    day=day,
                    deputy=deputy,
                    attended=attended,
                    missed=not attended and day.date < today,
                )
            )
    return checks


def missed_duty_days(
    stations_queryset: QuerySet,
    start: datetime.date,
    end: datetime.date,
    *,
    today: datetime.date | None = None,
) -> list[MissedDuty]:
    """Reception days from `start` to `end` (before today) on which a deputy on duty at
    one of the stations has no reception logged, oldest first.

    For pages and for reminder jobs alike; the caller scopes `stations_queryset`.
    """
    return [
        MissedDuty(
            date=check.date, station=check.station, deputy=check.deputy, rule_id=check.day.rule_id
        )
        for check in duty_checks(stations_queryset, start, end, today=today)
        if check.missed
    ]


@dataclass(frozen=True)
class UnloggedReception:
    """One station's reception day with a deputy on duty and no reception logged for them:
    a line of the missed-duty page, a reception the station still has to log (补登)."""

    date: datetime.date
    station: Station
    deputies: list[Deputy]


def unlogged_receptions(
    stations_queryset: QuerySet,
    start: datetime.date,
    end: datetime.date,
    *,
    today: datetime.date | None = None,
) -> list[UnloggedReception]:
    """`missed_duty_days` as one line per station and day, naming every deputy who has no
    reception that day, newest first. The missed-duty page lists these lines and the
    station officer's workbench counts them."""
    grouped: dict[tuple, list[MissedDuty]] = {}
    for item in missed_duty_days(stations_queryset, start, end, today=today):
        grouped.setdefault((item.date, item.station.pk), []).append(item)
    lines = [
        UnloggedReception(
            date=items[0].date, station=items[0].station, deputies=[i.deputy for i in items]
        )
        for items in grouped.values()
    ]
    lines.sort(key=lambda line: (line.date, line.station.name), reverse=True)
    return lines


# The longest period the missed-duty page computes at once.
MAX_MISSED_DAYS = 400


def _date_param(value, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return default


def missed_lines(stations: QuerySet, params, *, today: datetime.date):
    """The missed-duty page's lines for its parameters (`station`, `start`, `end`; by
    default this month up to yesterday, at most `MAX_MISSED_DAYS`): the page and the
    station officer's workbench count read them here. `stations` is already scoped.
    Returns (lines, start, end, selected station, whether the period was shortened)."""
    end = _date_param(params.get("end"), today - datetime.timedelta(days=1))
    start = _date_param(params.get("start"), end.replace(day=1))
    if start > end:
        start, end = end, start
    clamped = (end - start).days > MAX_MISSED_DAYS
    if clamped:
        start = end - datetime.timedelta(days=MAX_MISSED_DAYS)
    station = None
    if (station_pk := parse_id(params.get("station"))) is not None:
        station = stations.filter(pk=station_pk).first()
    chosen = stations.filter(pk=station.pk) if station is not None else stations
    return unlogged_receptions(chosen, start, end, today=today), start, end, station, clamped


def _duty_stations(deputy_ids_query) -> QuerySet:
    """Stations where any of the deputies can be on duty (named, rota member, exception)."""
    rules = ReceptionRule.objects.filter(
        Q(deputies__in=deputy_ids_query)
        | Q(kind=ReceptionRule.Kind.ROTA, station__deputy_memberships__deputy__in=deputy_ids_query)
        | Q(exceptions__deputies__in=deputy_ids_query)
    ).values("station_id")
    return Station.objects.filter(pk__in=rules)


# --- Counts per kind (the yearly summary, the list, the export and the points) -------


def duty_counts(
    deputies: QuerySet, year: int, *, today: datetime.date | None = None
) -> dict[int, Counter]:
    """{deputy id: Counter({DutyKind: n, PEOPLE: n})} for the deputies' year.

    One aggregate query per kind of record, whatever the number of deputies.
    """
    start, end = year_bounds(year)
    ids_query = deputies.values("pk")
    counts: dict[int, Counter] = defaultdict(Counter)

    through = Reception.deputies.through
    for row in (
        through.objects.filter(
            deputy_id__in=ids_query, reception__date__gte=start, reception__date__lte=end
        )
        .values("deputy_id")
        .annotate(n=Count("reception_id"), people=Sum("reception__people_count"))
    ):
        counts[row["deputy_id"]][DutyKind.RECEPTION] += row["n"]
        counts[row["deputy_id"]][PEOPLE] += row["people"] or 0

    for row in (
        Visit.objects.filter(deputy_id__in=ids_query, date__gte=start, date__lte=end)
        .values("deputy_id")
        .annotate(n=Count("pk"))
    ):
        counts[row["deputy_id"]][DutyKind.VISIT] += row["n"]

    activity_through = StationActivity.deputies.through
    for row in (
        activity_through.objects.filter(
            deputy_id__in=ids_query,
            stationactivity__date__gte=start,
            stationactivity__date__lte=end,
        )
        .values("deputy_id", "stationactivity__kind")
        .annotate(n=Count("pk"))
    ):
        counts[row["deputy_id"]][row["stationactivity__kind"]] += row["n"]

    low, high = _aware_bounds(start, end)
    for row in (
        Suggestion.objects.filter(
            deputy_id__in=ids_query, submitted_at__gte=low, submitted_at__lt=high
        )
        .exclude(status=Suggestion.Status.MERGED)
        .values("deputy_id")
        .annotate(
            n=Count("pk"), on_spot=Count("pk", filter=Q(handling=Suggestion.Handling.ON_SPOT))
        )
    ):
        counts[row["deputy_id"]][DutyKind.SUGGESTION] += row["n"]
        counts[row["deputy_id"]][DutyKind.ANSWERED] += row["on_spot"]

    for row in (
        DutyReport.objects.filter(deputy_id__in=ids_query, year=year)
        .values("deputy_id")
        .annotate(n=Count("pk"))
    ):
        counts[row["deputy_id"]][DutyKind.REPORT] += row["n"]

    for row in (
        DutyCredit.objects.filter(deputy_id__in=ids_query, date__gte=start, date__lte=end)
        .values("deputy_id", "kind")
        .annotate(n=Count("pk"))
    ):
        counts[row["deputy_id"]][row["kind"]] += row["n"]

    wanted = set(deputies.values_list("pk", flat=True))
    for check in duty_checks(_duty_stations(ids_query), start, end, deputy_ids=wanted, today=today):
        if check.attended:
            counts[check.deputy.pk][DutyKind.DUTY_ATTENDED] += 1
        elif check.missed:
            counts[check.deputy.pk][DutyKind.DUTY_MISSED] += 1
    return counts


# --- The timeline of one deputy ----------------------------------------------------------


@dataclass
class TimelineEntry:
    date: datetime.date
    kind: str  # a DutyKind value
    label: str  # the kind in words
    title: str
    detail: str = ""
    url: str = ""  # a page with more; `linkable_timeline` drops it where the viewer may not go
    station: str = ""
    extra: dict = field(default_factory=dict)
    source: type | None = None  # the model the entry comes from, with its pk
    pk: int | None = None


def duty_timeline(
    deputy: Deputy, year: int, *, today: datetime.date | None = None
) -> list[TimelineEntry]:
    """Everything on the deputy's record in `year`, newest first (a fixed number of queries)."""
    from django.urls import reverse

    start, end = year_bounds(year)
    labels = dict(DutyKind.choices)
    entries: list[TimelineEntry] = []

    receptions = (
        Reception.objects.filter(deputies=deputy, date__gte=start, date__lte=end)
        .select_related("station")
        .annotate(suggestion_count=Count("suggestions", distinct=True))
    )
    for reception in receptions:
        entries.append(
            TimelineEntry(
                date=reception.date,
                kind=DutyKind.RECEPTION,
                label=labels[DutyKind.RECEPTION],
                title=reception.station.name,
                detail=_("接待群众%(people)s人，意见建议%(suggestions)s条")
                % {"people": reception.people_count, "suggestions": reception.suggestion_count},
                url=reverse("receptions:log_detail", kwargs={"reception_pk": reception.pk}),
                station=reception.station.name,
                source=Reception,
                pk=reception.pk,
                extra={"on_schedule": reception.rule_id is not None},
            )
        )

    visits = Visit.objects.filter(deputy=deputy, date__gte=start, date__lte=end).annotate(
        household_count=Count("households", distinct=True),
        suggestion_count=Count("suggestions", distinct=True),
    )
    for visit in visits:
        entries.append(
            TimelineEntry(
                date=visit.date,
                kind=DutyKind.VISIT,
                label=labels[DutyKind.VISIT],
                title=visit.place or _("走访联系户%(n)s户") % {"n": visit.household_count},
                detail=_("意见建议%(n)s条") % {"n": visit.suggestion_count},
                url=reverse("receptions:visit_detail", kwargs={"visit_pk": visit.pk}),
                source=Visit,
                pk=visit.pk,
            )
        )

    activities = StationActivity.objects.filter(
        deputies=deputy, date__gte=start, date__lte=end
    ).select_related("station")
    for activity in activities:
        entries.append(
            TimelineEntry(
                date=activity.date,
                kind=activity.kind,
                label=labels[activity.kind],
                title=activity.title,
                url=reverse("receptions:activity_detail", kwargs={"activity_pk": activity.pk}),
                station=activity.station.name,
                source=StationActivity,
                pk=activity.pk,
            )
        )

    low, high = _aware_bounds(start, end)
    suggestions = (
        Suggestion.objects.filter(deputy=deputy, submitted_at__gte=low, submitted_at__lt=high)
        .exclude(status=Suggestion.Status.MERGED)
        .select_related("station")
    )
    for suggestion in suggestions:
        on_spot = suggestion.handling == Suggestion.Handling.ON_SPOT
        kind = DutyKind.ANSWERED if on_spot else DutyKind.SUGGESTION
        entries.append(
            TimelineEntry(
                date=timezone.localtime(suggestion.submitted_at).date(),
                kind=kind,
                label=labels[kind],
                title=suggestion.content[:40],
                detail=f"{suggestion.get_category_display()} · {suggestion.get_status_display()}",
                url=reverse("suggestions:detail", kwargs={"suggestion_pk": suggestion.pk}),
                station=suggestion.station.name if suggestion.station else "",
                source=Suggestion,
                pk=suggestion.pk,
                extra={"code": suggestion.display_code, "channel": suggestion.channel},
            )
        )

    for report in DutyReport.objects.filter(deputy=deputy, year=year):
        entries.append(
            TimelineEntry(
                date=report.date,
                kind=DutyKind.REPORT,
                label=labels[DutyKind.REPORT],
                title=_("%(year)s年度向选民述职") % {"year": report.year},
                detail=report.notes[:80],
                url=reverse("duties:report_edit", kwargs={"duty_report_pk": report.pk}),
                source=DutyReport,
                pk=report.pk,
            )
        )

    for credit in DutyCredit.objects.filter(
        deputy=deputy, date__gte=start, date__lte=end
    ).select_related("content_type"):
        entries.append(
            TimelineEntry(
                date=credit.date,
                kind=credit.kind,
                label=labels.get(credit.kind, credit.kind),
                title=credit.title,
                url=credit.url,
                source=credit.content_type.model_class(),
                pk=credit.object_id,
            )
        )

    for check in duty_checks(
        _duty_stations(Deputy.objects.filter(pk=deputy.pk).values("pk")),
        start,
        end,
        deputy_ids={deputy.pk},
        today=today,
    ):
        if not (check.attended or check.missed):
            continue
        kind = DutyKind.DUTY_ATTENDED if check.attended else DutyKind.DUTY_MISSED
        entries.append(
            TimelineEntry(
                date=check.date,
                kind=kind,
                label=labels[kind],
                title=check.station.name,
                station=check.station.name,
            )
        )

    entries.sort(key=lambda entry: (entry.date, entry.kind), reverse=True)
    return entries


def linkable_timeline(entries: list[TimelineEntry], user) -> list[TimelineEntry]:
    """Drop the links the user may not follow (one query per kind of record)."""
    wanted: dict[type, set[int]] = defaultdict(set)
    for entry in entries:
        if entry.source is not None:
            wanted[entry.source].add(entry.pk)
    allowed = {
        model: set(model.objects.visible_to(user).filter(pk__in=pks).values_list("pk", flat=True))
        if hasattr(model.objects, "visible_to")
        else set()
        for model, pks in wanted.items()
    }
    for entry in entries:
        if entry.source is not None and entry.pk not in allowed[entry.source]:
            entry.url = ""
    return entries


# --- Points ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Weight:
    points: int
    source: str  # the region whose rule gives it; "" for the built-in default


def _prefixes(path: str) -> list[str]:
    """ "14/1411/141122/" -> ["14/", "14/1411/", "14/1411/141122/"]."""
    codes = [code for code in path.split("/") if code]
    return ["".join(f"{code}/" for code in codes[: i + 1]) for i in range(len(codes))]


def weights_for_paths(paths) -> dict[str, dict[str, Weight]]:
    """{region path: {kind: Weight}}: per kind, the nearest region up the tree with a
    rule wins; without one, the default. One query for any number of paths."""
    paths = set(paths)
    ancestors = {prefix for path in paths for prefix in _prefixes(path)}
    rules: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
    for region_path, kind, points, name in PointRule.objects.filter(
        region_path__in=ancestors
    ).values_list("region_path", "kind", "points", "region__name"):
        rules[region_path][kind] = (points, name)
    result = {}
    for path in paths:
        weights = {kind: Weight(points, "") for kind, points in DEFAULT_POINTS.items()}
        for prefix in _prefixes(path):  # top first: nearer regions overwrite
            for kind, (points, name) in rules.get(prefix, {}).items():
                weights[kind] = Weight(points, name)
        result[path] = weights
    return result


def weights_for_region(region) -> dict[str, Weight]:
    return weights_for_paths([region.path])[region.path]


def score(counts: Counter, weights: dict[str, Weight]) -> tuple[int, dict]:
    """(total points, breakdown) for one deputy's counts under the given weights."""
    total, breakdown = 0, {}
    for kind in DutyKind.values:
        count = counts.get(kind, 0)
        if not count:
            continue
        weight = weights[kind]
        subtotal = count * weight.points
        total += subtotal
        breakdown[kind] = {
            "count": count,
            "points": weight.points,
            "total": subtotal,
            "source": weight.source,
        }
    return total, breakdown


def points_for(
    deputies: QuerySet, year: int, *, today: datetime.date | None = None
) -> dict[int, tuple[int, dict]]:
    """{deputy id: (points, breakdown)} computed now, for every deputy in `deputies`."""
    rows = list(deputies.values_list("pk", "region_path"))
    counts = duty_counts(deputies, year, today=today)
    weights = weights_for_paths({path for _pk, path in rows})
    return {pk: score(counts.get(pk, Counter()), weights[path]) for pk, path in rows}


def stored_points(deputy: Deputy, year: int) -> DeputyPoints | None:
    return DeputyPoints.objects.filter(deputy=deputy, year=year).first()


def station_rank(deputy: Deputy, year: int) -> tuple[int, int] | None:
    """(rank, of how many) of the deputy's stored points among those grouped into the
    same station; None without stored points or a station."""
    from deputies.models import StationMembership, current_membership_q

    mine = stored_points(deputy, year)
    membership = (
        StationMembership.objects.filter(current_membership_q(), deputy=deputy)
        .order_by("-start_date")
        .first()
    )
    if mine is None or membership is None:
        return None
    peers = DeputyPoints.objects.filter(
        year=year,
        deputy__in=StationMembership.objects.filter(
            current_membership_q(), station_id=membership.station_id
        ).values("deputy_id"),
    )
    above = peers.filter(points__gt=mine.points).count()
    return above + 1, peers.count()


def ranking(
    points_queryset: QuerySet,
    *,
    year: int,
    station: Station | None = None,
    group=None,
    region=None,
) -> QuerySet:
    """Stored yearly points, best first, within a station, a deputy group or a region.

    `points_queryset` is already scoped (`DeputyPoints.objects.visible_to(user)`);
    the rank (ties share a rank) is computed over the filtered rows.
    """
    from django.db.models import F, Window
    from django.db.models.functions import Rank

    from deputies.models import StationMembership, current_membership_q

    rows = points_queryset.filter(year=year, deputy__status=Deputy.Status.ACTIVE)
    if station is not None:
        rows = rows.filter(
            deputy__in=StationMembership.objects.filter(
                current_membership_q(), station_id=station.pk
            ).values("deputy_id")
        )
    if group is not None:
        rows = rows.filter(deputy__in=group.members.values("pk"))
    if region is not None:
        rows = rows.filter(region_path__startswith=region.path)
    return (
        rows.select_related("deputy", "region")
        .annotate(rank=Window(Rank(), order_by=F("points").desc()))
        .order_by("-points", "deputy__name", "deputy_id")
    )
