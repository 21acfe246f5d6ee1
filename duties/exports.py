"""Duty records as Excel workbooks. Phone numbers are masked in every export.

Headers are fixed Chinese strings (like the other exports): a sheet handed between
offices reads the same whatever language the exporting user reads.
"""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core import phones

MAX_EXPORT_ROWS = 5000


def _sheet(workbook, title: str, headers: list[tuple[str, int]], rows, *, first=False):
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    sheet.append([header for header, _width in headers])
    bold = Font(bold=True)
    for index, (_header, width) in enumerate(headers, start=1):
        sheet.cell(row=1, column=index).font = bold
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    return sheet


def _bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _stations(deputy) -> str:
    memberships = getattr(deputy, "current_memberships", None)
    if memberships is None:
        return ""
    return "、".join(m.station.name for m in memberships)


def overview_workbook(rows: list[dict], *, year: int, viewer=None) -> bytes:
    """One line per deputy: the year's counts and points."""
    workbook = Workbook()
    headers = [
        ("姓名", 10),
        ("代表层级", 14),
        ("手机号", 14),
        ("所在联络站", 28),
        ("进站接待（次）", 14),
        ("接待群众（人次）", 16),
        ("按安排值班（次）", 16),
        ("缺席值班（次）", 14),
        ("走访（次）", 10),
        ("站点活动（次）", 14),
        ("意见建议（件）", 14),
        ("当场答复（件）", 14),
        ("述职（次）", 10),
        ("积分", 8),
    ]
    _sheet(
        workbook,
        f"{year}年履职汇总",
        headers,
        (
            [
                row["deputy"].name,
                row["deputy"].get_level_display(),
                phones.shown(viewer, row["deputy"].phone, public=row["deputy"].phone_public),
                _stations(row["deputy"]),
                row["receptions"],
                row["people"],
                row["attended"],
                row["missed"],
                row["visits"],
                row["activities"],
                row["suggestions"],
                row["answered"],
                row["reports"],
                row["points"] if row["points"] is not None else "",
            ]
            for row in rows
        ),
        first=True,
    )
    return _bytes(workbook)


def record_workbook(context: dict, *, viewer=None) -> bytes:
    """One deputy's year: a summary sheet with points, and the timeline."""
    deputy, year = context["deputy"], context["year"]
    workbook = Workbook()
    summary = _sheet(
        workbook,
        "履职汇总",
        [("履职类型", 22), ("次数/件数", 12), ("每次分值", 10), ("得分", 10)],
        [],
        first=True,
    )
    summary.insert_rows(1, amount=4)
    summary["A1"] = f"{deputy.name} {year}年度履职档案"
    summary["A1"].font = Font(bold=True, size=14)
    phone = phones.shown(viewer, deputy.phone, public=deputy.phone_public)
    summary["A2"] = f"代表层级：{deputy.get_level_display()}　手机号：{phone}"
    stations = "、".join(m.station.name for m in context["memberships"])
    summary["A3"] = f"所在联络站：{stations or '—'}　接待群众：{context['people']}人次"
    for cell in ("A2", "A3"):
        summary[cell].alignment = Alignment(wrap_text=False)
    for line in context["rows"]:
        summary.append([str(line["label"]), line["count"], line["points"], line["total"]])
    summary.append(["合计积分", "", "", context["total"]])
    summary.cell(row=summary.max_row, column=1).font = Font(bold=True)
    summary.freeze_panes = None
    _sheet(
        workbook,
        "履职记录",
        [("日期", 12), ("类型", 16), ("内容", 40), ("联络站点", 24), ("说明", 36)],
        (
            [
                entry.date.isoformat(),
                str(entry.label),
                str(entry.title),
                str(entry.station),
                str(entry.detail),
            ]
            for entry in context["timeline"]
        ),
    )
    return _bytes(workbook)
