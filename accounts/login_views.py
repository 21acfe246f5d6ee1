"""The login flow: password, then a second factor when the account has one.

1. `/login/`: the password (django-axes locks an account after repeated failures; the
   client address is throttled across usernames, accounts.throttle). An account with a
   confirmed device is not logged in yet: the session remembers it for
   LOGIN_SECOND_STEP_MINUTES and the browser goes to step 2. An account a rule requires
   a second factor of but which has none is logged in and sent to enrol
   (accounts.middleware.TwoFactorRequiredMiddleware).
2. `/login/verify/`: a code from the authenticator app, an SMS code or a recovery code.
3. `/login/second-factor/`: the way in for the owner of a locked account (or of an
   address throttled by someone else on the same network): password and a code together;
   it lifts the lock, audited.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from audit.models import AuditRecord
from audit.services import audit_record
from core import clock
from core.net import client_ip
from suggestions import ratelimit

from . import services, throttle, two_factor
from .forms import SecondFactorLoginForm, TokenForm
from .models import SmsDevice, User
from .signals import address_failure

PENDING_KEY = "login_pending"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _safe_next(request, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return resolve_url("accounts:home")


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if throttle.address_blocked(client_ip(request)):
            # An unbound form: a bound one would check the password on render.
            form = self.get_form_class()(
                request, initial={"username": request.POST.get("username")}
            )
            context = self.get_context_data(form=form, address_blocked=True)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        if two_factor.devices_of(user):
            self.request.session[PENDING_KEY] = {
                "uid": user.pk,
                "backend": user.backend,
                "at": clock.now().timestamp(),
                "next": self.get_redirect_url(),
            }
            return redirect("accounts:login_verify")
        return super().form_valid(form)


def _pending_user(request):
    """The account whose password was accepted a moment ago in this browser, and the data."""
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return None, None
    if clock.now().timestamp() - pending["at"] > settings.LOGIN_SECOND_STEP_MINUTES * 60:
        request.session.pop(PENDING_KEY, None)
        return None, None
    user = User.objects.filter(pk=pending["uid"], is_active=True).first()
    return user, pending


@require_http_methods(["GET", "HEAD", "POST"])
def login_verify(request):
    """Step 2. Also where a signed-in but unverified account that must use a second
    factor is sent (logged in before a rule required it)."""
    if request.user.is_authenticated:
        if request.user.is_verified() or not two_factor.devices_of(request.user):
            return redirect("accounts:home")
        user, pending = request.user, {"next": request.GET.get("next"), "backend": None}
    else:
        user, pending = _pending_user(request)
        if user is None:
            messages.info(request, _("登录已超时，请重新输入密码。"))
            return redirect("accounts:login")
    sms = SmsDevice.objects.filter(user=user, confirmed=True).first()
    sending = request.POST.get("action") == "sms"
    form = TokenForm(request.POST if request.method == "POST" and not sending else None)
    status = 200
    if request.method == "POST" and sending and sms is not None:
        try:
            services.sms_send_code(device=sms)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("验证码已发送到 %(phone)s。") % {"phone": _masked(sms)})
        return redirect(request.get_full_path())
    if request.method == "POST" and form.is_valid():
        if throttle.address_blocked(client_ip(request)):
            form.add_error(None, _("此网络地址登录失败次数过多，请稍后再试。"))
            status = 429
        else:
            device = two_factor.verify(user, form.cleaned_data["token"])
            if device is not None:
                if not request.user.is_authenticated:
                    request.session.pop(PENDING_KEY, None)
                    auth_login(request, user, backend=pending["backend"])
                otp_login(request, device)
                _note_recovery_code(user, device)
                return redirect(_safe_next(request, pending.get("next")))
            audit_record(
                actor=None,
                action=AuditRecord.Action.LOGIN_FAILED,
                actor_label=user.get_username(),
                note=_("第二步验证码错误"),
                succeeded=False,
            )
            address_failure(request)
            if two_factor.throttled(user):
                form.add_error("token", _("验证码错误次数较多，请等几秒后再输入新的验证码。"))
            else:
                form.add_error("token", _("验证码不正确或已失效，请重新输入。"))
            status = 400
    return render(
        request,
        "accounts/login_verify.html",
        {
            "form": form,
            "account": user,
            "sms": sms,
            "sms_phone": _masked(sms) if sms else "",
            "has_totp": two_factor.has_totp(user),
            "has_recovery": two_factor.recovery_codes_left(user) > 0,
        },
        status=status,
    )


def _masked(device) -> str:
    from core.masking import mask_phone

    return mask_phone(device.number)


def _note_recovery_code(user, device) -> None:
    if device._meta.model_name == "staticdevice":
        audit_record(
            actor=user,
            action=AuditRecord.Action.LOGIN,
            obj=user,
            note=_("使用恢复码登录，剩余%(left)s个") % {"left": device.token_set.count()},
        )


SECOND_FACTOR_SCOPE = "login-2fa-fail-ip"


@require_http_methods(["GET", "HEAD", "POST"])
def login_second_factor(request):
    """Password and code together: the owner's way into a locked account."""
    if request.user.is_authenticated:
        return redirect("accounts:home")
    form = SecondFactorLoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
        window = settings.LOGIN_ADDRESS_WINDOW_MINUTES * 60
        if ratelimit.exceeded(SECOND_FACTOR_SCOPE, ip, limit=limit, window=window):
            form.add_error(None, _("此网络地址验证失败次数过多，请稍后再试。"))
            status = 429
        else:
            data = form.cleaned_data
            # ModelBackend directly: django-axes' lock is what this page lets the owner past.
            user = ModelBackend().authenticate(
                request, username=data["username"], password=data["password"]
            )
            device = two_factor.verify(user, data["token"]) if user is not None else None
            if device is not None:
                services.user_unlock(
                    actor=user, user=user, note=_("本人以第二因素验证后解除登录锁定")
                )
                auth_login(request, user, backend=MODEL_BACKEND)
                otp_login(request, device)
                _note_recovery_code(user, device)
                return redirect(_safe_next(request, request.POST.get("next")))
            ratelimit.hit(SECOND_FACTOR_SCOPE, ip, limit=limit, window=window)
            audit_record(
                actor=None,
                action=AuditRecord.Action.LOGIN_FAILED,
                actor_label=data["username"][:150],
                note=_("密码加第二因素登录失败"),
                succeeded=False,
            )
            form.add_error(None, _("登录名、密码或验证码不正确。"))
            status = 400
    return render(
        request,
        "accounts/login_second_factor.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=status,
    )


def admin_login(request, extra_context=None):
    """Django admin signs in through the portal's login (and so its second step)."""
    from django.contrib.auth.views import redirect_to_login
    from django.core.exceptions import PermissionDenied

    if request.user.is_authenticated:
        raise PermissionDenied  # signed in but not admin staff: no redirect loop
    return redirect_to_login(
        request.GET.get("next") or resolve_url("admin:index"),
        login_url=resolve_url("accounts:login"),
    )
