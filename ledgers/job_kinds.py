"""Ledgers are built in a worker (see jobs.registry): a province's register is large."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congress_portal.db_router import replica_reads
from core import clock
from core.phones import may_export_full_phones, shows_full_phones
from dashboards.periods import parse_period
from jobs.registry import JobError, JobOutput, job_kind
from regions.models import Region

from .ledgers import BUILDERS, LedgerKind


@job_kind("ledger", label=gettext_lazy("工作台账"))
def build_ledger(job, progress) -> JobOutput:
    """params: {"ledger": kind, "region_id": n, and the period's parameters}.

    Rows are read through the scope of the person who asked, as it is now; phone
    numbers are masked unless their role shows them in full (core/phones.py) or they
    chose an unmasked export with a reason when ordering (audited then; "full_phones"),
    and may still make one.
    """
    actor = job.created_by
    params = job.params
    try:
        kind = LedgerKind(params.get("ledger"))
    except ValueError:
        raise JobError(_("任务参数不完整，请重新发起。")) from None
    region = Region.objects.visible_to(actor).filter(pk=params.get("region_id")).first()
    if region is None:
        raise JobError(_("所选行政区划不在您的管辖范围内。"))
    period = parse_period(params, today=clock.today())
    with replica_reads():
        full = shows_full_phones(actor) or (
            bool(params.get("full_phones")) and may_export_full_phones(actor)
        )
        content = BUILDERS[kind](actor, region, period, progress, full_phones=full)
    filename = f"{region.name}-{kind.label}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
    return JobOutput(filename=filename, content=content)
