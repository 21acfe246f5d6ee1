"""Small builders shared by the station and deputy tests."""

import datetime
import io

from openpyxl import Workbook, load_workbook

from accounts.models import Role
from deputies.models import StationMembership
from tests import factories as f


def sheet(headers, *rows) -> io.BytesIO:
    """An .xlsx upload with a header row and the given rows."""
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.append(list(headers))
    for row in rows:
        worksheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "upload.xlsx"
    return buffer


def read_xlsx(content: bytes) -> list[list]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def group_into(deputy, station, start=datetime.date(2024, 1, 5), end=None):
    return StationMembership.objects.create(
        deputy=deputy, station=station, start_date=start, end_date=end
    )


def officer_of(station, username="officer_extra"):
    return f.user_with_role(username, Role.STATION_OFFICER, station=station)
