"""The formal suggestions' ledger (建议办理台账), an Excel workbook built in a worker."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from jobs.registry import JobError, JobOutput, job_kind
from regions.models import Region

from .selectors import figures_rows, proposals_for

BATCH = 500


@job_kind("proposals_ledger", label=gettext_lazy("代表建议办理台账"))
def build_ledger(job, progress) -> JobOutput:
    """params: {"year": 2026, "region": "141122"}: every proposal the creator sees, submitted
    in the year under the region, one row each, and a sheet of figures per unit."""
    try:
        year = int(job.params.get("year"))
    except (TypeError, ValueError):
        raise JobError(_("任务参数不完整，请重新发起。")) from None
    region = Region.objects.filter(code=job.params.get("region") or "").first()
    user = job.created_by
    rows = proposals_for(user).filter(submitted_at__year=year).prefetch_related("replies")
    if region is not None:
        rows = rows.filter(region_path__startswith=region.path)
    rows = rows.order_by("region_path", "number", "pk")
    total = rows.count()
    progress.start(total + 1)
    book = Workbook()
    sheet = book.active
    sheet.title = _("办理台账")
    header = [
        _("建议编号"),
        _("标题"),
        _("人大"),
        _("领衔代表"),
        _("类别"),
        _("提出时间"),
        _("状态"),
        _("主办单位"),
        _("协办单位"),
        _("交办时间"),
        _("答复期限"),
        _("答复类别"),
        _("按期答复"),
        _("办理态度"),
        _("办理结果"),
        _("再办理"),
        _("重点督办"),
    ]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for done, proposal in enumerate(rows.iterator(chunk_size=BATCH), start=1):
        assignments = [a for a in proposal.assignments.all() if a.status in ("active", "done")]
        lead = [a.unit.name for a in assignments if a.role == "lead"]
        co = [a.unit.name for a in assignments if a.role == "co"]
        replies = sorted(proposal.replies.all(), key=lambda r: r.round)
        last = replies[-1] if replies else None
        sheet.append(
            [
                proposal.number,
                proposal.title,
                proposal.region.name,
                proposal.author.name,
                proposal.get_category_display(),
                proposal.get_session_display(),
                proposal.get_status_display(),
                "、".join(lead),
                "、".join(co),
                proposal.assigned_at.date().isoformat() if proposal.assigned_at else "",
                proposal.due_date.isoformat() if proposal.due_date else "",
                last.klass if last else "",
                (_("是") if replies[0].on_time else _("否")) if replies else "",
                last.get_attitude_display() if last else "",
                last.get_result_display() if last else "",
                _("是") if proposal.rehandle_count else "",
                _("是") if proposal.key_supervision else "",
            ]
        )
        if done % BATCH == 0:
            progress.update(done)
    figures = book.create_sheet(_("按承办单位统计"))
    figures.append(
        [
            _("承办单位"),
            _("交办"),
            _("答复"),
            _("按期答复"),
            _("办结率"),
            _("面商率"),
            _("满意率（满意）"),
            _("满意率（满意+基本满意）"),
            _("问题解决率"),
        ]
    )
    for cell in figures[1]:
        cell.font = Font(bold=True)
    for name, _key, f in figures_rows(user, year=year, region=region, group_by="unit"):
        figures.append(
            [
                name,
                f.assigned,
                f.replied,
                f.replied_on_time,
                f.completion_rate,
                f.face_rate,
                f.satisfied_rate,
                f.satisfied_or_basic_rate,
                f.solved_rate,
            ]
        )
    for ws in (sheet, figures):
        ws.freeze_panes = "A2"
        for column in ws.columns:
            ws.column_dimensions[column[0].column_letter].width = 16
            for cell in column:
                cell.alignment = Alignment(vertical="top", wrap_text=True)
    progress.update(total + 1)
    out = io.BytesIO()
    book.save(out)
    place = region.name if region else _("全部")
    return JobOutput(
        filename=_("%(place)s%(year)s年代表建议办理台账.xlsx") % {"place": place, "year": year},
        content=out.getvalue(),
    )
