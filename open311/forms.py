from django import forms
from django.utils.translation import gettext_lazy as _

from regions.models import Region
from regions.selectors import region_choices

from .models import ApiClient


class ClientForm(forms.Form):
    name = forms.CharField(label=_("系统名称"), max_length=100)
    region = forms.ModelChoiceField(label=_("对接辖区"), queryset=Region.objects.none())
    access = forms.ChoiceField(label=_("权限"), choices=ApiClient.Access.choices)
    contact = forms.CharField(label=_("联系人及电话"), max_length=100, required=False)
    pipl_notice = forms.BooleanField(
        label=_("对接系统已承诺在其页面上向群众告知个人信息处理规则"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = region_choices(user).exclude(level=Region.Level.VILLAGE)
