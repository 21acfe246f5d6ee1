"""Splitting a regulation's text into its structure: 编 / 章 / 节 / 条 / 款.

Chinese regulations are written one way: headings "第二章　消防安全责任" (编, 章, 节),
articles "第十二条　……" whose first paragraph (款) follows the number on the same
line, further paragraphs of the article on their own lines, and items (项)
"（一）……" inside a paragraph. `split_lines` reads lines of text (pasted, or the
paragraphs of a .docx through `docx_lines`) and returns the headings and articles;
a table of contents ("目录" and its heading lines) is skipped. Articles must be
numbered 1, 2, 3... without gaps or repeats, or the split is refused with every
problem listed: comments are filed by article number, so the numbers must be right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_ARTICLES = 1000
MAX_CHARS = 500_000
HEADING_TITLE_MAX = 40

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERAL = r"[零〇一二两三四五六七八九十百千0-9０-９]+"
HEADING_RE = re.compile(rf"^第({NUMERAL})(编|章|节)(?:[\s\u3000]+(.*)|(\S.*))?$")
ARTICLE_RE = re.compile(rf"^第({NUMERAL})条(?:[\s\u3000]+(.*)|(\S.*))?$")
ITEM_RE = re.compile(r"^[（(][一二三四五六七八九十]+[)）]")
TOC_RE = re.compile(r"^目[\s\u3000]*录$")
LEVELS = {"编": "part", "章": "chapter", "节": "section"}
LEVEL_RANK = {"part": 0, "chapter": 1, "section": 2}


def cn_number(text: str) -> int:
    """二十三 -> 23, 一百零五 -> 105, 12 -> 12 (Arabic and full-width digits too)."""
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    total = current = 0
    for char in text:
        if char in _DIGITS:
            current = _DIGITS[char]
        elif char in _UNITS:
            total += (current or 1) * _UNITS[char]
            current = 0
        else:
            raise ValueError(text)
    return total + current


def cn_numeral(number: int) -> str:
    """23 -> 二十三, 10 -> 十, 105 -> 一百零五 (1 to 9999), as regulations write them."""
    if not 0 < number < 10000:
        raise ValueError(number)
    digits = "零一二三四五六七八九"
    parts, zero = [], False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // value % 10
        if digit:
            if zero:
                parts.append("零")
            parts.append(digits[digit] + unit)
            zero = False
        elif parts:
            zero = True
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text


def article_label(number: int) -> str:
    return f"第{cn_numeral(number)}条"


@dataclass
class ParsedHeading:
    order: int
    level: str
    number: int
    label: str
    title: str
    parent: int | None  # index into the headings list


@dataclass
class ParsedArticle:
    order: int
    number: int
    label: str
    paragraphs: list[str]
    heading: int | None  # index into the headings list


@dataclass
class SplitText:
    preamble: list[str] = field(default_factory=list)
    headings: list[ParsedHeading] = field(default_factory=list)
    articles: list[ParsedArticle] = field(default_factory=list)


class SplitError(ValueError):
    """The text cannot be split; `problems` says why, in Chinese, line by line."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _clean(line: str) -> str:
    return re.sub(r"[ \t\u3000\xa0]+", " ", line).strip()


def _remainder(match, first: int) -> str:
    """The text after the number: group `first` (after a space) or the next (no space)."""
    return _clean(match.group(first) or match.group(first + 1) or "")


def split_lines(lines) -> SplitText:
    """Split the text; raises SplitError listing every problem found."""
    result = SplitText()
    problems: list[str] = []
    current: ParsedArticle | None = None
    open_headings: dict[str, int] = {}  # level -> index of the heading now open
    in_toc, toc_seen = False, set()
    order = 0
    total = 0
    for raw in lines:
        for piece in str(raw).splitlines():
            line = _clean(piece)
            if not line:
                continue
            total += len(line)
            if total > MAX_CHARS:
                raise SplitError([_("文本过长（超过%(n)s字），请分册导入。") % {"n": MAX_CHARS}])
            if TOC_RE.match(line):
                in_toc = True
                continue
            heading = HEADING_RE.match(line)
            article = ARTICLE_RE.match(line)
            if heading and len(_remainder(heading, 3)) <= HEADING_TITLE_MAX:
                key = (heading.group(2), heading.group(1))
                if in_toc and key not in toc_seen:
                    toc_seen.add(key)
                    continue
                in_toc = False
                level = LEVELS[heading.group(2)]
                number = cn_number(heading.group(1))
                for other in [k for k, v in LEVEL_RANK.items() if v >= LEVEL_RANK[level]]:
                    open_headings.pop(other, None)
                parents = [open_headings[k] for k in LEVEL_RANK if k in open_headings]
                result.headings.append(
                    ParsedHeading(
                        order=order,
                        level=level,
                        number=number,
                        label=f"第{cn_numeral(number)}{heading.group(2)}",
                        title=_remainder(heading, 3),
                        parent=parents[-1] if parents else None,
                    )
                )
                order += 1
                open_headings[level] = len(result.headings) - 1
                current = None
                continue
            if in_toc and not article:
                continue  # a line of the contents that is not a heading (页码...)
            in_toc = False
            if article:
                number = cn_number(article.group(1))
                innermost = [open_headings[k] for k in LEVEL_RANK if k in open_headings]
                current = ParsedArticle(
                    order=order,
                    number=number,
                    label=article_label(number),
                    paragraphs=[_remainder(article, 2)] if _remainder(article, 2) else [],
                    heading=innermost[-1] if innermost else None,
                )
                order += 1
                result.articles.append(current)
                if len(result.articles) > MAX_ARTICLES:
                    raise SplitError([_("条文超过%(n)s条，请分册导入。") % {"n": MAX_ARTICLES}])
                continue
            if current is None:
                if not result.headings:
                    result.preamble.append(line)
                else:
                    problems.append(
                        _("“%(text)s”位于标题之后、第一条之前，无法归入任何条文。")
                        % {"text": line[:30]}
                    )
                continue
            if ITEM_RE.match(line) and current.paragraphs:
                current.paragraphs[-1] += "\n" + line  # 项 belong to the paragraph before
            else:
                current.paragraphs.append(line)
    problems += _numbering_problems(result.articles)
    if problems:
        raise SplitError(problems)
    return result


def _numbering_problems(articles: list[ParsedArticle]) -> list[str]:
    problems = []
    expected = 1
    seen = set()
    for article in articles:
        if article.number in seen:
            problems.append(_("%(label)s重复出现。") % {"label": article.label})
        elif article.number != expected:
            problems.append(
                _("%(got)s之前应为%(want)s，条文序号不连续。")
                % {"got": article.label, "want": article_label(expected)}
            )
        seen.add(article.number)
        expected = article.number + 1
        if not article.paragraphs:
            problems.append(_("%(label)s没有内容。") % {"label": article.label})
    return problems


def docx_lines(source) -> list[str]:
    """The paragraphs of a .docx, in order (python-docx). Raises SplitError if unreadable."""
    from docx import Document

    try:
        if hasattr(source, "seek"):
            source.seek(0)
        document = Document(source)
    except Exception:  # not a zip, not a Word document, damaged: python-docx raises many kinds
        raise SplitError([_("无法读取该文件，请上传 Word 文档（.docx）。")]) from None
    return [paragraph.text for paragraph in document.paragraphs]
