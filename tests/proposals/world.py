"""Formal-suggestion objects on the 交城县 side of the `world` cast, made on first use.

马志刚 (a county deputy grouped in 天宁镇) writes to 交城县's congress; 王秀英, a county
deputy too, co-signs. 交城县水务局 (the cast's unit) leads, 交城县住建局 co-handles.
The neighbouring 文水县 has its own deputy and unit, who must see nothing of this.
`proposal_world(world)` gives one proposal in every state the walk needs.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from proposals import services
from proposals.models import Contact
from tests import factories as f

PDF = b"%PDF-1.4\n% a signed letter\n%%EOF\n"


def letter(name="答复函.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


VALUES = {
    "title": "关于加快天宁镇老旧供水管网改造的建议",
    "problem": "天宁镇西街片区供水管网建于上世纪八十年代，漏损严重，夏季经常停水。",
    "causes": "管网老化，改造资金未列入年度计划。",
    "solution": "建议县水务局将西街片区管网改造列入明年计划，分两期实施。",
    "category": "urban",
    "session": "between",
}


def cast(world) -> SimpleNamespace:
    """The extra people: the co-signer's account, a co-handling unit and its clerk."""
    if getattr(world, "_proposal_cast", None) is not None:
        return world._proposal_cast
    # The walk's cast may already have given 王秀英 an account: keep it.
    cosigner_user = world.other_deputy.user or f.user_with_role(
        "cosigner", Role.DEPUTY, region=world.township
    )
    world.other_deputy.user = cosigner_user
    world.other_deputy.save(update_fields=["user"])
    co_unit = f.HandlingUnitFactory(name="交城县住建局", region=world.county)
    co_clerk = f.user_with_role("co_clerk", Role.UNIT_CLERK, unit=co_unit)
    world._proposal_cast = SimpleNamespace(
        cosigner_user=cosigner_user, co_unit=co_unit, co_clerk=co_clerk
    )
    return world._proposal_cast


def draft(world, **values):
    return services.proposal_create(actor=world.deputy_user, values={**VALUES, **values})


def submitted(world, *, cosign=False, **values):
    c = cast(world)
    proposal = services.proposal_create(
        actor=world.deputy_user,
        values={**VALUES, **values},
        cosigner_ids=[world.other_deputy.pk] if cosign else [],
    )
    if cosign:
        services.proposal_invite(actor=world.deputy_user, proposal=proposal)
        services.cosign_answer(actor=c.cosigner_user, proposal=proposal, confirm=True)
    return services.proposal_submit(actor=world.deputy_user, proposal=proposal)


def assigned(world, *, co=True, hard_case=False, **values):
    c = cast(world)
    proposal = submitted(world, **values)
    services.proposal_register(actor=world.county_officer, proposal=proposal)
    return services.proposal_assign(
        actor=world.county_officer,
        proposal=proposal,
        lead_unit=world.unit,
        co_units=[c.co_unit] if co else [],
        hard_case=hard_case,
    )


def contact(world, proposal, stage="before", *, actor=None, held_on=None):
    from core import clock

    return services.contact_record(
        actor=actor or world.clerk,
        proposal=proposal,
        stage=stage,
        held_on=held_on or clock.today(),
        mode=Contact.Mode.FACE,
        participants="马志刚代表、水务局李局长",
        agreed="分两期改造，先改西街主管。",
    )


def replied(world, *, klass="A", **values):
    from core import clock

    proposal = assigned(world, **values)
    contact(world, proposal)
    promise = {}
    if klass in ("B", "C"):
        promise = {
            "promise": "明年6月前完成一期改造。",
            "promise_due": clock.today() + datetime.timedelta(days=90),
        }
    services.proposal_reply(
        actor=world.clerk,
        proposal=proposal,
        klass=klass,
        text="经研究，西街片区管网改造已列入计划。",
        signed_by="张局长",
        letter=letter(),
        **promise,
    )
    proposal.refresh_from_db()
    return proposal


def proposal_world(world) -> SimpleNamespace:
    if getattr(world, "_proposal_world", None) is not None:
        return world._proposal_world
    c = cast(world)
    proposal = replied(world, klass="B")
    lead = proposal.assignments.get(role="lead")
    co = proposal.assignments.get(role="co")
    meeting = services.meeting_create(
        actor=world.county_officer,
        region=world.county,
        title="2026年代表建议交办会",
        held_on=proposal.assigned_at.date(),
    )
    world._proposal_world = SimpleNamespace(
        proposal=proposal,
        lead=lead,
        co=co,
        meeting=meeting,
        contact=proposal.contacts.get(),
        reply=proposal.replies.get(),
        letter=proposal.attachments.get(reply__isnull=False),
        cast=c,
    )
    return world._proposal_world
