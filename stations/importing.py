"""Checking a sheet of stations and points before anything is written.

`check_station_sheet` lists every problem (row, column, reason in Chinese) and,
for a clean sheet, the stations to create. `services.stations_import` writes them.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from regions.models import Region
from regions.selectors import region_choices

from .models import Station
from .services import STATION_LEVELS, station_problems
from .spreadsheets import Column, Problem, Sheet
from .validators import is_phone

STATION_COLUMNS = [
    Column("名称", True, "天宁镇人大代表联络站", 28),
    Column("类型", True, "乡镇（街道）联络站", 22),
    Column("区划代码", True, "141122100", 14),
    Column("所属联络站", False, "", 24),
    Column("地址", False, "交城县天宁镇政府院内", 30),
    Column("开放时间", False, "工作日 8:30-12:00，14:30-17:30", 28),
    Column("联系电话", False, "0358-5622345", 16),
    Column("站长", False, "刘芳", 10),
    Column("纬度", False, "37.555600", 12),
    Column("经度", False, "112.159000", 12),
]

# Names accepted in the 类型 column besides the full labels.
KIND_ALIASES = {
    "联络站": Station.Kind.TOWNSHIP,
    "乡镇联络站": Station.Kind.TOWNSHIP,
    "街道联络站": Station.Kind.TOWNSHIP,
    "联络点": Station.Kind.VILLAGE_POINT,
    "村联络点": Station.Kind.VILLAGE_POINT,
    "社区联络点": Station.Kind.VILLAGE_POINT,
    "代表工作站": Station.Kind.PARK,
    "园区代表工作站": Station.Kind.PARK,
    "立法联系点": Station.Kind.LEGISLATIVE,
}

# Which column each rule of `station_problems` is about.
FIELD_COLUMNS = {
    "name": "名称",
    "kind": "类型",
    "region": "区划代码",
    "parent": "所属联络站",
    "phone": "联系电话",
    "latitude": "纬度",
    "longitude": "经度",
}


def kind_of(text: str) -> str | None:
    text = (text or "").strip()
    for value, label in Station.Kind.choices:
        if text in (value, str(label)):
            return value
    return KIND_ALIASES.get(text)


def kind_names() -> str:
    return "、".join(str(label) for _value, label in Station.Kind.choices)


@dataclass
class StationPlan:
    row: int
    values: dict
    parent_row: int | None = None  # the parent is another row of this sheet


@dataclass
class StationSheetCheck:
    problems: list[Problem] = field(default_factory=list)
    plans: list[StationPlan] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _decimal(text: str) -> Decimal | None | bool:
    if not text:
        return None
    try:
        return Decimal(text).quantize(Decimal("0.000001"))
    except InvalidOperation:
        return False


def check_station_sheet(*, actor, sheet: Sheet) -> StationSheetCheck:
    """Every problem of a stations sheet, judged against the actor's write scope.

    A region outside the actor's scope is reported exactly like an unknown one.
    """
    check = StationSheetCheck(problems=list(sheet.problems))
    if sheet.problems:
        return check
    codes = {values["区划代码"] for _row, values in sheet.rows if values["区划代码"]}
    regions = {
        region.code: region
        for region in region_choices(actor, for_write=True).filter(code__in=codes)
    }
    names = {values["名称"] for _row, values in sheet.rows}
    existing = set(
        Station.objects.visible_to(actor)
        .filter(name__in=names, region__code__in=regions)
        .values_list("name", "region__code")
    )
    parent_names = {values["所属联络站"] for _row, values in sheet.rows if values["所属联络站"]}
    known_parents: dict[str, list[Station]] = {}
    for station in (
        Station.objects.visible_to(actor)
        .filter(name__in=parent_names, parent__isnull=True)
        .select_related("region")
    ):
        known_parents.setdefault(station.name, []).append(station)

    seen: dict[tuple[str, str], int] = {}
    sheet_parents: dict[str, list[tuple[int, Station]]] = {}
    parsed = []
    for row, values in sheet.rows:
        problems: list[Problem] = []

        def report(column: str, message: str, row=row, problems=problems) -> None:
            problems.append(Problem(row, column, message))

        name = values["名称"]
        if not name:
            report("名称", _("缺少名称"))
        kind = kind_of(values["类型"])
        if not values["类型"]:
            report("类型", _("缺少类型"))
        elif kind is None:
            report(
                "类型",
                _("类型“%(v)s”无效，应为：%(names)s")
                % {"v": values["类型"], "names": kind_names()},
            )
        code = values["区划代码"]
        region = regions.get(code)
        if not code:
            report("区划代码", _("缺少区划代码"))
        elif region is None:
            report("区划代码", _("区划代码“%(v)s”不存在") % {"v": code})
        elif region.level not in STATION_LEVELS:
            report("区划代码", _("联络站点须设在乡镇街道或村社区"))
        phone = values["联系电话"]
        if phone and not is_phone(phone):
            report(
                "联系电话",
                _("电话“%(v)s”格式不正确，应为11位手机号或带区号的固定电话") % {"v": phone},
            )
        coords = {}
        for key, column in (("latitude", "纬度"), ("longitude", "经度")):
            number = _decimal(values[column])
            if number is False:
                report(column, _("“%(v)s”不是数字") % {"v": values[column]})
                number = None
            coords[key] = number
        if name and code:
            key = (name, code)
            if key in seen:
                report("名称", _("与第%(n)d行重复（名称和区划相同）") % {"n": seen[key]})
            elif key in existing:
                report("名称", _("已存在同名联络站点（名称和区划相同）"))
            seen.setdefault(key, row)
        if not values["所属联络站"] and name and region is not None:
            sheet_parents.setdefault(name, []).append(
                (row, Station(name=name, region=region, region_path=region.path))
            )
        parsed.append((row, values, kind, region, coords, problems))

    for row, values, kind, region, coords, problems in parsed:
        parent_name = values["所属联络站"]
        parent = None
        parent_row = None
        if parent_name:
            candidates = [(None, s) for s in known_parents.get(parent_name, [])] + list(
                sheet_parents.get(parent_name, [])
            )
            if not candidates:
                problems.append(
                    Problem(row, "所属联络站", _("所属联络站“%(v)s”不存在") % {"v": parent_name})
                )
            elif len(candidates) > 1:
                problems.append(
                    Problem(
                        row,
                        "所属联络站",
                        _("所属联络站“%(v)s”不唯一，请修改名称后再导入") % {"v": parent_name},
                    )
                )
            else:
                parent_row, parent = candidates[0]
        if (
            kind is not None
            and region is not None
            and not any(p.column in ("所属联络站",) for p in problems)
        ):
            for field_name, message in station_problems(
                name=values["名称"] or "-", kind=kind, region=region, parent=parent
            ).items():
                column = FIELD_COLUMNS[field_name]
                if not any(p.column == column for p in problems):
                    problems.append(Problem(row, column, message))
        check.problems.extend(problems)
        if not problems:
            check.plans.append(
                StationPlan(
                    row=row,
                    parent_row=parent_row,
                    values={
                        "name": values["名称"],
                        "kind": kind,
                        "region": region,
                        "parent": parent if parent_row is None else None,
                        "address": values["地址"],
                        "opening_hours": values["开放时间"],
                        "phone": values["联系电话"],
                        "head_name": values["站长"],
                        **coords,
                    },
                )
            )
    if check.problems:
        check.plans = []
    return check


def common_region(paths) -> Region | None:
    """The deepest region containing every path (for filing one audit record)."""
    paths = list(paths)
    if not paths:
        return None
    parts = [path.strip("/").split("/") for path in paths]
    shared = []
    for codes in zip(*parts, strict=False):
        if len(set(codes)) != 1:
            break
        shared.append(codes[0])
    if not shared:
        return None
    return Region.objects.filter(code=shared[-1]).first()
