"""Citizens' pages (no login), reached from a deputy's or a station's QR code.

Plain HTML that works without JavaScript and in WeChat's browser. A submission is
idempotent (a random token issued with the form; the very same answers and photos
sent again from the browser that submitted them, within half an hour, after going
back to the form, give the first receipt too), rate-limited per address and per
phone number, and the request never talks to the broker: the notice to the deputy
or station is an outbox row committed with the suggestion.
"""

import hashlib
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.files import private_file_response
from core.net import client_ip
from deputies.models import Deputy
from public import cache as public_cache
from public import selectors as public_selectors
from regions.models import Region
from stations.models import Station

from . import followed, ratelimit, selectors, services
from .followed import keeps_followed
from .forms import (
    TOKEN_RE,
    CitizenRatingForm,
    PublicSuggestionForm,
    TrackForm,
    new_submission_token,
)
from .models import Channel, ReplyAttachment, Suggestion

# (attempts, seconds). Generous per address: a station's Wi-Fi or a carrier NAT is
# shared by many people on a reception day.
SUBMIT_PER_IP = getattr(settings, "SUGGESTION_SUBMIT_PER_IP", (20, 3600))
SUBMIT_PER_PHONE = getattr(settings, "SUGGESTION_SUBMIT_PER_PHONE", (5, 24 * 3600))
TRACK_FAILURES_PER_IP = getattr(settings, "SUGGESTION_TRACK_FAILURES_PER_IP", (20, 15 * 60))
# Attempts on one tracking code from any address: the 10,000 phone endings of a known
# code cannot be tried from many addresses either (10 a day: 1,000 days for all).
TRACK_FAILURES_PER_CODE = getattr(settings, "SUGGESTION_TRACK_FAILURES_PER_CODE", (10, 24 * 3600))
# What this browser follows and submitted lately: suggestions/followed.py (a signed cookie).
REPEAT_SECONDS = 30 * 60


def admit_submission(ip: str | None) -> bool:
    """Whether this address may upload now; asked before anything is decoded.

    A request that uploads photos takes its place here, whether it then succeeds or
    not: decoding is what costs, so a flood of failing uploads runs into the limit as
    fast as successful ones. One without photos is counted on success only, inside the
    submission's transaction (`submission_counts`), so a citizen correcting a typo is
    not punished. Both count in the same window of the address: `limit` an hour in all.
    """
    limit, window = SUBMIT_PER_IP
    return ratelimit.claim("suggestion-ip", ip, limit=limit, window=window)


class SubmissionRefused(Exception):
    """A rate limit refused a valid submission: nothing was saved, nor counted.
    `limit` is "address" (too many from this address) or "phone" (from this number)."""

    def __init__(self, limit: str):
        super().__init__(limit)
        self.limit = limit


def submission_counts(*, ip: str | None, phone: str, uploads: bool):
    """The counts a submission makes, for the service to run inside its transaction
    (`suggestion_submit(admit=...)`); the form and the API alike."""

    def refuse(limit: str):
        def raise_refused() -> None:
            raise SubmissionRefused(limit)

        return raise_refused

    def admit() -> None:
        # Counted with the submission's last rows, in their round trip (the service's
        # writes.together() block): over a limit, the whole attempt rolls back.
        if not uploads:
            limit, window = SUBMIT_PER_IP
            ratelimit.hit_or_refuse(
                "suggestion-ip", ip, limit=limit, window=window, refuse=refuse("address")
            )
        if phone:
            limit, window = SUBMIT_PER_PHONE
            ratelimit.hit_or_refuse(
                "suggestion-phone", phone, limit=limit, window=window, refuse=refuse("phone")
            )

    return admit


def _unavailable(request):
    return render(request, "suggestions/public/unavailable.html", status=404)


def _remember(request, suggestion: Suggestion) -> None:
    """This browser proved it may follow this suggestion (receipt or code + phone digits)."""
    tracked = [pk for pk in followed.tracked(request) if pk != suggestion.pk]
    if tracked[-9:] + [suggestion.pk] != followed.tracked(request):
        followed.update(request, tracked=[*tracked[-9:], suggestion.pk])


