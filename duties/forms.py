from django import forms
from django.utils.translation import gettext_lazy as _

from core import clock

from .models import POINTS_MAX, POINTS_MIN, DutyKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DutyReportForm(forms.Form):
    year = forms.IntegerField(label=_("述职年度"), min_value=2000, max_value=2100)
    date = forms.DateField(label=_("述职日期"), widget=DateInput())
    notes = forms.CharField(
        label=_("述职情况"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("如：在西街社区向选民述职，参加选民45人，现场测评满意。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = clock.today()
        self.fields["year"].initial = today.year
        self.fields["date"].initial = today


class PointRulesForm(forms.Form):
    """One optional number per kind of duty; blank means "as the region above"."""

    def __init__(self, *args, inherited: dict, own: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in DutyKind.choices:
            weight = inherited[kind]
            source = weight.source or _("默认")
            self.fields[kind] = forms.IntegerField(
                label=label,
                required=False,
                min_value=POINTS_MIN,
                max_value=POINTS_MAX,
                initial=own.get(kind),
                widget=forms.NumberInput(
                    attrs={"placeholder": weight.points, "inputmode": "numeric"}
                ),
                help_text=_("留空则沿用上级：%(points)s分（%(source)s）")
                % {"points": weight.points, "source": source},
            )
