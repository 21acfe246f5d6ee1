from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record
from core.net import client_ip

from . import throttle, two_factor  # noqa: F401  (two_factor: its rule-cache receivers)


@receiver(user_logged_in)
def _audit_login(sender, request, user, **kwargs):
    audit_record(actor=user, action=AuditRecord.Action.LOGIN)


@receiver(user_logged_out)
def _audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action=AuditRecord.Action.LOGOUT)


@receiver(user_login_failed)
def _audit_login_failed(sender, credentials, request=None, **kwargs):
    audit_record(
        actor=None,
        action=AuditRecord.Action.LOGIN_FAILED,
        actor_label=str(credentials.get("username", ""))[:150],
        succeeded=False,
    )
    if request is not None:
        address_failure(request)


def address_failure(request) -> None:
    """Count a failed login against the client address; audit the moment it is blocked."""
    ip = client_ip(request)
    if throttle.count_failure(ip):
        audit_record(
            actor=None,
            action=AuditRecord.Action.STATE,
            actor_label=(ip or "")[:150],
            changes={"address_blocked": [False, True]},
            note=_("同一地址登录失败%(count)s次，暂停该地址的密码登录%(minutes)s分钟")
            % {
                "count": settings.LOGIN_ADDRESS_FAILURE_LIMIT,
                "minutes": settings.LOGIN_ADDRESS_WINDOW_MINUTES,
            },
            succeeded=False,
        )


@receiver(user_locked_out)
def _audit_lockout(sender, request, username=None, ip_address=None, **kwargs):
    """An account locked by django-axes goes into the audit trail, on the account's own
    history, once: at the failure that reached the limit (later refused tries while
    locked are login failures already)."""
    from axes.helpers import get_failure_limit

    from .models import User

    failures = getattr(request, "axes_failures_since_start", None)
    if failures != get_failure_limit(request, None):
        return
    account = User.objects.filter(username=username).first() if username else None
    audit_record(
        actor=None,
        action=AuditRecord.Action.STATE,
        obj=account,
        actor_label=str(username or "")[:150],
        changes={"locked": [False, True]},
        note=_("连续登录失败，账号暂时锁定"),
        succeeded=False,
    )