def _fingerprint(data: dict, *, deputy: Deputy | None, station: Station | None) -> str:
    """Everything a citizen sent, photos included, as one digest."""
    digest = hashlib.sha256()
    fields = ("category", "content", "place", "contact_name", "contact_phone", "village")
    parts = [str(deputy.pk if deputy else ""), str(station.pk if station else "")]
    parts += [str(data.get(name, "")).strip() for name in fields]
    digest.update("\x1f".join(parts).encode())
    for photo in data.get("photos") or ():
        photo.seek(0)
        digest.update(hashlib.sha256(photo.read()).digest())
        photo.seek(0)
    # Keyed with the secret: the digest travels in the browser's cookie, and a plain hash
    # of known words and a phone number could be searched for the number.
    return salted_hmac("suggestions.fingerprint", digest.hexdigest()).hexdigest()[:32]


def _repeat_of(request, fingerprint: str) -> Suggestion | None:
    """The suggestion this browser itself submitted lately with exactly these answers: the
    form sent again after going back to it (a new form, a new token). Suggestions only
    followed from the tracking page are never candidates."""
    since = time.time() - REPEAT_SECONDS
    for entry in followed.submitted(request):
        if entry["fp"] == fingerprint and entry["at"] >= since:
            return Suggestion.objects.filter(pk=entry["pk"], submission_token__isnull=False).first()
    return None


def _remember_submitted(request, suggestion: Suggestion, fingerprint: str) -> None:
    since = time.time() - REPEAT_SECONDS
    kept = [e for e in followed.submitted(request) if e["at"] >= since]
    entry = {"fp": fingerprint, "pk": suggestion.pk, "at": int(time.time())}
    followed.update(request, submitted=[*kept[-4:], entry])


def _submit(request, form, *, deputy, station, uploads, ip, fingerprint):
    """Count the submission and record it, in one transaction (the service's): the
    receipt's redirect, or None when a limit refused it (the form then carries the error).
    """
    data = form.cleaned_data
    try:
        suggestion, created = services.suggestion_submit(
            actor=None,
            channel=Channel.QR,
            category=data["category"],
            content=data["content"],
            place=data["place"],
            deputy=deputy,
            station=station,
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            village=data["village"],
            photos=data["photos"],
            submission_token=data["submission_token"],
            token_checked=True,
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            admit=submission_counts(ip=ip, phone=data["contact_phone"], uploads=uploads),
        )
    except SubmissionRefused as refused:
        if refused.limit == "phone":
            form.add_error(
                "contact_phone", _("该手机号今天提交的次数已达上限，请明天再试或到联络站反映。")
            )
        else:
            form.add_error(None, _("提交过于频繁，请稍后再试。您填写的内容已保留。"))
        return None
    _remember(request, suggestion)
    if created:
        _remember_submitted(request, suggestion, fingerprint)
    return redirect("public_suggestions:receipt", submission_token=suggestion.submission_token)


def _intake(request, *, deputy: Deputy | None = None, station: Station | None = None):
    if request.method != "POST":
        # No form object: the blank fields are kept per process (the template builds
        # them from `blank_form` only when they are missing); only the token is new.
        return render(
            request,
            "suggestions/public/new.html",
            {
                "submission_token": new_submission_token(),
                "blank_form": PublicSuggestionForm,  # a template calls it: built on a miss
                "deputy": deputy,
                "station": station,
            },
        )
    token = request.POST.get("submission_token", "")
    # Read with the deputy or station (`_deputy_for_post`): this token already gave one.
    if (deputy or station).token_used:  # a double tap or a retried POST: the same receipt
        return redirect("public_suggestions:receipt", submission_token=token)
    ip = client_ip(request)
    uploads = bool(request.FILES)
    if uploads and not admit_submission(ip):
        # Refused before the uploads are opened: decoding images is the costly part.
        form = PublicSuggestionForm(request.POST)
        form.add_error(None, _("提交过于频繁，请稍后再试。您填写的内容已保留。"))
        context = {"form": form, "deputy": deputy, "station": station}
        context["photos_lost"] = bool(request.FILES)
        return render(request, "suggestions/public/new.html", context, status=429)
    form = PublicSuggestionForm(request.POST, request.FILES)
    status = 400
    if form.is_bot:
        form.add_error(None, _("提交未成功，请检查后重新提交。"))
    elif form.is_valid() and (
        repeat := _repeat_of(
            request, fingerprint := _fingerprint(form.cleaned_data, deputy=deputy, station=station)
        )
    ):
        # Back to the form and sent again: the receipt of the first, not a second suggestion.
        return redirect("public_suggestions:receipt", submission_token=repeat.submission_token)
    elif form.is_valid():
        # One transaction: the counts, the suggestion, its event, audit record and outbox
        # rows commit together (one commit, the costly part of a write).
        response = _submit(
            request,
            form,
            deputy=deputy,
            station=station,
            uploads=uploads,
            ip=ip,
            fingerprint=fingerprint,
        )
        if response is not None:
            return response
        status = 429
    context = {
        "form": form,
        "deputy": deputy,
        "station": station,
        "photos_lost": bool(request.FILES),
    }
    return render(request, "suggestions/public/new.html", context, status=status)


