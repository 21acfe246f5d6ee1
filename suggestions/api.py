"""REST API for suggestions, constituents and handling units, behind the same tenancy gate.

Lists come from `visible_to`; an object outside the caller's scope is a 404; a
transition goes through the same service as the page (400 with a Chinese message
when the state does not allow it, 403 when the caller may not act). The public
intake (`/api/public-suggestions/`) is anonymous and shares the page's idempotency token and
rate limits.
"""

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, Throttled, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from core.api_fields import MaskedPhoneField
from core.net import client_ip
from deputies.models import Deputy
from regions.models import Region
from regions.selectors import region_choices
from stations.models import Station
from tenancy.access import can_write

from . import permissions as can
from . import selectors, services
from .filters import ConstituentFilter, HandlingUnitFilter, SuggestionFilter
from .forms import TOKEN_RE, clean_phone
from .images import sanitize_images
from .models import (
    CONTENT_MAX_LENGTH,
    PLACE_MAX_LENGTH,
    Assignment,
    Category,
    Channel,
    Constituent,
    ExtensionRequest,
    HandlingUnit,
    RejectReason,
    Satisfaction,
    Suggestion,
)
from .workflow import SUGGESTION


def _field_errors(error: DjangoValidationError):
    if hasattr(error, "error_dict"):
        raise ValidationError(error.message_dict) from None
    raise ValidationError({"non_field_errors": error.messages}) from None


def _call(function, **kwargs):
    """Run a service; its Django errors become DRF answers (400/403), never a 500."""
    # Django's PermissionDenied and Http404 are answered by DRF itself (403/404).
    try:
        return function(**kwargs)
    except DjangoValidationError as error:
        _field_errors(error)


# --- Serializers ------------------------------------------------------------------


class AssignmentSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "unit",
            "unit_name",
            "role",
            "status",
            "assigned_at",
            "acknowledged_at",
            "acknowledge_due",
            "return_due",
            "return_reason",
        ]


class SuggestionSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    region = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    deputy_name = serializers.CharField(source="deputy.name", read_only=True, default=None)
    station_name = serializers.CharField(source="station.name", read_only=True, default=None)
    contact_name = serializers.SerializerMethodField()
    contact_phone = MaskedPhoneField(source="constituent.phone")
    lead_units = serializers.SerializerMethodField()

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "tracking_code",
            "status",
            "status_display",
            "handling",
            "channel",
            "category",
            "content",
            "place",
            "region",
            "region_name",
            "deputy",
            "deputy_name",
            "station",
            "station_name",
            "constituent",
            "contact_name",
            "contact_phone",
            "lead_units",
            "due_date",
            "due_rule",
            "due_provisional",
            "submitted_at",
            "reply_text",
            "replied_at",
            "satisfaction",
            "reopened_count",
            "merged_into",
        ]
        read_only_fields = fields

    def get_contact_name(self, obj) -> str:
        return obj.constituent.name if obj.constituent else ""

    def get_lead_units(self, obj) -> list[str]:
        return [a.unit.name for a in getattr(obj, "lead_assignments", [])]


class SuggestionDetailSerializer(SuggestionSerializer):
    assignments = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    class Meta(SuggestionSerializer.Meta):
        fields = [*SuggestionSerializer.Meta.fields, "assignments", "events", "available_actions"]
        read_only_fields = fields

    def get_available_actions(self, obj) -> list[str]:
        """What the caller may do now: the workflow table the services enforce."""
        return SUGGESTION.available(self.context["request"].user, obj)

    def get_assignments(self, obj) -> list[dict]:
        user = self.context["request"].user
        rows = Assignment.objects.visible_to(user).filter(suggestion=obj).select_related("unit")
        return AssignmentSerializer(rows, many=True).data

    def get_events(self, obj) -> list[dict]:
        return [
            {
                "kind": event.kind,
                "at": event.at,
                "actor": event.actor_label,
                "public_text": event.public_text,
                "staff_text": event.staff_text,
            }
            for event in selectors.timeline(obj)
        ]


class NoteInput(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RejectInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=RejectReason.choices)
    note = serializers.CharField(max_length=500)


class TextInput(serializers.Serializer):
    text = serializers.CharField(max_length=4000)


