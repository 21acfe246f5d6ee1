"""The ledgers (台账) as Excel workbooks, in the column layouts staff keep on paper.

Each builder takes the user who asked (everything is read through their scope), the
region and the period, a `progress` to report to, and whether phone numbers may be
shown in full; it streams rows into a write-only workbook, so a province-sized
ledger does not sit in memory twice. Headers are fixed Chinese strings, like the
portal's other exports: a sheet handed between offices reads the same whatever
language the exporting user reads.
"""

from __future__ import annotations

import datetime
import io
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db.models import Count, Max, Prefetch, Q, Sum
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core import clock
from core.masking import mask_phone
from dashboards.counting import aware_bounds
from dashboards.periods import Period
from deputies.models import Deputy, StationMembership, current_membership_q
from receptions.models import Reception, StationActivity, Visit
from regions.models import Region
from stations.models import Station, StationAssessment
from suggestions.models import Assignment, Suggestion, SuggestionEvent

CHUNK = 500
TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
WRAP = Alignment(wrap_text=True, vertical="top")


class Sheet:
    """A write-only sheet with a title line, a header row and fixed column widths."""

    def __init__(self, workbook, title: str, heading: str, headers: list[tuple[str, int]]):
        self.sheet = workbook.create_sheet(title=title)
        for index, (_header, width) in enumerate(headers, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.sheet.freeze_panes = "A3"
        title_cell = WriteOnlyCell(self.sheet, value=heading)
        title_cell.font = TITLE_FONT
        self.sheet.append([title_cell])
        cells = []
        for header, _width in headers:
            cell = WriteOnlyCell(self.sheet, value=header)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cells.append(cell)
        self.sheet.append(cells)

    def append(self, values: Iterable, *, wrap: tuple[int, ...] = ()) -> None:
        row = []
        for index, value in enumerate(values):
            if index in wrap:
                cell = WriteOnlyCell(self.sheet, value=value)
                cell.alignment = WRAP
                row.append(cell)
            else:
                row.append(value)
        self.sheet.append(row)


def _workbook() -> Workbook:
    workbook = Workbook(write_only=True)
    return workbook


def _bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _phone(phone: str, full: bool) -> str:
    return (phone or "") if full else mask_phone(phone or "")


def _local(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _day(day: datetime.date | None) -> str:
    return day.isoformat() if day else ""


def _heading(region: Region, period: Period, name: str) -> str:
    place = region.full_name() or region.name
    return f"{place}{name}（{period.start:%Y-%m-%d}至{period.end:%Y-%m-%d}）"


# --- 接待群众意见建议登记簿 ---------------------------------------------------------------


def receptions_queryset(actor, region: Region, period: Period):
    return (
        Reception.objects.visible_to(actor)
        .filter(
            region_path__startswith=region.path,
            date__gte=period.start,
            date__lte=period.end,
        )
        .order_by("date", "station__name", "pk")
    )


def reception_register(actor, region, period, progress, *, full_phones: bool) -> bytes:
    """One line per suggestion raised at each reception (a reception with none: one line)."""
    receptions = receptions_queryset(actor, region, period).select_related("station")
    raised = Suggestion.objects.visible_to(actor).select_related("constituent").order_by("pk")
    receptions = receptions.prefetch_related(
        Prefetch("deputies", queryset=Deputy.objects.only("pk", "name").order_by("name")),
        Prefetch("suggestions", queryset=raised),
    )
    progress.start(receptions.count())
    workbook = _workbook()
    sheet = Sheet(
        workbook,
        "接待登记簿",
        _heading(region, period, "接待群众意见建议登记簿"),
        [
            ("序号", 6),
            ("接待日期", 12),
            ("联络站点", 24),
            ("接待代表", 22),
            ("接待人数", 9),
            ("反映人", 10),
            ("联系电话", 14),
            ("反映问题及意见建议", 44),
            ("类别", 10),
            ("办理方式", 14),
            ("办理情况", 10),
            ("答复情况", 36),
            ("接待情况", 30),
        ],
    )
    line = 0
    for done, reception in enumerate(receptions.iterator(chunk_size=CHUNK), start=1):
        deputies = "、".join(deputy.name for deputy in reception.deputies.all())
        head = [
            _day(reception.date),
            reception.station.name,
            deputies,
            reception.people_count,
        ]
        suggestions = list(reception.suggestions.all()) or [None]
        for suggestion in suggestions:
            line += 1
            if suggestion is None:
                cells = ["", "", "", "", "", "", ""]
            else:
                person = suggestion.constituent
                cells = [
                    person.name if person else "",
                    _phone(person.phone if person else "", full_phones),
                    suggestion.content,
                    suggestion.get_category_display(),
                    suggestion.get_handling_display(),
                    suggestion.get_status_display(),
                    suggestion.reply_text,
                ]
            sheet.append([line, *head, *cells, reception.notes], wrap=(7, 11, 12))
        progress.update(done)
    return _bytes(workbook)


# --- 群众意见建议办理台账（一事一记） -----------------------------------------------------


def suggestions_queryset(actor, region: Region, period: Period):
    low, high = aware_bounds(period.start, period.end)
    return (
        Suggestion.objects.visible_to(actor)
        .filter(region_path__startswith=region.path, submitted_at__gte=low, submitted_at__lt=high)
        .exclude(status=Suggestion.Status.MERGED)
        .order_by("submitted_at", "pk")
    )


def suggestion_register(actor, region, period, progress, *, full_phones: bool) -> bytes:
    """One line per suggestion with every step in one cell, and every step on a second sheet."""
    suggestions = (
        suggestions_queryset(actor, region, period)
        .select_related("constituent", "deputy", "station", "region")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("unit").order_by("role", "pk"),
            ),
            Prefetch("events", queryset=SuggestionEvent.objects.order_by("at", "pk")),
        )
    )
    progress.start(suggestions.count())
    workbook = _workbook()
    heading = _heading(region, period, "群众意见建议办理台账")
    listing = Sheet(
        workbook,
        "意见建议台账",
        heading,
        [
            ("序号", 6),
            ("查询码", 11),
            ("提交时间", 17),
            ("渠道", 11),
            ("类别", 10),
            ("反映人", 10),
            ("联系电话", 14),
            ("反映内容", 44),
            ("地点", 18),
            ("人大代表", 10),
            ("联络站点", 22),
            ("所属区划", 12),
            ("办理方式", 14),
            ("承办单位", 24),
            ("答复期限", 12),
            ("答复时间", 17),
            ("答复内容", 40),
            ("满意度", 9),
            ("回访时间", 17),
            ("办结时间", 17),
            ("状态", 9),
            ("办理过程", 60),
        ],
    )
    steps = Sheet(
        workbook,
        "办理记录",
        f"{heading}·办理记录",
        [("查询码", 11), ("时间", 17), ("环节", 10), ("说明", 60), ("经办人", 16)],
    )
    for done, suggestion in enumerate(suggestions.iterator(chunk_size=CHUNK), start=1):
        person = suggestion.constituent
        units = "；".join(
            f"{a.unit.name}（{a.get_role_display()}·{a.get_status_display()}）"
            for a in suggestion.assignments.all()
        )
        history = []
        for event in suggestion.events.all():
            text = event.public_text or event.staff_text
            history.append(f"{_local(event.at)} {event.get_kind_display()}：{text}".rstrip("："))
            steps.append(
                [
                    suggestion.tracking_code,
                    _local(event.at),
                    event.get_kind_display(),
                    "；".join(filter(None, [event.public_text, event.staff_text])),
                    event.actor_label,
                ],
                wrap=(3,),
            )
        listing.append(
            [
                done,
                suggestion.tracking_code,
                _local(suggestion.submitted_at),
                suggestion.get_channel_display(),
                suggestion.get_category_display(),
                person.name if person else "",
                _phone(person.phone if person else "", full_phones),
                suggestion.content,
                suggestion.place,
                suggestion.deputy.name if suggestion.deputy else "",
                suggestion.station.name if suggestion.station else "",
                suggestion.region.name,
                suggestion.get_handling_display(),
                units,
                _day(suggestion.due_date),
                _local(suggestion.replied_at),
                suggestion.reply_text,
                suggestion.get_satisfaction_display(),
                _local(suggestion.followed_up_at),
                _local(suggestion.closed_at),
                suggestion.get_status_display(),
                "\n".join(history),
            ],
            wrap=(7, 16, 21),
        )
        progress.update(done)
    return _bytes(workbook)


