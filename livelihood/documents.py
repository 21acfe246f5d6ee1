"""The printable notice (大会公告, PDF by WeasyPrint) and the tallies' workbook (Excel)."""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from weasyprint import HTML, URLFetcher

from stations.spreadsheets import Column, workbook_bytes

from . import selectors
from .models import Cycle


def notice_context(cycle: Cycle) -> dict:
    return {
        "cycle": cycle,
        "rows": selectors.results_of(cycle),
        "turnout": selectors.turnout(cycle),
        "adopted": cycle.projects.filter(status="adopted").count(),
    }


def notice_pdf(cycle: Cycle) -> bytes:
    html = render_to_string("livelihood/notice.html", notice_context(cycle))
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()


def notice_response(cycle: Cycle) -> HttpResponse:
    response = HttpResponse(notice_pdf(cycle), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, _("%(t)s-大会公告.pdf") % {"t": cycle.title}
    )
    return response


COLUMNS = [
    Column("轮次", width=8),
    Column("议程", width=14),
    Column("方式", width=12),
    Column("状态", width=10),
    Column("实有代表", width=10),
    Column("出席代表", width=10),
    Column("发出选票", width=10),
    Column("收回选票", width=10),
    Column("废票", width=8),
    Column("项目序号", width=10),
    Column("项目名称", width=30),
    Column("赞成", width=8),
    Column("反对", width=8),
    Column("弃权", width=8),
    Column("满意", width=8),
    Column("基本满意", width=10),
    Column("不满意", width=8),
    Column("计票人", width=12),
    Column("监票人", width=12),
]


def tallies_xlsx(cycle: Cycle) -> bytes:
    """Every counted round's tallies, one row per project (no ballot, no voter)."""
    rows = []
    for round in selectors.counted_rounds(cycle, None):
        tellers = {c.role: c.teller_name for c in round.confirmations.all()}
        for tally in round.tallies.all():
            rows.append(
                [
                    round.number,
                    round.get_purpose_display(),
                    round.get_method_display(),
                    round.get_status_display(),
                    round.seated,
                    round.present,
                    round.issued,
                    round.returned,
                    round.invalid,
                    tally.project.number,
                    tally.project.name,
                    tally.yes,
                    tally.no,
                    tally.abstain,
                    tally.satisfied,
                    tally.basic,
                    tally.unsatisfied,
                    tellers.get("counter", ""),
                    tellers.get("scrutineer", ""),
                ]
            )
    return workbook_bytes(COLUMNS, rows, title="计票结果")
