"""Forms of appointments. Checks that need the database or the clock stay in the services."""

from __future__ import annotations

import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import LocalMomentField
from suggestions.models import Category

from .models import ContactMode, Rating, ReportBack


def new_token() -> str:
    return secrets.token_urlsafe(24)


class TokenForm(forms.Form):
    """A form whose submit carries a random token: a retried POST finds the first row."""

    form_token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_token", new_token())


class BookingForm(forms.Form):
    """A citizen books a deputy: a reception day or another time."""

    day = forms.ChoiceField(label=_("选择接待日"), required=False, widget=forms.RadioSelect)
    wished = forms.CharField(
        label=_("或填写希望的约见时间"),
        max_length=100,
        required=False,
        help_text=_("如：下周二下午；没有合适的接待日时填写"),
    )
    category = forms.ChoiceField(label=_("问题类别"), choices=Category.choices, initial="other")
    topic = forms.CharField(
        label=_("约见事由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )
    name = forms.CharField(label=_("您的姓名"), max_length=40)
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        help_text=_("用于接收约见结果和前一天的提醒短信"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    consent = forms.BooleanField(label=_("我已阅读并同意以上个人信息处理说明"), required=False)
    submission_token = forms.CharField(widget=forms.HiddenInput)
    website = forms.CharField(
        required=False,
        label=_("请勿填写"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, days=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [
            (
                d.key,
                f"{d.date:%m月%d日} {d.start_time:%H:%M}–{d.end_time:%H:%M} {d.station_name}"
                if d.start_time and d.end_time
                else f"{d.date:%m月%d日} {d.station_name}",
            )
            for d in days
            if d.left > 0
        ]
        if not self.is_bound:
            self.initial.setdefault("submission_token", new_token())

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProposeForm(forms.Form):
    date = forms.DateField(label=_("改约日期"), widget=forms.DateInput(attrs={"type": "date"}))
    time_note = forms.CharField(label=_("时间"), max_length=60, required=False)
    reason = forms.CharField(label=_("说明"), max_length=300, required=False)


class HoldBookingForm(forms.Form):
    notes = forms.CharField(
        label=_("接待情况"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    raise_concern = forms.BooleanField(
        label=_("把约见事由登记为群众意见建议"), required=False, initial=True
    )


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(label=_("可约人数"), min_value=1, max_value=200)


class MeetingRequestForm(TokenForm):
    unit = forms.ModelChoiceField(label=_("约见单位"), queryset=None)
    deputies = forms.ModelMultipleChoiceField(
        label=_("约见代表"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    subject = forms.CharField(label=_("约见事项"), max_length=200)
    reasons = forms.CharField(
        label=_("约见理由"), max_length=3000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, units, deputies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["deputies"].queryset = deputies


class ScheduleForm(forms.Form):
    meeting_at = LocalMomentField(
        label=_("约见时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=_("约见地点"), max_length=120)
    attendees = forms.CharField(label=_("参加约见的负责人"), max_length=300)


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("约见纪要"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("书面反馈"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )


class RateForm(forms.Form):
    rating = forms.ChoiceField(label=_("评价"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("意见"), max_length=300, required=False)


class ReportScheduleForm(TokenForm):
    deputy = forms.ModelChoiceField(label=_("述职代表"), queryset=None)
    station = forms.ModelChoiceField(label=_("述职地点"), queryset=None)
    starts_at = LocalMomentField(
        label=_("述职时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    method = forms.ChoiceField(label=_("测评方式"), choices=ReportBack.Method.choices)

    def __init__(self, *args, deputies, stations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = deputies
        self.fields["station"].queryset = stations


class ReportHoldForm(forms.Form):
    audience = forms.IntegerField(label=_("参加选民人数"), min_value=1, max_value=100000)
    report_text = forms.CharField(
        label=_("述职报告"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8})
    )
    questions = forms.CharField(
        label=_("选民提出的问题"),
        required=False,
        max_length=5000,
        help_text=_("每行一条，将作为群众意见建议办理"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class TallyForm(forms.Form):
    satisfied = forms.IntegerField(label=_("满意"), min_value=0)
    basically = forms.IntegerField(label=_("基本满意"), min_value=0)
    unsatisfied = forms.IntegerField(label=_("不满意"), min_value=0)


class VoteForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("您的评议"), choices=Rating.choices, widget=forms.RadioSelect
    )
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        help_text=_("每个手机号只能评议一次；号码不会被保存，也不与您的评议关联"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class GroupActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("活动类型"), choices=())
    title = forms.CharField(label=_("活动主题"), max_length=100)
    date = forms.DateField(label=_("活动日期"), widget=forms.DateInput(attrs={"type": "date"}))
    convenor = forms.ModelChoiceField(label=_("召集人"), queryset=None, required=False)
    deputies = forms.ModelMultipleChoiceField(
        label=_("参加成员"), queryset=None, widget=forms.CheckboxSelectMultiple, required=False
    )
    notes = forms.CharField(
        label=_("活动情况"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, members, **kwargs):
        from receptions.models import ActivityKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ActivityKind.choices
        self.fields["kind"].initial = ActivityKind.THEME
        self.fields["convenor"].queryset = members
        self.fields["deputies"].queryset = members


class BindForm(forms.Form):
    member = forms.ModelChoiceField(label=_("常委会组成人员"), queryset=None)
    deputy = forms.ModelChoiceField(label=_("联系代表"), queryset=None)

    def __init__(self, *args, members, deputies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["deputy"].queryset = deputies


class ContactForm(TokenForm):
    date = forms.DateField(label=_("联系日期"), widget=forms.DateInput(attrs={"type": "date"}))
    mode = forms.ChoiceField(label=_("联系方式"), choices=ContactMode.choices)
    matters = forms.CharField(
        label=_("联系事项"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class LeaderVisitForm(TokenForm):
    station = forms.ModelChoiceField(label=_("联络站点"), queryset=None)
    leader = forms.ModelChoiceField(label=_("进站领导"), queryset=None)
    date = forms.DateField(label=_("进站日期"), widget=forms.DateInput(attrs={"type": "date"}))
    people_count = forms.IntegerField(label=_("接待群众人数"), min_value=0, max_value=100000)
    matters = forms.CharField(
        label=_("收集的问题"),
        required=False,
        max_length=5000,
        help_text=_("每行一条，将作为群众意见建议办理"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    notes = forms.CharField(
        label=_("进站情况"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, stations, leaders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
        self.fields["leader"].queryset = leaders


class DutyEventForm(TokenForm):
    kind = forms.ChoiceField(label=_("履职类型"), choices=())
    title = forms.CharField(label=_("事项"), max_length=200)
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    region = forms.ModelChoiceField(label=_("所属区划"), queryset=None)
    deputies = forms.ModelMultipleChoiceField(
        label=_("参加代表"), queryset=None, widget=forms.SelectMultiple(attrs={"size": 8})
    )

    def __init__(self, *args, regions, deputies, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds
        self.fields["region"].queryset = regions
        self.fields["deputies"].queryset = deputies
