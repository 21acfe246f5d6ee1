from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from .models import AuditRecord
from .permissions import can_read_audit_trail


@login_required
def audit_list(request):
    """The audit trail of the administrator's region, newest first."""
    if not can_read_audit_trail(request.user):
        raise PermissionDenied
    records = AuditRecord.objects.visible_to(request.user).select_related("content_type")
    action = request.GET.get("action", "")
    if action in AuditRecord.Action.values:
        records = records.filter(action=action)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/audit_list.html",
        {"page": page, "actions": AuditRecord.Action.choices, "action": action},
    )
