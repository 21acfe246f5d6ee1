"""Comments come in: the public page (no account), deputies, collectors, officers, Excel.

Whatever the path, a comment is refused after the consultation's closing date.
"""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from audit.models import AuditRecord
from deputies.models import StationMembership
from duties.models import DutyCredit, DutyKind
from legislation import public_views, services
from legislation.models import Comment
from tests.factories import UserFactory

TOKEN = "tok_" + "a" * 28


def _page(lw, number=None):
    token = lw.participation.public_token
    if number is None:
        return reverse("public_legislation:comment", args=[token])
    return reverse("public_legislation:article", args=[token, number])


def _data(token=TOKEN, **values):
    return {
        "submission_token": token,
        "content": "建议把“集中充电设施”的建设责任写清楚。",
        "author_name": "张三丰",
        "contact_phone": "13912345678",
        "website": "",
        **values,
    }


def test_anyone_comments_on_one_article_without_an_account(client, lw, open_day):
    page = client.get(_page(lw, 2))
    html = page.content.decode()
    assert page.status_code == 200
    assert "对第二条提意见" in html and "第2条的内容。" in html
    assert "个人信息告知" in html and "不含您的姓名和手机号" in html
    response = client.post(_page(lw, 2), _data())
    assert response.status_code == 302
    comment = Comment.objects.get(submission_token=TOKEN)
    assert comment.article.number == 2 and comment.station == lw.participation.station
    assert comment.author_kind == "citizen" and comment.channel == "online"
    assert comment.received_on == datetime.date(2026, 3, 16)
    assert comment.number == 2  # the world's comment is 第1号
    receipt = client.get(response["Location"]).content.decode()
    assert "意见已提交" in receipt and "第二条" in receipt
    assert "张三丰" not in receipt and "13912345678" not in receipt
    assert AuditRecord.objects.filter(object_id=str(comment.pk), actor_label="群众").exists()


def test_the_same_form_twice_is_one_comment_and_the_same_receipt(client, lw, open_day):
    first = client.post(_page(lw, 2), _data())
    second = client.post(_page(lw, 2), _data())
    assert first["Location"] == second["Location"]
    assert Comment.objects.filter(content__startswith="建议把").count() == 1


def test_back_to_the_form_and_sent_again_gives_the_first_receipt(client, lw, open_day):
    first = client.post(_page(lw, 2), _data())
    again = client.post(_page(lw, 2), _data(token="tok_" + "b" * 28))
    assert again["Location"] == first["Location"]
    assert Comment.objects.filter(content__startswith="建议把").count() == 1
    # Other words are another comment.
    other = client.post(
        _page(lw, 2), _data(token="tok_" + "c" * 28, content="另一条意见，内容不同。")
    )
    assert other["Location"] != first["Location"]


def test_a_busy_address_is_held_back_and_keeps_the_text(client, lw, open_day, monkeypatch):
    monkeypatch.setattr(public_views, "SUBMIT_PER_IP", (2, 3600))
    for n in range(2):
        data = _data(
            token=f"tok_{n}" + "d" * 26, content=f"第{n + 1}条意见：内容。", contact_phone=""
        )
        assert client.post(_page(lw), data).status_code == 302
    response = client.post(_page(lw), _data(token="tok_9" + "d" * 26, contact_phone=""))
    assert response.status_code == 429
    html = response.content.decode()
    assert "提交过于频繁" in html and "集中充电设施" in html
    assert Comment.objects.count() == 3


def test_a_phone_over_its_limit_is_refused(client, lw, open_day, monkeypatch):
    monkeypatch.setattr(public_views, "SUBMIT_PER_PHONE", (1, 3600))
    assert client.post(_page(lw), _data(token="tok_1" + "e" * 26)).status_code == 302
    response = client.post(_page(lw), _data(token="tok_2" + "e" * 26, content="第二条意见内容。"))
    assert response.status_code == 429
    assert "该手机号今天提交的次数已达上限" in response.content.decode()


def test_a_bot_and_a_bad_phone_are_refused_with_the_text_kept(client, lw, open_day):
    bot = client.post(_page(lw), _data(website="http://spam"))
    assert bot.status_code == 400 and "提交未成功" in bot.content.decode()
    bad = client.post(_page(lw), _data(contact_phone="12345"))
    assert bad.status_code == 400 and "请填写正确的手机号" in bad.content.decode()
    assert "集中充电设施" in bad.content.decode()
    assert Comment.objects.count() == 1


