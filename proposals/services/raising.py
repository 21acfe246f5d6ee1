"""提: a deputy writes a formal suggestion, gathers co-signers and submits it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from core import clock
from deputies.models import Deputy
from duties.models import DutyKind
from duties.services import duty_credit

from .. import permissions as can
from ..models import (
    TEXT_MAX,
    TITLE_MAX,
    Attachment,
    Category,
    Cosignature,
    Proposal,
    Session,
    Source,
)
from ..selectors import source_choices
from ..workflow import ASSIGN_DEADLINE, WORKFLOW
from .common import (
    audit,
    body_of,
    deadline,
    deputy_users,
    link,
    locked_for,
    settings_of,
    tell,
    track,
)
from .common import clean_text as _text

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
MAX_COSIGNERS = 50


def _clean(values: dict) -> dict:
    cleaned = {
        "title": _text(values.get("title"), field="title", label=_("标题"), max_length=TITLE_MAX),
        "problem": _text(
            values.get("problem"), field="problem", label=_("存在的问题"), max_length=TEXT_MAX
        ),
        "causes": _text(
            values.get("causes"), field="causes", label=_("原因分析"), max_length=TEXT_MAX
        ),
        "solution": _text(
            values.get("solution"), field="solution", label=_("意见建议"), max_length=TEXT_MAX
        ),
    }
    category = values.get("category") or ""
    if category not in Category.values:
        raise ValidationError({"category": _("请选择类别。")})
    session = values.get("session") or Session.BETWEEN
    if session not in Session.values:
        raise ValidationError({"session": _("请选择会议期间或闭会期间。")})
    cleaned["category"], cleaned["session"] = category, session
    return cleaned


def _cosigners(author: Deputy, body, ids) -> list[Deputy]:
    ids = sorted({int(i) for i in ids or []} - {author.pk})
    if len(ids) > MAX_COSIGNERS:
        raise ValidationError({"cosigners": _("联名代表不能超过%(n)s位。") % {"n": MAX_COSIGNERS}})
    deputies = list(
        Deputy.objects.filter(
            pk__in=ids,
            level=author.level,
            status=Deputy.Status.ACTIVE,
            region_path__startswith=body.path,
        )
    )
    if len(deputies) != len(ids):
        raise ValidationError({"cosigners": _("联名代表须是同一级人大的在任代表。")})
    return deputies


def _sources(actor, sources) -> list[tuple[str, int, str]]:
    """(kind, id, label) of each source, each one the actor can see; others refused."""
    wanted = {(kind, int(pk)) for kind, pk in sources or []}
    if not wanted:
        return []
    offered = {(c.kind, c.pk): c.label for c in source_choices(actor, keys=wanted)}
    missing = wanted - set(offered)
    if missing:
        raise ValidationError({"sources": _("所选来源不存在或您无权引用。")})
    return [(kind, pk, offered[(kind, pk)]) for kind, pk in sorted(wanted)]


def _check_file(upload) -> None:
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError({"attachment": _("附件不能超过10MB。")})


def _set_cosigners(proposal: Proposal, deputies: list[Deputy]) -> None:
    wanted = {d.pk for d in deputies}
    proposal.cosignatures.exclude(deputy_id__in=wanted).delete()
    have = set(proposal.cosignatures.values_list("deputy_id", flat=True))
    Cosignature.objects.bulk_create(
        [Cosignature(proposal=proposal, deputy=d) for d in deputies if d.pk not in have]
    )


def _set_sources(proposal: Proposal, sources) -> None:
    proposal.sources.all().delete()
    Source.objects.bulk_create(
        [
            Source(proposal=proposal, kind=k, object_id=pk, label=label[:200])
            for k, pk, label in sources
        ]
    )


def proposal_create(
    *,
    actor,
    values: dict,
    cosigner_ids=(),
    sources=(),
    files=(),
    token: str | None = None,
) -> Proposal:
    """A draft in the actor's own name (they must be a deputy); a retried POST with the same
    form token returns the first draft."""
    author = can.acting_deputy(actor)
    if author is None:
        raise PermissionDenied(_("只有人大代表本人可以提出代表建议。"))
    if token:
        existing = Proposal.objects.filter(submission_token=token, author=author).first()
        if existing is not None:
            return existing
    cleaned = _clean(values)
    body = body_of(author)
    cosigners = _cosigners(author, body, cosigner_ids)
    picked = _sources(actor, sources)
    for upload in files:
        _check_file(upload)
    try:
        with transaction.atomic():
            proposal = Proposal.objects.create(
                region=body, author=author, submission_token=token or None, **cleaned
            )
            _set_cosigners(proposal, cosigners)
            _set_sources(proposal, picked)
            for upload in files:
                Attachment.objects.create(
                    proposal=proposal, file=upload, name=upload.name[:200], uploaded_by=actor
                )
            audit(actor, proposal, AuditRecord.Action.CREATE, changes=cleaned)
    except IntegrityError:
        existing = Proposal.objects.filter(submission_token=token, author=author).first()
        if existing is None:
            raise
        return existing
    return proposal


def proposal_update(*, actor, proposal: Proposal, values: dict, cosigner_ids=(), sources=()):
    """Change a draft (or one gathering co-signers: new co-signers are invited at once)."""
    cleaned = _clean(values)
    with transaction.atomic():
        proposal = locked_for("edit", actor, proposal)
        cosigners = _cosigners(proposal.author, proposal.region, cosigner_ids)
        picked = _sources(actor, sources)
        before = {k: getattr(proposal, k) for k in cleaned}
        for key, value in cleaned.items():
            setattr(proposal, key, value)
        proposal.save(update_fields=[*cleaned, "updated_at"])
        _set_cosigners(proposal, cosigners)
        _set_sources(proposal, picked)
        if proposal.status == Proposal.Status.COSIGNING:
            fresh = proposal.cosignatures.filter(status=Cosignature.Status.INVITED)
            tell(
                deputy_users(c.deputy for c in fresh.select_related("deputy__user")),
                proposal=proposal,
                title=_("邀请您联名：%(title)s") % {"title": proposal.title},
            )
        audit(
            actor,
            proposal,
            AuditRecord.Action.UPDATE,
            changes={k: [before[k], v] for k, v in cleaned.items() if before[k] != v},
        )
    return proposal


def attachment_add(*, actor, proposal: Proposal, upload) -> Attachment:
    _check_file(upload)
    with transaction.atomic():
        proposal = locked_for("edit", actor, proposal)
        row = Attachment.objects.create(
            proposal=proposal, file=upload, name=upload.name[:200], uploaded_by=actor
        )
        audit(
            actor, proposal, AuditRecord.Action.UPDATE, note=_("添加附件 %(n)s") % {"n": row.name}
        )
    return row


def proposal_invite(*, actor, proposal: Proposal) -> Proposal:
    """Ask the chosen deputies to co-sign; they see the draft from now on."""
    with transaction.atomic():
        proposal = locked_for("invite", actor, proposal)
        WORKFLOW.move("invite", proposal)
        proposal.save(update_fields=["status", "updated_at"])
        tell(
            deputy_users(c.deputy for c in proposal.cosignatures.select_related("deputy__user")),
            proposal=proposal,
            title=_("邀请您联名：%(title)s") % {"title": proposal.title},
            body=_("%(author)s代表邀请您联名提出此建议，请确认。")
            % {"author": proposal.author.name},
        )
        audit(actor, proposal, changes={"status": ["draft", proposal.status]})
    return proposal


def cosign_answer(*, actor, proposal: Proposal, confirm: bool) -> Cosignature:
    """The invited deputy confirms (or declines) on their own account."""
    with transaction.atomic():
        proposal = locked_for("cosign" if confirm else "decline", actor, proposal)
        row = Cosignature.objects.select_for_update().get(
            pk=can.pending_cosignature(actor, proposal).pk
        )
        row.status = Cosignature.Status.CONFIRMED if confirm else Cosignature.Status.DECLINED
        row.answered_at = clock.now()
        row.save(update_fields=["status", "answered_at"])
        tell(
            deputy_users([proposal.author]),
            proposal=proposal,
            title=(_("%(name)s已确认联名") if confirm else _("%(name)s谢绝联名"))
            % {"name": row.deputy.name},
        )
        audit(actor, proposal, obj=row, changes={"status": ["invited", row.status]})
    return row


def proposal_submit(*, actor, proposal: Proposal) -> Proposal:
    """Send it to the body's office: counts in the duty records, starts the assignment
    deadline (working days), tells the office."""
    with transaction.atomic():
        proposal = locked_for("submit", actor, proposal)
        before = proposal.status
        WORKFLOW.move("submit", proposal)
        _submitted(actor, proposal, before=before)
    return proposal


def proposal_record_paper(
    *, actor, author: Deputy, values: dict, cosigner_ids=(), token: str | None = None
) -> Proposal:
    """A proposal handed in on paper (会议期间 mostly), entered by the body's office: it is
    submitted as it arrives, with the co-signers who signed the paper."""
    body = body_of(author)
    if not can.can_record_paper_proposal(actor, body):
        raise PermissionDenied(_("您无权进行此操作。"))
    if token:
        existing = Proposal.objects.filter(submission_token=token).first()
        if existing is not None:
            return existing
    cleaned = _clean(values)
    cosigners = _cosigners(author, body, cosigner_ids)
    with transaction.atomic():
        proposal = Proposal.objects.create(
            region=body,
            author=author,
            submission_token=token or None,
            status=Proposal.Status.SUBMITTED,
            **cleaned,
        )
        Cosignature.objects.bulk_create(
            [
                Cosignature(
                    proposal=proposal,
                    deputy=d,
                    status=Cosignature.Status.CONFIRMED,
                    answered_at=clock.now(),
                )
                for d in cosigners
            ]
        )
        audit(actor, proposal, AuditRecord.Action.CREATE, changes=cleaned, note=_("纸质建议录入"))
        _submitted(actor, proposal, before=Proposal.Status.DRAFT)
    return proposal


def _submitted(actor, proposal: Proposal, *, before: str) -> None:
    """What submission does, whoever submits: the duty records, the assignment deadline
    (working days), the office told."""
    proposal.submitted_at = clock.now()
    proposal.save(update_fields=["status", "submitted_at", "updated_at"])
    today = clock.today()
    url = link(proposal)
    duty_credit(
        deputy=proposal.author,
        kind=DutyKind.PROPOSAL,
        date=today,
        source=proposal,
        title=proposal.title,
        url=url,
    )
    for row in proposal.cosignatures.filter(status=Cosignature.Status.CONFIRMED).select_related(
        "deputy"
    ):
        duty_credit(
            deputy=row.deputy,
            kind=DutyKind.PROPOSAL_COSIGN,
            date=today,
            source=proposal,
            title=proposal.title,
            url=url,
        )
    settings = settings_of(proposal)
    track(
        proposal,
        kind=ASSIGN_DEADLINE,
        label=_("登记交办代表建议"),
        due=deadline(proposal, what=_("交办"), spec=f"wd:{settings.assign_days}", start=today),
    )
    tell(
        can.office_staff(proposal.region),
        proposal=proposal,
        title=_("收到代表建议：%(title)s") % {"title": proposal.title},
        body=_("%(author)s代表提出，请登记交办。") % {"author": proposal.author.name},
    )
    audit(actor, proposal, changes={"status": [before, proposal.status]})
