"""The reminder letter (提醒督办函): a one-page A4 PDF rendered from a supervision record.

Rendered on demand, never stored: the record is the document of record, the
letter is how it is printed and sent. WeasyPrint sets the Chinese text in Noto
Serif CJK SC (Noto Sans CJK SC as fallback) from the system fonts, embedded as a
subset; nothing is fetched (the extranet has no way out). The citizen's name and
phone number never appear in the letter (PIPL: only what the unit needs).
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from weasyprint import HTML, URLFetcher

from .models import Supervision, congress_name

EXCERPT_LENGTH = 300


def _chinese_date(day) -> str:
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}


def _deadline_context(supervision: Supervision) -> dict:
    deadline = supervision.deadline
    issued = timezone.localtime(supervision.created_at).date()
    due = supervision.due_date
    return {
        "supervision": supervision,
        "deadline": deadline,
        "issuer": congress_name(supervision.region),
        "addressee": supervision.unit.name if supervision.unit else deadline.region.name,
        "number": _("督〔%(year)s〕%(n)s号")
        % {"year": supervision.created_at.year, "n": supervision.pk},
        "what": deadline.label,
        "due": _chinese_date(due) if due else "",
        "overdue_days": (issued - due).days if due and due < issued else 0,
        "issued": _chinese_date(issued),
        "reply_days": settings.SUPERVISION_LETTER_REPLY_DAYS,
        "excerpt": deadline.title,
    }


def letter_context(supervision: Supervision) -> dict:
    if supervision.deadline_id:
        return _deadline_context(supervision)
    suggestion = supervision.suggestion
    # The letter speaks as of the day the level decided to supervise (its date).
    issued = timezone.localtime(supervision.created_at).date()
    due = supervision.due_date
    assignment = (
        suggestion.assignments.filter(unit_id=supervision.unit_id).order_by("-pk").first()
        if supervision.unit_id
        else None
    )
    acknowledging = supervision.reason == Supervision.Reason.ACKNOWLEDGE_OVERDUE or (
        assignment is not None and assignment.status == "pending"
    )
    content = suggestion.content
    return {
        "supervision": supervision,
        "suggestion": suggestion,
        "issuer": congress_name(supervision.region),
        "addressee": supervision.unit.name
        if supervision.unit
        else (suggestion.station.name if suggestion.station else suggestion.region.name),
        "number": _("督〔%(year)s〕%(n)s号")
        % {"year": supervision.created_at.year, "n": supervision.pk},
        "what": _("签收") if acknowledging else _("答复"),
        "due": _chinese_date(due) if due else "",
        "overdue_days": (issued - due).days if due and due < issued else 0,
        "received": _chinese_date(timezone.localtime(suggestion.submitted_at).date()),
        "assigned": _chinese_date(timezone.localtime(assignment.assigned_at).date())
        if assignment
        else "",
        "issued": _chinese_date(issued),
        "reply_days": settings.SUPERVISION_LETTER_REPLY_DAYS,
        "excerpt": content[:EXCERPT_LENGTH] + ("……" if len(content) > EXCERPT_LENGTH else ""),
    }


def supervision_letter_pdf(supervision: Supervision) -> bytes:
    html = render_to_string("supervision/letter.html", letter_context(supervision))
    # Only data: URIs: the template needs nothing from outside.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
