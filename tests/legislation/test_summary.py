"""The point works its comments (keep / merge / drop), writes its opinions, generates the
summary (Word and PDF, with no name or phone inside), sends it before the deadline, and
later marks what was adopted; authors who left a phone are texted once."""

import datetime
import io
import re

import pypdfium2
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core import outbox
from jobs.models import Job
from legislation import services
from legislation.documents import summary_docx, summary_pdf
from legislation.models import Comment, Participation
from notifications.models import Delivery
from supervision import sweeps
from supervision.models import Supervision, TrackedDeadline


@pytest.fixture
def gathered(lw, world, open_day):
    """Four more comments at the point: two alike on 第一条, one on 第二条, one on the whole."""
    p = lw.participation
    officer = world.station_officer
    record = services.comment_record
    comments = [
        lw.comment,
        record(
            actor=officer,
            participation=p,
            article=lw.article,
            channel="symposium",
            received_on=datetime.date(2026, 3, 10),
            author_name="李四",
            contact_phone="13800001111",
            content="集中充电设施应当由谁建设要写清楚。",
        ),
        record(
            actor=officer,
            participation=p,
            article=lw.consultation.articles.get(number=2),
            channel="box",
            received_on=datetime.date(2026, 3, 11),
            content="第二条的适用范围应包括农村地区。我的电话13955556666",
        ),
        record(
            actor=officer,
            participation=p,
            channel="visit",
            received_on=datetime.date(2026, 3, 12),
            content="这部条例很好，没有意见。",
        ),
    ]
    return comments


def _decide(world, comment, decision, **kwargs):
    return services.comment_decide(
        actor=world.station_officer, comment=comment, decision=decision, **kwargs
    )


def test_keep_merge_drop_through_the_worksheet(client, lw, world, gathered):
    first, alike, second, praise = gathered
    client.force_login(world.station_officer)
    sheet = client.get(reverse("legislation:summary", args=[lw.participation.pk]) + "?article=1")
    assert sheet.status_code == 200 and "集中充电设施应当由谁建设" in sheet.content.decode()
    decide = lambda c, data: client.post(reverse("legislation:decide", args=[c.pk]), data)  # noqa: E731
    # Merging into a comment not kept yet is refused.
    decide(alike, {"decision": "merge", "merged_into": first.pk})
    assert Comment.objects.get(pk=alike.pk).decision == "pending"
    decide(first, {"decision": "keep"})
    decide(alike, {"decision": "merge", "merged_into": first.pk})
    decide(second, {"decision": "keep"})
    # Dropping needs a reason.
    decide(praise, {"decision": "drop", "reason": ""})
    assert Comment.objects.get(pk=praise.pk).decision == "pending"
    decide(praise, {"decision": "drop", "reason": "表示支持，无具体修改意见。"})
    fresh = {c.pk: c for c in Comment.objects.all()}
    assert [fresh[c.pk].decision for c in gathered] == ["keep", "merge", "keep", "drop"]
    assert fresh[alike.pk].merged_into_id == first.pk
    assert fresh[praise.pk].drop_reason == "表示支持，无具体修改意见。"
    # A comment others were merged into stays kept until they move.
    with pytest.raises(ValidationError, match="已有1条意见并入本条"):
        _decide(world, fresh[first.pk], "drop", reason="重复")
    # Only into a kept comment on the same article.
    with pytest.raises(ValidationError, match="同一条款下已保留"):
        _decide(world, fresh[second.pk], "merge", merged_into=fresh[first.pk])


def test_the_opinion_is_saved_per_article(client, lw, world, gathered):
    client.force_login(world.station_officer)
    url = reverse("legislation:opinion", args=[lw.participation.pk])
    client.post(url, {"article": 1, "text": "建议明确集中充电设施的建设和维护责任。"})
    client.post(url, {"article": "", "text": "群众普遍关注电动自行车充电安全。"})
    opinions = {o.article_id: o.text for o in lw.participation.opinions.all()}
    assert opinions == {
        lw.article.pk: "建议明确集中充电设施的建设和维护责任。",
        None: "群众普遍关注电动自行车充电安全。",
    }
    client.post(url, {"article": 1, "text": ""})  # emptied: removed
    assert lw.participation.opinions.count() == 1


