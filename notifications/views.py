from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tenancy.access import access_object

from .forms import PreferenceForm
from .models import Delivery, Notification, Preference
from .permissions import can_see_failed_deliveries
from .services import notification_mark_read


@login_required
def inbox(request):
    notifications = Notification.objects.visible_to(request.user)
    if request.GET.get("unread"):
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def mark_read(request):
    notification_mark_read(user=request.user)
    messages.success(request, _("已全部标为已读。"))
    return redirect("notifications:inbox")


@login_required
def open_notification(request, notification_pk: int):
    """Mark one notification read and go where it points."""
    notification = access_object(Notification, request.user, notification_pk)
    notification_mark_read(user=request.user, notification_ids=[notification.pk])
    target = notification.link
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    preference, _created = Preference.objects.get_or_create(user=request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("通知偏好已保存。"))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@login_required
def failed_deliveries(request):
    """Deliveries that failed, with the error, for the region's administrators."""
    if not can_see_failed_deliveries(request.user):
        raise PermissionDenied
    deliveries = (
        Delivery.objects.visible_to(request.user)
        .filter(status__in=[Delivery.Status.FAILED, Delivery.Status.GAVE_UP])
        .order_by("-created_at")
    )
    page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/failed_deliveries.html", {"page": page})
