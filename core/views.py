"""The one page that shows a personal phone number in full: a reveal with a reason."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from tenancy.access import access_object

from . import phones, services


@login_required
@require_POST
def phone_reveal(request, phone_kind: str, phone_pk: int):
    """POST reason: the number, once, audited. Outside the viewer's rows: 404; a role
    that may not reveal it (a leader, a clerk): 403."""
    kind = phones.kind_named(phone_kind)
    if kind is None:
        raise Http404
    obj = access_object(kind.model, request.user, phone_pk)
    try:
        number = services.phone_reveal(
            actor=request.user, obj=obj, reason=request.POST.get("reason", ""), via=phone_kind
        )
    except ValidationError as error:
        message = " ".join(error.messages)
        if request.headers.get("HX-Request"):
            return HttpResponse(message, status=400)
        return render(
            request, "core/phone_revealed.html", {"error": message, "obj": obj}, status=400
        )
    if request.headers.get("HX-Request"):
        return render(request, "core/_phone.html", {"phone": number})
    return render(request, "core/phone_revealed.html", {"phone": number, "obj": obj})
