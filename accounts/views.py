from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import history_of
from core.forms import add_service_errors
from core.navigation import entries_for
from tenancy.access import access_object
from tenancy.scope import scope_of

from .forms import RoleForm, UserCreateForm
from .models import RoleAssignment, User
from .services import (
    role_assign,
    user_change_own_password,
    user_create,
    user_reset_password,
    user_set_active,
)


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
            "is_read_only": bool(scope.read) and not scope.write,
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
