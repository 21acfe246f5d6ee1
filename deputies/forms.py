from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import clock, phones
from regions.models import Region
from stations.forms import RegionChoiceField, writable_regions

from .models import Deputy, DeputyGroup
from .selectors import joinable_stations
from .services import DEPUTY_LEVELS, GROUP_LEVELS

PHOTO_MAX_BYTES = 2 * 1024 * 1024


class DeputyForm(forms.ModelForm):
    region = RegionChoiceField(
        label=_("管理区划"),
        queryset=Region.objects.none(),
        help_text=_("一般为代表编入的联络站所在乡镇（街道）。"),
    )

    class Meta:
        model = Deputy
        fields = [
            "name",
            "gender",
            "photo",
            "level",
            "region",
            "constituency",
            "work_unit",
            "position",
            "phone",
            "phone_public",
            "professional_field",
            "party",
            "term",
            "commitment",
            "status",
        ]
        widgets = {
            "commitment": forms.Textarea(attrs={"rows": 3}),
            "photo": forms.ClearableFileInput(attrs={"accept": "image/*"}),
        }
        help_texts = {
            "phone_public": _("勾选后，群众扫码时可以看到手机号；默认不公开。"),
            "photo": _("证件照，仅限图片，不超过2MB。"),
        }

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = writable_regions(actor, DEPUTY_LEVELS)
        self.fields["phone"].help_text = _("11位手机号")
        # The form never prints a private number the editor's role sees masked: the
        # field starts blank and blank keeps the number on file (core/phones.py).
        self._kept_phone = ""
        deputy = self.instance
        if deputy.pk and deputy.phone:
            masked = phones.shown(actor, deputy.phone, public=deputy.phone_public)
            if masked != deputy.phone:
                self._kept_phone = deputy.phone
                self.initial["phone"] = ""
                self.fields["phone"].help_text = _("现手机号：%(masked)s；留空则保持不变。") % {
                    "masked": masked
                }

    def clean(self):
        data = super().clean()
        if self._kept_phone and not data.get("phone"):
            data["phone"] = self._kept_phone
        from .services import deputy_problems

        for field, message in deputy_problems(
            name=data.get("name", ""),
            level=data.get("level", ""),
            region=data.get("region"),
            phone=data.get("phone", ""),
            deputy=self.instance if self.instance.pk else None,
        ).items():
            if field not in self.errors:
                self.add_error(field, message)
        return data

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and hasattr(photo, "size") and photo.size > PHOTO_MAX_BYTES:
            raise ValidationError(_("照片不能超过2MB。"))
        return photo


class MembershipForm(forms.Form):
    station = forms.ModelChoiceField(label=_("编入联络站点"), queryset=None)
    start_date = forms.DateField(
        label=_("进站日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = joinable_stations(actor)
        self.fields["start_date"].initial = clock.today()


class MembershipEndForm(forms.Form):
    end_date = forms.DateField(
        label=_("离站日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_date"].initial = clock.today()


class DeputyGroupForm(forms.ModelForm):
    region = RegionChoiceField(label=_("所属区划"), queryset=Region.objects.none())

    class Meta:
        model = DeputyGroup
        fields = ["name", "kind", "region", "station", "leader_name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = writable_regions(actor, GROUP_LEVELS)
        self.fields["station"].queryset = joinable_stations(actor)
