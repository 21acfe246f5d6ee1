from django import forms
from django.utils.translation import gettext_lazy as _

from deputies.models import Deputy
from regions.models import Region
from regions.selectors import region_choices
from stations.models import Station

from .selectors import deputies_of_station, deputies_under

# One PDF page per deputy; beyond this a batch takes too long and is too big to
# print in one go: the form asks for a smaller area.
PLACARD_BATCH_MAX = 1000


class PlacardBatchForm(forms.Form):
    """Choose the deputies to print: those of one station, or all under one region."""

    SOURCE_STATION = "station"
    SOURCE_REGION = "region"

    source = forms.ChoiceField(
        label=_("生成范围"),
        choices=[(SOURCE_STATION, _("按联络站")), (SOURCE_REGION, _("按行政区划"))],
        widget=forms.RadioSelect,
        initial=SOURCE_STATION,
    )
    station = forms.ModelChoiceField(
        label=_("联络站"), queryset=Station.objects.none(), required=False
    )
    region = forms.ModelChoiceField(
        label=_("行政区划"),
        queryset=Region.objects.none(),
        required=False,
        help_text=_("生成该区划及下级所有在任代表的亮码牌。"),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["station"].queryset = (
            Station.objects.visible_to(actor)
            .select_related("region")
            .order_by("region_path", "name")
        )
        self.fields["station"].label_from_instance = lambda s: f"{s.region.name} · {s.name}"
        # Villages have points, not deputies of their own to batch: keep the list short.
        self.fields["region"].queryset = (
            region_choices(actor, for_write=False)
            .exclude(level=Region.Level.VILLAGE)
            .order_by("path")
        )

    def clean(self):
        data = super().clean()
        deputies = Deputy.objects.visible_to(self.actor)
        if data.get("source") == self.SOURCE_STATION:
            if not data.get("station"):
                self.add_error("station", _("请选择联络站。"))
                return data
            count = deputies_of_station(data["station"], deputies).count()
        elif data.get("source") == self.SOURCE_REGION:
            if not data.get("region"):
                self.add_error("region", _("请选择行政区划。"))
                return data
            count = deputies_under(data["region"], deputies).count()
        else:
            return data
        if count == 0:
            raise forms.ValidationError(_("所选范围内没有在任代表。"))
        if count > PLACARD_BATCH_MAX:
            raise forms.ValidationError(
                _("所选范围内有 %(count)d 名代表，超过一次最多 %(max)d 名，请缩小范围分批生成。")
                % {"count": count, "max": PLACARD_BATCH_MAX}
            )
        data["count"] = count
        return data
