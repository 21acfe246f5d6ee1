"""Forms of the livelihood pages: what people type; the services keep the rules."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from suggestions.forms import TOKEN_RE, clean_phone, new_submission_token
from suggestions.models import HandlingUnit

from .models import CRITERIA, TEXT_MAX, ApprovalStep, Cycle, Inspection, Project, Proposal

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_PHOTO_BYTES = 8 * 1024 * 1024


class CycleForm(forms.ModelForm):
    region = forms.ModelChoiceField(label=_("所属区划"), queryset=None)

    class Meta:
        model = Cycle
        fields = [
            "region",
            "year",
            "title",
            "body",
            "body_name",
            "description",
            "collect_from",
            "collect_until",
            "session_on",
            "review_on",
            "places",
            "competitive",
            "margin_percent",
            "threshold_base",
            "quorum_numerator",
            "quorum_denominator",
            "plan_days",
            "rating_percent",
        ]
        widgets = {
            "collect_from": DATE,
            "collect_until": DATE,
            "session_on": DATE,
            "review_on": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["region"]
        else:
            self.fields["region"].queryset = regions


class ProposalForm(forms.Form):
    """A proposal collected offline (staff)."""

    channel = forms.ChoiceField(
        label=_("来源"),
        choices=[
            (c.value, c.label)
            for c in (
                Proposal.Channel.RECEPTION,
                Proposal.Channel.LETTER,
                Proposal.Channel.MEETING,
            )
        ],
    )
    title = forms.CharField(label=_("项目名称"), max_length=120)
    content = forms.CharField(label=_("内容和地点"), widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(
        label=_("理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    received_on = forms.DateField(label=_("收到日期"), required=False, widget=DATE)
    contact_name = forms.CharField(label=_("联系人（选填）"), max_length=64, required=False)
    contact_phone = forms.CharField(label=_("联系电话（选填）"), max_length=20, required=False)

    def clean_contact_phone(self):
        return clean_phone(self.cleaned_data["contact_phone"])


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("初审结果"),
        choices=[
            (c.value, c.label)
            for c in (
                Proposal.Decision.CANDIDATE,
                Proposal.Decision.MERGED,
                Proposal.Decision.REJECTED,
            )
        ],
        widget=forms.RadioSelect,
    )
    project = forms.ModelChoiceField(label=_("纳入候选项目"), queryset=None, required=False)
    merged_into = forms.ModelChoiceField(label=_("合并到"), queryset=None, required=False)
    decision_reason = forms.CharField(
        label=_("初审理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_MAX
    )

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        cycle = proposal.cycle
        self.fields["project"].queryset = cycle.projects.all()
        self.fields["merged_into"].queryset = cycle.proposals.exclude(pk=proposal.pk).exclude(
            decision=Proposal.Decision.MERGED
        )
        for key, label in CRITERIA:
            self.fields[f"c_{key}"] = forms.BooleanField(
                label=_("符合%(c)s") % {"c": label}, required=False
            )

    def criteria(self) -> dict:
        return {key: self.cleaned_data.get(f"c_{key}", False) for key, _label in CRITERIA}


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "name",
            "content",
            "implementer",
            "lead_unit",
            "co_units",
            "investment",
            "funding_source",
            "due_by",
            "requirements",
        ]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 3}),
            "requirements": forms.Textarea(attrs={"rows": 2}),
            "due_by": DATE,
        }

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = units if units is not None else HandlingUnit.objects.none()
        self.fields["lead_unit"].queryset = units
        self.fields["co_units"].queryset = units
        self.fields["co_units"].required = False


class ApprovalForm(forms.Form):
    kind = forms.ChoiceField(label=_("程序"), choices=ApprovalStep.Kind.choices)
    held_on = forms.DateField(label=_("日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class RoundForm(forms.Form):
    method = forms.ChoiceField(
        label=_("方式"),
        choices=[
            ("paper", _("纸质选票（计票人录入）")),
            ("electronic", _("电子表决（代表手机投票）")),
        ],
    )
    minutes = forms.IntegerField(label=_("电子表决时长（分钟）"), min_value=1, initial=30)
    projects = forms.ModelMultipleChoiceField(
        label=_("本轮表决项目（第一轮为全部候选项目，可不选）"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    places = forms.IntegerField(label=_("本轮名额（可不填）"), min_value=1, required=False)

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].queryset = cycle.projects.filter(status=Project.Status.CANDIDATE)


class ConfirmForm(forms.Form):
    role = forms.ChoiceField(
        label=_("身份"), choices=[("counter", _("计票人")), ("scrutineer", _("监票人"))]
    )
    teller_name = forms.CharField(label=_("姓名"), max_length=64)


class PlanForm(forms.Form):
    tasks = forms.CharField(label=_("任务分解"), widget=forms.Textarea(attrs={"rows": 4}))

    ROWS = 4

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(self.ROWS):
            self.fields[f"m{i}_title"] = forms.CharField(
                label=_("节点%(n)s") % {"n": i + 1}, max_length=120, required=False
            )
            self.fields[f"m{i}_due_on"] = forms.DateField(
                label=_("计划完成日期"), required=False, widget=DATE
            )
            self.fields[f"m{i}_share"] = forms.IntegerField(
                label=_("计划占比（%）"), min_value=1, max_value=100, required=False
            )
            self.fields[f"m{i}_unit"] = forms.ModelChoiceField(
                label=_("责任单位"),
                queryset=units if units is not None else HandlingUnit.objects.none(),
                required=False,
            )

    def milestones(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "title": data.get(f"m{i}_title") or "",
                "due_on": data.get(f"m{i}_due_on"),
                "share": data.get(f"m{i}_share"),
                "unit": data.get(f"m{i}_unit"),
            }
            for i in range(self.ROWS)
            if data.get(f"m{i}_title")
        ]


class ProgressForm(forms.Form):
    percent_done = forms.IntegerField(label=_("完成进度（%）"), min_value=0, max_value=100)
    spent = forms.DecimalField(label=_("累计已用资金（万元）"), min_value=0, decimal_places=2)
    milestone = forms.ModelChoiceField(label=_("对应节点"), queryset=None, required=False)
    note = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.ImageField(label=_("照片（选填）"), required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = project.milestones.all()

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > MAX_PHOTO_BYTES:
            raise ValidationError(_("照片不能超过8MB。"))
        return photo


class InspectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("形式"), choices=Inspection.Kind.choices)
    held_on = forms.DateField(label=_("日期"), widget=DATE)
    findings = forms.CharField(label=_("发现情况"), widget=forms.Textarea(attrs={"rows": 3}))
    deputies = forms.ModelMultipleChoiceField(
        label=_("参加代表"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    problem = forms.CharField(label=_("发现的问题（选填，转入督办）"), required=False)
    problem_due_on = forms.DateField(label=_("问题整改期限"), required=False, widget=DATE)

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        from deputies.models import Deputy

        self.fields["deputies"].queryset = Deputy.objects.filter(
            livelihood_seats__cycle=cycle
        ).order_by("name")


class SupervisorsForm(forms.Form):
    deputies = forms.ModelMultipleChoiceField(
        label=_("监督小组代表"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        from deputies.models import Deputy

        self.fields["deputies"].queryset = Deputy.objects.filter(
            livelihood_seats__cycle=cycle
        ).order_by("name")


class ExplainForm(forms.Form):
    explanation = forms.CharField(label=_("书面说明"), widget=forms.Textarea(attrs={"rows": 3}))
    rectification = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 3}))
    rectification_due = forms.DateField(label=_("整改期限"), required=False, widget=DATE)


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("解决情况"), widget=forms.Textarea(attrs={"rows": 2}))


class PublicProposalForm(forms.Form):
    """What anyone fills in on the cycle's phone page. Works without JavaScript."""

    title = forms.CharField(
        label=_("想办的实事"),
        max_length=120,
        help_text=_("一句话，如：坡底社区道路硬化"),
    )
    content = forms.CharField(
        label=_("具体内容和地点"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX}),
    )
    reason = forms.CharField(
        label=_("理由（选填）"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_MAX}),
    )
    photo = forms.ImageField(label=_("照片（选填）"), required=False)
    contact_name = forms.CharField(label=_("您的称呼（选填）"), max_length=64, required=False)
    contact_phone = forms.CharField(
        label=_("手机号（选填）"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    submission_token = forms.CharField(widget=forms.HiddenInput)
    website = forms.CharField(
        required=False,
        label=_("请勿填写"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_token", new_submission_token())

    def clean_submission_token(self):
        token = self.cleaned_data["submission_token"]
        if not TOKEN_RE.match(token):
            raise ValidationError(_("页面已过期，请刷新后重新提交。"))
        return token

    def clean_contact_phone(self):
        return clean_phone(self.cleaned_data["contact_phone"])

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > MAX_PHOTO_BYTES:
            raise ValidationError(_("照片不能超过8MB。"))
        return photo

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))
