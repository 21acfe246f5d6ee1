from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import clock
from regions.models import Region
from regions.selectors import region_choices
from suggestions.forms import TOKEN_RE, clean_phone, new_submission_token

from . import selectors
from .models import (
    CONTENT_MAX_LENGTH,
    OFFLINE_CHANNELS,
    Article,
    AuthorKind,
    Channel,
    Collector,
    Comment,
    Consultation,
    Meeting,
    Sending,
)

DOCX_MAX_BYTES = 10 * 1024 * 1024
XLSX_MAX_BYTES = 5 * 1024 * 1024
ISSUING_LEVELS = (Region.Level.PROVINCE, Region.Level.CITY, Region.Level.COUNTY)
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PointsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.region.name}）"


class ArticleField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Article) -> str:
        text = obj.paragraphs[0] if obj.paragraphs else ""
        return f"{obj.label} {text[:24]}{'…' if len(text) > 24 else ''}"


class ConsultationForm(forms.ModelForm):
    points = PointsField(
        label=_("参加的基层立法联系点"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("本辖区内的基层立法联系点（含“同时为基层立法联系点”的联络站点）。"),
    )

    class Meta:
        model = Consultation
        fields = [
            "region",
            "kind",
            "title",
            "issuing_body",
            "summary_to",
            "opens_on",
            "closes_on",
            "description",
        ]
        widgets = {
            "opens_on": DATE,
            "closes_on": DATE,
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {"region": _("发布区划")}
        help_texts = {
            "title": _("如：《吕梁市消防条例（修订草案）》，不含书名号亦可。"),
            "issuing_body": _("如：吕梁市人大常委会法制工作委员会"),
            "summary_to": _("联系点汇总意见报送的单位，通常为法制工作委员会。"),
            "closes_on": _("当日之后不再接收意见；各联系点须在此日前报送汇总。"),
        }

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = (
            region_choices(actor, for_write=True).filter(level__in=ISSUING_LEVELS).order_by("path")
        )
        self.fields["points"].queryset = selectors.legislative_points(actor, for_write=True)
        if self.instance.pk:
            del self.fields["region"]
            self.fields["points"].queryset = selectors.legislative_points(
                actor, under_path=self.instance.region_path, for_write=True
            )
            self.initial["points"] = [p.station_id for p in self.instance.participations.all()]
            if self.instance.status == Consultation.Status.PUBLISHED:
                del self.fields["kind"]
                del self.fields["points"]

    def clean_title(self):
        return self.cleaned_data["title"].strip().strip("《》")


class TextForm(forms.Form):
    docx = forms.FileField(
        label=_("Word 文档（.docx）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".docx"}),
        help_text=_("草案的 Word 文档；或在下方粘贴文本。"),
    )
    text = forms.CharField(
        label=_("粘贴文本"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("每条以“第一条”“第二条”……开头，章节标题如“第一章 总则”单独成行。"),
    )

    def clean_docx(self):
        upload = self.cleaned_data.get("docx")
        if upload and not upload.name.lower().endswith(".docx"):
            raise ValidationError(_("请上传 .docx 格式的 Word 文档（.doc 请先另存为 .docx）。"))
        if upload and upload.size > DOCX_MAX_BYTES:
            raise ValidationError(_("文件不能超过10MB。"))
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("docx") and not (data.get("text") or "").strip():
            raise ValidationError(_("请上传 Word 文档或粘贴文本。"))
        return data


class PublicCommentForm(forms.Form):
    """What anyone fills in on the point's phone page. Works without JavaScript."""

    content = forms.CharField(
        label=_("您的意见"),
        max_length=CONTENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": CONTENT_MAX_LENGTH}),
        help_text=_("可以说明建议怎样修改，以及理由，不超过%(n)s字。") % {"n": CONTENT_MAX_LENGTH},
        error_messages={"max_length": _("意见不能超过%(limit_value)s字（现有%(show_value)s字）。")},
    )
    author_name = forms.CharField(label=_("您的姓名（选填）"), max_length=64, required=False)
    contact_phone = forms.CharField(
        label=_("手机号（选填）"),
        max_length=20,
        required=False,
        help_text=_("留下手机号，意见被采纳时我们会短信告知您；不留也可以提交。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    submission_token = forms.CharField(widget=forms.HiddenInput)
    # A field people never see: bots fill every input they find.
    website = forms.CharField(
        required=False,
        label=_("请勿填写"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, collector=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_token", new_submission_token())
        if collector is not None:  # the collector's own link: the comment is in their name
            del self.fields["author_name"]
            del self.fields["contact_phone"]

    def clean_submission_token(self):
        token = self.cleaned_data["submission_token"]
        if not TOKEN_RE.match(token):
            raise ValidationError(_("页面已过期，请刷新后重新提交。"))
        return token

    def clean_content(self):
        content = self.cleaned_data["content"].strip()
        if len(content) < 5:
            raise ValidationError(_("请把意见写得具体一些（至少5个字）。"))
        return content

    def clean_contact_phone(self):
        return clean_phone(self.cleaned_data["contact_phone"])

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class DeputyCommentForm(forms.Form):
    article = ArticleField(
        label=_("条款"), queryset=Article.objects.none(), required=False, empty_label=_("总体意见")
    )
    content = forms.CharField(
        label=_("意见内容"),
        max_length=CONTENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["article"].queryset = consultation.articles.all()


class RecordCommentForm(forms.Form):
    """An officer records a comment gathered offline."""

    article = ArticleField(
        label=_("条款"), queryset=Article.objects.none(), required=False, empty_label=_("总体意见")
    )
    content = forms.CharField(
        label=_("意见内容"), max_length=CONTENT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5})
    )
    channel = forms.ChoiceField(
        label=_("收集渠道"), choices=[(c.value, c.label) for c in Channel if c in OFFLINE_CHANNELS]
    )
    received_on = forms.DateField(label=_("收到日期"), widget=DATE)
    author_kind = forms.ChoiceField(label=_("提出人类别"), choices=AuthorKind.choices)
    author_name = forms.CharField(
        label=_("姓名或单位（选填）"),
        max_length=64,
        required=False,
        help_text=_("群众、单位可不填；不会出现在报送的汇总材料中。"),
    )
    contact_phone = forms.CharField(
        label=_("手机号（选填）"),
        max_length=20,
        required=False,
        help_text=_("意见被采纳时短信告知提出人。"),
    )
    deputy = forms.ModelChoiceField(
        label=_("人大代表"), queryset=None, required=False, empty_label=_("（提出人为代表时选择）")
    )
    collector = forms.ModelChoiceField(
        label=_("信息采集员"),
        queryset=Collector.objects.none(),
        required=False,
        empty_label=_("（提出人为信息采集员时选择）"),
    )

    def __init__(self, *args, participation, **kwargs):
        from deputies.models import Deputy, current_membership_q

        super().__init__(*args, **kwargs)
        self.initial.setdefault("received_on", clock.today())
        self.fields["article"].queryset = participation.consultation.articles.all()
        memberships = participation.station.deputy_memberships.filter(current_membership_q())
        self.fields["deputy"].queryset = Deputy.objects.filter(
            pk__in=memberships.values("deputy_id")
        ).order_by("name")
        self.fields["collector"].queryset = Collector.objects.filter(
            station_id=participation.station_id, active=True
        )

    def clean_contact_phone(self):
        return clean_phone(self.cleaned_data["contact_phone"])


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("请上传用模板填写的 .xlsx 文件。"))
        if upload.size > XLSX_MAX_BYTES:
            raise ValidationError(_("文件不能超过5MB。"))
        return upload


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("处理"),
        choices=[(v, label) for v, label in Comment.Decision.choices if v != "pending"],
        widget=forms.RadioSelect,
    )
    merged_into = forms.ModelChoiceField(
        label=_("并入"),
        queryset=Comment.objects.none(),
        required=False,
        empty_label=_("（合并时选择）"),
    )
    reason = forms.CharField(label=_("舍弃理由"), max_length=200, required=False)

    def __init__(self, *args, comment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["merged_into"].queryset = selectors.merge_targets(comment)
        self.fields["merged_into"].label_from_instance = lambda c: f"{c}：{c.content[:20]}"


class OpinionForm(forms.Form):
    article = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("联系点意见"),
        max_length=CONTENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("对本条的综合意见和修改建议；留空则不写。"),
    )


class SendForm(forms.ModelForm):
    class Meta:
        model = Sending
        fields = ["sent_on", "sent_to", "method", "note"]
        widgets = {"sent_on": DATE}

    def __init__(self, *args, participation, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("sent_on", clock.today())
        self.initial.setdefault("sent_to", participation.consultation.summary_to)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("退回修改的原因"), max_length=300)


class MeetingForm(forms.ModelForm):
    collectors = forms.ModelMultipleChoiceField(
        label=_("参加的信息采集员"),
        queryset=Collector.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Meeting
        fields = ["kind", "held_on", "place", "people_count", "note"]
        widgets = {"held_on": DATE}

    def __init__(self, *args, participation, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("held_on", clock.today())
        self.fields["collectors"].queryset = Collector.objects.filter(
            station_id=participation.station_id, active=True
        )


class StationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.region.name}）"


class CollectorForm(forms.Form):
    station = StationChoiceField(label=_("基层立法联系点"), queryset=None)
    name = forms.CharField(label=_("姓名"), max_length=64)
    occupation = forms.CharField(
        label=_("职业身份"), max_length=64, help_text=_("如：司法所所长、派出所所长、律师、网格员")
    )
    unit = forms.CharField(label=_("工作单位"), max_length=100, required=False)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    active = forms.BooleanField(label=_("在册"), required=False, initial=True)

    def __init__(self, *args, actor, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = selectors.legislative_points(actor, for_write=True)
        if editing:
            self.fields["phone"].help_text = _("留空则不修改原号码。")

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])


class ConsultationFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"), choices=[("", _("全部类型")), *Consultation.Kind.choices], required=False
    )
    q = forms.CharField(label=_("名称"), required=False)
