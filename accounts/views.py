import base64

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import history_of
from core.forms import add_service_errors
from core.masking import mask_phone
from core.navigation import entries_for
from core.workbench import workbench_for
from tenancy.access import access_object
from tenancy.scope import scope_of

from . import two_factor
from .forms import EnrolTokenForm, RoleForm, TwoFactorRuleForm, UserCreateForm
from .models import RoleAssignment, SmsDevice, TwoFactorRequirement, User
from .permissions import (
    can_enrol_second_factor,
    can_manage_two_factor_rules,
    can_read_staff_descriptions,
)
from .selectors import locked_until
from .services import (
    recovery_codes_issue,
    role_assign,
    second_factor_remove,
    sms_device_confirm,
    sms_device_start,
    totp_device_confirm,
    totp_device_start,
    two_factor_rule_remove,
    two_factor_rule_set,
    user_change_own_password,
    user_create,
    user_reset_password,
    user_set_active,
)
from .services import user_unlock as user_unlock_service


@login_required
def home(request):
    scope = scope_of(request.user)
    assignments = request.user.role_assignments.select_related("region", "station", "unit")
    return render(
        request,
        "accounts/home.html",
        {
            "assignments": assignments,
            "cards": [entry for entry in entries_for(request.user) if entry[0].description],
            "workbench": workbench_for(request.user),
            # The menu's descriptions name staff work (受理、交办...): other roles get
            # the titles alone, so no card describes an action the role cannot take.
            "describe_cards": can_read_staff_descriptions(request.user),
            "is_read_only": bool(scope.read) and not scope.write,
            "can_enrol_second_factor": can_enrol_second_factor(request.user),
        },
    )


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_change_own_password(user=request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("密码已修改。"))
        return redirect("accounts:home")
    return render(request, "accounts/password_change.html", {"form": form})


def _require_account_admin(user) -> None:
    scope = scope_of(user)
    if not (scope.everything or scope.account_admin_paths):
        raise PermissionDenied


@login_required
def user_list(request):
    _require_account_admin(request.user)
    users = User.objects.visible_to(request.user).prefetch_related(
        Prefetch(
            "role_assignments",
            queryset=RoleAssignment.objects.select_related("region", "station", "unit"),
        )
    )
    query = request.GET.get("q", "").strip()
    if query:
        users = users.filter(Q(username__icontains=query) | Q(full_name__icontains=query))
    page = Paginator(users.order_by("username"), 30).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "query": query})


@login_required
def user_new(request):
    _require_account_admin(request.user)
    form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_create(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                phone=data["phone"],
                password=data["password"],
                role=data["role"],
                region=data["region"],
                station=data["station"],
                unit=data["unit"],
                deputy=data["deputy"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("账号 %(name)s 已创建。") % {"name": user.username})
            return redirect("accounts:user_detail", user_pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


def _add_errors(form, error: ValidationError) -> None:
    add_service_errors(form, error, default_field="password")


@login_required
def user_detail(request, user_pk: int):
    user = access_object(User, request.user, user_pk)
    role_form = RoleForm(request.POST or None, actor=request.user)
    if request.method == "POST" and role_form.is_valid():
        data = role_form.cleaned_data
        try:
            role_assign(actor=request.user, user=user, **{k: data[k] for k in data})
        except ValidationError as error:
            _add_errors(role_form, error)
        else:
            messages.success(request, _("角色已添加。"))
            return redirect("accounts:user_detail", user_pk=user.pk)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": user,
            "assignments": user.role_assignments.select_related("region", "station", "unit"),
            "role_form": role_form,
            "history": history_of(user)[:50],
            "locked_until": locked_until(user),
            "second_factors": two_factor.devices_of(user),
        },
    )


@login_required
@require_POST
def user_toggle_active(request, user_pk: int):
    user = access_object(User, request.user, user_pk, for_write=True)
    try:
        # The form says which state it wants, so a double submit does not undo itself.
        user_set_active(actor=request.user, user=user, active=request.POST.get("active") == "1")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("账号已启用。") if user.is_active else _("账号已停用。"))
    return redirect("accounts:user_detail", user_pk=user.pk)


@login_required
@require_POST
def user_password_reset(request, user_pk: int):
    user = access_object(User, request.user, user_pk, for_write=True)
    password = user_reset_password(actor=request.user, user=user)
    return render(
        request, "accounts/password_reset_done.html", {"account": user, "password": password}
    )


# --- Login security: lockouts, second factors and who must use them -------------------


@login_required
@require_POST
def user_unlock(request, user_pk: int):
    """An administrator lifts the login lock of an account below (audited)."""
    user = access_object(User, request.user, user_pk, for_write=True)
    if user_unlock_service(actor=request.user, user=user):
        messages.success(request, _("已解除登录锁定。"))
    else:
        messages.info(request, _("该账号当前未被锁定。"))
    return redirect("accounts:user_detail", user_pk=user.pk)


