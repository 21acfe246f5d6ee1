"""The cycle through HTTP as people use it: staff pages, the public phone pages, the
deputy's phone ballot, the API keeping the same rules, exports."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from livelihood.models import Ballot, Cycle, Proposal, Round, VoterRecord

from .test_voting import AT_SESSION, confirm, enter, paper
from .world import livelihood_world, make_cycle, voting_cycle

pytestmark = pytest.mark.django_db


def test_staff_create_a_cycle_and_the_public_proposes_from_a_phone(client, world, clock):
    clock(datetime.datetime(2026, 1, 10, 9, tzinfo=datetime.UTC))
    client.force_login(world.township_officer)
    answer = client.post(
        reverse("livelihood:new"),
        {
            "region": world.township.pk,
            "year": 2026,
            "title": "天宁镇2026年民生实事项目",
            "body": "township_congress",
            "collect_from": "2026-01-05",
            "collect_until": "2026-02-28",
            "places": 7,
            "competitive": "on",
            "margin_percent": 10,
            "threshold_base": "present",
            "quorum_numerator": 2,
            "quorum_denominator": 3,
            "plan_days": 30,
            "rating_percent": 50,
        },
    )
    cycle = Cycle.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "livelihood:detail", args=[cycle.pk]
    )
    page = client.get(answer["Location"]).content.decode()
    assert "天宁镇2026年民生实事项目" in page and "结束征集" in page
    client.logout()
    form = client.get(reverse("public_livelihood:propose", args=[cycle.public_token]))
    assert form.status_code == 200 and "个人信息告知" in form.content.decode()
    data = {
        "title": "坡底社区道路硬化",
        "content": "坡底社区主干道管网改造后未修复，雨天出行难",
        "contact_phone": "13912345678",
        "submission_token": "A" * 24,
    }
    url = reverse("public_livelihood:propose", args=[cycle.public_token])
    first = client.post(url, data)
    again = client.post(url, data)  # a double tap
    assert first.status_code == 302 and again["Location"] == first["Location"]
    assert Proposal.objects.count() == 1
    receipt = client.get(first["Location"]).content.decode()
    assert "第1件" in receipt and "13912345678" not in receipt
    public = client.get(
        reverse("public_livelihood:page", args=[cycle.public_token])
    ).content.decode()
    assert "坡底社区道路硬化" in public and "13912345678" not in public
    bad = client.post(url, {**data, "submission_token": "B" * 24, "contact_phone": "12"})
    assert bad.status_code == 400 and "正确的手机号" in bad.content.decode()
    assert Proposal.objects.count() == 1


def test_the_public_page_refuses_after_the_closing_date(client, world, clock):
    clock(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC))
    cycle = make_cycle(world.township, title="截止")
    url = reverse("public_livelihood:propose", args=[cycle.public_token])
    answer = client.post(
        url, {"title": "修路", "content": "修一条路吧谢谢", "submission_token": "C" * 24}
    )
    assert "征集已于2026年2月28日截止" in answer.content.decode()
    assert not Proposal.objects.exists()


def test_staff_pages_answer_and_mask_for_leaders(client, world):
    lw = livelihood_world(world)
    client.force_login(world.township_officer)
    for name, arg in [
        ("livelihood:detail", lw.cycle.pk),
        ("livelihood:proposals", lw.cycle.pk),
        ("livelihood:members", lw.cycle.pk),
        ("livelihood:session", lw.cycle.pk),
        ("livelihood:round", lw.round.pk),
        ("livelihood:project", lw.project.pk),
    ]:
        assert client.get(reverse(name, args=[arg])).status_code == 200, name
    assert (
        "13912345678"
        in client.get(reverse("livelihood:proposals", args=[lw.cycle.pk])).content.decode()
    )
    client.force_login(world.leader)
    page = client.get(reverse("livelihood:proposals", args=[lw.cycle.pk])).content.decode()
    assert "13912345678" not in page
    refused = client.post(
        reverse("livelihood:advance", args=[lw.cycle.pk]), {"action": "close_collection"}
    )
    assert refused.status_code == 403
    assert Cycle.objects.get(pk=lw.cycle.pk).status == "collecting"


def test_an_illegal_step_says_why_and_changes_nothing(client, world):
    lw = livelihood_world(world)
    client.force_login(world.township_officer)
    answer = client.post(
        reverse("livelihood:advance", args=[lw.cycle.pk]), {"action": "publish"}, follow=True
    )
    assert "当前状态为“征集项目”，不能发布大会公告" in answer.content.decode()
    assert Cycle.objects.get(pk=lw.cycle.pk).status == "collecting"


def test_the_list_takes_constant_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.county_officer)
    make_cycle(world.township, title="一")
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("livelihood:list"))
    for i in range(6):
        Cycle.objects.create(
            region=world.other_township,
            year=2020 + i,
            title=f"夏家营镇{i}",
            body="township_congress",
            collect_from=datetime.date(2020 + i, 1, 1),
            collect_until=datetime.date(2020 + i, 2, 1),
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("livelihood:list")).content.decode()
    assert "夏家营镇5" in page


def test_deputy_votes_on_the_phone_page_and_the_api_keeps_the_rules(client, world, clock):
    clock(AT_SESSION)
    s = voting_cycle(world)
    round = services_open_electronic(world, s.cycle)
    client.force_login(world.deputy_user)
    assert round.pk in [r.pk for r in client.get(reverse("livelihood:mine")).context["rounds"]]
    page = client.get(reverse("livelihood:vote", args=[round.pk]))
    assert page.status_code == 200 and "无记名投票" in page.content.decode()
    too_many = {f"p{p.pk}": "yes" for p in s.projects}
    answer = client.post(reverse("livelihood:vote", args=[round.pk]), too_many, follow=True)
    assert "不能超过本轮名额7个" in answer.content.decode()
    assert not Ballot.objects.exists()
    api = reverse("livelihood-round-ballot", args=[round.pk])
    marks = {str(p.pk): "yes" for p in s.projects[:7]} | {str(s.projects[7].pk): "no"}
    assert client.post(api, {"marks": marks}, content_type="application/json").status_code == 204
    second = client.post(api, {"marks": marks}, content_type="application/json")
    assert second.status_code == 400 and "已经投过票" in str(second.json())
    assert Ballot.objects.count() == 1 and VoterRecord.objects.count() == 1
    detail = client.get(reverse("livelihood-round-detail", args=[round.pk])).json()
    assert "ballots" not in detail and "voters" not in detail
    client.force_login(world.leader)
    assert client.post(api, {"marks": marks}, content_type="application/json").status_code == 403


def services_open_electronic(world, cycle):
    from livelihood import services

    return services.round_open(actor=world.township_officer, cycle=cycle, method="electronic")


def test_api_refuses_editing_a_confirmed_round(client, world, clock):
    clock(AT_SESSION)
    s = voting_cycle(world)
    round = confirm(world, enter(world, paper(world, s.cycle), {x: 9 for x in s.projects[:7]}))
    client.force_login(world.township_officer)
    body = {
        "issued": 9,
        "returned": 9,
        "invalid": 0,
        "tallies": [{"project": p.pk, "yes": 1} for p in s.projects],
    }
    answer = client.post(
        reverse("livelihood-round-totals", args=[round.pk]), body, content_type="application/json"
    )
    assert answer.status_code == 400
    assert Round.objects.get(pk=round.pk).tallies.get(project=s.projects[0]).yes == 9
    client.force_login(world.outsider)
    assert client.get(reverse("livelihood-round-detail", args=[round.pk])).status_code == 404
    assert client.get(reverse("livelihood-cycle-detail", args=[s.cycle.pk])).status_code == 404


def test_tellers_enter_a_paper_round_through_the_pages(client, world, clock):
    clock(AT_SESSION)
    s = voting_cycle(world)
    client.force_login(world.township_officer)
    opened = client.post(
        reverse("livelihood:session", args=[s.cycle.pk]),
        {"what": "round", "method": "paper", "minutes": 30},
    )
    round = Round.objects.get()
    assert opened["Location"] == reverse("livelihood:round", args=[round.pk])
    data = {"issued": 9, "returned": 9, "invalid": 0}
    for i, p in enumerate(s.projects):
        data[f"t{p.pk}_yes"] = 9 if i < 7 else 0
        data[f"t{p.pk}_no"] = 0 if i < 7 else 9
    client.post(reverse("livelihood:round_totals", args=[round.pk]), data)
    client.post(
        reverse("livelihood:round_confirm", args=[round.pk]),
        {"role": "counter", "teller_name": "张计票"},
    )
    client.force_login(world.county_officer)
    client.post(
        reverse("livelihood:round_confirm", args=[round.pk]),
        {"role": "scrutineer", "teller_name": "李监票"},
    )
    assert Round.objects.get().status == "confirmed"
    client.force_login(world.township_officer)
    client.post(reverse("livelihood:advance", args=[s.cycle.pk]), {"action": "publish"})
    assert Cycle.objects.get(pk=s.cycle.pk).status == "published"
    sheet = client.get(reverse("livelihood:results_xlsx", args=[s.cycle.pk]))
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.values)
    assert rows[0][0] == "轮次" and len(rows) == 9 and rows[1][-2:] == ("张计票", "李监票")
    notice = client.get(reverse("livelihood:notice", args=[s.cycle.pk]))
    assert notice["Content-Type"] == "application/pdf" and notice.content.startswith(b"%PDF")
    client.logout()
    results = client.get(reverse("public_livelihood:results", args=[s.cycle.public_token]))
    assert results.status_code == 200 and "候选项目1" in results.content.decode()
    assert client.get(
        reverse("public_livelihood:notice", args=[s.cycle.public_token])
    ).content.startswith(b"%PDF")


def test_import_reports_every_bad_row_and_saves_nothing(client, world, clock):
    from openpyxl import Workbook

    clock(datetime.datetime(2026, 1, 10, 9, tzinfo=datetime.UTC))
    cycle = make_cycle(world.township, title="导入")
    client.force_login(world.township_officer)
    template = client.get(reverse("livelihood:import_template", args=[cycle.pk]))
    headers = next(load_workbook(io.BytesIO(template.content)).active.values)
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    sheet.append(["修路", "坡底社区道路硬化", "", "联络站接待", "2026-01-08", "", ""])
    sheet.append(["", "内容", "", "飞鸽传书", "2026/01/08", "", "123"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "proposals.xlsx"
    answer = client.post(
        reverse("livelihood:import", args=[cycle.pk]), {"file": buffer}, follow=True
    )
    page = answer.content.decode()
    assert "第3行项目名称" in page and "第3行来源" in page and "第3行收到日期" in page
    assert not Proposal.objects.exists()
    buffer = io.BytesIO()
    book.active.delete_rows(3)
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "proposals.xlsx"
    client.post(reverse("livelihood:import", args=[cycle.pk]), {"file": buffer})
    assert Proposal.objects.get().channel == "reception"


def test_a_concern_becomes_a_proposal_once(client, world, clock):
    from tests.suggestions.world import suggestion_world

    clock(datetime.datetime(2026, 1, 10, 9, tzinfo=datetime.UTC))
    suggestion = suggestion_world(world).suggestion
    cycle = make_cycle(world.county, title="县级")
    client.force_login(world.county_officer)
    url = reverse("livelihood:from_suggestion", args=[cycle.pk])
    client.post(url, {"tracking_code": suggestion.tracking_code})
    again = client.post(url, {"tracking_code": suggestion.tracking_code}, follow=True)
    assert "已转为项目建议" in again.content.decode()
    proposal = Proposal.objects.get()
    assert proposal.suggestion == suggestion and proposal.channel == "suggestion"
    client.force_login(world.outsider)
    assert client.post(url, {"tracking_code": suggestion.tracking_code}).status_code == 404


def test_the_dashboard_shows_the_cycles_to_the_region_and_its_parents(world, clock):
    from dashboards.periods import year_period
    from livelihood.selectors import dashboard_panel

    clock(datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC))
    lw = livelihood_world(world)
    period = year_period(2026)
    for user, region, count in (
        (world.city_officer, world.city, 2),  # with 文水县's
        (world.county_officer, world.county, 1),
        (world.township_officer, world.township, 1),
    ):
        panel = dashboard_panel(user, region, period)
        assert panel["count"] == count and panel["adopted"] == 1
        assert lw.cycle in panel["cycles"]
    assert dashboard_panel(world.outsider, world.neighbour, period)["count"] == 1
    assert dashboard_panel(world.outsider, world.county, period) is None
    client_page = __import__("django.test", fromlist=["Client"]).Client()
    client_page.force_login(world.county_officer)
    board = client_page.get(reverse("dashboards:index"), {"region": world.county.code}, follow=True)
    assert "民生实事项目票决" in board.content.decode()


def test_the_pages_read_in_english(client, world, clock):
    clock(datetime.datetime(2026, 1, 10, 9, tzinfo=datetime.UTC))
    lw = livelihood_world(world)
    client.cookies["django_language"] = "en"
    page = client.get(
        reverse("public_livelihood:page", args=[lw.cycle.public_token])
    ).content.decode()
    assert "Propose a livelihood project" in page and "Proposals from the public (1)" in page
    client.force_login(world.township_officer)
    detail = client.get(reverse("livelihood:detail", args=[lw.cycle.pk])).content.decode()
    assert "Close the call" in detail and "Approval trail" in detail


def test_a_public_photo_is_kept_as_a_clean_copy_and_a_bad_file_is_refused(
    client, world, clock, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = str(tmp_path)
    clock(datetime.datetime(2026, 1, 10, 9, tzinfo=datetime.UTC))
    cycle = make_cycle(world.township, title="照片")
    url = reverse("public_livelihood:propose", args=[cycle.public_token])
    data = {"title": "修路", "content": "坡底社区道路硬化", "submission_token": "P" * 24}
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    answer = client.post(url, {**data, "photo": bad})
    assert answer.status_code == 400 and not Proposal.objects.exists()
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, format="PNG")
    photo = SimpleUploadedFile("road.png", buffer.getvalue(), content_type="image/png")
    assert client.post(url, {**data, "photo": photo}).status_code == 302
    saved = Proposal.objects.get().photo
    assert saved.name.endswith(".jpg") and Image.open(saved.path).format == "JPEG"


def test_the_poster_carries_the_public_pages_code(client, world, settings):
    from public import qr
    from tests.public.helpers import decode_qr_png

    live_server_url = "http://testserver"
    settings.PUBLIC_BASE_URL = live_server_url
    lw = livelihood_world(world)
    client.force_login(world.township_officer)
    poster = client.get(reverse("livelihood:poster", args=[lw.cycle.pk]))
    assert poster["Content-Type"] == "application/pdf" and poster.content.startswith(b"%PDF")
    code = client.get(reverse("public_livelihood:qr", args=[lw.cycle.public_token]))
    [url] = decode_qr_png(code.content)
    assert url == qr.public_url("public_livelihood:page", lw.cycle.public_token)
    assert client.get(url.removeprefix(live_server_url)).status_code == 200


def _add_proposals(cycle, n, start):
    Proposal.objects.bulk_create(
        [
            Proposal(
                cycle=cycle,
                number=start + i,
                title=f"建议{start + i}",
                content="内容内容内容",
                channel="letter",
                received_on=datetime.date(2026, 1, 10),
                decision="rejected",
                decision_reason="可行性不足",
            )
            for i in range(n)
        ]
    )


def test_proposal_lists_take_constant_queries(client, world, django_assert_max_num_queries):
    lw = livelihood_world(world)
    _add_proposals(lw.cycle, 2, 2)
    staff_url = reverse("livelihood:proposals", args=[lw.cycle.pk])
    public_url = reverse("public_livelihood:page", args=[lw.cycle.public_token])
    client.force_login(world.township_officer)
    with django_assert_max_num_queries(40) as staff_small:
        client.get(staff_url)
    with django_assert_max_num_queries(40) as public_small:
        client.get(public_url)
    _add_proposals(lw.cycle, 25, 10)
    with django_assert_max_num_queries(len(staff_small.captured_queries)):
        assert "建议34" in client.get(staff_url).content.decode()
    with django_assert_max_num_queries(len(public_small.captured_queries)):
        assert "建议29" in client.get(public_url).content.decode()


def test_the_roster_loads_from_the_register_and_refuses_bad_input(client, world):
    from deputies.models import Deputy
    from tests import factories as f

    lw = livelihood_world(world)
    Round.objects.filter(pk=lw.round.pk).update(status="confirmed")  # none being counted
    f.DeputyFactory(name="镇代表甲", region=world.township, level=Deputy.Level.TOWNSHIP)
    f.DeputyFactory(name="凤城镇代表", region=world.neighbour_township, level=Deputy.Level.TOWNSHIP)
    client.force_login(world.township_officer)
    url = reverse("livelihood:members", args=[lw.cycle.pk])
    assert client.post(url, {"add": "abc"}).status_code == 302
    client.post(url, {"from_register": "1"})
    names = set(lw.cycle.members.values_list("deputy__name", flat=True))
    assert names == {"马志刚", "王秀英", "镇代表甲"}  # the township's register, not the neighbour's
    neighbour = Deputy.objects.get(name="凤城镇代表")
    answer = client.post(url, {"add": neighbour.pk}, follow=True)
    assert "没有找到该代表" in answer.content.decode()


def test_a_proposal_sent_while_the_broker_is_down_is_kept(
    client, world, clock, settings, monkeypatch
):
    import socket
    import threading

    from kombu import Connection

    clock(datetime.datetime(2026, 1, 10, 9, tzinfo=datetime.UTC))
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
    settings.OUTBOX_SEND_ON_COMMIT = True
    attempts = []

    def trap(self, *args, **kwargs):
        attempts.append(threading.get_ident())
        raise ConnectionRefusedError("broker is down")

    monkeypatch.setattr(Connection, "_establish_connection", trap)
    monkeypatch.setattr(Connection, "connect", trap)
    cycle = make_cycle(world.township, title="停机")
    answer = client.post(
        reverse("public_livelihood:propose", args=[cycle.public_token]),
        {"title": "修路", "content": "坡底社区道路硬化", "submission_token": "R" * 24},
    )
    assert answer.status_code == 302 and Proposal.objects.filter(cycle=cycle).count() == 1
    assert threading.get_ident() not in attempts


def test_a_busy_phone_and_a_busy_address_are_held_back_and_keep_the_text(
    client, world, clock, monkeypatch
):
    from livelihood import public_views

    clock(datetime.datetime(2026, 1, 10, 9, tzinfo=datetime.UTC))
    cycle = make_cycle(world.township, title="限流")
    url = reverse("public_livelihood:propose", args=[cycle.public_token])

    def data(n, phone=""):
        return {
            "title": f"第{n}件：村口路灯修复",
            "content": "村口路灯坏了很久，夜里出行不便",
            "contact_phone": phone,
            "submission_token": f"tok{n}" + "x" * 21,
        }

    # A window of three years: no window's end falls inside the test.
    monkeypatch.setattr(public_views, "SUBMIT_PER_PHONE", (1, 10**8))
    monkeypatch.setattr(public_views, "SUBMIT_PER_IP", (3, 10**8))
    assert client.post(url, data(1, "13912345678")).status_code == 302
    refused = client.post(url, data(2, "13912345678"))  # the number's one a day is used
    html = refused.content.decode()
    assert refused.status_code == 429 and "该手机号今天提交的次数已达上限" in html
    assert "第2件：村口路灯修复" in html  # what was typed is kept
    assert client.post(url, data(3)).status_code == 302  # no number: the address admits
    # The phone's refusal counted at the address too: the fourth attempt is held back.
    busy = client.post(url, data(4))
    assert busy.status_code == 429 and "提交过于频繁" in busy.content.decode()
    assert "第4件：村口路灯修复" in busy.content.decode()
    assert sorted(Proposal.objects.values_list("title", flat=True)) == [
        "第1件：村口路灯修复",
        "第3件：村口路灯修复",
    ]