class AssignInput(serializers.Serializer):
    # Only the units the caller may assign this suggestion to parse (the view narrows the
    # querysets): a unit outside that set reads exactly like one that does not exist.
    lead_unit = serializers.PrimaryKeyRelatedField(queryset=HandlingUnit.objects.none())
    co_units = serializers.PrimaryKeyRelatedField(
        queryset=HandlingUnit.objects.none(), many=True, required=False
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["lead_unit"].queryset = units
            self.fields["co_units"].child_relation.queryset = units


class MergeInput(serializers.Serializer):
    survivor = serializers.CharField(max_length=20, help_text=_("保留事项的查询码"))


class ExtensionInput(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=services.MAX_EXTENSION_DAYS)
    reason = serializers.CharField(max_length=500)


class DecideInput(serializers.Serializer):
    extension = serializers.IntegerField()
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AssignmentInput(serializers.Serializer):
    assignment = serializers.IntegerField()
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class FollowUpInput(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


# --- Suggestions ------------------------------------------------------------------


class SuggestionViewSet(viewsets.ReadOnlyModelViewSet):
    """Suggestions the caller may see; POST actions move them through the workflow."""

    lookup_url_kwarg = "suggestion_pk"
    filterset_class = SuggestionFilter
    search_fields = ["tracking_code", "content"]
    ordering_fields = ["submitted_at", "due_date"]
    ordering = ["-submitted_at"]

    def get_queryset(self):
        return selectors.inbox(self.request.user)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return SuggestionDetailSerializer
        return SuggestionSerializer

    def _writable(self) -> Suggestion:
        suggestion = self.get_object()
        if not can_write(self.request.user, suggestion):
            raise PermissionDenied
        return suggestion

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _answer(self, suggestion: Suggestion) -> Response:
        fresh = self.get_queryset().get(pk=suggestion.pk)
        return Response(SuggestionDetailSerializer(fresh, context={"request": self.request}).data)

    @extend_schema(request=NoteInput, responses=SuggestionDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, suggestion_pk=None):
        suggestion = self._writable()
        data = self._input(NoteInput)
        _call(services.suggestion_accept, actor=request.user, suggestion=suggestion, **data)
        return self._answer(suggestion)

    @extend_schema(request=RejectInput, responses=SuggestionDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, suggestion_pk=None):
        suggestion = self._writable()
        data = self._input(RejectInput)
        _call(services.suggestion_reject, actor=request.user, suggestion=suggestion, **data)
        return self._answer(suggestion)

    @extend_schema(request=TextInput, responses=SuggestionDetailSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, suggestion_pk=None):
        suggestion = self._writable()
        data = self._input(TextInput)
        _call(
            services.suggestion_answer_on_spot,
            actor=request.user,
            suggestion=suggestion,
            text=data["text"],
        )
        return self._answer(suggestion)

    @extend_schema(request=NoteInput, responses=SuggestionDetailSerializer)
    @action(detail=True, methods=["post"])
    def handle(self, request, suggestion_pk=None):
        suggestion = self._writable()
        data = self._input(NoteInput)
        _call(services.suggestion_handle_locally, actor=request.user, suggestion=suggestion, **data)
        return self._answer(suggestion)

    @extend_schema(request=AssignInput, responses=SuggestionDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, suggestion_pk=None):
        suggestion = self._writable()
        serializer = AssignInput(
            data=request.data, units=selectors.assignable_units(request.user, suggestion)
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _call(
            services.suggestion_assign,
            actor=request.user,
            suggestion=suggestion,
            lead_unit=data["lead_unit"],
            co_units=data.get("co_units", []),
            note=data["note"],
        )
        return self._answer(suggestion)

    @extend_schema(request=MergeInput, responses=SuggestionDetailSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, suggestion_pk=None):
        suggestion = self._writable()
        data = self._input(MergeInput)
        code = data["survivor"].replace(" ", "").replace("-", "").upper()
        survivor = self.get_queryset().filter(tracking_code=code).first()
        if survivor is None:
            raise ValidationError({"survivor": [_("找不到该查询码对应的事项。")]})
        _call(
            services.suggestion_merge, actor=request.user, duplicate=suggestion, survivor=survivor
        )
        return self._answer(suggestion)

    @extend_schema(request=AssignmentInput, responses=SuggestionDetailSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, suggestion_pk=None):
        suggestion = self._writable()
        data = self._input(AssignmentInput)
        assignment = self._assignment(suggestion, data["assignment"])
        _call(services.assignment_acknowledge, actor=request.user, assignment=assignment)
        return self._answer(suggestion)

    @extend_schema(request=AssignmentInput, responses=SuggestionDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request, suggestion_pk=None):
        suggestion = self._writable()
        data = self._input(AssignmentInput)
        assignment = self._assignment(suggestion, data["assignment"])
        _call(
            services.assignment_return,
            actor=request.user,
            assignment=assignment,
            reason=data["reason"],
        )
        return self._answer(suggestion)

    def _assignment(self, suggestion: Suggestion, assignment_id: int) -> Assignment:
        assignment = (
            Assignment.objects.visible_to(self.request.user)
            .filter(suggestion=suggestion, pk=assignment_id)
            .select_related("suggestion", "unit")
            .first()
        )
        if assignment is None:
            raise ValidationError({"assignment": [_("该交办不存在。")]})
        return assignment

    @extend_schema(request=ExtensionInput, responses=SuggestionDetailSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request, suggestion_pk=None):
        suggestion = self._writable()
        data = self._input(ExtensionInput)
        _call(services.extension_request, actor=request.user, suggestion=suggestion, **data)
        return self._answer(suggestion)

    @extend_schema(request=DecideInput, responses=SuggestionDetailSerializer)
    @action(detail=True, methods=["post"], url_path="decide-extension")
    def decide_extension(self, request, suggestion_pk=None):
        suggestion = self._writable()
        data = self._input(DecideInput)
        extension = ExtensionRequest.objects.filter(
            suggestion=suggestion, pk=data["extension"]
        ).first()
        if extension is None:
            raise ValidationError({"extension": [_("该延期申请不存在。")]})
        _call(
            services.extension_decide,
            actor=request.user,
            extension=extension,
            approve=data["approve"],
            note=data["note"],
        )
        return self._answer(suggestion)

    @extend_schema(request=TextInput, responses=SuggestionDetailSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, suggestion_pk=None):
        suggestion = self._writable()
        data = self._input(TextInput)
        _call(
            services.suggestion_reply, actor=request.user, suggestion=suggestion, text=data["text"]
        )
        return self._answer(suggestion)

    @extend_schema(request=FollowUpInput, responses=SuggestionDetailSerializer)
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, suggestion_pk=None):
        suggestion = self._writable()
        data = self._input(FollowUpInput)
        _call(services.suggestion_follow_up, actor=request.user, suggestion=suggestion, **data)
        return self._answer(suggestion)


# --- Constituents and handling units -------------------------------------------------


class ConstituentSerializer(serializers.ModelSerializer):
    phone = MaskedPhoneField()
    region = serializers.CharField(source="region.code", read_only=True)

    class Meta:
        model = Constituent
        fields = ["id", "name", "phone", "village", "region"]


class ConstituentViewSet(viewsets.ReadOnlyModelViewSet):
    """People who raised suggestions; phone numbers are always masked in the API."""

    serializer_class = ConstituentSerializer
    lookup_url_kwarg = "constituent_pk"
    filterset_class = ConstituentFilter

    def get_queryset(self):
        return selectors.constituents(self.request.user).order_by("name", "pk")


class ManagedRegionField(serializers.SlugRelatedField):
    default_error_messages = {
        "does_not_exist": _("区划代码“{value}”不存在或不在您的管辖范围内。"),
        "invalid": _("区划代码无效。"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        kwargs.setdefault("queryset", Region.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Region.objects.none()
        return region_choices(request.user, for_write=True).exclude(level=Region.Level.VILLAGE)


class HandlingUnitSerializer(serializers.ModelSerializer):
    region = ManagedRegionField()
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = HandlingUnit
        fields = [
            "id",
            "name",
            "kind",
            "region",
            "region_name",
            "duties",
            "contact_name",
            "phone",
            "is_active",
        ]


class HandlingUnitViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """The directory of handling units (承办单位); staff of the region edit it."""

    serializer_class = HandlingUnitSerializer
    lookup_url_kwarg = "unit_pk"
    filterset_class = HandlingUnitFilter

    def get_queryset(self):
        return HandlingUnit.objects.visible_to(self.request.user).select_related("region")

    def create(self, request, *args, **kwargs):
        # Decided before the payload is read: a leader's write is a 403, not a 400.
        if not can.may_manage_directories(request.user):
            raise PermissionDenied
        return super().create(request, *args, **kwargs)

    def get_object(self):
        unit = super().get_object()
        # A change too is refused before its payload is validated (403, not 400).
        if self.request.method not in ("GET", "HEAD", "OPTIONS") and not can.can_manage_region(
            self.request.user, unit.region
        ):
            raise PermissionDenied
        return unit

    def perform_create(self, serializer):
        serializer.instance = _call(
            services.handling_unit_create, actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        unit = serializer.instance
        if not can.can_manage_region(self.request.user, unit.region):
            raise PermissionDenied
        serializer.instance = _call(
            services.handling_unit_update,
            actor=self.request.user,
            unit=unit,
            **serializer.validated_data,
        )


# --- Public intake ------------------------------------------------------------------


class PublicSuggestionInput(serializers.Serializer):
    deputy_token = serializers.CharField(max_length=32, required=False, allow_blank=True)
    station_token = serializers.CharField(max_length=32, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices)
    content = serializers.CharField(max_length=CONTENT_MAX_LENGTH, min_length=5)
    place = serializers.CharField(max_length=PLACE_MAX_LENGTH, required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    village = serializers.CharField(max_length=100, required=False, allow_blank=True)
    submission_token = serializers.RegexField(
        TOKEN_RE, help_text=_("客户端生成的随机令牌，重复提交返回同一结果")
    )
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=services.MAX_PHOTOS
    )
    website = serializers.CharField(required=False, allow_blank=True, help_text=_("请勿填写"))

    def validate_contact_phone(self, value):
        try:
            return clean_phone(value)
        except DjangoValidationError as error:
            raise ValidationError(error.messages) from None

    def validate_photos(self, value):
        try:
            return sanitize_images(value)
        except DjangoValidationError as error:
            raise ValidationError(error.messages) from None

    def validate(self, data):
        if bool(data.get("deputy_token")) == bool(data.get("station_token")):
            raise ValidationError(_("请提供代表或联络站的二维码令牌（二选一）。"))
        if data.get("website"):
            raise ValidationError(_("提交未成功，请检查后重新提交。"))
        return data


class PublicSuggestionReceipt(serializers.Serializer):
    tracking_code = serializers.CharField()
    display_code = serializers.CharField()
    status = serializers.CharField()
    receipt_url = serializers.CharField()


def _receipt(suggestion: Suggestion) -> dict:
    return {
        "tracking_code": suggestion.tracking_code,
        "display_code": suggestion.display_code,
        "status": suggestion.status,
        "receipt_url": reverse("public_suggestions:receipt", args=[suggestion.submission_token]),
    }


class PublicSuggestionViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Anonymous intake, as on the QR page: one suggestion per submission token."""

    permission_classes = [AllowAny]
    idempotent_create = True  # a retried token answers 200 (core/api_schema.py)
    authentication_classes: list = []
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    serializer_class = PublicSuggestionInput

    @extend_schema(request=PublicSuggestionInput, responses=PublicSuggestionReceipt)
    def create(self, request, *args, **kwargs):
        from .public_views import SubmissionRefused, admit_submission, submission_counts

        if not isinstance(request.data, Mapping):
            raise ValidationError({"non_field_errors": [_("请求格式不正确，应为一个对象。")]})
        token = request.data.get("submission_token", "")
        existing = services.suggestion_by_token(token) if TOKEN_RE.match(str(token)) else None
        if existing is not None:
            return Response(_receipt(existing), status=status.HTTP_200_OK)
        ip = client_ip(request)
        uploads = bool(request.FILES)
        # Before the serializer decodes a single photo; uploads count whatever comes of them.
        if uploads and not admit_submission(ip):
            raise Throttled(detail=_("提交过于频繁，请稍后再试。"))
        serializer = PublicSuggestionInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        deputy = station = None
        if data.get("deputy_token"):
            deputy = get_object_or_404(
                Deputy, public_token=data["deputy_token"], status=Deputy.Status.ACTIVE
            )
        else:
            station = get_object_or_404(
                Station, public_token=data["station_token"], status=Station.Status.ACTIVE
            )
        phone = data.get("contact_phone", "")
        try:
            suggestion, created = _call(
                services.suggestion_submit,
                actor=None,
                channel=Channel.ONLINE,
                category=data["category"],
                content=data["content"],
                place=data.get("place", ""),
                deputy=deputy,
                station=station,
                contact_name=data.get("contact_name", ""),
                contact_phone=phone,
                village=data.get("village", ""),
                photos=data.get("photos", []),
                submission_token=data["submission_token"],
                admit=submission_counts(ip=ip, phone=phone, uploads=uploads),
            )
        except SubmissionRefused as refused:
            if refused.limit == "phone":
                raise Throttled(detail=_("该手机号今天提交的次数已达上限。")) from None
            raise Throttled(detail=_("提交过于频繁，请稍后再试。")) from None
        return Response(
            _receipt(suggestion), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
