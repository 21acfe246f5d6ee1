"""Every page and endpoint of the legislative points, from both sides of the county line.

The owner of each object (the city that issued the consultation, the county over the
point, the point's officer, the deputy grouped into it) gets its answer; the
neighbouring county's staff, a unit clerk, another station's officer and a sibling
township's staff get a 404, exactly as for a missing row, or a list without our rows.
A point sees only the consultations it was asked to join, and no draft.
"""

import datetime

import pytest
from django.urls import reverse

from accounts.models import Role
from deputies.models import StationMembership
from legislation.models import Comment, Consultation
from tests import factories as f
from tests.legislation.world import consultation_of


@pytest.fixture
def cast(world, lw, open_day):
    world.sibling_officer = f.user_with_role(
        "sibling_officer", Role.STATION_OFFICER, station=world.sibling_station
    )
    world.sibling_township_officer = f.user_with_role(
        "sibling_township_officer", Role.TOWNSHIP_STAFF, region=world.other_township
    )
    world.neighbour_point_officer = f.user_with_role(
        "neighbour_point_officer", Role.STATION_OFFICER, station=world.neighbour_station
    )
    StationMembership.objects.create(
        deputy=world.deputy, station=world.station, start_date=datetime.date(2024, 1, 1)
    )
    world.draft = consultation_of(
        world.city,
        [world.station],
        title="吕梁市养犬管理条例（草案）",
        status=Consultation.Status.DRAFT,
    )
    return world


def _ids(w):
    lw = w._legislation_world
    return {
        "consultation": lw.consultation.pk,
        "draft": w.draft.pk,
        "participation": lw.participation.pk,
        "comment": lw.comment.pk,
        "collector": lw.collector.pk,
    }


# (URL name, args from the ids, method, owner in the cast, POST data)
ROUTES = [
    ("legislation:detail", ["consultation"], "get", "county_officer", None),
    ("legislation:edit", ["consultation"], "get", "city_officer", None),
    ("legislation:text", ["draft"], "get", "city_officer", None),
    ("legislation:publish", ["draft"], "post", "city_officer", {}),
    ("legislation:article", ["consultation", 1], "get", "county_officer", None),
    ("legislation:participation", ["participation"], "get", "station_officer", None),
    ("legislation:comment", ["participation"], "get", "deputy_user", None),
    ("legislation:record", ["participation"], "get", "station_officer", None),
    ("legislation:import", ["participation"], "get", "station_officer", None),
    ("legislation:import_template", ["participation"], "get", "station_officer", None),
    ("legislation:summary", ["participation"], "get", "township_officer", None),
    (
        "legislation:opinion",
        ["participation"],
        "post",
        "station_officer",
        {"article": 1, "text": "意见"},
    ),
    ("legislation:documents", ["participation"], "post", "county_officer", {"format": "docx"}),
    ("legislation:send", ["participation"], "get", "station_officer", None),
    ("legislation:reopen", ["participation"], "post", "station_officer", {"reason": "补报"}),
    ("legislation:feedback", ["participation"], "get", "county_officer", None),
    ("legislation:feedback_done", ["participation"], "post", "county_officer", {}),
    ("legislation:meeting_new", ["participation"], "get", "station_officer", None),
    ("legislation:poster", ["participation"], "get", "station_officer", None),
    ("legislation:decide", ["comment"], "post", "station_officer", {"decision": "keep"}),
    ("legislation:collector_edit", ["collector"], "get", "station_officer", None),
    ("legislation:collector_renew_link", ["collector"], "post", "county_officer", {}),
]
API = [
    ("/api/legislation/consultations/{consultation}/", "county_officer"),
    ("/api/legislation/consultations/{consultation}/", "station_officer"),
    ("/api/legislation/comments/{comment}/", "station_officer"),
    ("/api/legislation/comments/{comment}/", "county_officer"),
]
OUTSIDERS = [
    "outsider",
    "neighbour_clerk",
    "sibling_officer",
    "sibling_township_officer",
    "neighbour_point_officer",
]


def _path(name, args, ids):
    return reverse(name, args=[ids.get(a, a) if isinstance(a, str) else a for a in args])


def _call(client, method, path, data):
    return client.post(path, data or {}) if method == "post" else client.get(path)


@pytest.mark.parametrize(
    ("name", "args", "method", "owner", "data"), ROUTES, ids=[r[0] for r in ROUTES]
)
def test_the_owner_is_answered_and_everyone_beside_gets_404(
    client, cast, name, args, method, owner, data
):
    ids = _ids(cast)
    path = _path(name, args, ids)
    for who in OUTSIDERS:
        client.force_login(getattr(cast, who))
        assert _call(client, method, path, data).status_code == 404, (who, path)
    client.force_login(getattr(cast, owner))
    answer = _call(client, method, path, data)
    assert answer.status_code in (200, 302), (owner, path, answer.status_code)
    if answer.status_code == 302:
        assert "/login/" not in answer["Location"]


