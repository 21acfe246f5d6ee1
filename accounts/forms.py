from django import forms
from django.utils.translation import gettext_lazy as _

from deputies.models import Deputy
from regions.models import Region
from stations.models import Station
from suggestions.models import HandlingUnit
from tenancy.scope import restrict_to_account_admin_area as _admin_scoped
from tenancy.scope import scope_of

from .models import Role
from .services import role_binding_errors


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    region = forms.ModelChoiceField(
        label=_("所属区划"), queryset=Region.objects.none(), required=False
    )
    station = forms.ModelChoiceField(
        label=_("联络站（联络员）"), queryset=Station.objects.none(), required=False
    )
    unit = forms.ModelChoiceField(
        label=_("承办单位（经办人）"), queryset=HandlingUnit.objects.none(), required=False
    )
    deputy = forms.ModelChoiceField(
        label=_("代表档案（代表）"), queryset=Deputy.objects.none(), required=False
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _admin_scoped(
            Region.objects.exclude(level=Region.Level.VILLAGE), actor
        )
        self.fields["station"].queryset = _admin_scoped(Station.objects.all(), actor)
        self.fields["unit"].queryset = _admin_scoped(HandlingUnit.objects.all(), actor)
        self.fields["deputy"].queryset = _admin_scoped(
            Deputy.objects.filter(user__isnull=True), actor
        )
        if not scope_of(actor).has_role(Role.SYSADMIN):
            self.fields["role"].choices = [c for c in Role.choices if c[0] != Role.SYSADMIN]

    def clean(self):
        data = super().clean()
        for field, message in role_binding_errors(
            role=data.get("role"),
            region=data.get("region"),
            station=data.get("station"),
            unit=data.get("unit"),
            deputy=data.get("deputy"),
        ).items():
            self.add_error(field, message)
        return data


class UserCreateForm(RoleForm):
    username = forms.RegexField(
        label=_("登录名"),
        regex=r"^[A-Za-z0-9_.-]{3,40}$",
        error_messages={"invalid": _("登录名为3到40位字母、数字或 _ . -")},
    )
    full_name = forms.CharField(label=_("姓名"), max_length=64)
    phone = forms.RegexField(
        label=_("手机号"),
        regex=r"^1\d{10}$",
        required=False,
        error_messages={"invalid": _("请输入11位手机号")},
    )
    password = forms.CharField(
        label=_("初始密码"),
        widget=forms.PasswordInput(render_value=True),
        help_text=_("至少10位，须同时包含字母和数字；用户首次登录后须修改。"),
    )

    field_order = ["username", "full_name", "phone", "password", "role"]

    def clean_username(self):
        from .models import User

        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("该登录名已被使用。"))
        return username


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("验证码"),
        max_length=32,
        error_messages={"required": _("请输入验证码。")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
        help_text=_("身份验证器或短信中的6位数字，或一个恢复码。"),
    )


class EnrolTokenForm(TokenForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].help_text = _("输入6位数字。")


class SecondFactorLoginForm(TokenForm):
    username = forms.CharField(
        label=_("登录名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("密码"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    field_order = ["username", "password", "token"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].widget.attrs.pop("autofocus", None)
        self.fields["token"].help_text = _("身份验证器中的6位数字，或一个恢复码。")


class TwoFactorRuleForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    region = forms.ModelChoiceField(label=_("区划（含下级）"), queryset=Region.objects.none())

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _admin_scoped(
            Region.objects.exclude(level=Region.Level.VILLAGE), actor
        ).order_by("path")
