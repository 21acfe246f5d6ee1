"""A draft's .docx (or pasted text) split into 编/章/节/条/款, each article at its own URL."""

import io

import pytest
from django.urls import reverse

from legislation.models import Consultation
from legislation.textsplit import SplitError, cn_number, cn_numeral, split_lines
from tests.legislation.world import consultation_of


def _docx(paragraphs: list[tuple[str, str | None]]) -> bytes:
    """A Word file as drafting offices write them: styled headings, one paragraph each."""
    from docx import Document

    document = Document()
    for text, style in paragraphs:
        if style:
            document.add_paragraph(text, style=style)
        else:
            document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


DRAFT = [
    ("吕梁市消防条例（修订草案）", "Title"),
    ("目　录", None),
    ("第一章　总则", None),
    ("第二章　消防安全责任", None),
    ("第一章　总则", "Heading 1"),
    ("第一条　为了预防火灾和减少火灾危害，制定本条例。", None),
    ("第二条　本市行政区域内的消防工作，适用本条例。", None),
    ("第二章　消防安全责任", "Heading 1"),
    ("第一节　单位责任", "Heading 2"),
    ("第三条　机关、团体、企业、事业等单位应当履行下列消防安全职责：", None),
    ("（一）落实消防安全责任制；", None),
    ("（二）保障疏散通道、安全出口畅通。", None),
    ("单位的主要负责人是本单位的消防安全责任人。", None),
    ("第二节　个人责任", "Heading 2"),
    ("第四条", None),
    ("任何人发现火灾都应当立即报警。", None),
    ("任何单位、个人都应当无偿为报警提供便利，不得阻拦报警。", None),
    ("", None),
    *[(f"第{cn_numeral(n)}条　第{n}条的规定。", None) for n in range(5, 13)],
]


def test_a_real_shaped_docx_splits_into_chapters_sections_articles_and_clauses():
    from legislation.textsplit import docx_lines

    parsed = split_lines(docx_lines(io.BytesIO(_docx(DRAFT))))
    assert parsed.preamble == ["吕梁市消防条例（修订草案）"]
    # The table of contents is skipped: two chapters, not four.
    assert [(h.label, h.title, h.level) for h in parsed.headings] == [
        ("第一章", "总则", "chapter"),
        ("第二章", "消防安全责任", "chapter"),
        ("第一节", "单位责任", "section"),
        ("第二节", "个人责任", "section"),
    ]
    assert [h.parent for h in parsed.headings] == [None, None, 1, 1]
    assert [a.number for a in parsed.articles] == list(range(1, 13))
    third, fourth = parsed.articles[2], parsed.articles[3]
    # 项 stay inside their 款; a paragraph of its own is a new 款.
    assert third.paragraphs == [
        "机关、团体、企业、事业等单位应当履行下列消防安全职责：\n（一）落实消防安全责任制；"
        "\n（二）保障疏散通道、安全出口畅通。",
        "单位的主要负责人是本单位的消防安全责任人。",
    ]
    assert third.heading == 2 and fourth.heading == 3
    # The number alone on its line: the clauses follow.
    assert fourth.paragraphs == [
        "任何人发现火灾都应当立即报警。",
        "任何单位、个人都应当无偿为报警提供便利，不得阻拦报警。",
    ]
    assert parsed.articles[11].label == "第十二条"


def test_gaps_repeats_and_empty_articles_are_all_reported():
    with pytest.raises(SplitError) as refused:
        split_lines(["第一条 甲。", "第三条 乙。", "第三条 丙。", "第四条"])
    problems = refused.value.problems
    assert "第三条之前应为第二条，条文序号不连续。" in problems
    assert "第三条重复出现。" in problems
    assert "第四条没有内容。" in problems


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("一", 1),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("一百零五", 105),
        ("一百一十", 110),
        ("12", 12),
        ("１２", 12),
    ],
)
def test_chinese_numerals(text, number):
    assert cn_number(text) == number
    if not text.isdigit():
        assert cn_numeral(number) == text


def test_staff_import_the_docx_and_each_article_has_its_url(client, world, clock):
    import datetime

    clock(datetime.date(2026, 3, 1))
    world.station.is_legislative_point = True
    world.station.save()
    consultation = consultation_of(
        world.city,
        [world.station],
        title="吕梁市消防条例（修订草案）",
        status=Consultation.Status.DRAFT,
    )
    consultation.articles.all().delete()
    client.force_login(world.city_officer)
    upload = io.BytesIO(_docx(DRAFT))
    upload.name = "消防条例修订草案.docx"
    response = client.post(reverse("legislation:text", args=[consultation.pk]), {"docx": upload})
    assert response.status_code == 302
    assert consultation.articles.count() == 12
    page = client.get(reverse("legislation:article", args=[consultation.pk, 12]))
    assert page.status_code == 200
    assert "第十二条" in page.content.decode() and "第12条的规定。" in page.content.decode()
    assert client.get(reverse("legislation:article", args=[consultation.pk, 13])).status_code == 404
    consultation.refresh_from_db()
    assert consultation.source_name == "消防条例修订草案.docx"


def test_a_bad_text_changes_nothing_and_says_why(client, world):
    world.station.is_legislative_point = True
    world.station.save()
    consultation = consultation_of(
        world.city, [world.station], title="草案", status=Consultation.Status.DRAFT
    )
    client.force_login(world.city_officer)
    response = client.post(
        reverse("legislation:text", args=[consultation.pk]), {"text": "第一条 甲。\n第三条 乙。"}
    )
    assert response.status_code == 200
    assert "第三条之前应为第二条" in response.content.decode()
    assert consultation.articles.count() == 3  # the old text stays
    not_word = io.BytesIO(b"not a word file")
    not_word.name = "草案.docx"
    response = client.post(reverse("legislation:text", args=[consultation.pk]), {"docx": not_word})
    assert "无法读取该文件" in response.content.decode()


def test_the_text_is_fixed_once_published(client, lw, world):
    client.force_login(world.city_officer)
    response = client.post(
        reverse("legislation:text", args=[lw.consultation.pk]), {"text": "第一条 新的内容。"}
    )
    assert response.status_code == 403
    assert lw.consultation.articles.count() == 3
