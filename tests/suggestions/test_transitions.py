"""Every transition the state machine does not allow is refused, with a Chinese message."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from suggestions import services
from suggestions.models import Assignment, Suggestion

S = Suggestion.Status

# The states a suggestion can be in, and which actions each allows.
ALLOWED = {
    S.SUBMITTED: {"accept", "reject", "answer", "handle", "assign", "merge"},
    S.ACCEPTED: {"reject", "answer", "handle", "assign", "merge"},
    S.ASSIGNED: {"extend", "acknowledge", "return"},
    S.HANDLING: {"extend", "reply", "return"},
    S.REPLIED: {"follow_up"},
    S.CLOSED: set(),
    S.REJECTED: set(),
    S.MERGED: set(),
}
ACTIONS = ["accept", "reject", "answer", "handle", "assign", "merge", "extend", "reply"]
ACTIONS += ["follow_up", "acknowledge", "return"]


def _new(world) -> Suggestion:
    suggestion, _ = services.suggestion_submit(
        channel="qr",
        category="water",
        content="小区门口的下水道堵了，污水漫到路上。",
        deputy=world.deputy,
    )
    return suggestion


def _in_state(world, state) -> Suggestion:
    actor = world.county_officer
    suggestion = _new(world)
    if state == S.SUBMITTED:
        return suggestion
    if state == S.ACCEPTED:
        return services.suggestion_accept(actor=actor, suggestion=suggestion)
    if state == S.REJECTED:
        return services.suggestion_reject(
            actor=actor, suggestion=suggestion, reason="personal_dispute", note="邻里纠纷"
        )
    if state == S.MERGED:
        survivor = _new(world)
        return services.suggestion_merge(actor=actor, duplicate=suggestion, survivor=survivor)
    services.suggestion_assign(actor=actor, suggestion=suggestion, lead_unit=world.unit)
    if state == S.ASSIGNED:
        return Suggestion.objects.get(pk=suggestion.pk)
    services.assignment_acknowledge(actor=world.clerk, assignment=suggestion.assignments.get())
    if state == S.HANDLING:
        return Suggestion.objects.get(pk=suggestion.pk)
    services.suggestion_reply(actor=world.clerk, suggestion=suggestion, text="已疏通。")
    if state == S.REPLIED:
        return Suggestion.objects.get(pk=suggestion.pk)
    return services.suggestion_follow_up(
        actor=actor, suggestion=suggestion, satisfaction="satisfied"
    )


def _do(world, suggestion: Suggestion, action: str):
    actor = world.county_officer
    assignment = suggestion.assignments.order_by("-pk").first()
    calls = {
        "accept": lambda: services.suggestion_accept(actor=actor, suggestion=suggestion),
        "reject": lambda: services.suggestion_reject(
            actor=actor, suggestion=suggestion, reason="other", note="说明"
        ),
        "answer": lambda: services.suggestion_answer_on_spot(
            actor=actor, suggestion=suggestion, text="答复"
        ),
        "handle": lambda: services.suggestion_handle_locally(actor=actor, suggestion=suggestion),
        "assign": lambda: services.suggestion_assign(
            actor=actor, suggestion=suggestion, lead_unit=world.unit
        ),
        "merge": lambda: services.suggestion_merge(
            actor=actor, duplicate=suggestion, survivor=_new(world)
        ),
        "extend": lambda: services.extension_request(
            actor=actor, suggestion=suggestion, days=3, reason="理由"
        ),
        "reply": lambda: services.suggestion_reply(actor=actor, suggestion=suggestion, text="答复"),
        "follow_up": lambda: services.suggestion_follow_up(
            actor=actor, suggestion=suggestion, satisfaction="satisfied"
        ),
        "acknowledge": lambda: services.assignment_acknowledge(actor=actor, assignment=assignment),
        "return": lambda: services.assignment_return(
            actor=actor, assignment=assignment, reason="不归我们管"
        ),
    }
    return calls[action]()


ILLEGAL = [
    (state, action)
    for state in ALLOWED
    for action in ACTIONS
    if action not in ALLOWED[state]
    # acknowledging/returning needs an assignment, which these states never had
    and not (
        action in ("acknowledge", "return")
        and state in (S.SUBMITTED, S.ACCEPTED, S.REJECTED, S.MERGED)
    )
]


@pytest.mark.parametrize(("state", "action"), ILLEGAL, ids=[f"{s}-{a}" for s, a in ILLEGAL])
def test_illegal_transition_is_refused_and_changes_nothing(world, state, action):
    suggestion = _in_state(world, state)
    events_before = suggestion.events.count()
    with pytest.raises(ValidationError) as refused:
        _do(world, suggestion, action)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in " ".join(refused.value.messages))
    suggestion.refresh_from_db()
    assert suggestion.status == state
    assert suggestion.events.count() == events_before


# Where each allowed action leaves the suggestion (None: where it was). "follow_up" with
# "satisfied" closes it; the lead unit's return sends it back to the assigner.
RESULT = {
    "accept": S.ACCEPTED,
    "reject": S.REJECTED,
    "answer": S.REPLIED,
    "handle": S.HANDLING,
    "assign": S.ASSIGNED,
    "merge": S.MERGED,
    "extend": None,
    "reply": S.REPLIED,
    "follow_up": S.CLOSED,
    "acknowledge": S.HANDLING,
    "return": S.ACCEPTED,
}


@pytest.mark.parametrize("state", list(ALLOWED))
def test_allowed_transitions_succeed(world, state):
    for action in sorted(ALLOWED[state]):
        suggestion = _in_state(world, state)
        events_before = suggestion.events.count()
        _do(world, suggestion, action)
        suggestion.refresh_from_db()
        assert suggestion.status == (RESULT[action] or state), (state, action)
        assert suggestion.events.count() > events_before, (state, action)
        if action == "extend":
            assert suggestion.extensions.filter(status="pending").count() == 1


ILLEGAL_PAGES = [
    (S.SUBMITTED, "reply", {"text": "答复"}),
    (S.SUBMITTED, "follow_up", {"satisfaction": "satisfied"}),
    (S.SUBMITTED, "extend", {"days": 3, "reason": "理由"}),
    (S.ACCEPTED, "accept", {}),
    (S.HANDLING, "assign", None),
    (S.HANDLING, "answer", {"text": "答复"}),
    (S.REPLIED, "reply", {"text": "答复"}),
    (S.CLOSED, "follow_up", {"satisfaction": "unsatisfied"}),
    (S.CLOSED, "reject", {"reason": "other", "note": "说明"}),
    (S.REJECTED, "handle", {}),
    (S.MERGED, "answer", {"text": "答复"}),
]


@pytest.mark.parametrize(("state", "action", "data"), ILLEGAL_PAGES)
def test_page_refuses_illegal_transition_with_a_message(client, world, state, action, data):
    suggestion = _in_state(world, state)
    if data is None:
        data = {"lead_unit": world.unit.pk}
    client.force_login(world.county_officer)
    response = client.post(reverse(f"suggestions:{action}", args=[suggestion.pk]), data)
    assert response.status_code == 400
    assert "不能" in response.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.status == state


@pytest.mark.parametrize(("state", "action", "data"), ILLEGAL_PAGES)
def test_api_refuses_illegal_transition_with_400(client, world, state, action, data):
    suggestion = _in_state(world, state)
    if data is None:
        data = {"lead_unit": world.unit.pk}
    client.force_login(world.county_officer)
    path = f"/api/suggestions/{suggestion.pk}/{action.replace('_', '-')}/"
    response = client.post(path, data, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "不能" in str(response.json())


def test_acknowledging_twice_is_refused(world):
    suggestion = _in_state(world, S.HANDLING)
    assignment = suggestion.assignments.get()
    assert assignment.status == Assignment.Status.ACKNOWLEDGED
    with pytest.raises(ValidationError, match="不能签收"):
        services.assignment_acknowledge(actor=world.clerk, assignment=assignment)


def test_a_second_pending_extension_is_refused(world):
    suggestion = _in_state(world, S.HANDLING)
    services.extension_request(actor=world.clerk, suggestion=suggestion, days=3, reason="理由")
    with pytest.raises(ValidationError, match="待审批"):
        services.extension_request(actor=world.clerk, suggestion=suggestion, days=3, reason="理由")


def test_merging_into_itself_or_a_rejected_suggestion_is_refused(world):
    suggestion = _new(world)
    with pytest.raises(ValidationError):
        services.suggestion_merge(
            actor=world.county_officer, duplicate=suggestion, survivor=suggestion
        )
    rejected = _in_state(world, S.REJECTED)
    with pytest.raises(ValidationError, match="不能合并"):
        services.suggestion_merge(
            actor=world.county_officer, duplicate=suggestion, survivor=rejected
        )


def test_assigning_to_a_unit_of_another_county_is_refused(world):
    suggestion = _new(world)
    with pytest.raises(ValidationError, match="本辖区"):
        services.suggestion_assign(
            actor=world.county_officer, suggestion=suggestion, lead_unit=world.neighbour_unit
        )
