"""A citizen scans a legislative point's code with a phone and comments on one article."""

import datetime

import pytest

from core import clock as core_clock
from legislation.models import Comment
from public import qr
from tests.browser.conftest import screenshot
from tests.legislation.world import legislation_world
from tests.public.helpers import decode_qr_png


@pytest.fixture
def consultation_world(world, settings, tmp_path, live_server):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PUBLIC_BASE_URL = live_server.url
    lw = legislation_world(world)
    article = lw.consultation.articles.get(number=2)
    article.paragraphs = [
        "电动自行车、电动摩托车的所有人或者使用人应当安全停放、充电，不得在建筑物的"
        "公共门厅、疏散通道、楼梯间、安全出口处停放、充电。",
        "物业服务企业发现前款行为的，应当予以劝阻。",
    ]
    article.save()
    with core_clock.frozen(datetime.date(2026, 3, 16)):
        yield lw


def test_a_citizen_comments_on_one_article_from_a_phone(phone_page, consultation_world):
    lw = consultation_world
    url = qr.public_url("public_legislation:page", lw.participation.public_token)
    [scanned] = decode_qr_png(qr.qr_bytes(url, "png"))
    phone_page.goto(scanned)
    assert "吕梁市消防条例（修订草案）" in phone_page.locator("h1").inner_text()
    # One chapter here, so it is unfolded; a longer draft folds its chapters on a phone.
    assert phone_page.locator("details.chapter").get_attribute("open") is not None
    link = phone_page.get_by_role("link", name="对第二条提意见")
    box = link.bounding_box()
    assert box["height"] >= 40  # a thumb finds it
    screenshot(phone_page, "legislation-phone-draft")
    link.click()
    assert "对第二条提意见" in phone_page.locator("h1").inner_text()
    assert "楼梯间、安全出口处停放" in phone_page.locator(".article-quote").inner_text()
    assert phone_page.get_by_text("个人信息告知").is_visible()
    phone_page.fill("#id_content", "建议增加一款：小区应当建设电动自行车集中充电场所。")
    phone_page.fill("#id_contact_phone", "13912340000")
    screenshot(phone_page, "legislation-phone-form")
    phone_page.get_by_role("button", name="提交意见").click()
    phone_page.wait_for_load_state("networkidle")
    assert phone_page.locator("h1").inner_text() == "意见已提交"
    body = phone_page.locator("main").inner_text()
    assert "第二条" in body and "意见被采纳时，我们会短信告知您" in body
    assert "13912340000" not in phone_page.content()
    screenshot(phone_page, "legislation-phone-receipt")
    comment = Comment.objects.get(content__startswith="建议增加一款")
    assert comment.article.number == 2 and comment.channel == "online"
    assert comment.contact_phone == "13912340000"
    # Back to the draft: the article now shows its comment.
    phone_page.get_by_role("button", name="返回草案，继续提意见").click()
    assert "已有 1 条意见" in phone_page.locator("#a2").inner_text()
