"""The public pages of a consultation at a point (no login), reached from its QR code.

Plain HTML for old phones and WeChat's browser: the draft chapter by chapter, each
article with a link to comment on it, and a comment form. A submission is
idempotent (the form's random token: a double tap or a retried POST returns the
first receipt; the very same comment sent again from the same browser after going
back to the form, within half an hour, too), rate-limited per address and per phone
number with the suggestions' limiter, written to the database before anything
else, and refused after the closing date by the service. The page never shows a
name or a phone number; after the feedback it shows how many comments were adopted.

A collector opens their personal link once (`collector`): this browser then comments
in the collector's name at that collector's point.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from core.forms import add_service_errors
from core.net import client_ip
from public import qr
from stations.models import Station
from suggestions import ratelimit

from . import selectors, services
from .forms import PublicCommentForm
from .models import Collector, Comment, Consultation, Participation, Phase
from .workflow import comments_refusal

SUBMIT_PER_IP = getattr(settings, "LEGISLATION_COMMENT_PER_IP", (20, 3600))
SUBMIT_PER_PHONE = getattr(settings, "LEGISLATION_COMMENT_PER_PHONE", (10, 24 * 3600))
SUBMITTED_KEY = "legislation_submitted"
COLLECTOR_KEY = "legislation_collector"
REPEAT_SECONDS = 30 * 60
IMAGE_CACHE_SECONDS = 24 * 3600


def _unavailable(request):
    return render(request, "legislation/public/unavailable.html", status=404)


def _participation(token: str) -> Participation | None:
    return (
        Participation.objects.select_related("consultation", "station", "station__region")
        .filter(public_token=token, station__status=Station.Status.ACTIVE)
        .exclude(consultation__status=Consultation.Status.DRAFT)
        .first()
    )


def _collector(request, participation: Participation) -> Collector | None:
    """The collector whose link this browser opened, if they belong to this point."""
    pk = request.session.get(COLLECTOR_KEY)
    if not pk:
        return None
    return Collector.objects.filter(pk=pk, station_id=participation.station_id, active=True).first()


@require_safe
def consultation_page(request, participation_token: str):
    participation = _participation(participation_token)
    if participation is None:
        return _unavailable(request)
    consultation = participation.consultation
    mine = Comment.objects.filter(participation=participation)
    counts = selectors.comment_counts(mine)
    feedback = participation.status == Participation.Status.FEEDBACK
    return render(
        request,
        "legislation/public/page.html",
        {
            "participation": participation,
            "consultation": consultation,
            "phase": consultation.phase(),
            "open": consultation.phase() == Phase.OPEN,
            "refusal": comments_refusal(consultation),
            "chapters": selectors.chapters(consultation, counts=counts),
            "total": sum(counts.values()),
            "whole_count": counts.get(None, 0),
            "adopted": mine.filter(adopted=True).count() if feedback else None,
            "collector": _collector(request, participation),
        },
    )


def _fingerprint(data: dict, participation: Participation, article) -> str:
    parts = [str(participation.pk), str(article.pk if article else "")]
    parts += [
        str(data.get(name, "")).strip() for name in ("content", "author_name", "contact_phone")
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _repeat_of(request, fingerprint: str) -> Comment | None:
    """The comment this browser itself sent lately with exactly these answers: the form
    sent again after going back to it (a new form, a new token)."""
    since = time.time() - REPEAT_SECONDS
    for entry in request.session.get(SUBMITTED_KEY, []):
        if entry["fp"] == fingerprint and entry["at"] >= since:
            return Comment.objects.filter(pk=entry["pk"], submission_token__isnull=False).first()
    return None


def _remember(request, comment: Comment, fingerprint: str) -> None:
    since = time.time() - REPEAT_SECONDS
    kept = [e for e in request.session.get(SUBMITTED_KEY, []) if e["at"] >= since]
    entry = {"fp": fingerprint, "pk": comment.pk, "at": int(time.time())}
    request.session[SUBMITTED_KEY] = [*kept[-4:], entry]


def _receipt(comment: Comment):
    return redirect("public_legislation:receipt", submission_token=comment.submission_token)


@require_http_methods(["GET", "HEAD", "POST"])
def comment_form(request, participation_token: str, article_number: int | None = None):
    participation = _participation(participation_token)
    if participation is None:
        return _unavailable(request)
    consultation = participation.consultation
    article = None
    if article_number is not None:
        article = selectors.article_by_number(consultation, article_number)
        if article is None:
            return _unavailable(request)
    collector = _collector(request, participation)
    context = {
        "participation": participation,
        "consultation": consultation,
        "article": article,
        "path": selectors.heading_path(article) if article else "",
        "collector": collector,
        "refusal": comments_refusal(consultation),
    }
    if request.method != "POST":
        return render(
            request,
            "legislation/public/comment.html",
            {**context, "form": PublicCommentForm(collector=collector)},
        )
    token = request.POST.get("submission_token", "")
    existing = selectors.comment_by_token(token) if token else None
    if existing is not None:  # a double tap or a retried POST: the same receipt
        return _receipt(existing)
    form = PublicCommentForm(request.POST, collector=collector)
    ip = client_ip(request)
    status = 400
    if ratelimit.exceeded("legislation-ip", ip, limit=SUBMIT_PER_IP[0], window=SUBMIT_PER_IP[1]):
        form.is_valid()
        form.add_error(None, _("提交过于频繁，请稍后再试。您填写的内容已保留。"))
        status = 429
    elif form.is_bot:
        form.add_error(None, _("提交未成功，请检查后重新提交。"))
    elif form.is_valid() and (
        repeat := _repeat_of(
            request, fingerprint := _fingerprint(form.cleaned_data, participation, article)
        )
    ):
        return _receipt(repeat)  # back to the form and sent again: the first receipt
    elif form.is_valid():
        data = form.cleaned_data
        phone = data.get("contact_phone", "")
        refused = ratelimit.submission_refusal(
            "legislation", ip=ip, phone=phone, per_ip=SUBMIT_PER_IP, per_phone=SUBMIT_PER_PHONE
        )
        if refused == "address":
            form.add_error(None, _("提交过于频繁，请稍后再试。您填写的内容已保留。"))
            status = 429
        elif refused == "phone":
            form.add_error(
                "contact_phone", _("该手机号今天提交的次数已达上限，请明天再试或到联系点反映。")
            )
            status = 429
        else:
            try:
                comment, created = services.comment_submit(
                    actor=None,
                    participation=participation,
                    article=article,
                    content=data["content"],
                    author_name=data.get("author_name", ""),
                    contact_phone=phone,
                    collector=collector,
                    submission_token=data["submission_token"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if created:
                    _remember(request, comment, fingerprint)
                return _receipt(comment)
    return render(
        request, "legislation/public/comment.html", {**context, "form": form}, status=status
    )


@require_safe
def receipt(request, submission_token: str):
    comment = selectors.comment_by_token(submission_token)
    if comment is None:
        return _unavailable(request)
    participation = (
        Participation.objects.select_related("consultation", "station")
        .filter(pk=comment.participation_id)
        .get()
    )
    return render(
        request,
        "legislation/public/receipt.html",
        {
            "comment": comment,
            "participation": participation,
            "consultation": participation.consultation,
            "article": comment.article,
        },
    )


@require_safe
def consultation_qr(request, participation_token: str):
    participation = Participation.objects.filter(public_token=participation_token).first()
    if participation is None:
        raise Http404
    url = qr.public_url("public_legislation:page", participation.public_token)
    response = HttpResponse(qr.qr_bytes(url, "png"), content_type=qr.CONTENT_TYPES["png"])
    response["Cache-Control"] = f"public, max-age={IMAGE_CACHE_SECONDS}"
    return response


@require_safe
def collector(request, collector_token: str):
    """A collector's personal link: this browser comments in the collector's name."""
    found = (
        Collector.objects.select_related("station")
        .filter(public_token=collector_token, active=True)
        .first()
    )
    if found is None:
        return _unavailable(request)
    request.session[COLLECTOR_KEY] = found.pk
    open_here = [
        p
        for p in Participation.objects.select_related("consultation")
        .filter(station_id=found.station_id, consultation__status=Consultation.Status.PUBLISHED)
        .order_by("-consultation__opens_on")
        if p.consultation.phase() == Phase.OPEN
    ]
    return render(
        request,
        "legislation/public/collector.html",
        {"collector": found, "participations": open_here},
    )
