"""The table of a formal suggestion, walked whole: every action, from every state, by every
role, through the pages.

For each (state, actor, action) the table says whether it is allowed; the page's POST then
has its effect exactly when allowed, and otherwise is refused (403/404, or a Chinese
message) leaving the proposal as it was.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import clock as core_clock
from proposals import services
from proposals.models import Proposal
from proposals.workflow import WORKFLOW
from tests.proposals.world import PDF, VALUES, cast, contact, letter

DAY = datetime.date(2026, 7, 1)
STATES = [
    "draft",
    "cosigning",
    "cosigned",
    "submitted",
    "registered",
    "refused",
    "assigned",
    "extension",
    "replied",
    "rehandling",
    "closed",
]
ACTORS = ["deputy_user", "cosigner", "county_officer", "clerk", "co_clerk", "leader"]


def _in(world, state: str) -> Proposal:
    p = _build(world, state)
    return Proposal.objects.select_related("region", "author").get(pk=p.pk)


def _build(world, state: str) -> Proposal:
    c = cast(world)
    author, office = world.deputy_user, world.county_officer
    p = services.proposal_create(actor=author, values=VALUES, cosigner_ids=[world.other_deputy.pk])
    if state == "draft":
        return p
    services.proposal_invite(actor=author, proposal=p)
    if state == "cosigning":
        return p
    services.cosign_answer(actor=c.cosigner_user, proposal=p, confirm=True)
    if state == "cosigned":
        return p
    services.proposal_submit(actor=author, proposal=p)
    if state == "submitted":
        return p
    if state == "refused":
        services.proposal_refuse(actor=office, proposal=p, reason="other", note="不属于建议")
        return p
    services.proposal_register(actor=office, proposal=p)
    if state == "registered":
        return p
    services.proposal_assign(actor=office, proposal=p, lead_unit=world.unit, co_units=[c.co_unit])
    contact(world, p)
    if state == "assigned":
        return p
    if state == "extension":
        services.extension_request(actor=world.clerk, proposal=p, months=1, reason="需要立项")
        return p
    services.proposal_reply(
        actor=world.clerk,
        proposal=p,
        klass="B",
        text="列入计划。",
        signed_by="张局长",
        letter=letter(),
        promise="明年完工",
        promise_due=DAY + datetime.timedelta(days=100),
    )
    if state == "replied":
        return p
    result = "unsatisfied" if state == "rehandling" else "satisfied"
    services.proposal_rate(
        actor=author, proposal=p, attitude="satisfied", result=result, comment="不够具体"
    )
    return p


def _other(world) -> Proposal:
    """A submitted proposal of the same body to merge into."""
    p = services.proposal_create(actor=world.deputy_user, values={**VALUES, "title": "另一件"})
    return services.proposal_submit(actor=world.deputy_user, proposal=p)


def _requests(world, p: Proposal, other: Proposal) -> dict:
    lead = p.assignments.filter(role="lead").order_by("-pk").first()
    co = p.assignments.filter(role="co").order_by("-pk").first()
    edit = {**VALUES, "title": "改过的标题", "cosigners": [world.other_deputy.pk]}
    return {
        "edit": ("proposals:edit", [p.pk], edit),
        "invite": ("proposals:step", [p.pk, "invite"], {}),
        "cosign": ("proposals:step", [p.pk, "cosign"], {}),
        "decline": ("proposals:step", [p.pk, "decline"], {}),
        "submit": ("proposals:step", [p.pk, "submit"], {}),
        "register": ("proposals:step", [p.pk, "register"], {}),
        "refuse": ("proposals:refuse", [p.pk], {"reason": "litigation", "note": "诉讼中"}),
        "merge": ("proposals:merge", [p.pk], {"into": other.pk}),
        "assign": ("proposals:assign", [p.pk], {"lead_unit": world.unit.pk}),
        "return": ("proposals:return", [lead.pk], {"reason": "不属于本单位"}) if lead else None,
        "co_view": ("proposals:co_view", [co.pk], {"text": "协办意见"}) if co else None,
        "plan": (
            "proposals:plan",
            [p.pk],
            {"scheme": "方案", "measures": "措施", "goal": "目标", "due": "2026-12-31"},
        ),
        "contact": (
            "proposals:contact",
            [p.pk],
            {
                "stage": "during",
                "held_on": DAY.isoformat(),
                "mode": "site",
                "participants": "代表",
                "agreed": "现场察看",
            },
        ),
        "extend": ("proposals:extend", [p.pk], {"months": 1, "reason": "需立项"}),
        "decide_extension": ("proposals:decide_extension", [p.pk], {"approve": "1"}),
        "reply": (
            "proposals:reply",
            [p.pk],
            {"klass": "A", "text": "已解决", "signed_by": "张局长", "letter": "PDF"},
        ),
        "rate": ("proposals:rate", [p.pk], {"attitude": "satisfied", "result": "satisfied"}),
        "report_promise": ("proposals:report_promise", [p.pk], {"text": "已完工"}),
        "supervise": (
            "proposals:supervise",
            [p.pk],
            {"key": "on", "supervisor": world.leader.pk},
        ),
        "publication": ("proposals:publication", [p.pk], {"withheld": "on", "reason": "涉密"}),
    }


def _context(name, p):
    if name == "return":
        return {"assignment": p.assignments.filter(role="lead").order_by("-pk").first()}
    if name == "co_view":
        return {"assignment": p.assignments.filter(role="co").order_by("-pk").first()}
    return {}


def _snapshot(p) -> tuple:
    p = Proposal.objects.get(pk=p.pk)
    return (
        p.status,
        p.title,
        p.number,
        p.key_supervision,
        p.withheld,
        p.plan_recorded_at,
        p.due_date,
        tuple(p.cosignatures.order_by("pk").values_list("status", flat=True)),
        tuple(p.assignments.order_by("pk").values_list("status", "co_view")),
        p.contacts.count(),
        tuple(p.replies.order_by("round").values_list("rated_at", "promise_reported_at")),
        tuple(p.extensions.values_list("status", flat=True)),
    )


def _user(world, who):
    c = cast(world)
    return {"cosigner": c.cosigner_user, "co_clerk": c.co_clerk}.get(who) or getattr(world, who)


@pytest.mark.parametrize("state", STATES)
def test_every_action_from_every_state_by_every_role(client, world, settings, tmp_path, state):
    settings.MEDIA_ROOT = str(tmp_path)
    with core_clock.frozen(DAY):
        shared, other = _in(world, state), _other(world)
        for who in ACTORS:
            user = _user(world, who)
            client.force_login(user)
            for name in WORKFLOW.by_name:
                allowed = WORKFLOW.can(name, user, shared, **_context(name, shared))
                target = _in(world, state) if allowed else shared
                request = _requests(world, target, other)[name]
                if request is None:
                    continue  # no assignment yet: the step has no page to reach
                url_name, args, data = request
                if data.get("letter") == "PDF":
                    data = {**data, "letter": SimpleUploadedFile("a.pdf", PDF)}
                before = _snapshot(target)
                response = client.post(reverse(url_name, args=args), data)
                after = _snapshot(target)
                where = (state, who, name, response.status_code)
                if allowed:
                    assert response.status_code == 302, where
                    assert after != before, (*where, "no effect")
                    targets = WORKFLOW[name].targets
                    assert not targets or after[0] in targets, where
                else:
                    assert response.status_code in (200, 302, 403, 404), where
                    assert after == before, (*where, "changed while refused")
                    if response.status_code == 302:
                        page = client.get(response["Location"])
                        text = page.content.decode() if page.status_code == 200 else "拒绝"
                        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), where


def test_the_table_names_only_real_states_and_one_row_per_action():
    assert len(WORKFLOW.actions) == len(WORKFLOW.by_name)
    for action in WORKFLOW.actions:
        assert set(action.sources) <= set(Proposal.Status.values)
        assert set(action.targets) <= set(Proposal.Status.values)
    # Nothing leaves a closed, refused or merged proposal but the record-keeping steps.
    final = {Proposal.Status.REFUSED, Proposal.Status.MERGED}
    assert not [a.name for a in WORKFLOW.actions if final & set(a.sources)]
