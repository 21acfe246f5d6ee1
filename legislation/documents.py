"""The summary a point sends up (意见汇总), as a Word document and as a PDF.

Both carry the same content: the consultation; the figures (comments by author
kind and channel; kept, merged, dropped); article by article, the original text,
the number of comments, the point's opinion and the comments kept; and an appendix
of every comment with what became of it. No author's name or phone number appears
anywhere, and phone numbers typed inside a comment are masked (PIPL: the upper body
needs the opinions, not the people). Word through python-docx (the format the
upper bodies expect); the PDF through WeasyPrint with Noto CJK, fetching nothing.
"""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core import clock

from .models import AuthorKind, Channel, Comment
from .redact import mask_phones_in
from .selectors import summary_of, tally

D = Comment.Decision


def _chinese_date(day) -> str:
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}


def _handling(comment: Comment, numbers: dict[int, int]) -> str:
    if comment.decision == D.KEEP:
        return _("保留") + (_("，已采纳") if comment.adopted else "")
    if comment.decision == D.MERGE and comment.merged_into_id in numbers:
        return _("并入第%(n)s号") % {"n": numbers[comment.merged_into_id]}
    if comment.decision == D.DROP:
        return _("舍弃：%(reason)s") % {"reason": comment.drop_reason}
    return _("待处理")


def summary_context(participation) -> dict:
    """Everything both documents print, with personal data already left out."""
    consultation = participation.consultation
    rows = summary_of(participation)
    comments = [c for row in rows for c in row.comments]
    ordered = sorted(comments, key=lambda c: c.number)
    numbers = {c.pk: c.number for c in ordered}
    articles = []
    for row in rows:
        counts = row.counts
        articles.append(
            {
                "label": row.article.label if row.article else _("总体意见"),
                "heading": row.heading,
                "paragraphs": row.article.paragraphs if row.article else [],
                "count": len(row.comments),
                "kept": counts[D.KEEP],
                "merged": counts[D.MERGE],
                "dropped": counts[D.DROP],
                "opinion": row.opinion,
                "kept_comments": [
                    {
                        "number": numbers[c.pk],
                        "text": mask_phones_in(c.content),
                        "also": len(row.merged_into(c)),
                        "adopted": c.adopted,
                    }
                    for c in row.kept
                ],
            }
        )
    counted = tally(comments)
    authors = [
        (label, counted["authors"][value])
        for value, label in AuthorKind.choices
        if counted["authors"][value]
    ]
    channels = [
        (label, counted["channels"][value])
        for value, label in Channel.choices
        if counted["channels"][value]
    ]
    appendix = [
        {
            "number": numbers[c.pk],
            "article": c.article.label if c.article_id else _("总体"),
            "author": c.get_author_kind_display(),
            "channel": c.get_channel_display(),
            "date": c.received_on.isoformat(),
            "text": mask_phones_in(c.content),
            "handling": _handling(c, numbers),
        }
        for c in ordered
    ]
    return {
        "title": _("关于《%(title)s》的意见汇总") % {"title": consultation.title},
        "consultation": consultation,
        "point": participation.station.name,
        "facts": [
            (_("征求意见单位"), consultation.issuing_body),
            (_("征求意见类型"), consultation.get_kind_display()),
            (
                _("征求意见时间"),
                _("%(a)s至%(b)s")
                % {
                    "a": _chinese_date(consultation.opens_on),
                    "b": _chinese_date(consultation.closes_on),
                },
            ),
            (_("报送单位"), participation.station.name),
            (_("报送至"), consultation.summary_to),
        ],
        "counted": counted,
        "authors": authors,
        "channels": channels,
        "articles": articles,
        "appendix": appendix,
        "generated": _chinese_date(clock.today()),
    }


