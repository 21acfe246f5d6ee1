from django import forms
from django.utils.translation import gettext_lazy as _

from deputies.models import Deputy

from .models import ReceptionRule, Weekday
from .services import deputy_choices, rule_errors


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class DeputyField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, deputy):
        return f"{deputy.name}（{deputy.get_level_display()}）"


class RuleForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("接待方式"), choices=ReceptionRule.Kind.choices, widget=forms.RadioSelect
    )
    day_of_month = forms.IntegerField(
        label=_("每月几号"),
        required=False,
        min_value=1,
        max_value=31,
        help_text=_("每月固定日必填；月进站轮值不选星期几时，从当月这一天起按工作日排班。"),
    )
    weekday = forms.TypedChoiceField(
        label=_("星期几"),
        choices=[("", "—"), *Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("每周固定日必填；月进站轮值可选，选择后各代表分到当月的这一天。"),
    )
    start_time = forms.TimeField(label=_("开始时间"), required=False, widget=TimeInput())
    end_time = forms.TimeField(label=_("结束时间"), required=False, widget=TimeInput())
    valid_from = forms.DateField(label=_("起始日期"), widget=DateInput())
    valid_until = forms.DateField(
        label=_("截止日期"), required=False, widget=DateInput(), help_text=_("长期有效可留空。")
    )
    deputies = DeputyField(
        label=_("值班代表"),
        queryset=Deputy.objects.none(),
        required=False,
        help_text=_("月进站轮值不选代表时，由当月编组在本站的全部代表轮流值班。"),
    )
    note = forms.CharField(label=_("备注"), max_length=100, required=False)

    def __init__(self, *args, actor, station, keep=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deputies"].queryset = deputy_choices(actor, station, keep=keep)

    def clean(self):
        data = super().clean()
        errors = rule_errors(
            kind=data.get("kind"),
            day_of_month=data.get("day_of_month"),
            weekday=data.get("weekday"),
            start_time=data.get("start_time"),
            end_time=data.get("end_time"),
            valid_from=data.get("valid_from"),
            valid_until=data.get("valid_until"),
        )
        for field, message in errors.items():
            if field not in self.errors:
                self.add_error(field, message)
        return data


class ExceptionForm(forms.Form):
    date = forms.DateField(
        label=_("日期"),
        widget=DateInput(),
        help_text=_("接待实际所在的日期（节假日顺延后的日期）。"),
    )
    cancelled = forms.BooleanField(label=_("当日取消接待"), required=False)
    deputies = DeputyField(label=_("当日值班代表"), queryset=Deputy.objects.none(), required=False)
    note = forms.CharField(label=_("说明"), max_length=100, required=False)

    def __init__(self, *args, actor, station, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deputies"].queryset = deputy_choices(actor, station)

    def clean(self):
        data = super().clean()
        if not data.get("cancelled") and not data.get("deputies") and "deputies" not in self.errors:
            self.add_error("deputies", _("请选择当日值班代表，或勾选“当日取消接待”。"))
        return data
