from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import CLOSED, OPEN
from .services import NOTE_MAX_LENGTH


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("办理情况"),
        choices=[(OPEN, _("未答复")), (CLOSED, _("已答复或办结")), ("all", _("全部"))],
        required=False,
    )
    level = forms.ChoiceField(
        label=_("督办层级"),
        choices=[
            ("", _("全部层级")),
            ("city", _("市级督办")),
            ("county", _("县区级督办")),
            ("township", _("乡镇街道督办")),
        ],
        required=False,
    )
    key = forms.BooleanField(label=_("只看重点督办"), required=False)


class EscalateForm(forms.Form):
    note = forms.CharField(
        label=_("督办意见"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("写明督办的原因和要求，将印在提醒督办函中。"),
    )
    key = forms.BooleanField(label=_("列为重点督办"), required=False)