@pytest.mark.parametrize(
    ("day", "message"),
    [(datetime.date(2026, 4, 1), "已于2026年3月31日截止"), (datetime.date(2026, 3, 1), "将于")],
)
def test_no_comment_outside_the_period_by_page_api_or_service(
    client, lw, world, clock, day, message
):
    clock(day)
    page = client.get(_page(lw, 1)).content.decode()
    assert message in page and 'name="content"' not in page
    response = client.post(_page(lw, 1), _data())
    assert response.status_code == 400 and message in response.content.decode()
    with pytest.raises(Exception) as refused:
        services.comment_submit(
            actor=None, participation=lw.participation, content="晚到的意见内容。"
        )
    assert message in str(refused.value)
    client.force_login(world.station_officer)
    api = client.post(
        "/api/legislation/comments/",
        {
            "participation": lw.participation.pk,
            "content": "座谈会上收集的意见。",
            "channel": "symposium",
            "received_on": "2026-03-20",
        },
        content_type="application/json",
    )
    assert api.status_code == 400 and message in api.content.decode()
    recorded = client.post(
        reverse("legislation:record", args=[lw.participation.pk]),
        {
            "content": "座谈会上收集的意见。",
            "channel": "symposium",
            "received_on": "2026-03-20",
            "author_kind": "citizen",
        },
    )
    assert recorded.status_code == 302
    assert Comment.objects.count() == 1  # only the world's own


def test_the_public_page_shows_the_text_and_counts_without_names(client, lw, open_day):
    html = client.get(reverse("public_legislation:page", args=[lw.participation.public_token]))
    text = html.content.decode()
    assert "第一章 总则" in text and "对第一条提意见" in text and "已有 1 条意见" in text
    assert "张三丰" not in text and "13912345678" not in text


def test_a_draft_or_unknown_code_is_unavailable(client, lw, world):
    lw.consultation.status = "draft"
    lw.consultation.save()
    page = client.get(reverse("public_legislation:page", args=[lw.participation.public_token]))
    assert page.status_code == 404
    assert client.get(reverse("public_legislation:page", args=["nope" * 5])).status_code == 404


def _join(deputy, station):
    StationMembership.objects.create(
        deputy=deputy, station=station, start_date=datetime.date(2024, 1, 1)
    )