def _posted_token(request) -> str:
    token = request.POST.get("submission_token", "")
    return token if TOKEN_RE.match(token) else ""


def _deputy_for_post(deputy_token: str, submission_token: str) -> Deputy | None:
    """The deputy a citizen's POST is for, in one query (the public pages' own read, with
    `token_used`: whether this form's token already gave a suggestion). Its region and
    the station it is grouped into (`services.station_id_of_deputy`) only change when
    staff change them: kept per process under the public pages' generation."""
    deputy = public_selectors.deputy_by_token(
        deputy_token, with_generation=True, submission_token=submission_token
    )
    if deputy is None or deputy.status != Deputy.Status.ACTIVE:
        return None
    deputy.region, deputy.station_of_deputy_id = public_cache.kept(
        "intake-deputy",
        deputy.pk,
        deputy.page_generation,
        lambda: (Region.objects.get(pk=deputy.region_id), services.station_id_of_deputy(deputy)),
    )
    return deputy


def _station_for_post(station_token: str, submission_token: str) -> Station | None:
    station = public_selectors.station_by_token(
        station_token, with_generation=True, submission_token=submission_token
    )
    if station is None or station.status != Station.Status.ACTIVE:
        return None
    station.region = public_cache.kept(
        "intake-station",
        station.pk,
        station.page_generation,
        lambda: Region.objects.get(pk=station.region_id),
    )
    return station


@require_http_methods(["GET", "HEAD", "POST"])
@keeps_followed
def new_for_deputy(request, deputy_token: str):
    if request.method == "POST":
        deputy = _deputy_for_post(deputy_token, _posted_token(request))
    else:  # the blank form: the one-query read of the public pages (compiled once)
        deputy = public_selectors.deputy_by_token(deputy_token, with_generation=True)
        if deputy is not None and deputy.status != Deputy.Status.ACTIVE:
            deputy = None
    if deputy is None:
        return _unavailable(request)
    return _intake(request, deputy=deputy)


@require_http_methods(["GET", "HEAD", "POST"])
@keeps_followed
def new_for_station(request, station_token: str):
    if request.method == "POST":
        station = _station_for_post(station_token, _posted_token(request))
    else:  # the blank form: the one-query read of the public pages (compiled once)
        station = public_selectors.station_by_token(station_token, with_generation=True)
        if station is not None and station.status != Station.Status.ACTIVE:
            station = None
    if station is None:
        return _unavailable(request)
    return _intake(request, station=station)


@never_cache
@keeps_followed
def receipt(request, submission_token: str):
    suggestion = services.suggestion_by_token(submission_token)
    if suggestion is None:
        return _unavailable(request)
    _remember(request, suggestion)
    return render(request, "suggestions/public/receipt.html", {"suggestion": suggestion})


