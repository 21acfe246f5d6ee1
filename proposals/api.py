"""REST API for formal suggestions, their contacts (三见面) and replies, behind the same gate.

Lists come from `visible_to`: a draft only for its author, a unit only what was assigned
to it. Writes go through the same services as the pages, so a refused step is a 400 with
the Chinese reason by field (or 403 for the wrong person), never a 500. No answer carries
a phone number.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from . import permissions as can
from . import selectors, services
from .models import (
    TEXT_MAX,
    TITLE_MAX,
    Category,
    Contact,
    Proposal,
    Reply,
    ReplyClass,
    Session,
)
from .workflow import WORKFLOW


def _call(function, **kwargs):
    """Run a service; its Django errors become DRF answers (400/403), never a 500."""
    try:
        return function(**kwargs)
    except DjangoPermissionDenied as error:
        raise PermissionDenied(str(error) or None) from None
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            raise ValidationError(error.message_dict) from None
        raise ValidationError({"non_field_errors": error.messages}) from None


class ProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    category = serializers.CharField()
    session = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    body = serializers.CharField(source="region.code")
    body_name = serializers.CharField(source="region.name")
    author = serializers.IntegerField(source="author_id")
    author_name = serializers.CharField(source="author.name")
    submitted_at = serializers.DateTimeField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    hard_case = serializers.BooleanField()
    key_supervision = serializers.BooleanField()
    lead_unit = serializers.SerializerMethodField()

    def get_lead_unit(self, obj) -> str | None:
        lead = can.lead_of_round(obj)
        return lead.unit.name if lead else None


class ProposalDetailSerializer(ProposalSerializer):
    problem = serializers.CharField()
    causes = serializers.CharField()
    solution = serializers.CharField()
    cosigners = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    def get_cosigners(self, obj) -> list[dict]:
        return [
            {"deputy": c.deputy_id, "name": c.deputy.name, "status": c.status}
            for c in obj.cosignatures.select_related("deputy")
        ]

    def get_available_actions(self, obj) -> list[str]:
        return WORKFLOW.available(self.context["request"].user, obj)


class ProposalInput(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX)
    problem = serializers.CharField(max_length=TEXT_MAX)
    causes = serializers.CharField(max_length=TEXT_MAX)
    solution = serializers.CharField(max_length=TEXT_MAX)
    category = serializers.ChoiceField(choices=Category.choices)
    session = serializers.ChoiceField(choices=Session.choices, default=Session.BETWEEN)
    cosigners = serializers.ListField(child=serializers.IntegerField(), required=False)
    sources = serializers.ListField(
        child=serializers.RegexField(r"^(suggestion|reception|visit|activity):\d+$"),
        required=False,
        help_text='"kind:id", e.g. "suggestion:12"',
    )
    token = serializers.CharField(max_length=64, required=False, help_text="retry key")


class ProposalViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Formal suggestions the caller sees. POST: a deputy's draft in their own name."""

    lookup_url_kwarg = "proposal_pk"
    filterset_fields = ["status", "category", "key_supervision"]
    ordering_fields = ["submitted_at", "due_date"]
    ordering = ["-created_at", "-pk"]
    search_fields = ["title", "number"]

    def get_queryset(self):
        return selectors.proposals_for(self.request.user)

    def get_serializer_class(self):
        return ProposalDetailSerializer if self.action == "retrieve" else ProposalSerializer

    @extend_schema(request=ProposalInput, responses=ProposalDetailSerializer)
    def create(self, request, *args, **kwargs):
        if not can.may_raise_proposals(request.user):
            raise PermissionDenied
        serializer = ProposalInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        sources = [
            (k, int(pk)) for k, _sep, pk in (s.partition(":") for s in data.get("sources", []))
        ]
        proposal = _call(
            services.proposal_create,
            actor=request.user,
            values=data,
            cosigner_ids=data.get("cosigners", []),
            sources=sources,
            token=data.get("token"),
        )
        fresh = self.get_queryset().get(pk=proposal.pk)
        return Response(
            ProposalDetailSerializer(fresh, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "proposal", "round", "stage", "held_on", "mode", "participants", "agreed"]
        read_only_fields = fields


class ContactInput(serializers.Serializer):
    proposal = serializers.PrimaryKeyRelatedField(
        queryset=Proposal.objects.none(),
        error_messages={"does_not_exist": _("该代表建议不存在。")},
    )
    stage = serializers.ChoiceField(choices=Contact.Stage.choices)
    held_on = serializers.DateField()
    mode = serializers.ChoiceField(choices=Contact.Mode.choices)
    participants = serializers.CharField(max_length=300)
    agreed = serializers.CharField(max_length=2000)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["proposal"].queryset = Proposal.objects.visible_to(user)


class ContactViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The three contacts (三见面) of the proposals the caller sees. POST: the lead unit."""

    lookup_url_kwarg = "contact_pk"
    serializer_class = ContactSerializer
    filterset_fields = ["proposal", "stage"]
    ordering = ["proposal", "round", "held_on", "pk"]

    def get_queryset(self):
        return Contact.objects.visible_to(self.request.user)

    @extend_schema(request=ContactInput, responses=ContactSerializer)
    def create(self, request, *args, **kwargs):
        # Decided before the body is read: a read-only role's write is a 403, not a 400.
        if not can.may_handle_proposals(request.user):
            raise PermissionDenied
        serializer = ContactInput(data=request.data, user=request.user)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        row = _call(services.contact_record, actor=request.user, **data)
        return Response(ContactSerializer(row).data, status=status.HTTP_201_CREATED)


class ReplySerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Reply
        fields = [
            "id",
            "proposal",
            "round",
            "unit",
            "unit_name",
            "klass",
            "text",
            "signed_by",
            "replied_at",
            "on_time",
            "promise",
            "promise_due",
            "promise_report",
            "attitude",
            "result",
            "rating_comment",
            "rated_at",
        ]
        read_only_fields = fields


class ReplyInput(serializers.Serializer):
    proposal = serializers.PrimaryKeyRelatedField(
        queryset=Proposal.objects.none(),
        error_messages={"does_not_exist": _("该代表建议不存在。")},
    )
    klass = serializers.ChoiceField(choices=ReplyClass.choices)
    text = serializers.CharField(max_length=TEXT_MAX)
    signed_by = serializers.CharField(max_length=64)
    letter = serializers.FileField(help_text="the signed letter, PDF")
    promise = serializers.CharField(required=False, allow_blank=True)
    promise_due = serializers.DateField(required=False, allow_null=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["proposal"].queryset = Proposal.objects.visible_to(user)


class ReplyViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Replies to the proposals the caller sees. POST (multipart): the lead unit's letter."""

    lookup_url_kwarg = "reply_pk"
    serializer_class = ReplySerializer
    filterset_fields = ["proposal", "klass"]
    ordering = ["proposal", "round"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        return Reply.objects.visible_to(self.request.user).select_related("unit")

    @extend_schema(request={"multipart/form-data": ReplyInput}, responses=ReplySerializer)
    def create(self, request, *args, **kwargs):
        # Decided before the body is read: a read-only role's write is a 403, not a 400.
        if not can.may_handle_proposals(request.user):
            raise PermissionDenied
        serializer = ReplyInput(data=request.data, user=request.user)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        row = _call(services.proposal_reply, actor=request.user, **data)
        return Response(ReplySerializer(row).data, status=status.HTTP_201_CREATED)