def test_a_deputy_comments_in_their_own_name_and_it_counts_once_per_consultation(
    client, lw, world, open_day
):
    _join(world.deputy, world.station)
    client.force_login(world.deputy_user)
    detail = client.get(reverse("legislation:detail", args=[lw.consultation.pk]))
    assert "以代表身份提出意见" in detail.content.decode()
    url = reverse("legislation:comment", args=[lw.participation.pk])
    for text in ("建议第一条增加立法目的。", "建议第二条写明适用范围。"):
        assert client.post(url, {"article": lw.article.pk, "content": text}).status_code == 302
    mine = Comment.objects.filter(deputy=world.deputy)
    assert mine.count() == 2 and {c.author_kind for c in mine} == {"deputy"}
    credit = DutyCredit.objects.get(deputy=world.deputy, kind=DutyKind.LEGISLATIVE_COMMENT)
    assert credit.date == datetime.date(2026, 3, 16) and "吕梁市消防条例" in credit.title
    # Through the API too, in their own name.
    response = client.post(
        "/api/legislation/comments/",
        {"participation": lw.participation.pk, "article_number": 3, "content": "第三条意见内容。"},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["author_kind"] == "deputy"
    assert DutyCredit.objects.filter(deputy=world.deputy).count() == 1


def test_a_deputy_of_another_station_may_not_comment_here(client, lw, world, open_day):
    _join(world.deputy, world.sibling_station)
    client.force_login(world.deputy_user)
    url = reverse("legislation:comment", args=[lw.participation.pk])
    assert client.post(url, {"content": "不属于本联系点的代表。"}).status_code == 404


def test_an_officer_records_offline_comments_with_their_channel(client, lw, world, open_day):
    _join(world.deputy, world.station)
    client.force_login(world.station_officer)
    url = reverse("legislation:record", args=[lw.participation.pk])
    data = {
        "article": lw.article.pk,
        "content": "座谈会上居民提出：楼道充电隐患大。",
        "channel": "symposium",
        "received_on": "2026-03-10",
        "author_kind": "deputy",
        "deputy": world.deputy.pk,
    }
    assert client.post(url, data).status_code == 302
    comment = Comment.objects.get(channel="symposium")
    assert comment.deputy == world.deputy and comment.created_by == world.station_officer
    assert DutyCredit.objects.filter(deputy=world.deputy).count() == 1
    # A date before the opening, a collector of another point: refused, nothing saved.
    early = client.post(url, {**data, "received_on": "2026-02-20"})
    assert early.status_code == 200 and "不能早于征求意见开始日期" in early.content.decode()
    stranger = client.post(url, {**data, "author_kind": "collector", "collector": ""})
    assert "请选择本联系点在册的信息采集员" in stranger.content.decode()
    assert Comment.objects.filter(channel="symposium").count() == 1


def test_a_collector_link_comments_in_the_collectors_name(client, lw, world, open_day):
    link = reverse("public_legislation:collector", args=[lw.collector.public_token])
    page = client.get(link).content.decode()
    assert "司法所所长" in page and "吕梁市消防条例" in page
    form = client.get(_page(lw, 1)).content.decode()
    assert "信息采集员的身份" in form and 'name="contact_phone"' not in form
    client.post(_page(lw, 1), {"submission_token": TOKEN, "content": "采集员的意见内容。"})
    comment = Comment.objects.get(submission_token=TOKEN)
    assert comment.author_kind == "collector" and comment.collector == lw.collector
    # A new link makes the old one useless.
    client.force_login(world.station_officer)
    client.post(reverse("legislation:collector_renew_link", args=[lw.collector.pk]))
    client.logout()
    assert client.get(link).status_code == 404


def _sheet(rows) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["条款", "意见内容", "提出人类别", "姓名或单位", "手机号", "收集渠道", "收到日期"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "座谈会意见.xlsx"
    return buffer


def test_an_excel_sheet_reports_every_bad_row_and_imports_nothing(client, lw, world, open_day):
    client.force_login(world.station_officer)
    url = reverse("legislation:import", args=[lw.participation.pk])
    bad = _sheet(
        [
            ["第二条", "意见一：建议修改适用范围。", "群众", "", "", "座谈会", "2026-03-10"],
            ["第九十条", "意见二：不存在的条款。", "群众", "", "", "座谈会", "2026-03-10"],
            ["", "短", "人大代表", "不认识的人", "12345", "微信", "2026-02-01"],
        ]
    )
    response = client.post(url, {"file": bad})
    html = response.content.decode()
    assert response.status_code == 400
    assert "草案中没有第九十条" in html and "意见内容须为5至2000字" in html
    assert "不是编入本联系点的人大代表" in html and "请填写正确的手机号" in html
    assert "应为座谈会" in html and "早于征求意见开始日期" in html
    assert Comment.objects.count() == 1
    good = _sheet(
        [
            ["第二条", "意见一：建议修改适用范围。", "", "", "13900001111", "意见箱", "2026-03-10"],
            [
                "总体",
                "意见二：建议增加宣传条款。",
                "信息采集员",
                "王志强",
                "",
                "座谈会",
                "2026-03-11",
            ],
            [
                3,
                "意见三：第三条表述不清。",
                "单位/组织",
                "天宁镇物业协会",
                "",
                "走访",
                "2026-03-12",
            ],
        ]
    )
    assert client.post(url, {"file": good}).status_code == 302
    imported = list(Comment.objects.exclude(pk=lw.comment.pk).order_by("number"))
    assert [(c.article.number if c.article else None) for c in imported] == [2, None, 3]
    assert imported[1].collector == lw.collector and imported[0].contact_phone == "13900001111"
    assert [c.channel for c in imported] == ["box", "symposium", "visit"]


def test_the_import_template_downloads(client, lw, world):
    client.force_login(world.station_officer)
    response = client.get(reverse("legislation:import_template", args=[lw.participation.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_leader_reads_but_records_nothing(client, lw, world, open_day):
    client.force_login(world.leader)
    assert (
        client.get(reverse("legislation:participation", args=[lw.participation.pk])).status_code
        == 200
    )
    response = client.post(
        "/api/legislation/comments/",
        {"participation": lw.participation.pk, "content": "领导的意见内容。"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert client.post(reverse("legislation:record", args=[lw.participation.pk])).status_code == 403


def test_someone_without_a_role_there_is_refused(client, lw, world, open_day):
    nobody = UserFactory(username="nobody")
    client.force_login(nobody)
    response = client.post(
        "/api/legislation/comments/",
        {"participation": lw.participation.pk, "content": "无权限的人的意见。"},
        content_type="application/json",
    )
    assert response.status_code == 403
