"""Forms of the formal-suggestion pages: they shape input; the services decide."""

from __future__ import annotations

import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from deputies.models import Deputy

from .models import (
    TEXT_MAX,
    TITLE_MAX,
    Category,
    Contact,
    Rating,
    RefuseReason,
    ReplyClass,
    Session,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProposalForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("标题"), max_length=TITLE_MAX)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    session = forms.ChoiceField(label=_("提出时间"), choices=Session.choices, initial="between")
    problem = forms.CharField(
        label=_("存在的问题"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )
    causes = forms.CharField(
        label=_("原因分析"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    solution = forms.CharField(
        label=_("意见建议"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("具体、可操作的解决办法。"),
    )
    cosigners = forms.ModelMultipleChoiceField(
        label=_("联名代表"),
        queryset=Deputy.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("同级人大代表（按住Ctrl或长按可多选）；提交前须由本人确认联名。"),
    )
    sources = forms.MultipleChoiceField(
        label=_("建议来源"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("由哪些群众意见建议、接待、走访或视察调研形成。"),
    )
    attachment = forms.FileField(label=_("附件"), required=False)

    def __init__(self, *args, cosigner_choices=None, source_choices=(), with_file=True, **kw):
        super().__init__(*args, **kw)
        if cosigner_choices is not None:
            self.fields["cosigners"].queryset = cosigner_choices
        self.fields["sources"].choices = [(c.key, c.label) for c in source_choices]
        if not with_file:
            del self.fields["attachment"]
        if not self.is_bound and not self.initial.get("token"):
            self.initial["token"] = secrets.token_urlsafe(16)

    def source_pairs(self):
        pairs = []
        for key in self.cleaned_data.get("sources", []):
            kind, _sep, pk = key.partition(":")
            pairs.append((kind, int(pk)))
        return pairs


class RefuseForm(forms.Form):
    reason = forms.ChoiceField(label=_("不予立案理由"), choices=RefuseReason.choices)
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}))


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(label=_("并入建议"), queryset=None)

    def __init__(self, *args, candidates, **kw):
        super().__init__(*args, **kw)
        self.fields["into"].queryset = candidates


class AssignForm(forms.Form):
    lead_unit = forms.ModelChoiceField(label=_("主办单位"), queryset=None)
    co_units = forms.ModelMultipleChoiceField(
        label=_("协办单位"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    hard_case = forms.BooleanField(label=_("重大复杂（答复期限6个月）"), required=False)
    meeting = forms.ModelChoiceField(label=_("交办会"), queryset=None, required=False)

    def __init__(self, *args, units, meetings, **kw):
        super().__init__(*args, **kw)
        self.fields["lead_unit"].queryset = units
        self.fields["co_units"].queryset = units
        self.fields["meeting"].queryset = meetings


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))


class TextForm(forms.Form):
    text = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 5}))


class PlanForm(forms.Form):
    scheme = forms.CharField(label=_("办理方案"), widget=forms.Textarea(attrs={"rows": 3}))
    measures = forms.CharField(label=_("工作措施"), widget=forms.Textarea(attrs={"rows": 3}))
    goal = forms.CharField(label=_("办理目标"), widget=forms.Textarea(attrs={"rows": 2}))
    due = forms.DateField(label=_("完成时限"), widget=DATE)


class ContactForm(forms.Form):
    stage = forms.ChoiceField(label=_("环节"), choices=Contact.Stage.choices)
    held_on = forms.DateField(label=_("日期"), widget=DATE)
    mode = forms.ChoiceField(label=_("方式"), choices=Contact.Mode.choices)
    participants = forms.CharField(label=_("参加人员"), max_length=300)
    agreed = forms.CharField(label=_("商定事项"), widget=forms.Textarea(attrs={"rows": 3}))


class ExtensionForm(forms.Form):
    months = forms.IntegerField(label=_("延长月数"), min_value=1, max_value=12)
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 3}))


class DecideExtensionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审批"),
        choices=[("1", _("批准")), ("0", _("不批准"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("审批意见"), required=False)


class ReplyForm(forms.Form):
    klass = forms.ChoiceField(label=_("答复类别"), choices=ReplyClass.choices)
    text = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 6}))
    signed_by = forms.CharField(label=_("签发人"), max_length=64)
    letter = forms.FileField(
        label=_("答复函（PDF，加盖公章）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
    promise = forms.CharField(
        label=_("承诺事项"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("B类、C类必填：承诺解决的事项。"),
    )
    promise_due = forms.DateField(
        label=_("承诺期限"), required=False, widget=DATE, help_text=_("到期回头看。")
    )


class RateForm(forms.Form):
    attitude = forms.ChoiceField(
        label=_("办理态度"), choices=Rating.choices, widget=forms.RadioSelect
    )
    result = forms.ChoiceField(
        label=_("办理结果"), choices=Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("评价意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("对办理结果不满意的，将再办理一次。"),
    )


class SuperviseForm(forms.Form):
    key = forms.BooleanField(label=_("列为重点督办"), required=False)
    supervisor = forms.ModelChoiceField(label=_("领衔督办领导"), queryset=None, required=False)

    def __init__(self, *args, candidates, **kw):
        super().__init__(*args, **kw)
        self.fields["supervisor"].queryset = candidates


class PublicationForm(forms.Form):
    withheld = forms.BooleanField(label=_("不予公开"), required=False)
    reason = forms.CharField(label=_("不公开理由"), required=False, max_length=200)


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("会议名称"), max_length=100)
    held_on = forms.DateField(label=_("会议日期"), widget=DATE)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SettingsForm(forms.Form):
    assign_days = forms.IntegerField(label=_("交办期限（工作日）"), min_value=1)
    return_days = forms.IntegerField(label=_("退回期限（工作日）"), min_value=1)
    reply_months = forms.IntegerField(label=_("答复期限（月）"), min_value=1)
    hard_reply_months = forms.IntegerField(label=_("重大复杂答复期限（月）"), min_value=1)
    co_view_months = forms.IntegerField(label=_("协办意见期限（月）"), min_value=0)
    max_extension_months = forms.IntegerField(label=_("最长延期（月）"), min_value=0)
    rehandle_months = forms.IntegerField(label=_("再办理期限（月）"), min_value=1)
    remind_days_before = forms.IntegerField(label=_("到期前提醒（工作日）"), min_value=0)
    require_before_contact = forms.BooleanField(label=_("答复前须办前见面"), required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("附件"))


class PaperProposalForm(ProposalForm):
    """A proposal handed in on paper, entered by the office in the author's name."""

    author = forms.ModelChoiceField(label=_("领衔代表"), queryset=Deputy.objects.none())

    field_order = ["token", "author"]

    def __init__(self, *args, authors, **kw):
        super().__init__(*args, cosigner_choices=authors, source_choices=(), with_file=False, **kw)
        self.fields["author"].queryset = authors
        del self.fields["sources"]
        self.fields["cosigners"].help_text = _("在纸质建议上签名的同级代表。")
        self.order_fields(["token", "author"])

    def source_pairs(self):
        return []
