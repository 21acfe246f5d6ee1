"""Staff pages of the legislative liaison points: consultations, a point's part, collectors.

Thin: access check (`access_object`, 404 outside the user's slice), a form, a service,
a redirect. What a page offers is what the workflow tables allow.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core import clock, phones
from core.forms import add_service_errors
from core.params import parse_id, parse_int
from jobs.services import job_start
from public import placards, qr
from stations.spreadsheets import Problem, read_sheet, workbook_bytes, xlsx_response
from supervision.tracking import deadlines_of
from tenancy.access import access_object

from . import permissions as can
from . import selectors, services
from .forms import (
    CollectorForm,
    ConsultationFilterForm,
    ConsultationForm,
    DecideForm,
    DeputyCommentForm,
    ImportForm,
    MeetingForm,
    OpinionForm,
    ReasonForm,
    RecordCommentForm,
    SendForm,
    TextForm,
)
from .importing import COLUMNS, NOTES, check_comment_sheet
from .models import Collector, Comment, Consultation, Participation
from .workflow import CONSULTATION, PARTICIPATION

PAGE_SIZE = 30


def _consultation(request, pk, *, for_write=False) -> Consultation:
    return access_object(
        Consultation.objects.select_related("region"), request.user, pk, for_write=for_write
    )


def _participation(request, pk, *, for_write=False) -> Participation:
    return access_object(
        Participation.objects.select_related("consultation", "consultation__region", "station"),
        request.user,
        pk,
        for_write=for_write,
    )


def _back(participation: Participation):
    return redirect("legislation:participation", participation_pk=participation.pk)


def _refused(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# --- Consultations ------------------------------------------------------------------


@login_required
@require_safe
def consultation_list(request):
    form = ConsultationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    station = None
    if point := request.GET.get("point"):
        station = selectors.legislative_points(request.user).filter(pk=point).first()
    rows = selectors.consultations_for(
        request.user, kind=filters.get("kind", ""), q=filters.get("q", ""), station=station
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "legislation/consultation_list.html",
        {
            "page": page,
            "form": form,
            "station": station,
            "can_publish": can.may_publish_consultations(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_new(request):
    if not can.may_publish_consultations(request.user):
        raise PermissionDenied
    form = ConsultationForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            consultation = services.consultation_create(
                actor=request.user, points=data.pop("points"), **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已创建，请导入草案文本，然后发布。"))
            return redirect("legislation:detail", consultation_pk=consultation.pk)
    return render(request, "legislation/consultation_form.html", {"form": form})


@login_required
@require_safe
def consultation_detail(request, consultation_pk: int):
    consultation = _consultation(request, consultation_pk)
    participations = list(selectors.participations_of(request.user, consultation))
    counts = selectors.comment_counts(
        Comment.objects.visible_to(request.user).filter(consultation=consultation)
    )
    deputy_points = [p for p in participations if PARTICIPATION.can("comment", request.user, p)]
    return render(
        request,
        "legislation/consultation_detail.html",
        {
            "consultation": consultation,
            "participations": participations,
            "chapters": selectors.chapters(consultation, counts=counts),
            "whole_count": counts.get(None, 0),
            "actions": CONSULTATION.available(request.user, consultation),
            "publish_refusal": CONSULTATION.refusal("publish", request.user, consultation)
            if can.can_manage_consultation(request.user, consultation)
            else None,
            "deputy_points": deputy_points,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_edit(request, consultation_pk: int):
    consultation = _consultation(request, consultation_pk, for_write=True)
    if not CONSULTATION.can("edit", request.user, consultation):
        raise PermissionDenied
    form = ConsultationForm(request.POST or None, instance=consultation, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        points = data.pop("points", None)
        consultation.refresh_from_db()  # the form wrote into the instance
        try:
            services.consultation_update(
                actor=request.user, consultation=consultation, points=points, **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("legislation:detail", consultation_pk=consultation.pk)
    return render(
        request, "legislation/consultation_form.html", {"form": form, "consultation": consultation}
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_text(request, consultation_pk: int):
    consultation = _consultation(request, consultation_pk, for_write=True)
    if not CONSULTATION.can("set_text", request.user, consultation):
        raise PermissionDenied
    form = TextForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("docx")
        try:
            services.consultation_set_text(
                actor=request.user,
                consultation=consultation,
                text=form.cleaned_data.get("text", ""),
                docx=upload,
                filename=upload.name if upload else "",
            )
        except ValidationError as error:
            add_service_errors(form, error, default_field="text")
        else:
            count = consultation.articles.count()
            messages.success(request, _("已识别%(n)s条条文，请核对。") % {"n": count})
            return redirect("legislation:detail", consultation_pk=consultation.pk)
    return render(
        request, "legislation/consultation_text.html", {"form": form, "consultation": consultation}
    )


@login_required
@require_POST
def consultation_publish(request, consultation_pk: int):
    consultation = _consultation(request, consultation_pk, for_write=True)
    try:
        services.consultation_publish(actor=request.user, consultation=consultation)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已发布，各联系点已收到通知。"))
    return redirect("legislation:detail", consultation_pk=consultation.pk)


@login_required
@require_safe
def article_detail(request, consultation_pk: int, article_number: int):
    consultation = _consultation(request, consultation_pk)
    article = selectors.article_by_number(consultation, article_number)
    if article is None:
        return render(
            request, "legislation/article_missing.html", {"consultation": consultation}, status=404
        )
    neighbours = consultation.articles.filter(number__in=[article.number - 1, article.number + 1])
    return render(
        request,
        "legislation/article_detail.html",
        {
            "consultation": consultation,
            "article": article,
            "path": selectors.heading_path(article),
            "comments": selectors.comments_for(
                request.user, consultation=consultation, article=article
            ),
            "neighbours": {a.number - article.number: a for a in neighbours},
        },
    )


# --- A point's part --------------------------------------------------------------------


@login_required
@require_safe
def participation_detail(request, participation_pk: int):
    participation = _participation(request, participation_pk)
    comments = selectors.comments_for(
        request.user, participation=participation, decision=request.GET.get("decision", "")
    )
    page = Paginator(comments, PAGE_SIZE).get_page(request.GET.get("page"))
    counted = selectors.tally(
        list(Comment.objects.visible_to(request.user).filter(participation=participation))
    )
    return render(
        request,
        "legislation/participation_detail.html",
        {
            "participation": participation,
            "consultation": participation.consultation,
            "phase": participation.consultation.phase(),
            "page": page,
            "counted": counted,
            "actions": PARTICIPATION.available(request.user, participation),
            "send_refusal": PARTICIPATION.refusal("send", request.user, participation),
            "sendings": list(participation.sendings.select_related("created_by")),
            "meetings": list(selectors.meetings_of(participation)),
            "deadlines": deadlines_of(participation),
            "public_url": qr.public_url("public_legislation:page", participation.public_token),
            "decisions": Comment.Decision.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_as_deputy(request, participation_pk: int):
    """A deputy grouped into the point comments in their own name."""
    participation = _participation(request, participation_pk, for_write=True)
    if not PARTICIPATION.can("comment", request.user, participation):
        refusal = PARTICIPATION.refusal("comment", request.user, participation)
        if isinstance(refusal, ValidationError):
            _refused(request, refusal)
            return redirect("legislation:detail", consultation_pk=participation.consultation_id)
        raise PermissionDenied
    consultation = participation.consultation
    initial = {}
    if number := request.GET.get("article"):
        initial["article"] = consultation.articles.filter(number=number).first()
    form = DeputyCommentForm(request.POST or None, consultation=consultation, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_submit(
                actor=request.user,
                participation=participation,
                content=form.cleaned_data["content"],
                article=form.cleaned_data["article"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("您的意见已提交，计入履职档案。"))
            return redirect("legislation:detail", consultation_pk=consultation.pk)
    return render(
        request,
        "legislation/comment_form.html",
        {"form": form, "participation": participation, "as_deputy": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_record(request, participation_pk: int):
    participation = _participation(request, participation_pk, for_write=True)
    if not PARTICIPATION.can("record", request.user, participation):
        refusal = PARTICIPATION.refusal("record", request.user, participation)
        if isinstance(refusal, ValidationError):
            _refused(request, refusal)
            return _back(participation)
        raise PermissionDenied
    form = RecordCommentForm(request.POST or None, participation=participation)
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_record(
                actor=request.user, participation=participation, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已录入。"))
            if "again" in request.POST:
                return redirect("legislation:record", participation_pk=participation.pk)
            return _back(participation)
    return render(
        request, "legislation/comment_form.html", {"form": form, "participation": participation}
    )


@login_required
@require_http_methods(["GET", "POST"])
def comments_import(request, participation_pk: int):
    participation = _participation(request, participation_pk, for_write=True)
    if not PARTICIPATION.can("record", request.user, participation):
        refusal = PARTICIPATION.refusal("record", request.user, participation)
        if isinstance(refusal, ValidationError):
            _refused(request, refusal)
            return _back(participation)
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    problems, filename = [], ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        filename = upload.name
        check = check_comment_sheet(participation=participation, sheet=read_sheet(upload, COLUMNS))
        problems = check.problems
        if not problems:
            try:
                created = services.comments_import(
                    actor=request.user, participation=participation, plans=check.plans
                )
            except ValidationError as error:
                problems = [Problem(0, "", message) for message in error.messages]
            else:
                messages.success(request, _("已导入%(n)d条意见。") % {"n": len(created)})
                return _back(participation)
    return render(
        request,
        "legislation/comments_import.html",
        {
            "form": form,
            "participation": participation,
            "problems": problems,
            "filename": filename,
            "columns": COLUMNS,
        },
        status=400 if problems else 200,
    )


@login_required
@require_safe
def import_template(request, participation_pk: int):
    participation = _participation(request, participation_pk)
    content = workbook_bytes(
        COLUMNS, [[c.example for c in COLUMNS]], title=_("立法意见"), notes=NOTES
    )
    return xlsx_response(
        content, _("%(point)s-立法意见导入模板.xlsx") % {"point": participation.station.name}
    )


@login_required
@require_safe
def summary_sheet(request, participation_pk: int):
    """The worksheet: article by article, decide each comment and write the opinion."""
    participation = _participation(request, participation_pk)
    consultation = participation.consultation
    visible = Comment.objects.visible_to(request.user).filter(participation=participation)
    counts = selectors.comment_counts(visible)
    pending = selectors.comment_counts(visible.filter(decision=Comment.Decision.PENDING))
    chosen = request.GET.get("article")
    article, rows, opinion = None, None, ""
    if chosen:
        if chosen == "whole":
            rows = selectors.comments_for(
                request.user, participation=participation, article="whole"
            )
        else:
            article = selectors.article_by_number(consultation, _int(chosen))
            if article is not None:
                rows = selectors.comments_for(
                    request.user, participation=participation, article=article
                )
        if rows is not None:
            rows = list(rows)
            kept = [c for c in rows if c.decision == Comment.Decision.KEEP]
            for comment in rows:
                comment.targets = [c for c in kept if c.pk != comment.pk]
            found = participation.opinions.filter(article=article).first()
            opinion = found.text if found else ""
    entries = [e for e in selectors.outline(consultation, counts=counts) if e.comment_count]
    for entry in entries:
        entry.pending = pending.get(entry.article.pk, 0)
    return render(
        request,
        "legislation/summary_sheet.html",
        {
            "participation": participation,
            "consultation": consultation,
            "entries": entries,
            "whole_count": counts.get(None, 0),
            "whole_pending": pending.get(None, 0),
            "chosen": chosen,
            "article": article,
            "rows": rows,
            "opinion_form": OpinionForm(
                initial={"article": article.number if article else None, "text": opinion}
            ),
            "can_decide": PARTICIPATION.can("decide", request.user, participation),
            "decisions": [
                (value, label)
                for value, label in Comment.Decision.choices
                if value != Comment.Decision.PENDING
            ],
        },
    )


def _int(value) -> int | None:
    return parse_int(value)


def _sheet_url(participation, article_number) -> str:
    url = reverse("legislation:summary", args=[participation.pk])
    return f"{url}?article={article_number or 'whole'}"


@login_required
@require_POST
def comment_decide(request, comment_pk: int):
    comment = access_object(
        Comment.objects.select_related("participation", "article"),
        request.user,
        comment_pk,
        for_write=True,
    )
    form = DecideForm(request.POST, comment=comment)
    if form.is_valid():
        try:
            services.comment_decide(
                actor=request.user,
                comment=comment,
                decision=form.cleaned_data["decision"],
                merged_into=form.cleaned_data["merged_into"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("%(c)s已处理。") % {"c": comment})
    else:
        messages.error(request, _("请选择保留、合并或舍弃。"))
    number = comment.article.number if comment.article_id else None
    return redirect(_sheet_url(comment.participation, number))


@login_required
@require_POST
def opinion_save(request, participation_pk: int):
    participation = _participation(request, participation_pk, for_write=True)
    form = OpinionForm(request.POST)
    number = None
    if form.is_valid():
        number = form.cleaned_data["article"]
        article = None
        if number is not None:
            article = selectors.article_by_number(participation.consultation, number)
            if article is None:
                messages.error(request, _("草案中没有这一条。"))
                return redirect("legislation:summary", participation_pk=participation.pk)
        try:
            services.opinion_save(
                actor=request.user,
                participation=participation,
                article=article,
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("联系点意见已保存。"))
    return redirect(_sheet_url(participation, number))


@login_required
@require_POST
def documents(request, participation_pk: int):
    """Start building the summary (.docx or PDF) in the background."""
    participation = _participation(request, participation_pk)
    fmt = request.POST.get("format")
    if fmt not in ("docx", "pdf"):
        messages.error(request, _("请选择 Word 或 PDF。"))
        return _back(participation)
    job = job_start(
        actor=request.user,
        kind="legislation_summary",
        region=participation.region,
        over=participation,
        params={"participation_id": participation.pk, "format": fmt},
        title=_("%(point)s 意见汇总（%(fmt)s）")
        % {"point": participation.station.name, "fmt": "Word" if fmt == "docx" else "PDF"},
    )
    return redirect("jobs:detail", job_pk=job.pk)


@login_required
@require_http_methods(["GET", "POST"])
def participation_send(request, participation_pk: int):
    participation = _participation(request, participation_pk, for_write=True)
    refusal = PARTICIPATION.refusal("send", request.user, participation)
    if isinstance(refusal, PermissionDenied):
        raise refusal
    if refusal is not None:
        _refused(request, refusal)
        return _back(participation)
    form = SendForm(request.POST or None, participation=participation)
    if request.method == "POST" and form.is_valid():
        try:
            services.participation_send(
                actor=request.user, participation=participation, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记报送。"))
            return _back(participation)
    return render(
        request, "legislation/send_form.html", {"form": form, "participation": participation}
    )


@login_required
@require_POST
def participation_reopen(request, participation_pk: int):
    participation = _participation(request, participation_pk, for_write=True)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请说明退回修改的原因。"))
        return _back(participation)
    try:
        services.participation_reopen(
            actor=request.user, participation=participation, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已退回修改，修改后请重新报送。"))
    return _back(participation)


@login_required
@require_http_methods(["GET", "POST"])
def feedback(request, participation_pk: int):
    """Mark the adopted comments (from the upper body's report); then finish the feedback."""
    participation = _participation(request, participation_pk, for_write=request.method == "POST")
    if request.method == "POST":
        try:
            count = services.comments_mark_adopted(
                actor=request.user,
                participation=participation,
                adopted_ids=[n for v in request.POST.getlist("adopted") if (n := parse_id(v))],
            )
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("已保存：采纳%(n)s条。") % {"n": count})
        return redirect("legislation:feedback", participation_pk=participation.pk)
    kept = selectors.comments_for(
        request.user, participation=participation, decision=Comment.Decision.KEEP
    ).prefetch_related("merged")
    return render(
        request,
        "legislation/feedback.html",
        {
            "participation": participation,
            "kept": kept,
            "can_adopt": PARTICIPATION.can("adopt", request.user, participation),
            "adopt_refusal": PARTICIPATION.refusal("adopt", request.user, participation),
            "can_finish": PARTICIPATION.can("feedback", request.user, participation),
        },
    )


