from django import forms
from django.utils.translation import gettext_lazy as _

from regions.models import Region
from regions.selectors import region_choices
from tenancy.scope import scope_of

from .models import CalendarOverride
from .permissions import may_write_region

# Regional holidays belong to minority provinces, prefectures and counties; offering
# every township and village would make the picker unusable.
OVERRIDE_REGION_LEVELS = [Region.Level.PROVINCE, Region.Level.CITY, Region.Level.COUNTY]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class RegionPickerMixin:
    """A region field: empty means national, which only superusers may choose."""

    def _setup_region(self, actor) -> None:
        self.actor = actor
        field = self.fields["region"]
        field.queryset = region_choices(actor, for_write=True).filter(
            level__in=OVERRIDE_REGION_LEVELS
        )
        if scope_of(actor).everything:
            field.required = False
            field.empty_label = _("全国")
        else:
            field.required = True
            field.empty_label = None

    def clean_region(self):
        region = self.cleaned_data.get("region")
        if not may_write_region(self.actor, region):
            raise forms.ValidationError(_("您只能为本辖区录入节假日调整。"))
        return region


class OverrideForm(RegionPickerMixin, forms.Form):
    date = forms.DateField(label=_("日期"), widget=DateInput())
    end = forms.DateField(
        label=_("截止日期"),
        widget=DateInput(),
        required=False,
        help_text=_("录入连续多天（如春节假期）时填写，最多31天；单日留空。"),
    )
    kind = forms.ChoiceField(label=_("类型"), choices=CalendarOverride.Kind.choices)
    name = forms.CharField(label=_("名称"), max_length=50, help_text=_("如：春节、国庆节调休上班"))
    region = forms.ModelChoiceField(label=_("适用区划"), queryset=Region.objects.none())

    def __init__(self, *args, actor, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_region(actor)
        if editing:
            del self.fields["end"]


class YearMarkForm(RegionPickerMixin, forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    complete = forms.BooleanField(label=_("已录入完整"), required=False)
    region = forms.ModelChoiceField(label=_("适用区划"), queryset=Region.objects.none())

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_region(actor)
