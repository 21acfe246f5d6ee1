"""What every stage's services share: the locked row, the body, deadlines, notices."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record
from calendars.deadlines import Deadline, compute
from notifications.services import notify
from regions.models import Region
from supervision import tracking

from ..models import Proposal, ProposalSettings
from ..workflow import WORKFLOW

BODY_LEVELS = ("city", "county", "township")


def lock(proposal: Proposal) -> Proposal:
    """The row, locked for this transaction, with the state other writers committed."""
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("region", "author")
        .get(pk=proposal.pk)
    )


def locked_for(name: str, actor, proposal: Proposal, **context) -> Proposal:
    proposal = lock(proposal)
    WORKFLOW.check(name, actor, proposal, **context)
    return proposal


def link(proposal: Proposal) -> str:
    return reverse("proposals:detail", args=[proposal.pk])


def settings_of(proposal: Proposal) -> ProposalSettings:
    return ProposalSettings.for_region(proposal.region)


def body_of(deputy) -> Region:
    """The congress a deputy's formal suggestions go to: the region of their own level."""
    if deputy.level not in BODY_LEVELS:
        raise ValidationError(
            _("本平台受理市、县、乡镇人大代表的建议；%(level)s请通过上级人大的系统提出。")
            % {"level": deputy.get_level_display()}
        )
    codes = [c for c in deputy.region_path.split("/") if c]
    paths = ["".join(f"{c}/" for c in codes[: i + 1]) for i in range(len(codes))]
    body = Region.objects.filter(path__in=paths, level=deputy.level).first()
    if body is None:
        raise ValidationError(_("找不到代表所属的人大，请联系人大工作人员核对代表信息。"))
    return body


def deadline(proposal: Proposal, *, what: str, spec: str, start: datetime.date) -> Deadline:
    return compute(
        what=what,
        spec=spec,
        start=start,
        region=proposal.region,
        source=_("%(region)s代表建议办理规则") % {"region": proposal.region.name},
    )


def track(proposal: Proposal, *, subject=None, kind: str, label: str, due: Deadline, unit=None):
    return tracking.track(
        subject=subject or proposal,
        kind=kind,
        label=label,
        title=proposal.title,
        region=proposal.region,
        deadline=due,
        link=link(proposal),
        unit=unit,
        remind_days_before=settings_of(proposal).remind_days_before,
    )


def audit(actor, proposal, action=AuditRecord.Action.STATE, *, changes=None, note="", obj=None):
    audit_record(actor=actor, action=action, obj=obj or proposal, changes=changes, note=note)


def deputy_users(deputies) -> list:
    return [d.user for d in deputies if d is not None and d.user_id and d.user.is_active]


def tell(recipients, *, proposal: Proposal, title: str, body: str = "") -> None:
    notify(
        recipients=list(recipients),
        kind="proposal",
        title=title,
        body=body or proposal.title,
        link=link(proposal),
    )


def clean_text(value, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if len(value) > max_length:
        raise ValidationError(
            {field: _("%(label)s不能超过%(n)s字。") % {"label": label, "n": max_length}}
        )
    return value
