import re
import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from deputies.models import Deputy
from regions.models import Region
from regions.selectors import region_choices
from stations.models import Station
from tenancy.scope import scope_of

from .deadlines import DEFAULT_REMIND_DAYS
from .images import sanitize_images
from .models import (
    CONTENT_MAX_LENGTH,
    PLACE_MAX_LENGTH,
    Category,
    Channel,
    HandlingUnit,
    RejectReason,
    ReplyTemplate,
    Satisfaction,
    SLAProfile,
    Suggestion,
)
from .services import MAX_EXTENSION_DAYS, MAX_PHOTOS

PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
ATTACHMENT_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".ofd"}
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def new_submission_token() -> str:
    return secrets.token_urlsafe(24)


def clean_phone(value: str) -> str:
    value = re.sub(r"[\s()（）]", "", value or "")
    if value and not PHONE_RE.match(value):
        raise ValidationError(_("请填写正确的手机号（11位）或座机号。"))
    return value


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input type=file multiple> (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class PublicSuggestionForm(forms.Form):
    """What a citizen fills in after scanning a code. Works without JavaScript."""

    category = forms.ChoiceField(
        label=_("问题类别"), choices=[("", _("请选择"))] + list(Category.choices)
    )
    content = forms.CharField(
        label=_("反映的问题"),
        max_length=CONTENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": CONTENT_MAX_LENGTH}),
        help_text=_("请说清楚什么事、在哪里、从什么时候开始，不超过%(n)s字。")
        % {"n": CONTENT_MAX_LENGTH},
        error_messages={"max_length": _("内容不能超过%(limit_value)s字（现有%(show_value)s字）。")},
    )
    place = forms.CharField(
        label=_("问题地点"),
        max_length=PLACE_MAX_LENGTH,
        required=False,
        help_text=_("如：西街社区3号楼东侧"),
    )
    photos = MultipleFileField(
        label=_("照片（选填，最多3张）"),
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
    )
    contact_name = forms.CharField(label=_("您的姓名（选填）"), max_length=64, required=False)
    contact_phone = forms.CharField(
        label=_("手机号（选填）"),
        max_length=20,
        required=False,
        help_text=_("留下手机号便于回复您，也用于查询办理进度；不留则为匿名反映。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    village = forms.CharField(label=_("所在村（社区）（选填）"), max_length=100, required=False)
    submission_token = forms.CharField(widget=forms.HiddenInput)
    # Filled by the page's "use my location" button, with the phone's permission.
    latitude = forms.DecimalField(
        required=False, min_value=-90, max_value=90, decimal_places=6, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        required=False, min_value=-180, max_value=180, decimal_places=6, widget=forms.HiddenInput
    )
    # A field people never see: bots fill every input they find.
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

    def clean_content(self):
        content = self.cleaned_data["content"].strip()
        if len(content) < 5:
            raise ValidationError(_("请把问题写得具体一些（至少5个字）。"))
        return content

    def clean_contact_phone(self):
        return clean_phone(self.cleaned_data["contact_phone"])

    def clean_photos(self):
        photos = self.cleaned_data["photos"]
        if len(photos) > MAX_PHOTOS:
            raise ValidationError(_("最多上传%(n)s张照片。") % {"n": MAX_PHOTOS})
        return sanitize_images(photos)

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("查询码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    phone_last4 = forms.CharField(
        label=_("手机号后4位"),
        max_length=4,
        required=False,
        help_text=_("匿名反映的不用填写。"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_code(self):
        return re.sub(r"[\s-]", "", self.cleaned_data["code"]).upper()


class CitizenRatingForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("您对答复满意吗？"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("还有什么想说的（选填）"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- Staff -------------------------------------------------------------------------


class StaffSuggestionForm(forms.Form):
    """Record a suggestion received at a reception, a home visit, by phone or by mail.

    Region staff pick a region (or a station); a station's liaison officer picks
    their station; a deputy records under their own name.
    """

    channel = forms.ChoiceField(label=_("渠道"), choices=Channel.choices)
    deputy = forms.ModelChoiceField(
        label=_("人大代表"), queryset=Deputy.objects.none(), required=False
    )
    station = forms.ModelChoiceField(
        label=_("联络站点"), queryset=Station.objects.none(), required=False
    )
    region = forms.ModelChoiceField(
        label=_("所属区划"),
        queryset=Region.objects.none(),
        required=False,
        help_text=_("未选择联络站点时填写。"),
    )
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    content = forms.CharField(
        label=_("反映内容"), max_length=CONTENT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5})
    )
    place = forms.CharField(label=_("地点"), max_length=PLACE_MAX_LENGTH, required=False)
    contact_name = forms.CharField(label=_("反映人姓名"), max_length=64, required=False)
    contact_phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    village = forms.CharField(label=_("村（社区）"), max_length=100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_of(user)
        regions = region_choices(user).exclude(level=Region.Level.PROVINCE)
        self.fields["region"].queryset = regions
        self.fields["station"].queryset = Station.objects.visible_to(user, for_write=True).filter(
            status=Station.Status.ACTIVE
        )
        if scope.write.deputy_ids:
            deputies = Deputy.objects.filter(pk__in=scope.write.deputy_ids)
            self.fields["deputy"].queryset = deputies
            self.fields["deputy"].required = True
            self.fields["deputy"].initial = deputies.first()
        else:
            del self.fields["deputy"]
        if not scope.everything and not scope.write.region_paths:
            del self.fields["region"]

    def clean_contact_phone(self):
        return clean_phone(self.cleaned_data["contact_phone"])

    def clean(self):
        data = super().clean()
        if not (data.get("deputy") or data.get("station") or data.get("region")):
            raise ValidationError(_("请选择联络站点或所属区划。"))
        return data


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("说明（选填）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectForm(forms.Form):
    reason = forms.ChoiceField(label=_("不予受理理由"), choices=RejectReason.choices)
    note = forms.CharField(
        label=_("给群众的说明"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("群众查询时会看到这段话，请说明应通过什么途径解决。"),
    )


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("答复内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class AssignForm(forms.Form):
    lead_unit = forms.ModelChoiceField(label=_("主办单位"), queryset=HandlingUnit.objects.none())
    co_units = forms.ModelMultipleChoiceField(
        label=_("协办单位（选填）"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    note = forms.CharField(
        label=_("交办意见（选填）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units
        self.fields["co_units"].queryset = units

    def clean(self):
        data = super().clean()
        lead, co = data.get("lead_unit"), data.get("co_units") or []
        if lead is not None and lead in co:
            self.add_error("co_units", _("主办单位不能同时作为协办单位。"))
        return data


class BulkAssignForm(forms.Form):
    lead_unit = forms.ModelChoiceField(
        label=_("交办给"), queryset=HandlingUnit.objects.none(), empty_label=_("请选择承办单位")
    )
    note = forms.CharField(label=_("交办意见（选填）"), max_length=500, required=False)
    ids = forms.ModelMultipleChoiceField(queryset=Suggestion.objects.none())

    def __init__(self, *args, units, suggestions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units
        self.fields["ids"].queryset = suggestions
        self.fields["ids"].error_messages["required"] = _("请先勾选要交办的事项。")


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("退回理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("说明为什么不属于本单位职责，以及建议由哪个单位办理。"),
    )


class ExtensionRequestForm(forms.Form):
    days = forms.IntegerField(
        label=_("延长工作日"), min_value=1, max_value=MAX_EXTENSION_DAYS, initial=5
    )
    reason = forms.CharField(
        label=_("延期理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审批结果"),
        choices=[("approve", _("批准延期")), ("refuse", _("不批准"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("审批意见（选填）"), max_length=500, required=False)


class ReplyForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("使用答复模板（选填）"), queryset=ReplyTemplate.objects.none(), required=False
    )
    text = forms.CharField(
        label=_("答复内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6})
    )
    attachments = MultipleFileField(label=_("附件（选填：答复函、现场照片等）"))

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates

    def clean_attachments(self):
        files = self.cleaned_data["attachments"]
        if len(files) > 5:
            raise ValidationError(_("最多上传5个附件。"))
        for upload in files:
            name = upload.name.lower()
            if not any(name.endswith(ext) for ext in ATTACHMENT_EXTENSIONS):
                raise ValidationError(_("附件只能是PDF、图片、Word、Excel或OFD文件。"))
            if upload.size > MAX_ATTACHMENT_BYTES:
                raise ValidationError(_("每个附件不能超过20MB。"))
        return files


class FollowUpForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("群众评价"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("回访记录（选填）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MergeForm(forms.Form):
    survivor_code = forms.CharField(label=_("合并到（填写保留事项的查询码）"), max_length=20)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates

    def clean_survivor_code(self):
        code = re.sub(r"[\s-]", "", self.cleaned_data["survivor_code"]).upper()
        survivor = self.candidates.filter(tracking_code=code).first()
        if survivor is None:
            raise ValidationError(_("找不到该查询码对应的事项。"))
        self.survivor = survivor
        return code


class HandlingUnitForm(forms.ModelForm):
    class Meta:
        model = HandlingUnit
        fields = ["region", "name", "kind", "duties", "contact_name", "phone", "is_active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = region_choices(user).exclude(
            level__in=[Region.Level.PROVINCE, Region.Level.VILLAGE]
        )


class ReplyTemplateForm(forms.ModelForm):
    class Meta:
        model = ReplyTemplate
        fields = ["region", "category", "title", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = region_choices(user).exclude(
            level__in=[Region.Level.PROVINCE, Region.Level.VILLAGE]
        )


class SLAProfileForm(forms.ModelForm):
    class Meta:
        model = SLAProfile
        fields = [
            "region",
            "category",
            "acknowledge_days",
            "return_days",
            "reply_days",
            "rehandle_months",
            "remind_days_before",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = region_choices(user).exclude(
            level__in=[Region.Level.VILLAGE]
        )
        # Left empty (or by a client that predates the field): the usual 2 days.
        self.fields["remind_days_before"].required = False

    def clean_remind_days_before(self):
        value = self.cleaned_data.get("remind_days_before")
        return DEFAULT_REMIND_DAYS if value is None else value