@require_http_methods(["GET", "HEAD", "POST"])
@keeps_followed
def track(request):
    """Find a suggestion by its tracking code and the last 4 digits of the phone given.

    Wrong answers are limited per address, attempts per code (from any address). A code
    locked that way cannot be followed here until the window passes, even with the
    right digits: the page says so and gives the station's phone, the way out.
    """
    ip = client_ip(request)
    limit, window = TRACK_FAILURES_PER_IP
    code_limit, code_window = TRACK_FAILURES_PER_CODE
    if request.method != "POST":
        form = TrackForm(initial={"code": request.GET.get("code", "")})
        return render(request, "suggestions/public/track.html", {"form": form})
    form = TrackForm(request.POST)
    status = 400
    context = {"form": form}
    if ratelimit.exceeded("track-fail", ip, limit=limit, window=window):
        form.add_error(None, _("查询错误次数过多，请15分钟后再试，也可以直接致电联络站查询。"))
        status = 429
    elif form.is_valid():
        code = form.cleaned_data["code"]
        suggestion = (
            Suggestion.objects.select_related("constituent", "station")
            .filter(tracking_code=code)
            .first()
        )
        # Every attempt on a code takes a place first (atomically): parallel guesses
        # cannot all pass a check made before any of them is counted.
        if not ratelimit.claim("track-code", code, limit=code_limit, window=code_window):
            form.add_error(
                None,
                _("这个查询码的查询次数过多，为保护您的信息，网上查询已暂停%(hours)s小时。")
                % {"hours": code_window // 3600},
            )
            context["locked"] = True
            context["help_station"] = _station_of(suggestion)
            return render(request, "suggestions/public/track.html", context, status=429)
        phone = suggestion.constituent.phone if suggestion and suggestion.constituent else ""
        if suggestion is not None and (not phone or phone[-4:] == form.cleaned_data["phone_last4"]):
            _remember(request, suggestion)
            return redirect(
                "public_suggestions:track_detail", tracking_code=suggestion.tracking_code
            )
        ratelimit.hit("track-fail", ip, limit=limit, window=window)
        form.add_error(None, _("查询码或手机号后4位不正确，请核对后再试。"))
    return render(request, "suggestions/public/track.html", context, status=status)


def _station_of(suggestion: Suggestion | None) -> Station | None:
    """The station a citizen can call about `suggestion` (its own, or its deputy's)."""
    if suggestion is None:
        return None
    if suggestion.station is not None:
        return suggestion.station
    return services.station_of_deputy(suggestion.deputy) if suggestion.deputy else None


def _tracked(request, tracking_code: str) -> Suggestion | None:
    suggestion = (
        Suggestion.objects.select_related("merged_into", "station", "deputy")
        .filter(tracking_code=tracking_code)
        .first()
    )
    if suggestion is None or suggestion.pk not in followed.tracked(request):
        return None
    return suggestion


@never_cache
def track_detail(request, tracking_code: str, rating_form=None):
    suggestion = _tracked(request, tracking_code)
    if suggestion is None:
        return redirect(f"{_track_url()}?code={tracking_code}")
    survivor = suggestion.merged_into
    shown = survivor or suggestion
    return render(
        request,
        "suggestions/public/track_detail.html",
        {
            "suggestion": suggestion,
            "survivor": survivor,
            "shown": shown,
            "events": selectors.public_timeline(suggestion),
            "attachments": list(suggestion.reply_attachments.all()) if not survivor else [],
            "survivor_events": selectors.public_timeline(survivor) if survivor else (),
            "rating_form": rating_form
            or (CitizenRatingForm() if suggestion.status == Suggestion.Status.REPLIED else None),
        },
        status=400 if rating_form is not None else 200,
    )


@never_cache
@require_safe
def track_attachment(request, tracking_code: str, attachment_pk: int):
    """A file sent with the reply, for the browser that follows the suggestion. Only the
    suggestion's own files: a merged duplicate's follower reads the survivor's reply text,
    but its letters and photos may name the citizen who raised it."""
    suggestion = _tracked(request, tracking_code)
    if suggestion is None:
        raise Http404
    item = ReplyAttachment.objects.filter(pk=attachment_pk, suggestion=suggestion).first()
    if item is None:
        raise Http404
    return private_file_response(item.file, filename=item.name, as_attachment=True)


def _track_url() -> str:
    return reverse("public_suggestions:track")


@never_cache
@require_POST
def track_rate(request, tracking_code: str):
    """The citizen rates the reply: this is the return visit (回访) in their own words."""
    suggestion = _tracked(request, tracking_code)
    if suggestion is None:
        return redirect(f"{_track_url()}?code={tracking_code}")
    form = CitizenRatingForm(request.POST)
    if form.is_valid():
        try:
            services.suggestion_follow_up(
                actor=None,
                suggestion=suggestion,
                satisfaction=form.cleaned_data["satisfaction"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            return redirect("public_suggestions:track_detail", tracking_code=tracking_code)
    return track_detail(request, tracking_code, rating_form=form)
