from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import clock
from core.forms import MultipleImageField
from regions.models import Region
from regions.selectors import region_choices

from .models import Station

STATION_LEVELS = (Region.Level.TOWNSHIP, Region.Level.VILLAGE)
PHOTO_MAX_BYTES = getattr(settings, "ASSESSMENT_PHOTO_MAX_BYTES", 5 * 1024 * 1024)
PHOTO_MAX_COUNT = 6


class RegionChoiceField(forms.ModelChoiceField):
    """Regions by name, with the township in front of a village (names repeat)."""

    def label_from_instance(self, obj: Region) -> str:
        if obj.level == Region.Level.VILLAGE and obj.parent is not None:
            return f"{obj.parent.name} · {obj.name}"
        return obj.name


def writable_regions(user, levels) -> "forms.QuerySet":
    return (
        region_choices(user, for_write=True)
        .filter(level__in=levels)
        .select_related("parent")
        .order_by("path")
    )


class StationForm(forms.ModelForm):
    region = RegionChoiceField(label=_("所属区划"), queryset=Region.objects.none())

    class Meta:
        model = Station
        fields = [
            "name",
            "kind",
            "region",
            "parent",
            "is_legislative_point",
            "address",
            "opening_hours",
            "phone",
            "head_name",
            "latitude",
            "longitude",
        ]
        help_texts = {
            "parent": _("联络点请选择所属的乡镇（街道）联络站；联络站留空。"),
            "head_name": _("通常由乡镇人大主席或街道人大工委主任担任。"),
            "opening_hours": _("如：工作日 8:30-12:00，14:30-17:30"),
            "latitude": _("可选，用于地图显示。"),
        }

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = writable_regions(actor, STATION_LEVELS)
        parents = Station.objects.visible_to(actor).filter(parent__isnull=True)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents.select_related("region")
        self.fields["parent"].empty_label = _("（无，本身为联络站）")
        self.fields["phone"].help_text = _("11位手机号或带区号的固定电话")

    def clean(self):
        data = super().clean()
        from .services import station_problems

        problems = station_problems(
            name=data.get("name", ""),
            kind=data.get("kind", ""),
            region=data.get("region"),
            parent=data.get("parent"),
            phone=data.get("phone", ""),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            station=self.instance if self.instance.pk else None,
        )
        for field, message in problems.items():
            if field not in self.errors:
                self.add_error(field, message)
        return data


class StationStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Station.Status.choices)


class StationRateForm(forms.Form):
    assessed_on = forms.DateField(
        label=_("评定日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    stars = forms.TypedChoiceField(
        label=_("星级"),
        coerce=int,
        choices=[(n, "★" * n + "☆" * (5 - n)) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    items_met = forms.ModelMultipleChoiceField(
        label=_("达标项目"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("评定意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    photos = MultipleImageField(
        max_count=PHOTO_MAX_COUNT,
        max_bytes=PHOTO_MAX_BYTES,
        label=_("现场照片"),
        required=False,
        help_text=_("可选多张，仅限图片，每张不超过5MB，最多6张。"),
    )

    def __init__(self, *args, checklist, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import StandardItem

        self.fields["items_met"].queryset = StandardItem.objects.filter(
            pk__in=[item.pk for item in checklist]
        ).order_by("order", "pk")
        self.fields["assessed_on"].initial = clock.today()


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=200)


class StandardItemForm(forms.Form):
    text = forms.CharField(label=_("标准内容"), max_length=200)
    order = forms.IntegerField(label=_("排序"), min_value=0, max_value=999, required=False)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel 文件"),
        help_text=_("请使用下载的模板填写，.xlsx 格式，不超过5MB。"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("请上传 .xlsx 格式的 Excel 文件。"))
        if upload.size > 5 * 1024 * 1024:
            raise ValidationError(_("文件超过5MB。"))
        return upload