def test_the_public_parameter_names_are_unguessable_tokens(client, cast):
    """The citizens' pages take tokens, not ids: nothing to walk (listed as public)."""
    lw = cast._legislation_world
    assert (
        client.get(
            reverse("public_legislation:page", args=[lw.participation.public_token])
        ).status_code
        == 200
    )
    assert (
        client.get(reverse("public_legislation:page", args=[str(lw.participation.pk)])).status_code
        == 404
    )


@pytest.mark.parametrize(("template", "owner"), API)
def test_api_objects_are_the_owners_alone(client, cast, template, owner):
    path = template.format(**_ids(cast))
    client.force_login(getattr(cast, owner))
    assert client.get(path).status_code == 200
    for who in OUTSIDERS:
        client.force_login(getattr(cast, who))
        assert client.get(path).status_code == 404, (who, path)


def _titles(client, url):
    return client.get(url).content.decode()


def test_lists_show_only_the_consultations_a_user_may_see(client, cast):
    lw = cast._legislation_world
    ours, theirs, draft = "吕梁市消防条例", "文水县立法项目征集", "吕梁市养犬管理条例"
    seen = {
        "city_officer": {ours, theirs, draft},  # the city sees its counties' consultations
        "county_officer": {ours},  # its point was asked; the draft is not public yet
        "station_officer": {ours},
        "township_officer": {ours},
        "deputy_user": {ours},
        "leader": {ours},
        "outsider": {theirs},
        "neighbour_point_officer": {theirs},
        "sibling_officer": set(),
        "sibling_township_officer": set(),
        "neighbour_clerk": set(),
        "clerk": set(),
    }
    for who, expected in seen.items():
        client.force_login(getattr(cast, who))
        page = client.get(reverse("legislation:list")).content.decode()
        api = str(client.get("/api/legislation/consultations/").json())
        for title in (ours, theirs, draft):
            assert (title in page) == (title in expected), (who, title, "page")
            assert (title in api) == (title in expected), (who, title, "api")
    assert lw.neighbour_consultation.pk


def test_comment_lists_and_the_collectors_register_stay_in_their_slice(client, cast):
    lw = cast._legislation_world
    Comment.objects.create(
        consultation=lw.neighbour_consultation,
        participation=lw.neighbour_participation,
        station=cast.neighbour_station,
        region=cast.neighbour_station.region,
        number=1,
        content="文水县群众的意见。",
        channel="online",
        received_on=datetime.date(2026, 3, 5),
    )
    for who, ours in [
        ("station_officer", True),
        ("county_officer", True),
        ("outsider", False),
        ("neighbour_point_officer", False),
        ("sibling_officer", False),
    ]:
        client.force_login(getattr(cast, who))
        data = client.get("/api/legislation/comments/").json()
        contents = [row["content"] for row in data["results"]]
        assert ("建议明确电动自行车集中充电设施的建设责任。" in contents) == ours, who
        assert ("文水县群众的意见。" in contents) == (
            who in ("outsider", "neighbour_point_officer")
        )
        register = client.get(reverse("legislation:collectors")).content.decode()
        assert ("王志强" in register) == ours, who


def test_the_api_never_answers_with_a_name_or_a_phone(client, cast):
    client.force_login(cast.county_officer)
    for path in (
        "/api/legislation/comments/",
        "/api/legislation/consultations/",
        "/api/legislation/consultations/{consultation}/".format(**_ids(cast)),
    ):
        body = client.get(path).content.decode()
        assert "张三丰" not in body and "13912345678" not in body and "王志强" not in body


def test_creating_a_comment_at_another_countys_point_reads_like_a_missing_one(client, cast):
    lw = cast._legislation_world
    client.force_login(cast.outsider)
    foreign = client.post(
        "/api/legislation/comments/",
        {
            "participation": lw.participation.pk,
            "content": "外县的意见内容。",
            "channel": "symposium",
            "received_on": "2026-03-10",
        },
        content_type="application/json",
    )
    missing = client.post(
        "/api/legislation/comments/",
        {
            "participation": 999999,
            "content": "外县的意见内容。",
            "channel": "symposium",
            "received_on": "2026-03-10",
        },
        content_type="application/json",
    )
    assert foreign.status_code == missing.status_code == 400
    assert foreign.json() == missing.json()


def test_the_new_consultation_form_offers_only_points_of_ones_own_subtree(client, cast):
    client.force_login(cast.outsider)
    page = client.get(reverse("legislation:new")).content.decode()
    assert "凤城镇联络站" in page and "天宁镇人大代表联络站" not in page
    client.force_login(cast.county_officer)
    page = client.get(reverse("legislation:new")).content.decode()
    assert "天宁镇人大代表联络站" in page and "凤城镇联络站" not in page