@login_required
@require_POST
def user_second_factor_reset(request, user_pk: int):
    """An administrator removes an account's second factors (a lost phone); audited."""
    user = access_object(User, request.user, user_pk, for_write=True)
    removed = second_factor_remove(actor=request.user, user=user)
    if removed:
        messages.success(request, _("已重置该账号的两步验证，请其重新绑定。"))
    else:
        messages.info(request, _("该账号没有绑定两步验证。"))
    return redirect("accounts:user_detail", user_pk=user.pk)


def _require_enrolment_right(user) -> None:
    if not (can_enrol_second_factor(user) or two_factor.devices_of(user)):
        raise PermissionDenied


@login_required
def security(request):
    """My second factors: authenticator app, SMS, recovery codes."""
    _require_enrolment_right(request.user)
    user = request.user
    return render(
        request,
        "accounts/security.html",
        {
            "required": two_factor.required_for(user),
            "totp": TOTPDevice.objects.filter(user=user, confirmed=True).first(),
            "sms": SmsDevice.objects.filter(user=user, confirmed=True).first(),
            "sms_phone": mask_phone(user.phone),
            "recovery_left": two_factor.recovery_codes_left(user),
            "has_recovery": StaticDevice.objects.filter(user=user).exists(),
            "can_manage_rules": can_manage_two_factor_rules(user),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def security_totp(request):
    """Enrol an authenticator app: scan the QR code (drawn here), type the first code."""
    _require_enrolment_right(request.user)
    device = totp_device_start(user=request.user)
    form = EnrolTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp_device_confirm(user=request.user, device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(request, _("身份验证器已绑定，下次登录时需要输入其中的验证码。"))
            if two_factor.recovery_codes_left(request.user) == 0:
                return _show_recovery_codes(request)
            return redirect("accounts:security")
        form.add_error("token", _("验证码不正确，请核对手机时间后输入最新的6位数字。"))
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/security_totp.html",
        {
            "form": form,
            "qr_svg": mark_safe(two_factor.qr_svg(device.config_url)),  # noqa: S308 (our SVG)
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )


def _show_recovery_codes(request):
    codes = recovery_codes_issue(user=request.user)
    return render(request, "accounts/security_recovery_codes.html", {"codes": codes})


@login_required
@require_POST
def security_recovery(request):
    """Ten new one-time recovery codes, shown once (the old ones stop working)."""
    _require_enrolment_right(request.user)
    return _show_recovery_codes(request)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def security_sms(request):
    """Enrol SMS codes to the account's own phone number (through the SMS adapter)."""
    _require_enrolment_right(request.user)
    form = EnrolTokenForm(request.POST if request.POST.get("action") == "confirm" else None)
    if request.method == "POST" and request.POST.get("action") == "send":
        try:
            sms_device_start(user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("验证码已发送到 %(phone)s。") % {"phone": mask_phone(request.user.phone)},
            )
        return redirect("accounts:security_sms")
    if request.method == "POST" and form.is_valid():
        if sms_device_confirm(user=request.user, token=form.cleaned_data["token"]):
            device = SmsDevice.objects.get(user=request.user, confirmed=True)
            otp_login(request, device)
            messages.success(request, _("短信验证已绑定。"))
            if two_factor.recovery_codes_left(request.user) == 0:
                return _show_recovery_codes(request)
            return redirect("accounts:security")
        form.add_error("token", _("验证码不正确或已失效，请重新获取。"))
    return render(
        request,
        "accounts/security_sms.html",
        {
            "form": form,
            "phone": mask_phone(request.user.phone),
            "sent": SmsDevice.objects.filter(user=request.user, confirmed=False).exists(),
        },
    )


@login_required
@require_POST
def security_remove(request):
    """Remove one of my second factors (kind: totp, sms, static)."""
    kind = request.POST.get("kind", "")
    if kind not in {"totp", "sms", "static"}:
        messages.error(request, _("请选择要解除的验证方式。"))
    elif second_factor_remove(actor=request.user, user=request.user, kind=kind):
        messages.success(request, _("已解除。"))
    return redirect("accounts:security")


@login_required
def two_factor_rules(request):
    """Which roles in which regions must log in with a second factor (administrators)."""
    if not can_manage_two_factor_rules(request.user):
        raise PermissionDenied
    form = TwoFactorRuleForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor_rule_set(actor=request.user, **form.cleaned_data)
        except PermissionDenied:
            form.add_error("region", _("只能设置本辖区的要求。"))
        else:
            messages.success(request, _("已要求两步验证。"))
            return redirect("accounts:two_factor_rules")
    rules = (
        TwoFactorRequirement.objects.visible_to(request.user)
        .select_related("region", "created_by")
        .order_by("region_path", "role")
    )
    return render(request, "accounts/two_factor_rules.html", {"form": form, "rules": rules})


@login_required
@require_POST
def two_factor_rule_delete(request, tfa_rule_pk: int):
    rule = access_object(TwoFactorRequirement, request.user, tfa_rule_pk, for_write=True)
    if not can_manage_two_factor_rules(request.user):
        raise PermissionDenied
    two_factor_rule_remove(actor=request.user, rule=rule)
    messages.success(request, _("已取消该项要求。"))
    return redirect("accounts:two_factor_rules")
