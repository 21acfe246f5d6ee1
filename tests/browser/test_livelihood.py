"""A deputy votes on a phone-sized page; two tellers enter and confirm a paper round."""

import datetime

import pytest

from core import clock as core_clock
from livelihood import services
from livelihood.models import Ballot, Round, VoterRecord
from tests.browser.conftest import login, screenshot
from tests.livelihood.world import voting_cycle

AT_SESSION = datetime.datetime(2026, 4, 10, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def session_world(world, settings, tmp_path, live_server):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PUBLIC_BASE_URL = live_server.url
    with core_clock.frozen(AT_SESSION):
        yield voting_cycle(world)


def test_a_deputy_votes_on_a_phone(phone_page, live_server, world, session_world):
    s = session_world
    round = services.round_open(actor=world.township_officer, cycle=s.cycle, method="electronic")
    login(phone_page, live_server, world.deputy_user)
    phone_page.goto(f"{live_server.url}/livelihood/mine/")
    phone_page.locator(f"a[href$='/rounds/{round.pk}/vote/']").click()
    assert "赞成的项目不超过7个" in phone_page.locator("main").inner_text()
    for project in s.projects[:7]:
        phone_page.check(f"input[name=p{project.pk}][value=yes]")
    phone_page.check(f"input[name=p{s.projects[7].pk}][value=no]")
    radio = phone_page.locator(f"input[name=p{s.projects[0].pk}][value=yes]").locator("xpath=..")
    assert radio.bounding_box()["height"] >= 20
    screenshot(phone_page, "livelihood-phone-ballot")
    phone_page.get_by_role("button", name="提交选票").click()
    phone_page.wait_for_load_state("networkidle")
    assert "投票成功" in phone_page.locator("main").inner_text()
    assert "目前没有需要您投票的表决" in phone_page.locator("main").inner_text()
    assert Ballot.objects.filter(round=round).count() == 1
    assert VoterRecord.objects.filter(round=round, deputy=world.deputy).count() == 1
    # Back to the ballot: it says the vote is in, and offers no second ballot.
    phone_page.goto(f"{live_server.url}/livelihood/rounds/{round.pk}/vote/")
    assert "您已经投过票了" in phone_page.locator("main").inner_text()
    assert phone_page.get_by_role("button", name="提交选票").count() == 0
    # The cycle's public page, as the public sees it from the poster's code.
    phone_page.goto(f"{live_server.url}/m/{s.cycle.public_token}/")
    assert "天宁镇2026年民生实事项目票决" in phone_page.locator("h1").inner_text()
    screenshot(phone_page, "livelihood-phone-public")


def test_two_tellers_enter_and_confirm_a_paper_round(page, live_server, world, session_world):
    s = session_world
    login(page, live_server, world.township_officer)
    page.goto(f"{live_server.url}/livelihood/{s.cycle.pk}/session/")
    assert "已签到9人" in page.locator("main").inner_text()
    page.select_option("#id_method", "paper")
    page.get_by_role("button", name="开始表决").click()
    page.wait_for_load_state("networkidle")
    round = Round.objects.get()
    totals = page.locator("#totals")
    totals.locator("input[name=issued]").fill("9")
    totals.locator("input[name=returned]").fill("9")
    for i, project in enumerate(s.projects):
        totals.locator(f"input[name=t{project.pk}_yes]").fill("8" if i < 7 else "3")
        totals.locator(f"input[name=t{project.pk}_no]").fill("1" if i < 7 else "6")
    screenshot(page, "livelihood-paper-round")
    totals.get_by_role("button", name="保存合计").click()
    page.wait_for_load_state("networkidle")
    assert "请计票人和监票人分别确认" in page.locator("main").inner_text()
    confirm = page.locator("#confirm")
    confirm.locator("#id_role").select_option("counter")
    confirm.locator("#id_teller_name").fill("张计票")
    confirm.get_by_role("button", name="确认计票结果").click()
    page.wait_for_load_state("networkidle")
    assert "计票人：张计票" in page.locator("main").inner_text()
    assert page.locator("#totals").count() == 0  # a confirmation locks the entry
    page.context.clear_cookies()
    login(page, live_server, world.county_officer)
    page.goto(f"{live_server.url}/livelihood/rounds/{round.pk}/")
    confirm = page.locator("#confirm")
    confirm.locator("#id_role").select_option("scrutineer")
    confirm.locator("#id_teller_name").fill("李监票")
    confirm.get_by_role("button", name="确认计票结果").click()
    page.wait_for_load_state("networkidle")
    assert Round.objects.get().status == "confirmed"
    assert "有效" in page.locator(".badge").inner_text()
    page.goto(f"{live_server.url}/livelihood/{s.cycle.pk}/")
    screenshot(page, "livelihood-cycle")
    assert s.cycle.projects.filter(status="adopted").count() == 7