def _worked(lw, world, gathered):
    first, alike, second, praise = gathered
    _decide(world, first, "keep")
    _decide(
        world,
        Comment.objects.get(pk=alike.pk),
        "merge",
        merged_into=Comment.objects.get(pk=first.pk),
    )
    _decide(world, second, "keep")
    _decide(world, praise, "drop", reason="表示支持，无具体修改意见。")
    services.opinion_save(
        actor=world.station_officer,
        participation=lw.participation,
        article=lw.article,
        text="建议明确集中充电设施的建设和维护责任。",
    )


def _docx_text(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(content)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def test_the_summary_documents_carry_the_work_and_no_personal_data(lw, world, gathered):
    _worked(lw, world, gathered)
    participation = Participation.objects.get(pk=lw.participation.pk)
    for text in (_docx_text(summary_docx(participation)), _pdf_text(summary_pdf(participation))):
        flat = re.sub(r"\s", "", text)
        assert "关于《吕梁市消防条例（修订草案）》的意见汇总" in flat
        assert "第1条的内容。" in flat  # the original text of 第一条
        assert "建议明确集中充电设施的建设和维护责任。" in flat  # the point's opinion
        assert "保留2条" in flat and "合并1条" in flat and "舍弃1条" in flat
        assert "并入第1号" in flat and "舍弃：表示支持，无具体修改意见。" in flat
        assert "附件：全部意见清单（不含个人信息）" in flat
        # No name, no phone: not the author's, not one typed into the comment.
        for secret in ("张三丰", "李四", "13912345678", "13800001111", "13955556666"):
            assert secret not in flat, secret
        assert "139****6666" in flat


def test_the_documents_are_built_as_a_job_and_downloaded(
    client, lw, world, gathered, django_capture_on_commit_callbacks
):
    client.force_login(world.county_officer)
    url = reverse("legislation:documents", args=[lw.participation.pk])
    response = client.post(url, {"format": "docx"})
    job = Job.objects.get(kind="legislation_summary")
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    with django_capture_on_commit_callbacks(execute=True):  # jobs run after the commit
        outbox.run_pending()
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.result_name.endswith("的意见汇总.docx")
    download = client.get(reverse("jobs:download", args=[job.pk]))
    content = b"".join(download.streaming_content) if download.streaming else download.content
    assert "张三丰" not in _docx_text(content)
    client.post(url, {"format": "pdf"})
    with django_capture_on_commit_callbacks(execute=True):
        outbox.run_pending()
    assert Job.objects.get(kind="legislation_summary", params__format="pdf").status == "done"


def test_sending_needs_every_comment_worked_and_meets_the_deadline(client, lw, world, gathered):
    services.consultation_update(  # moving the date registers the deadline as publishing does
        actor=world.city_officer, consultation=lw.consultation, closes_on=datetime.date(2026, 3, 30)
    )
    deadline = TrackedDeadline.objects.get(kind="legislation.summary")
    assert deadline.due_date == datetime.date(2026, 3, 30) and deadline.region == world.county
    client.force_login(world.station_officer)
    url = reverse("legislation:send", args=[lw.participation.pk])
    refused = client.post(url, {"sent_on": "2026-03-16", "sent_to": "法工委", "method": "document"})
    assert refused.status_code == 302
    assert Participation.objects.get(pk=lw.participation.pk).status == "collecting"
    _worked(lw, world, gathered)
    data = {
        "sent_on": "2026-03-16",
        "sent_to": "吕梁市人大常委会法制工作委员会",
        "method": "document",
    }
    assert client.post(url, data).status_code == 302
    participation = Participation.objects.get(pk=lw.participation.pk)
    assert participation.status == "sent"
    sending = participation.sendings.get()
    assert (sending.comments_count, sending.kept_count) == (4, 2)
    assert sending.created_by == world.station_officer
    deadline.refresh_from_db()
    assert deadline.status == "met"
    # Sent again after a correction (补报): a second record.
    services.participation_reopen(
        actor=world.station_officer, participation=participation, reason="补充新收到的意见"
    )
    services.participation_send(
        actor=world.station_officer,
        participation=participation,
        sent_on=datetime.date(2026, 3, 16),
        sent_to="法工委",
        method="email",
    )
    assert participation.sendings.count() == 2


def test_a_summary_not_sent_by_the_closing_date_is_supervised(lw, world, clock):
    clock(datetime.date(2026, 3, 1))
    lw.consultation.status = "draft"
    lw.consultation.save()
    services.consultation_publish(actor=world.city_officer, consultation=lw.consultation)
    deadline = TrackedDeadline.objects.get(kind="legislation.summary")
    assert deadline.due_date == datetime.date(2026, 3, 31)
    moment = datetime.datetime(2026, 4, 1, 9, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    assert sweeps.escalate_overdue(now=moment).counts["tracked"] == 1
    assert Supervision.objects.get(deadline=deadline).region == world.county


def test_adoption_is_marked_after_closing_and_authors_texted_once(
    client, lw, world, gathered, clock
):
    _worked(lw, world, gathered)
    first, alike, second, praise = gathered
    services.participation_send(
        actor=world.station_officer,
        participation=lw.participation,
        sent_on=datetime.date(2026, 3, 16),
        sent_to="法工委",
        method="document",
    )
    client.force_login(world.station_officer)
    url = reverse("legislation:feedback", args=[lw.participation.pk])
    client.post(url, {"adopted": [first.pk]})  # still open: refused
    assert not Comment.objects.filter(adopted=True).exists()
    clock(datetime.date(2026, 4, 20))
    client.post(url, {"adopted": [first.pk, praise.pk]})  # a dropped one cannot be adopted
    assert not Comment.objects.filter(adopted=True).exists()
    client.post(url, {"adopted": [first.pk]})
    adopted = set(Comment.objects.filter(adopted=True).values_list("pk", flat=True))
    assert adopted == {first.pk, alike.pk}  # the merged one follows
    client.post(reverse("legislation:feedback_done", args=[lw.participation.pk]))
    assert Participation.objects.get(pk=lw.participation.pk).status == "feedback"
    outbox.run_pending()
    outbox.run_pending()
    texts = list(Delivery.objects.filter(channel="sms").values_list("address", "text"))
    assert sorted(address for address, _ in texts) == ["13800001111", "13912345678"]
    assert all("吕梁市消防条例" in text and "张三丰" not in text for _, text in texts)
    from legislation.tasks import text_adopted_authors

    assert text_adopted_authors(participation_id=lw.participation.pk) == 0  # never twice
    # The numbers served only this text: none is kept after it.
    assert not Comment.objects.exclude(contact_phone="").exists()
    page = client.get(reverse("public_legislation:page", args=[lw.participation.public_token]))
    assert "其中 2 条被立法机关采纳" in page.content.decode()


def test_the_point_page_shows_its_figures_and_the_dashboard_panel(client, lw, world, gathered):
    _worked(lw, world, gathered)
    client.force_login(world.county_officer)
    station = client.get(reverse("stations:detail", args=[world.station.pk])).content.decode()
    assert "基层立法联系点" in station and "2026年" in station
    figures = station.split("legislative-figures")[1]
    assert '<td class="num">1</td><td class="num">4</td><td class="num">0</td>' in figures
    neighbour_page = client.get(reverse("stations:detail", args=[world.sibling_station.pk]))
    assert "legislative-figures" not in neighbour_page.content.decode()
    dashboard = client.get(
        reverse("dashboards:region", args=[world.county.code]) + "?period=year&year=2026"
    ).content.decode()
    assert "基层立法联系点 · 2026年" in dashboard
    panel = dashboard.split('id="legislation-panel-title"')[1]
    figures = [part.split("</strong>")[0] for part in panel.split("<strong>")[1:5]]
    assert figures == ["1", "1", "4", "0"]  # points, consultations, comments, adopted
