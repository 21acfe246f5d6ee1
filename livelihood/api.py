"""REST API of the livelihood-project cycle, behind the same gate as the pages.

Lists come from `visible_to`. Writes go through the same services as the pages, so
every rule of the vote holds here too: a ballot over the places, a second ballot, a
round without quorum, an edit after confirmation are 400s with the Chinese reason; a
read-only role is refused (403). No answer names a proposer's phone (masked) or links
a deputy to a choice: ballots are never listed, a cast answers 204.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.masking import mask_phone
from tenancy.access import access_object

from . import selectors, services
from .models import Cycle, Round
from .workflow import CYCLE, ROUND, annotate_cycle_guards, annotate_round_guards


def _call(function, **kwargs):
    """Run a service; its Django errors become DRF answers (400/403), never a 500."""
    try:
        return function(**kwargs)
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            raise ValidationError(error.message_dict) from None
        raise ValidationError({"non_field_errors": error.messages}) from None


class CycleSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code")
    status_display = serializers.CharField(source="get_status_display")
    min_candidates = serializers.IntegerField()
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = Cycle
        fields = [
            "id",
            "year",
            "title",
            "body",
            "region",
            "status",
            "status_display",
            "collect_from",
            "collect_until",
            "session_on",
            "places",
            "competitive",
            "margin_percent",
            "min_candidates",
            "threshold_base",
            "quorum_numerator",
            "quorum_denominator",
            "plan_days",
            "rating_percent",
            "available_actions",
        ]

    def get_available_actions(self, obj) -> list[str]:
        return CYCLE.available(self.context["request"].user, obj)


class ProjectRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="project.id")
    number = serializers.IntegerField(source="project.number")
    name = serializers.CharField(source="project.name")
    status = serializers.CharField(source="project.status")
    rank = serializers.IntegerField(source="project.rank", allow_null=True)
    yes = serializers.IntegerField(source="tally.yes", default=None)
    no = serializers.IntegerField(source="tally.no", default=None)
    abstain = serializers.IntegerField(source="tally.abstain", default=None)
    rating = serializers.CharField(source="project.rating")
    percent_done = serializers.IntegerField(source="project.percent_done")


class LivelihoodProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    content = serializers.CharField()
    channel = serializers.CharField()
    received_on = serializers.DateField()
    decision = serializers.CharField()
    decision_reason = serializers.CharField()
    contact_phone = serializers.SerializerMethodField()

    def get_contact_phone(self, obj) -> str:
        return mask_phone(obj.contact_phone) if obj.contact_phone else ""


class CycleViewSet(viewsets.ReadOnlyModelViewSet):
    """Cycles the caller sees: their region's and below, or the body they sit in."""

    lookup_url_kwarg = "cycle_pk"
    serializer_class = CycleSerializer
    filterset_fields = ["year", "status", "body"]

    def get_queryset(self):
        return annotate_cycle_guards(
            Cycle.objects.visible_to(self.request.user)
            .select_related("region")
            .order_by("-year", "pk")
        )

    @extend_schema(responses=ProjectRowSerializer(many=True))
    @action(detail=True, pagination_class=None)  # the whole list, as the schema says
    def results(self, request, cycle_pk=None):
        cycle = self.get_object()
        return Response(ProjectRowSerializer(selectors.results_of(cycle), many=True).data)

    @extend_schema(responses=LivelihoodProposalSerializer(many=True))
    @action(detail=True, pagination_class=None)  # at most 500 rows, not paginated
    def proposals(self, request, cycle_pk=None):
        cycle = self.get_object()
        rows = selectors.proposals_of(cycle)[:500]
        return Response(LivelihoodProposalSerializer(rows, many=True).data)


class TallyInSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    yes = serializers.IntegerField(min_value=0, default=0)
    no = serializers.IntegerField(min_value=0, default=0)
    abstain = serializers.IntegerField(min_value=0, default=0)
    satisfied = serializers.IntegerField(min_value=0, default=0)
    basic = serializers.IntegerField(min_value=0, default=0)
    unsatisfied = serializers.IntegerField(min_value=0, default=0)


class TotalsSerializer(serializers.Serializer):
    issued = serializers.IntegerField(min_value=0)
    returned = serializers.IntegerField(min_value=0)
    invalid = serializers.IntegerField(min_value=0, default=0)
    tallies = TallyInSerializer(many=True)


class BallotSerializer(serializers.Serializer):
    marks = serializers.DictField(
        child=serializers.ChoiceField(
            choices=["yes", "no", "abstain", "satisfied", "basic", "unsatisfied"]
        ),
        help_text="{project id: choice} for every project of the round",
    )


class ConfirmSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=["counter", "scrutineer"])
    teller_name = serializers.CharField(max_length=64)


class TallyOutSerializer(serializers.Serializer):
    project = serializers.IntegerField(source="project_id")
    yes = serializers.IntegerField()
    no = serializers.IntegerField()
    abstain = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    basic = serializers.IntegerField()
    unsatisfied = serializers.IntegerField()


class RoundSerializer(serializers.ModelSerializer):
    tallies = TallyOutSerializer(many=True)
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = Round
        fields = [
            "id",
            "cycle",
            "number",
            "purpose",
            "method",
            "status",
            "places",
            "seated",
            "present",
            "base",
            "issued",
            "returned",
            "invalid",
            "outcome",
            "void_reason",
            "closes_at",
            "tallies",
            "available_actions",
        ]

    def get_available_actions(self, obj) -> list[str]:
        return ROUND.available(self.context["request"].user, obj)


class RoundViewSet(viewsets.ReadOnlyModelViewSet):
    """Rounds and their tallies (never a ballot); a deputy casts, tellers enter and confirm."""

    lookup_url_kwarg = "round_pk"
    serializer_class = RoundSerializer

    def get_queryset(self):
        return annotate_round_guards(
            Round.objects.visible_to(self.request.user)
            .select_related("cycle")
            .prefetch_related("tallies")
            .order_by("cycle", "number")
        )

    def _round(self, request, pk):
        return access_object(
            Round.objects.select_related("cycle", "meeting"), request.user, pk, for_write=True
        )

    @extend_schema(request=BallotSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def ballot(self, request, round_pk=None):
        round = self._round(request, round_pk)
        data = BallotSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _call(
            services.ballot_cast,
            actor=request.user,
            round=round,
            marks=data.validated_data["marks"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=TotalsSerializer, responses=RoundSerializer)
    @action(detail=True, methods=["post"])
    def totals(self, request, round_pk=None):
        round = self._round(request, round_pk)
        data = TotalsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        tallies = {row.pop("project"): row for row in values["tallies"]}
        round = _call(
            services.round_enter_totals,
            actor=request.user,
            round=round,
            issued=values["issued"],
            returned=values["returned"],
            invalid=values["invalid"],
            tallies=tallies,
        )
        round.refresh_from_db()
        return Response(RoundSerializer(round, context={"request": request}).data)

    @extend_schema(request=ConfirmSerializer, responses=RoundSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, round_pk=None):
        round = self._round(request, round_pk)
        data = ConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        round = _call(
            services.round_confirm, actor=request.user, round=round, **data.validated_data
        )
        round.refresh_from_db()
        return Response(RoundSerializer(round, context={"request": request}).data)
