import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core import clock
from core.params import parse_int
from deputies.models import Deputy
from regions.models import Region
from regions.selectors import region_choices
from stations.models import Station

from .models import (
    Assignment,
    Category,
    Channel,
    Constituent,
    HandlingUnit,
    Satisfaction,
    Suggestion,
)

DUE_WINDOWS = [
    ("overdue", _("已超期")),
    ("3", _("3天内到期")),
    ("3wd", _("3个工作日内到期")),
    ("7", _("7天内到期")),
    ("none", _("无期限")),
]


class SuggestionFilter(django_filters.FilterSet):
    """Inbox filters. Every dropdown offers only what the user may see."""

    q = django_filters.CharFilter(label=_("查询码或内容"), method="filter_q")
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=Suggestion.Status.choices, empty_label=_("全部状态")
    )
    category = django_filters.ChoiceFilter(
        label=_("类别"), choices=Category.choices, empty_label=_("全部类别")
    )
    channel = django_filters.ChoiceFilter(
        label=_("渠道"), choices=Channel.choices, empty_label=_("全部渠道")
    )
    region = django_filters.ModelChoiceFilter(
        label=_("区划"),
        queryset=Region.objects.none(),
        method="filter_region",
        empty_label=_("全部区划"),
    )
    deputy = django_filters.ModelChoiceFilter(
        label=_("代表"), queryset=Deputy.objects.none(), empty_label=_("全部代表")
    )
    station = django_filters.ModelChoiceFilter(
        label=_("联络站点"), queryset=Station.objects.none(), empty_label=_("全部站点")
    )
    unit = django_filters.ModelChoiceFilter(
        field_name="assignments__unit",
        label=_("承办单位"),
        queryset=HandlingUnit.objects.none(),
        method="filter_unit",
        empty_label=_("全部承办单位"),
    )
    due = django_filters.ChoiceFilter(
        label=_("期限"), choices=DUE_WINDOWS, method="filter_due", empty_label=_("全部期限")
    )
    overdue = django_filters.ChoiceFilter(
        label=_("超期"),
        choices=[("true", _("只看超期"))],
        method="filter_overdue",
        empty_label=_("全部"),
    )
    # Received between two dates (Beijing time): the dashboards link here by period.
    start = django_filters.DateFilter(
        field_name="submitted_at",
        lookup_expr="date__gte",
        label=_("收到日期起"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = django_filters.DateFilter(
        field_name="submitted_at",
        lookup_expr="date__lte",
        label=_("收到日期止"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    # The dashboards' "received": every suggestion but a merged duplicate.
    counted = django_filters.ChoiceFilter(
        label=_("范围"),
        choices=[("received", _("收到件（不含已合并的重复件）"))],
        method="filter_counted",
        empty_label=_("全部"),
    )
    # Still being handled (any open status): a deputy's matters not yet closed.
    open = django_filters.ChoiceFilter(
        label=_("办理进度"),
        choices=[("true", _("尚未办结"))],
        method="filter_open",
        empty_label=_("全部"),
    )
    # Sent back by the lead unit and waiting to be assigned again.
    returned = django_filters.ChoiceFilter(
        label=_("退回"),
        choices=[("true", _("承办单位退回待重新交办"))],
        method="filter_returned",
        empty_label=_("全部"),
    )
    outcome = django_filters.ChoiceFilter(
        label=_("结果"),
        choices=[("solved", _("已解决（办结且未评不满意）"))],
        method="filter_outcome",
        empty_label=_("全部"),
    )

    class Meta:
        model = Suggestion
        fields = [
            "q",
            "status",
            "category",
            "channel",
            "region",
            "deputy",
            "station",
            "unit",
            "due",
        ]

    def __init__(self, data=None, queryset=None, *, request=None, user=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        user = user or request.user
        self.filters["region"].queryset = region_choices(user, for_write=False).filter(
            level__in=[Region.Level.CITY, Region.Level.COUNTY, Region.Level.TOWNSHIP]
        )
        self.filters["deputy"].queryset = Deputy.objects.visible_to(user).only("pk", "name")
        self.filters["station"].queryset = Station.objects.visible_to(user).only("pk", "name")
        self.filters["unit"].queryset = HandlingUnit.objects.visible_to(user).only("pk", "name")

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        code = value.replace(" ", "").replace("-", "").upper()
        return queryset.filter(Q(tracking_code=code) | Q(content__icontains=value))

    def filter_region(self, queryset, name, region):
        # `region` came from the in-scope choices above; the queryset is already gated.
        return queryset.filter(region_path__startswith=region.path)

    def filter_unit(self, queryset, name, unit):
        return queryset.filter(pk__in=unit.assignments.values("suggestion_id"))

    def filter_due(self, queryset, name, value):
        today = clock.today()
        rule = Suggestion.REPLY_DUE
        if value == "overdue":
            return queryset.filter(rule.overdue_q(today=today))
        if value == "none":
            return queryset.filter(due_date__isnull=True)
        if value == "3wd":
            from calendars.workdays import add_working_days

            until = add_working_days(today, 3).date
            return queryset.filter(rule.due_soon_q(today=today, until=until))
        if (days := parse_int(value, high=3660)) is not None:
            until = today + datetime.timedelta(days=days)
            return queryset.filter(rule.due_soon_q(today=today, until=until))
        return queryset

    def filter_outcome(self, queryset, name, value):
        if value == "solved":
            return queryset.filter(status=Suggestion.Status.CLOSED).exclude(
                satisfaction=Satisfaction.UNSATISFIED
            )
        return queryset

    def filter_counted(self, queryset, name, value):
        if value == "received":
            return queryset.exclude(status=Suggestion.Status.MERGED)
        return queryset

    def filter_open(self, queryset, name, value):
        if value == "true":
            return queryset.filter(status__in=Suggestion.OPEN_STATUSES)
        return queryset

    def filter_returned(self, queryset, name, value):
        if value == "true":
            returned = Assignment.objects.filter(
                suggestion=OuterRef("pk"),
                role=Assignment.Role.LEAD,
                status=Assignment.Status.RETURNED,
            )
            return queryset.filter(Exists(returned), status=Suggestion.Status.ACCEPTED)
        return queryset

    def filter_overdue(self, queryset, name, value):
        if value == "true":
            return self.filter_due(queryset, name, "overdue")
        return queryset


def inbox_rows(user, data) -> tuple[SuggestionFilter, object]:
    """The inbox's filter and rows for `data` (GET parameters): the list and every
    count that links to it (the home page's workbench) read the rows here."""
    from .selectors import inbox

    visible = inbox(user)
    filterset = SuggestionFilter(data or None, queryset=visible, user=user)
    rows = filterset.qs if filterset.is_valid() else visible
    return filterset, rows


class ConstituentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("姓名或村（社区）"), method="filter_q")

    class Meta:
        model = Constituent
        fields = ["q"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(village__icontains=value))


class HandlingUnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称"))
    kind = django_filters.ChoiceFilter(
        choices=HandlingUnit.Kind.choices, label=_("类型"), empty_label=_("全部类型")
    )

    class Meta:
        model = HandlingUnit
        fields = ["q", "kind", "is_active"]