def _overview(context) -> str:
    counted = context["counted"]
    parts = "、".join(_("%(k)s%(n)s条") % {"k": k, "n": n} for k, n in context["authors"])
    ways = "、".join(_("%(k)s%(n)s条") % {"k": k, "n": n} for k, n in context["channels"])
    text = _("本联系点共收集意见建议%(n)s条") % {"n": counted["total"]}
    if parts:
        text += _("，其中%(parts)s") % {"parts": parts}
    if ways:
        text += _("；按渠道分，%(ways)s") % {"ways": ways}
    text += _("。经逐条梳理，保留%(keep)s条，合并%(merge)s条，舍弃%(drop)s条。") % {
        "keep": counted["decisions"][D.KEEP],
        "merge": counted["decisions"][D.MERGE],
        "drop": counted["decisions"][D.DROP],
    }
    return text


# --- Word ------------------------------------------------------------------------------


def _set_font(run, name: str, size: float | None = None, bold: bool | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold


def summary_docx(participation) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    context = summary_context(participation)
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(3.0)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = document.styles["Normal"]
    normal.font.size = Pt(14)
    _set_font_style(normal, "仿宋")

    def paragraph(text="", *, bold=False, size=None, align=None, font="仿宋", indent=True):
        p = document.add_paragraph()
        if align is not None:
            p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Pt(28)
        p.paragraph_format.line_spacing = 1.5
        run = p.add_run(text)
        _set_font(run, font, size, bold)
        return p

    paragraph(
        context["title"],
        bold=True,
        size=20,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        font="宋体",
        indent=False,
    )
    for label, value in context["facts"]:
        paragraph(f"{label}：{value}", indent=False)
    paragraph(_("一、基本情况"), bold=True, font="黑体", indent=False)
    paragraph(_overview(context))
    paragraph(_("二、逐条意见"), bold=True, font="黑体", indent=False)
    if not context["articles"]:
        paragraph(_("本联系点未收到意见。"))
    for article in context["articles"]:
        heading = article["label"] + (f"（{article['heading']}）" if article["heading"] else "")
        paragraph(heading, bold=True, font="楷体", indent=False)
        for index, text in enumerate(article["paragraphs"]):
            paragraph((_("【原文】") if index == 0 else "") + text.replace("\n", " "))
        paragraph(
            _("【收到意见】%(n)s条（保留%(k)s条，合并%(m)s条，舍弃%(d)s条）")
            % {
                "n": article["count"],
                "k": article["kept"],
                "m": article["merged"],
                "d": article["dropped"],
            }
        )
        paragraph(_("【联系点意见】") + (article["opinion"] or _("（未填写）")))
        for kept in article["kept_comments"]:
            also = _("（另有%(n)s条相同意见已合并）") % {"n": kept["also"]} if kept["also"] else ""
            paragraph(
                _("%(n)s. %(text)s%(also)s")
                % {"n": kept["number"], "text": kept["text"], "also": also}
            )
    paragraph(_("附件：全部意见清单（不含个人信息）"), bold=True, font="黑体", indent=False)
    headers = [_("序号"), _("条款"), _("提出人"), _("渠道"), _("日期"), _("意见内容"), _("处理")]
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        _set_font(cell.paragraphs[0].add_run(text), "黑体", 10.5, True)
    for row in context["appendix"]:
        cells = table.add_row().cells
        values = [
            row["number"],
            row["article"],
            row["author"],
            row["channel"],
            row["date"],
            row["text"],
            row["handling"],
        ]
        for cell, value in zip(cells, values, strict=True):
            cell.text = ""
            _set_font(cell.paragraphs[0].add_run(str(value)), "仿宋", 10.5)
    paragraph("")
    paragraph(context["point"], align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    paragraph(context["generated"], align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _set_font_style(style, name: str) -> None:
    from docx.oxml.ns import qn

    style.font.name = name
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


# --- PDF -------------------------------------------------------------------------------


def summary_pdf(participation) -> bytes:
    from weasyprint import HTML, URLFetcher

    context = summary_context(participation)
    context["overview"] = _overview(context)
    html = render_to_string("legislation/summary_document.html", context)
    # Only data: URIs: the template needs nothing from outside (the extranet has no way out).
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()
