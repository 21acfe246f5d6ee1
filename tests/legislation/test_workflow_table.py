"""The table of a point's part, walked whole: every action, from every state, by every role.

For each (state, actor, action) the table says whether it is allowed; the page's POST
then has its effect exactly when allowed, and otherwise is refused (403/404, or a
Chinese message) leaving the state, the comments and the records as they were.
"""

import datetime

import pytest
from django.urls import reverse

from core import clock as core_clock
from deputies.models import StationMembership
from legislation import services
from legislation.models import Comment, Consultation, Participation
from legislation.workflow import PARTICIPATION
from tests.legislation.world import consultation_of

OPEN_DAY = datetime.date(2026, 3, 16)
CLOSED_DAY = datetime.date(2026, 4, 10)
STATES = ["collecting_open", "sent_open", "collecting_closed", "sent_closed", "feedback_closed"]
ACTORS = [
    "city_officer",
    "county_officer",
    "township_officer",
    "station_officer",
    "deputy_user",
    "leader",
    "outsider",
    "clerk",
]


def _in(world, state: str) -> Participation:
    """A fresh participation with one kept comment, brought to `state`."""
    consultation = consultation_of(world.city, [world.station], title="草案")
    participation = consultation.participations.get()
    with core_clock.frozen(OPEN_DAY):
        comment = services.comment_record(
            actor=world.station_officer,
            participation=participation,
            content="座谈会意见内容。",
            channel="symposium",
            received_on=OPEN_DAY,
        )
        services.comment_decide(actor=world.station_officer, comment=comment, decision="keep")
        if state.startswith(("sent", "feedback")):
            services.participation_send(
                actor=world.station_officer,
                participation=participation,
                sent_on=OPEN_DAY,
                sent_to="法工委",
                method="document",
            )
    if state == "feedback_closed":
        with core_clock.frozen(CLOSED_DAY):
            services.participation_feedback(
                actor=world.station_officer, participation=participation
            )
    return Participation.objects.get(pk=participation.pk)


def _request(participation) -> dict:
    comment = participation.comments.order_by("pk").first()
    return {
        "comment": ("legislation:comment", participation.pk, {"content": "代表本人的意见内容。"}),
        "record": (
            "legislation:record",
            participation.pk,
            {
                "content": "线下收集的意见内容。",
                "channel": "box",
                "received_on": "2026-03-12",
                "author_kind": "citizen",
            },
        ),
        "meeting": (
            "legislation:meeting_new",
            participation.pk,
            {"kind": "symposium", "held_on": "2026-03-12", "people_count": 10},
        ),
        "decide": ("legislation:decide", comment.pk, {"decision": "drop", "reason": "重复"}),
        "opinion": (
            "legislation:opinion",
            participation.pk,
            {"article": 1, "text": "联系点意见。"},
        ),
        "send": (
            "legislation:send",
            participation.pk,
            {"sent_on": "2026-03-16", "sent_to": "法工委", "method": "email"},
        ),
        "reopen": ("legislation:reopen", participation.pk, {"reason": "补充报送"}),
        "adopt": ("legislation:feedback", participation.pk, {"adopted": [comment.pk]}),
        "feedback": ("legislation:feedback_done", participation.pk, {}),
    }


def _snapshot(participation) -> tuple:
    p = Participation.objects.get(pk=participation.pk)
    comments = tuple(
        Comment.objects.filter(participation=p).order_by("pk").values_list("decision", "adopted")
    )
    return (
        p.status,
        comments,
        p.opinions.count(),
        p.sendings.count(),
        p.meetings.count(),
    )


@pytest.fixture
def table_world(world, lw):
    StationMembership.objects.create(
        deputy=world.deputy, station=world.station, start_date=datetime.date(2024, 1, 1)
    )
    return world


@pytest.mark.parametrize("state", STATES)
def test_every_action_from_every_state_by_every_role(client, table_world, state):
    world = table_world
    day = OPEN_DAY if state.endswith("open") else CLOSED_DAY
    shared = _in(world, state)
    with core_clock.frozen(day):
        for who in ACTORS:
            user = getattr(world, who)
            client.force_login(user)
            allowed = set(PARTICIPATION.available(user, shared))
            for name in PARTICIPATION.by_name:
                target = _in(world, state) if name in allowed else shared
                before = _snapshot(target)
                url_name, pk, data = _request(target)[name]
                response = client.post(reverse(url_name, args=[pk]), data, follow=False)
                after = _snapshot(target)
                if name in allowed:
                    assert response.status_code == 302, (state, who, name, response.status_code)
                    assert after != before, (state, who, name, "no effect")
                    targets = PARTICIPATION[name].targets
                    assert not targets or after[0] in targets, (state, who, name)
                else:
                    assert response.status_code in (200, 302, 400, 403, 404), (state, who, name)
                    assert after == before, (state, who, name, "changed while refused")
                    if response.status_code in (200, 302, 400):
                        page = (
                            client.get(response["Location"])
                            if response.status_code == 302
                            else response
                        )
                        text = page.content.decode() if page.status_code == 200 else "拒绝"
                        assert any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_the_table_names_only_real_states_and_one_row_per_action():
    for table, states in ((PARTICIPATION, Participation.Status),):
        assert len(table.actions) == len(table.by_name)
        for action in table.actions:
            assert set(action.sources) <= set(states.values)
            assert set(action.targets) <= set(states.values)
    from legislation.workflow import CONSULTATION

    assert {a.name for a in CONSULTATION.actions} == {"edit", "set_text", "publish"}
    assert set(CONSULTATION["publish"].sources) == {Consultation.Status.DRAFT}
