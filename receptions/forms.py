import re
import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import MultipleImageField
from deputies.models import Deputy
from stations.models import Station
from suggestions.models import CONTENT_MAX_LENGTH, Category

from .models import ActivityKind, ContactHousehold, ReceptionRule, Weekday
from .services import (
    MAX_ACTIVITY_PHOTOS,
    MAX_RAISED,
    RaisedSuggestion,
    activity_deputy_choices,
    deputy_choices,
    present_deputy_choices,
    rule_errors,
)


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


# --- The registers ---------------------------------------------------------------------

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
PHOTO_MAX_BYTES = 10 * 1024 * 1024


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


def clean_phone(value: str) -> str:
    value = re.sub(r"[\s()（）]", "", value or "")
    if value and not PHONE_RE.match(value):
        raise ValidationError(_("请填写正确的手机号（11位）或座机号。"))
    return value


class TokenField(forms.CharField):
    """The hidden random token that makes a retried submit find the first one."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=True, max_length=64, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not TOKEN_RE.match(value):
            raise ValidationError(_("表单已失效，请刷新页面后重新填写。"))
        return value


class StationField(forms.ModelChoiceField):
    def label_from_instance(self, station):
        return station.name


class PresentDeputyField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, deputy):
        return deputy.name


class ReceptionForm(forms.Form):
    """The header of a register entry: where, when, who, how many."""

    station = StationField(label=_("联络站点"), queryset=Station.objects.none(), empty_label=None)
    date = forms.DateField(label=_("接待日期"), widget=DateInput())
    deputies = PresentDeputyField(label=_("接待代表"), queryset=Deputy.objects.none())
    people_count = forms.IntegerField(
        label=_("接待群众人数"),
        min_value=0,
        max_value=9999,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    notes = forms.CharField(
        label=_("接待情况（选填）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    form_token = TokenField()

    def __init__(self, *args, stations, station=None, keep=(), fixed_station=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
        if fixed_station:
            self.fields["station"].disabled = True
        if station is not None:
            self.fields["deputies"].queryset = present_deputy_choices(station, keep=keep)


class RaisedByField(forms.ModelChoiceField):
    def label_from_instance(self, deputy):
        return deputy.name


class RaisedSuggestionForm(forms.Form):
    """One suggestion raised: it becomes a suggestion. A row left blank is ignored."""

    category = forms.ChoiceField(
        label=_("问题类别"), choices=[("", _("请选择"))] + list(Category.choices)
    )
    content = forms.CharField(
        label=_("反映的问题"),
        max_length=CONTENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": CONTENT_MAX_LENGTH}),
    )
    contact_name = forms.CharField(label=_("反映人姓名（选填）"), max_length=64, required=False)
    contact_phone = forms.CharField(
        label=_("反映人手机号（选填）"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    answer = forms.CharField(
        label=_("代表当场答复（选填）"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("当场答复或解决的，填写答复内容，事项即转为“已答复”。"),
    )
    deputy = RaisedByField(
        label=_("记在哪位代表名下（选填）"),
        queryset=Deputy.objects.none(),
        required=False,
        empty_label=_("在场代表仅一位时自动记入"),
    )

    def __init__(self, *args, deputies=None, show_deputy=True, **kwargs):
        super().__init__(*args, **kwargs)
        if deputies is not None and show_deputy:
            self.fields["deputy"].queryset = deputies
        else:
            del self.fields["deputy"]

    def clean_contact_phone(self):
        return clean_phone(self.cleaned_data["contact_phone"])

    def to_raised(self) -> RaisedSuggestion:
        data = self.cleaned_data
        return RaisedSuggestion(
            category=data["category"],
            content=data["content"].strip(),
            contact_name=data.get("contact_name", "").strip(),
            contact_phone=data.get("contact_phone", ""),
            answer=data.get("answer", "").strip(),
            deputy=data.get("deputy"),
        )


class BaseRaisedSuggestionFormSet(forms.BaseFormSet):
    def raised(self) -> list[RaisedSuggestion]:
        return [
            form.to_raised()
            for form in self.forms
            if form.has_changed() and not self._should_delete_form(form)
        ]


RaisedSuggestionFormSet = forms.formset_factory(
    RaisedSuggestionForm,
    formset=BaseRaisedSuggestionFormSet,
    extra=1,
    max_num=MAX_RAISED,
    validate_max=True,
)


class ReceptionEditForm(ReceptionForm):
    """Correcting an entry: the station stays; new suggestions may be added."""

    def __init__(self, *args, **kwargs):
        kwargs["fixed_station"] = True
        super().__init__(*args, **kwargs)


class DeputyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, deputy):
        return deputy.name


class HouseholdChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, household):
        person = household.constituent
        label = person.name or str(person)
        return f"{label}（{household.address}）" if household.address else label


class VisitForm(forms.Form):
    deputy = DeputyChoiceField(
        label=_("人大代表"), queryset=Deputy.objects.none(), empty_label=None
    )
    date = forms.DateField(label=_("走访日期"), widget=DateInput())
    households = HouseholdChoiceField(
        label=_("走访的联系户"), queryset=ContactHousehold.objects.none(), required=False
    )
    place = forms.CharField(
        label=_("走访地点"),
        max_length=120,
        required=False,
        help_text=_("未走访固定联系户时填写，如：西街社区3号楼"),
    )
    notes = forms.CharField(
        label=_("走访情况（选填）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    form_token = TokenField()

    def __init__(self, *args, deputies, deputy=None, fixed_deputy=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = deputies
        if fixed_deputy:
            self.fields["deputy"].disabled = True
        if deputy is not None:
            self.fields["households"].queryset = (
                ContactHousehold.objects.filter(deputy=deputy, active=True)
                .select_related("constituent")
                .order_by("pk")
            )

    def clean(self):
        data = super().clean()
        no_place = not (data.get("place") or "").strip()
        if not data.get("households") and no_place and "place" not in self.errors:
            self.add_error("place", _("请选择走访的联系户，或填写走访地点。"))
        return data


class HouseholdForm(forms.Form):
    name = forms.CharField(label=_("户主姓名"), max_length=64)
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    village = forms.CharField(label=_("村（社区）"), max_length=100, required=False)
    address = forms.CharField(label=_("住址"), max_length=120, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])


class HouseholdEditForm(forms.Form):
    address = forms.CharField(label=_("住址"), max_length=120, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    active = forms.BooleanField(label=_("仍为固定联系户"), required=False)


class ActivityForm(forms.Form):
    station = StationField(label=_("联络站点"), queryset=Station.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label=_("活动类型"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("活动主题"), max_length=100)
    date = forms.DateField(label=_("活动日期"), widget=DateInput())
    deputies = PresentDeputyField(
        label=_("参加代表"), queryset=Deputy.objects.none(), required=False
    )
    other_attendees = forms.CharField(
        label=_("其他参加人员"),
        max_length=300,
        required=False,
        help_text=_("如：县人大常委会副主任张某、镇党委书记李某、群众20人"),
    )
    notes = forms.CharField(
        label=_("活动情况"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photos = MultipleImageField(
        max_count=MAX_ACTIVITY_PHOTOS,
        max_bytes=PHOTO_MAX_BYTES,
        label=_("活动照片"),
        required=False,
        help_text=_("仅限图片，每张不超过10MB，每次活动最多6张。"),
    )

    def __init__(self, *args, stations, station=None, keep=(), fixed_station=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
        if fixed_station:
            self.fields["station"].disabled = True
        if station is not None:
            self.fields["deputies"].queryset = activity_deputy_choices(station, keep=keep)
