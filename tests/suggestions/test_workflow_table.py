"""The workflow table, walked whole: every action from every state, by every member of the cast.

For each (state, actor, action): the table says whether it is allowed; the API call
succeeds exactly then, and otherwise is refused (403/404, or 400 with a Chinese
message) leaving the state and the timeline as they were; the detail page offers
the action's form exactly when the table allows it; the API's `available_actions`
is the table's answer.
"""

import datetime

import pytest
from django.urls import reverse

from suggestions import services
from suggestions.models import Suggestion, SuggestionEvent
from suggestions.workflow import SUGGESTION

S = Suggestion.Status
ACTORS = [
    "county_officer",
    "township_officer",
    "city_officer",
    "station_officer",
    "deputy_user",
    "clerk",
    "other_clerk",
    "leader",
    "outsider",
]
# (name, how to get there): handling is reached two ways (a unit signed, or local).
STATES = [
    "submitted",
    "accepted",
    "rejected",
    "merged",
    "assigned",
    "handling_by_unit",
    "handling_locally",
    "replied",
    "closed",
]
# The page's form for each action (the detail page offers it by its URL).
PAGE_URL = {name: f"suggestions:{name}" for name in SUGGESTION.by_name}


def _new(cast) -> Suggestion:
    suggestion, _ = services.suggestion_submit(
        channel="qr",
        category="water",
        content="小区门口的下水道堵了，污水漫到路上。",
        deputy=cast.deputy,
    )
    return suggestion


def _in(cast, state: str) -> Suggestion:
    staff = cast.county_officer
    suggestion = _new(cast)
    if state == "submitted":
        return suggestion
    if state == "accepted":
        return services.suggestion_accept(actor=staff, suggestion=suggestion)
    if state == "rejected":
        return services.suggestion_reject(
            actor=staff, suggestion=suggestion, reason="personal_dispute", note="邻里纠纷"
        )
    if state == "merged":
        return services.suggestion_merge(actor=staff, duplicate=suggestion, survivor=_new(cast))
    if state == "handling_locally":
        services.suggestion_handle_locally(actor=cast.station_officer, suggestion=suggestion)
    else:
        services.suggestion_assign(actor=staff, suggestion=suggestion, lead_unit=cast.unit)
        if state == "assigned":
            return Suggestion.objects.get(pk=suggestion.pk)
        services.assignment_acknowledge(actor=cast.clerk, assignment=suggestion.assignments.get())
    if state.startswith("handling"):
        return Suggestion.objects.get(pk=suggestion.pk)
    services.suggestion_reply(actor=staff, suggestion=suggestion, text="已疏通。")
    if state == "replied":
        return Suggestion.objects.get(pk=suggestion.pk)
    return services.suggestion_follow_up(
        actor=staff, suggestion=suggestion, satisfaction="satisfied"
    )


def _body(cast, name: str, survivor: Suggestion) -> dict:
    return {
        "accept": {"note": ""},
        "reject": {"reason": "personal_dispute", "note": "属于邻里纠纷，请通过调解解决。"},
        "answer": {"text": "已当场答复。"},
        "handle": {"note": ""},
        "assign": {"lead_unit": cast.unit.pk, "note": ""},
        "merge": {"survivor": survivor.tracking_code},
        "extend": {"days": 5, "reason": "需要协调施工队。"},
        "reply": {"text": "已经修好。"},
        "follow_up": {"satisfaction": "satisfied", "note": ""},
    }[name]


API_PATH = {"follow_up": "follow-up"}


@pytest.fixture
def pinned(cast, clock):
    clock(datetime.date(2026, 3, 2))  # a Monday, far from holidays
    return cast


@pytest.mark.parametrize("state", STATES)
def test_every_action_from_every_state_by_every_role(client, pinned, state):
    cast = pinned
    shared = _in(cast, state)  # refusals change nothing, so they share one suggestion
    survivor = _new(cast)
    for who in ACTORS:
        user = getattr(cast, who)
        client.force_login(user)
        allowed = set(SUGGESTION.available(user, shared))
        # The page offers an action's form exactly when the table allows it
        page = client.get(reverse("suggestions:detail", args=[shared.pk]))
        if page.status_code == 200:
            text = page.content.decode()
            offered = {
                n for n in SUGGESTION.by_name if reverse(PAGE_URL[n], args=[shared.pk]) in text
            }
            assert offered == allowed, (state, who)
        else:
            assert page.status_code == 404 and not allowed, (state, who)
        for name in SUGGESTION.by_name:
            suggestion = _in(cast, state) if name in allowed else shared
            events = SuggestionEvent.objects.filter(suggestion=suggestion).count()
            path = f"/api/suggestions/{suggestion.pk}/{API_PATH.get(name, name)}/"
            response = client.post(
                path, _body(cast, name, survivor), content_type="application/json"
            )
            fresh = Suggestion.objects.get(pk=suggestion.pk)
            if name in allowed:
                assert response.status_code == 200, (state, who, name, response.content)
                targets = SUGGESTION[name].targets
                assert not targets or fresh.status in targets, (state, who, name)
            else:
                assert response.status_code in (400, 403, 404), (state, who, name)
                if response.status_code == 400:
                    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.content.decode())
                assert fresh.status == suggestion.status, (state, who, name)
                assert SuggestionEvent.objects.filter(suggestion=suggestion).count() == events


def test_the_api_lists_the_tables_actions(client, pinned):
    cast = pinned
    suggestion = _in(cast, "assigned")
    for who, expected in [
        ("county_officer", ["extend"]),
        ("clerk", ["extend"]),
        ("station_officer", []),
        ("leader", []),
    ]:
        client.force_login(getattr(cast, who))
        data = client.get(f"/api/suggestions/{suggestion.pk}/").json()
        assert data["available_actions"] == expected, who
        assert data["available_actions"] == SUGGESTION.available(getattr(cast, who), suggestion)


def test_the_table_names_only_real_states_and_one_row_per_action():
    assert len(SUGGESTION.actions) == len(SUGGESTION.by_name)
    for action in SUGGESTION.actions:
        assert set(action.sources) <= set(S.values)
        assert set(action.targets) <= set(S.values)
