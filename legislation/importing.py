"""Checking a sheet of comments gathered offline before anything is written.

`check_comment_sheet` lists every problem (Excel row, column, reason in Chinese)
and, for a clean sheet, the comments to record; `services.comments_import` records
them all in one transaction, or none. Headers are fixed Chinese strings (a sheet
filled in at a township office imports whatever language the user reads).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core import clock
from stations.spreadsheets import Column, Problem, Sheet
from stations.validators import is_phone

from .models import OFFLINE_CHANNELS, AuthorKind, Channel, Collector
from .textsplit import cn_number

COLUMNS = [
    Column("条款", False, "第十二条", 12),
    Column("意见内容", True, "建议明确老旧小区消防通道的管理责任单位。", 60),
    Column("提出人类别", False, "群众", 12),
    Column("姓名或单位", False, "", 16),
    Column("手机号", False, "", 14),
    Column("收集渠道", True, "座谈会", 12),
    Column("收到日期", True, "2026-03-12", 12),
]
NOTES = [
    ("条款", "填“第十二条”或“12”；对草案整体的意见留空或填“总体”。"),
    ("意见内容", "必填，5至2000字。"),
    ("提出人类别", "群众、人大代表、信息采集员、单位/组织，留空为群众。"),
    (
        "姓名或单位",
        "人大代表、信息采集员须填写本联系点在册的姓名；群众可不填。姓名不会出现在报送的汇总材料中。",
    ),
    ("手机号", "选填；意见被采纳时短信告知提出人。"),
    ("收集渠道", "座谈会、意见箱、走访、来访接待、电话、信函、其他。"),
    ("收到日期", "如 2026-03-12，不能早于征求意见开始日期，不能晚于今天。"),
]
WHOLE = {"", "总体", "总体意见", "整体", "全文"}


@dataclass
class CommentSheetCheck:
    problems: list[Problem] = field(default_factory=list)
    plans: list[dict] = field(default_factory=list)


def _choice(text: str, choices, default=None):
    text = (text or "").strip()
    if not text:
        return default
    for value, label in choices:
        if text in (value, str(label)):
            return value
    return None


def _article(consultation, text: str, articles: dict[int, object]):
    text = (text or "").strip()
    if text in WHOLE:
        return None, None
    number_text = text.removeprefix("第").removesuffix("条")
    try:
        number = cn_number(number_text)
    except ValueError:
        return None, _("无法识别条款“%(t)s”，请填写如“第十二条”或“12”。") % {"t": text}
    if number not in articles:
        return None, _("草案中没有%(t)s。") % {"t": text}
    return articles[number], None


def check_comment_sheet(*, participation, sheet: Sheet) -> CommentSheetCheck:
    """Every problem of the sheet at once; plans only when there is none."""
    from deputies.models import StationMembership, current_membership_q

    check = CommentSheetCheck(problems=list(sheet.problems))
    if check.problems:
        return check
    consultation = participation.consultation
    articles = {a.number: a for a in consultation.articles.all()}
    deputies: dict[str, list] = {}
    for membership in StationMembership.objects.filter(
        current_membership_q(), station_id=participation.station_id
    ).select_related("deputy"):
        deputies.setdefault(membership.deputy.name, []).append(membership.deputy)
    collectors: dict[str, list] = {}
    for collector in Collector.objects.filter(station_id=participation.station_id, active=True):
        collectors.setdefault(collector.name, []).append(collector)
    offline = [(c.value, c.label) for c in Channel if c in OFFLINE_CHANNELS]
    for row, values in sheet.rows:
        problems = []
        article, message = _article(consultation, values["条款"], articles)
        if message:
            problems.append(Problem(row, "条款", message))
        content = values["意见内容"].strip()
        if len(content) < 5 or len(content) > 2000:
            problems.append(Problem(row, "意见内容", _("意见内容须为5至2000字。")))
        kind = _choice(values["提出人类别"], AuthorKind.choices, AuthorKind.CITIZEN)
        if kind is None:
            problems.append(
                Problem(row, "提出人类别", _("应为群众、人大代表、信息采集员或单位/组织。"))
            )
        name = values["姓名或单位"].strip()
        plan = {"author_kind": kind, "content": content, "article": article}
        if kind == AuthorKind.DEPUTY:
            found = deputies.get(name, [])
            if len(found) != 1:
                problems.append(
                    Problem(
                        row, "姓名或单位", _("“%(n)s”不是编入本联系点的人大代表。") % {"n": name}
                    )
                )
            else:
                plan["deputy"] = found[0]
        elif kind == AuthorKind.COLLECTOR:
            found = collectors.get(name, [])
            if len(found) != 1:
                problems.append(
                    Problem(
                        row, "姓名或单位", _("“%(n)s”不是本联系点在册的信息采集员。") % {"n": name}
                    )
                )
            else:
                plan["collector"] = found[0]
        else:
            plan["author_name"] = name[:64]
        phone = values["手机号"].strip()
        if phone and not is_phone(phone):
            problems.append(Problem(row, "手机号", _("请填写正确的手机号（11位）或座机号。")))
        plan["contact_phone"] = (
            phone if kind in (AuthorKind.CITIZEN, AuthorKind.ORGANISATION) else ""
        )
        channel = _choice(values["收集渠道"], offline)
        if channel is None:
            problems.append(
                Problem(
                    row, "收集渠道", _("应为座谈会、意见箱、走访、来访接待、电话、信函或其他。")
                )
            )
        plan["channel"] = channel
        try:
            day = datetime.date.fromisoformat(values["收到日期"].strip()[:10])
        except ValueError:
            problems.append(Problem(row, "收到日期", _("日期格式应为 2026-03-12。")))
        else:
            plan["received_on"] = day
            if day < consultation.opens_on:
                problems.append(
                    Problem(
                        row,
                        "收到日期",
                        _("早于征求意见开始日期（%(d)s）。") % {"d": consultation.opens_on},
                    )
                )
            if day > clock.today():
                problems.append(Problem(row, "收到日期", _("不能晚于今天。")))
        if problems:
            check.problems += problems
        else:
            check.plans.append(plan)
    if check.problems:
        check.plans = []
    return check


def sample_rows() -> list[list[str]]:
    return [[c.example for c in COLUMNS]]
