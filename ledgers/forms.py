from django import forms
from django.utils.translation import gettext_lazy as _

from core import clock
from core.phones import REVEAL_REASONS, may_export_full_phones
from dashboards.periods import KINDS, parse_period
from regions.models import Region
from regions.selectors import region_choices
from stations.filters import region_label

from .ledgers import LedgerKind

PERIOD_CHOICES = list(zip(KINDS, [_("按月"), _("按季度"), _("按年"), _("自定义")], strict=True))
LEVELS = (Region.Level.PROVINCE, Region.Level.CITY, Region.Level.COUNTY, Region.Level.TOWNSHIP)


class LedgerForm(forms.Form):
    ledger = forms.ChoiceField(
        label=_("台账"), choices=LedgerKind.choices, widget=forms.RadioSelect
    )
    region = forms.ModelChoiceField(
        label=_("区划"), queryset=Region.objects.none(), to_field_name="code", empty_label=None
    )
    period = forms.ChoiceField(label=_("统计时段"), choices=PERIOD_CHOICES, initial="year")
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        choices=[(q, _("第%(q)s季度") % {"q": q}) for q in range(1, 5)],
        coerce=int,
        required=False,
    )
    month = forms.TypedChoiceField(
        label=_("月份"),
        choices=[(m, _("%(m)s月") % {"m": m}) for m in range(1, 13)],
        coerce=int,
        required=False,
    )
    start = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    # An unmasked export is a separate choice with a reason, offered to staff only and
    # recorded in the audit trail (core/phones.py).
    full_phones = forms.BooleanField(label=_("导出完整手机号"), required=False)
    phone_reason = forms.ChoiceField(
        label=_("导出完整手机号的原因"),
        choices=[("", _("请选择原因…")), *REVEAL_REASONS],
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_export_full_phones(user):
            del self.fields["full_phones"]
            del self.fields["phone_reason"]
        field = self.fields["region"]
        field.queryset = (
            region_choices(user, for_write=False).filter(level__in=LEVELS).order_by("path")
        )
        field.label_from_instance = region_label
        today = clock.today()
        self.fields["year"].initial = today.year
        self.fields["quarter"].initial = (today.month - 1) // 3 + 1
        self.fields["month"].initial = today.month

    def clean(self):
        data = super().clean()
        if data.get("full_phones") and not data.get("phone_reason"):
            self.add_error("phone_reason", _("请选择导出完整手机号的原因。"))
        if data.get("period") == "custom":
            if not data.get("start") or not data.get("end"):
                raise forms.ValidationError(_("自定义时段请填写起始日期和截止日期。"))
            if data["end"] < data["start"]:
                raise forms.ValidationError(_("截止日期不能早于起始日期。"))
        return data

    def period_params(self) -> dict:
        data = self.cleaned_data
        raw = {
            "period": data["period"],
            "year": data.get("year"),
            "quarter": data.get("quarter"),
            "month": data.get("month"),
            "start": data["start"].isoformat() if data.get("start") else "",
            "end": data["end"].isoformat() if data.get("end") else "",
        }
        period = parse_period(
            {k: str(v) for k, v in raw.items() if v not in (None, "")},
            today=clock.today(),
        )
        return period.params()
