"""Checking a sheet of deputies before anything is written.

`check_deputy_sheet` lists every problem (row, column, reason in Chinese) and, for
a clean sheet, the deputies to create. `services.deputies_import` writes them.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core import clock
from regions.selectors import region_choices
from stations.models import Station
from stations.spreadsheets import Column, Problem, Sheet
from stations.validators import is_mobile

from .models import Deputy
from .services import DEPUTY_LEVELS

DEPUTY_COLUMNS = [
    Column("姓名", True, "马志刚", 10),
    Column("性别", False, "男", 6),
    Column("代表层级", True, "县区人大代表", 16),
    Column("区划代码", True, "141122100", 14),
    Column("选区", False, "天宁镇第三选区", 18),
    Column("工作单位", False, "天宁镇西街社区", 22),
    Column("职务", False, "党支部书记", 14),
    Column("手机号", False, "13835800001", 14),
    Column("专业领域", False, "基层治理", 12),
    Column("党派", False, "中共党员", 10),
    Column("届别", False, "第十七届", 10),
    Column("履职承诺", False, "倾听群众呼声，件件有回音。", 36),
    Column("所属联络站", False, "天宁镇人大代表联络站", 26),
    Column("进站日期", False, "2024-01-05", 12),
]

LEVEL_ALIASES = {
    "全国": Deputy.Level.NATIONAL,
    "全国人大": Deputy.Level.NATIONAL,
    "省": Deputy.Level.PROVINCIAL,
    "省人大": Deputy.Level.PROVINCIAL,
    "市": Deputy.Level.CITY,
    "市人大": Deputy.Level.CITY,
    "县": Deputy.Level.COUNTY,
    "区": Deputy.Level.COUNTY,
    "县区": Deputy.Level.COUNTY,
    "县人大代表": Deputy.Level.COUNTY,
    "区人大代表": Deputy.Level.COUNTY,
    "县级": Deputy.Level.COUNTY,
    "乡镇": Deputy.Level.TOWNSHIP,
    "乡": Deputy.Level.TOWNSHIP,
    "镇": Deputy.Level.TOWNSHIP,
    "乡人大代表": Deputy.Level.TOWNSHIP,
    "镇人大代表": Deputy.Level.TOWNSHIP,
}
GENDERS = {"男": Deputy.Gender.MALE, "女": Deputy.Gender.FEMALE}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


def level_of(text: str) -> str | None:
    text = (text or "").strip()
    for value, label in Deputy.Level.choices:
        if text in (value, str(label)):
            return value
    return LEVEL_ALIASES.get(text)


def level_names() -> str:
    return "、".join(str(label) for _value, label in Deputy.Level.choices)


def _date(text: str) -> datetime.date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


@dataclass
class DeputyPlan:
    row: int
    values: dict
    station: Station | None = None
    start_date: datetime.date | None = None


@dataclass
class DeputySheetCheck:
    problems: list[Problem] = field(default_factory=list)
    plans: list[DeputyPlan] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_deputy_sheet(*, actor, sheet: Sheet) -> DeputySheetCheck:
    """Every problem of a deputies sheet, judged against the actor's write scope.

    A region or station outside the actor's scope is reported exactly like an
    unknown one. Duplicates are the same name and phone, within the sheet or
    against deputies already on record.
    """
    check = DeputySheetCheck(problems=list(sheet.problems))
    if sheet.problems:
        return check
    rows = sheet.rows
    codes = {v["区划代码"] for _r, v in rows if v["区划代码"]}
    regions = {r.code: r for r in region_choices(actor, for_write=True).filter(code__in=codes)}
    keys = {(v["姓名"], v["手机号"]) for _r, v in rows if v["姓名"] and v["手机号"]}
    existing = set(
        Deputy.objects.visible_to(actor)
        .filter(name__in={k[0] for k in keys}, phone__in={k[1] for k in keys})
        .values_list("name", "phone")
    )
    station_names = {v["所属联络站"] for _r, v in rows if v["所属联络站"]}
    stations: dict[str, list[Station]] = {}
    for station in Station.objects.visible_to(actor, for_write=True).filter(name__in=station_names):
        stations.setdefault(station.name, []).append(station)

    today = clock.today()
    seen: dict[tuple[str, str], int] = {}
    for row, v in rows:
        problems: list[Problem] = []

        def report(column: str, message: str, row=row, problems=problems) -> None:
            problems.append(Problem(row, column, message))

        name = v["姓名"]
        if not name:
            report("姓名", _("缺少姓名"))
        elif len(name) > 64:
            report("姓名", _("姓名过长"))
        gender = ""
        if v["性别"]:
            gender = GENDERS.get(v["性别"])
            if gender is None:
                report("性别", _("性别“%(v)s”无效，应为“男”或“女”") % {"v": v["性别"]})
        level = level_of(v["代表层级"])
        if not v["代表层级"]:
            report("代表层级", _("缺少代表层级"))
        elif level is None:
            report(
                "代表层级",
                _("代表层级“%(v)s”无效，应为：%(names)s")
                % {"v": v["代表层级"], "names": level_names()},
            )
        code = v["区划代码"]
        region = regions.get(code)
        if not code:
            report("区划代码", _("缺少区划代码"))
        elif region is None:
            report("区划代码", _("区划代码“%(v)s”不存在") % {"v": code})
        elif region.level not in DEPUTY_LEVELS:
            report("区划代码", _("代表须归属县区、乡镇街道或村社区"))
        phone = v["手机号"]
        if phone and not is_mobile(phone):
            report("手机号", _("手机号“%(v)s”格式不正确，应为11位手机号") % {"v": phone})
        if name and phone:
            key = (name, phone)
            if key in seen:
                report("姓名", _("与第%(n)d行重复（姓名和手机号相同）") % {"n": seen[key]})
            elif key in existing:
                report("姓名", _("已有同名同手机号的代表"))
            seen.setdefault(key, row)
        station = None
        if v["所属联络站"]:
            found = stations.get(v["所属联络站"], [])
            if not found:
                report("所属联络站", _("联络站“%(v)s”不存在") % {"v": v["所属联络站"]})
            elif len(found) > 1:
                report("所属联络站", _("联络站“%(v)s”不唯一") % {"v": v["所属联络站"]})
            elif found[0].status != Station.Status.ACTIVE:
                report("所属联络站", _("联络站“%(v)s”已暂停") % {"v": v["所属联络站"]})
            else:
                station = found[0]
        start_date = today
        if v["进站日期"]:
            start_date = _date(v["进站日期"])
            if start_date is None:
                report(
                    "进站日期", _("日期“%(v)s”无法识别，请写成 2024-01-05") % {"v": v["进站日期"]}
                )
            elif not station and not v["所属联络站"]:
                report("进站日期", _("填写了进站日期，但没有填写所属联络站"))
        check.problems.extend(problems)
        if not problems:
            check.plans.append(
                DeputyPlan(
                    row=row,
                    station=station,
                    start_date=start_date,
                    values={
                        "name": name,
                        "gender": gender,
                        "level": level,
                        "region": region,
                        "constituency": v["选区"][:100],
                        "work_unit": v["工作单位"][:100],
                        "position": v["职务"][:100],
                        "phone": phone,
                        "professional_field": v["专业领域"][:60],
                        "party": v["党派"][:40],
                        "term": v["届别"][:40],
                        "commitment": v["履职承诺"],
                    },
                )
            )
    if check.problems:
        check.plans = []
    return check