@login_required
@require_POST
def feedback_done(request, participation_pk: int):
    participation = _participation(request, participation_pk, for_write=True)
    try:
        services.participation_feedback(actor=request.user, participation=participation)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("采纳反馈已完成，留有手机号的提出人将收到短信。"))
    return _back(participation)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request, participation_pk: int):
    participation = _participation(request, participation_pk, for_write=True)
    if not PARTICIPATION.can("meeting", request.user, participation):
        raise PermissionDenied
    form = MeetingForm(request.POST or None, participation=participation)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_record(
                actor=request.user, participation=participation, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记。"))
            return _back(participation)
    return render(
        request, "legislation/meeting_form.html", {"form": form, "participation": participation}
    )


@login_required
@require_safe
def poster(request, participation_pk: int):
    """The A5 poster for the point's wall and its 意见箱: the draft's title and the code."""
    participation = _participation(request, participation_pk)
    url = qr.public_url("public_legislation:page", participation.public_token)
    consultation = participation.consultation
    content = placards.placards_pdf(
        [
            {
                "template": "legislation/_poster.html",
                "participation": participation,
                "consultation": consultation,
                "qr": placards.data_uri(qr.qr_bytes(url, "png"), "image/png"),
                "url": url,
            }
        ],
        title=_("《%(title)s》征求意见") % {"title": consultation.title},
    )
    response = HttpResponse(content, content_type="application/pdf")
    filename = _("%(point)s-征求意见海报.pdf") % {"point": participation.station.name}
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# --- Collectors ------------------------------------------------------------------------


@login_required
@require_safe
def collector_list(request):
    year = _int(request.GET.get("year")) or clock.today().year
    station = None
    if point := request.GET.get("point"):
        station = selectors.legislative_points(request.user).filter(pk=point).first()
    rows = selectors.collectors_for(request.user, year=year, station=station)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for collector in page:
        collector.masked_phone = phones.shown(request.user, collector.phone)
    this_year = clock.today().year
    return render(
        request,
        "legislation/collector_list.html",
        {
            "page": page,
            "year": year,
            "years": list(range(this_year, this_year - 4, -1)),
            "station": station,
            "can_add": can.may_keep_collectors(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def collector_new(request):
    if not can.may_keep_collectors(request.user):
        raise PermissionDenied
    initial = {"station": request.GET.get("point")} if request.GET.get("point") else {}
    form = CollectorForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.collector_save(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记信息采集员。"))
            return redirect("legislation:collectors")
    return render(request, "legislation/collector_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def collector_edit(request, collector_pk: int):
    collector = access_object(
        Collector.objects.select_related("station"), request.user, collector_pk, for_write=True
    )
    if not can.can_keep_collectors(request.user, collector.station):
        raise PermissionDenied
    initial = {
        "station": collector.station,
        "name": collector.name,
        "occupation": collector.occupation,
        "unit": collector.unit,
        "active": collector.active,
    }
    form = CollectorForm(request.POST or None, actor=request.user, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["phone"] = data["phone"] or None  # blank keeps the number on file
        try:
            services.collector_save(actor=request.user, collector=collector, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("legislation:collectors")
    return render(
        request,
        "legislation/collector_form.html",
        {
            "form": form,
            "collector": collector,
            "link": qr.public_url("public_legislation:collector", collector.public_token),
        },
    )


@login_required
@require_POST
def collector_renew_link(request, collector_pk: int):
    collector = access_object(Collector, request.user, collector_pk, for_write=True)
    services.collector_renew_link(actor=request.user, collector=collector)
    messages.success(request, _("已更换个人链接，旧链接失效。"))
    return redirect("legislation:collector_edit", collector_pk=collector.pk)