# --- 代表履职情况汇总表 -------------------------------------------------------------------


def deputies_queryset(actor, region: Region):
    return (
        Deputy.objects.visible_to(actor)
        .filter(region_path__startswith=region.path)
        .order_by("region_path", "name", "pk")
    )


def duty_counts(deputy_ids, period: Period) -> dict[int, Counter]:
    """{deputy id: Counter} of the period's receptions, people, visits, activities and
    suggestions: one aggregate query per kind, whatever the number of deputies."""
    counts: dict[int, Counter] = defaultdict(Counter)
    start, end = period.start, period.end
    for row in (
        Reception.deputies.through.objects.filter(
            deputy_id__in=deputy_ids, reception__date__gte=start, reception__date__lte=end
        )
        .values("deputy_id")
        .annotate(n=Count("pk"), people=Sum("reception__people_count"))
        .order_by()
    ):
        counts[row["deputy_id"]]["receptions"] = row["n"]
        counts[row["deputy_id"]]["people"] = row["people"] or 0
    for row in (
        Visit.objects.filter(deputy_id__in=deputy_ids, date__gte=start, date__lte=end)
        .values("deputy_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[row["deputy_id"]]["visits"] = row["n"]
    for row in (
        StationActivity.deputies.through.objects.filter(
            deputy_id__in=deputy_ids,
            stationactivity__date__gte=start,
            stationactivity__date__lte=end,
        )
        .values("deputy_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[row["deputy_id"]]["activities"] = row["n"]
    low, high = aware_bounds(start, end)
    for row in (
        Suggestion.objects.filter(
            deputy_id__in=deputy_ids, submitted_at__gte=low, submitted_at__lt=high
        )
        .exclude(status=Suggestion.Status.MERGED)
        .values("deputy_id")
        .annotate(
            n=Count("pk"),
            on_spot=Count("pk", filter=Q(handling=Suggestion.Handling.ON_SPOT)),
        )
        .order_by()
    ):
        counts[row["deputy_id"]]["suggestions"] = row["n"]
        counts[row["deputy_id"]]["answered"] = row["on_spot"]
    return counts


def duty_summary(actor, region, period, progress, *, full_phones: bool) -> bytes:
    """One line per deputy: where grouped, and what the period's record shows."""
    today = clock.today()
    deputies = deputies_queryset(actor, region).prefetch_related(
        Prefetch(
            "memberships",
            queryset=StationMembership.objects.filter(current_membership_q(today=today))
            .select_related("station")
            .order_by("station__name"),
            to_attr="current_memberships",
        )
    )
    progress.start(deputies.count())
    workbook = _workbook()
    sheet = Sheet(
        workbook,
        "代表履职汇总",
        _heading(region, period, "代表履职情况汇总表"),
        [
            ("序号", 6),
            ("姓名", 10),
            ("代表层级", 14),
            ("状态", 9),
            ("手机号", 14),
            ("工作单位及职务", 30),
            ("所在联络站", 28),
            ("进站接待（次）", 12),
            ("接待群众（人次）", 14),
            ("走访选民（次）", 12),
            ("参加活动（次）", 12),
            ("收集意见建议（件）", 16),
            ("当场答复（件）", 12),
            ("本期未进站", 10),
        ],
    )
    batch: list[Deputy] = []
    line = 0

    def flush():
        nonlocal line
        counts = duty_counts([deputy.pk for deputy in batch], period)
        for deputy in batch:
            line += 1
            c = counts.get(deputy.pk, Counter())
            sheet.append(
                [
                    line,
                    deputy.name,
                    deputy.get_level_display(),
                    deputy.get_status_display(),
                    _phone(deputy.phone, full_phones or deputy.phone_public),
                    "".join(filter(None, [deputy.work_unit, deputy.position])),
                    "、".join(m.station.name for m in deputy.current_memberships),
                    c["receptions"],
                    c["people"],
                    c["visits"],
                    c["activities"],
                    c["suggestions"],
                    c["answered"],
                    "是" if not c["receptions"] else "",
                ]
            )
        progress.update(line)
        batch.clear()

    for deputy in deputies.iterator(chunk_size=CHUNK):
        batch.append(deputy)
        if len(batch) >= CHUNK:
            flush()
    if batch:
        flush()
    return _bytes(workbook)


# --- 联络站点名册 -------------------------------------------------------------------------


def stations_queryset(actor, region: Region):
    return (
        Station.objects.visible_to(actor)
        .filter(region_path__startswith=region.path)
        .order_by("region_path", "parent_id", "name", "pk")
    )


def station_list(actor, region, period, progress, *, full_phones: bool) -> bytes:
    """One line per station and point: kind, place, head, rating and the period's receptions."""
    today = clock.today()
    stations = list(stations_queryset(actor, region).select_related("region", "parent"))
    progress.start(len(stations))
    ids = [station.pk for station in stations]
    members = dict(
        StationMembership.objects.filter(current_membership_q(today=today), station_id__in=ids)
        .values("station_id")
        .annotate(n=Count("deputy_id", distinct=True))
        .values_list("station_id", "n")
    )
    receptions = {
        row["station_id"]: row
        for row in Reception.objects.filter(
            station_id__in=ids, date__gte=period.start, date__lte=period.end
        )
        .values("station_id")
        .annotate(n=Count("pk"), people=Sum("people_count"))
        .order_by()
    }
    assessed = dict(
        StationAssessment.objects.filter(station_id__in=ids, withdrawn_at__isnull=True)
        .values("station_id")
        .annotate(last=Max("assessed_on"))
        .values_list("station_id", "last")
    )
    workbook = _workbook()
    sheet = Sheet(
        workbook,
        "联络站点名册",
        _heading(region, period, "联络站点名册"),
        [
            ("序号", 6),
            ("名称", 28),
            ("类型", 18),
            ("所属联络站", 24),
            ("所属区划", 12),
            ("地址", 30),
            ("站长", 10),
            ("联系电话", 14),
            ("开放时间", 16),
            ("星级", 8),
            ("最近评定", 12),
            ("编组代表（人）", 12),
            ("本期接待（次）", 12),
            ("本期接待群众（人次）", 16),
            ("同时为基层立法联系点", 12),
            ("状态", 8),
        ],
    )
    for line, station in enumerate(stations, start=1):
        reception = receptions.get(station.pk, {})
        sheet.append(
            [
                line,
                station.name,
                station.get_kind_display(),
                station.parent.name if station.parent else "",
                station.region.name,
                station.address,
                station.head_name,
                station.phone,
                station.opening_hours,
                "★" * station.stars if station.stars else "未评定",
                _day(assessed.get(station.pk)),
                members.get(station.pk, 0),
                reception.get("n", 0),
                reception.get("people") or 0,
                "是" if station.is_legislative_point else "",
                station.get_status_display(),
            ]
        )
        if line % CHUNK == 0:
            progress.update(line)
    progress.update(len(stations))
    return _bytes(workbook)
