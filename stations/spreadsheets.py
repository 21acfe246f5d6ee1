"""Reading and writing .xlsx sheets for bulk onboarding and exports.

Column headers are fixed Chinese strings, not translated: a sheet filled in by a
township office must import the same whatever language the importing user reads.
"""

import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 5000


@dataclass(frozen=True)
class Column:
    header: str
    required: bool = False
    example: str = ""
    width: int = 16


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a sheet: Excel row number, column header, reason (Chinese)."""

    row: int
    column: str
    message: str


@dataclass
class Sheet:
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def read_sheet(source, columns: Sequence[Column], *, max_rows: int = MAX_ROWS) -> Sheet:
    """The first worksheet's rows as {header: text}, keyed by Excel row number.

    Blank rows are skipped. A file that is not a workbook, a missing required
    column or too many rows is reported as a problem rather than raised.
    """
    sheet = Sheet()
    try:
        if hasattr(source, "seek"):
            source.seek(0)
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not .xlsx
        sheet.problems.append(Problem(0, "", _("无法读取文件，请上传用模板填写的 .xlsx 文件。")))
        return sheet
    try:
        worksheet = workbook.worksheets[0]
        lines = worksheet.iter_rows(values_only=True)
        header_line = next(lines, None) or ()
        headers = [_text(value) for value in header_line]
        positions = {header: index for index, header in enumerate(headers) if header}
        for column in columns:
            if column.required and column.header not in positions:
                sheet.problems.append(
                    Problem(1, column.header, _("缺少必填列“%(c)s”") % {"c": column.header})
                )
        if sheet.problems:
            return sheet
        for number, line in enumerate(lines, start=2):
            values = {
                column.header: _text(line[positions[column.header]])
                if column.header in positions and positions[column.header] < len(line)
                else ""
                for column in columns
            }
            if not any(values.values()):
                continue
            if len(sheet.rows) >= max_rows:
                sheet.problems.append(
                    Problem(number, "", _("一次最多导入%(n)d行，请分批导入。") % {"n": max_rows})
                )
                break
            sheet.rows.append((number, values))
    finally:
        workbook.close()
    if not sheet.rows and not sheet.problems:
        sheet.problems.append(Problem(2, "", _("表格中没有数据行。")))
    return sheet


def workbook_bytes(
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    *,
    title: str,
    notes: Sequence[tuple[str, str]] = (),
) -> bytes:
    """A workbook with a bold header row, the given rows, and an optional notes sheet."""
    workbook = Workbook(write_only=False)
    worksheet = workbook.active
    worksheet.title = title
    worksheet.append([column.header for column in columns])
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FCE4E4")
    for index, column in enumerate(columns, start=1):
        cell = worksheet.cell(row=1, column=index)
        cell.font = bold
        if column.required:
            cell.fill = required_fill
        worksheet.column_dimensions[get_column_letter(index)].width = column.width
    for row in rows:
        worksheet.append([_inert(value) for value in row])
    worksheet.freeze_panes = "A2"
    if notes:
        help_sheet = workbook.create_sheet("填写说明")
        help_sheet.append(["列", "说明"])
        help_sheet["A1"].font = bold
        help_sheet["B1"].font = bold
        for header, text in notes:
            help_sheet.append([header, text])
        help_sheet.column_dimensions["A"].width = 16
        help_sheet.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _inert(value):
    """Text a spreadsheet would run as a formula (=, +, -, @) is written as plain text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
