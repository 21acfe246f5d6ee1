"""REST API for consultations and comments, behind the same gate as the pages.

Lists come from `visible_to`: a point sees only the consultations it was asked to
join. No answer carries a name or a phone number (authors are told apart by kind
only; phone numbers inside a comment are masked). Comments are created through the
same services as the pages, so a comment after the closing date is a 400 with the
Chinese reason; a read-only role is refused (403) before its input is read.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from core.params import IdFilter

from . import permissions as can
from . import selectors, services
from .models import CONTENT_MAX_LENGTH, AuthorKind, Channel, Comment, Participation
from .redact import mask_phones_in
from .workflow import CONSULTATION


def _call(function, **kwargs):
    """Run a service; its Django errors become DRF answers (400/403), never a 500."""
    try:
        return function(**kwargs)
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            raise ValidationError(error.message_dict) from None
        raise ValidationError({"non_field_errors": error.messages}) from None


class ConsultationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    title = serializers.CharField()
    issuing_body = serializers.CharField()
    summary_to = serializers.CharField()
    region = serializers.CharField(source="region.code")
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    status = serializers.CharField()
    phase = serializers.CharField(source="current_phase")
    article_count = serializers.IntegerField()
    point_count = serializers.IntegerField()
    comment_count = serializers.IntegerField(help_text="comments the caller sees")


class ArticleSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    label = serializers.CharField()
    paragraphs = serializers.ListField(child=serializers.CharField())


class ConsultationDetailSerializer(ConsultationSerializer):
    articles = serializers.SerializerMethodField()
    points = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    def get_articles(self, obj) -> list[dict]:
        return ArticleSerializer(obj.articles.all(), many=True).data

    def get_points(self, obj) -> list[dict]:
        user = self.context["request"].user
        return [
            {
                "participation": p.pk,
                "station": p.station_id,
                "station_name": p.station.name,
                "status": p.status,
                "comments": p.comment_count,
                "adopted": p.adopted_count,
            }
            for p in selectors.participations_of(user, obj)
        ]

    def get_available_actions(self, obj) -> list[str]:
        return CONSULTATION.available(self.context["request"].user, obj)


class ConsultationViewSet(viewsets.ReadOnlyModelViewSet):
    """Consultations the caller sees: issued in their region, or asking one of their points."""

    lookup_url_kwarg = "consultation_pk"
    filterset_fields = ["kind", "status"]
    ordering_fields = ["opens_on", "closes_on"]
    ordering = ["-opens_on", "-pk"]
    search_fields = ["title", "issuing_body"]

    def get_queryset(self):
        return selectors.consultations_for(self.request.user)

    def get_serializer_class(self):
        return ConsultationDetailSerializer if self.action == "retrieve" else ConsultationSerializer


class CommentSerializer(serializers.ModelSerializer):
    station_name = serializers.CharField(source="station.name", read_only=True)
    article_number = serializers.IntegerField(source="article.number", default=None)
    article_label = serializers.CharField()
    content = serializers.SerializerMethodField()
    merged_into = serializers.IntegerField(source="merged_into.number", default=None)

    class Meta:
        model = Comment
        # Never author_name, contact_phone, deputy, collector, created_by: personal data.
        fields = [
            "id",
            "number",
            "consultation",
            "participation",
            "station",
            "station_name",
            "article_number",
            "article_label",
            "content",
            "author_kind",
            "channel",
            "received_on",
            "decision",
            "merged_into",
            "drop_reason",
            "adopted",
        ]
        read_only_fields = fields

    def get_content(self, obj) -> str:
        return mask_phones_in(obj.content)


class CommentInput(serializers.Serializer):
    participation = serializers.PrimaryKeyRelatedField(
        queryset=Participation.objects.none(),
        error_messages={"does_not_exist": _("该联系点的征求意见不存在。")},
    )
    article_number = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    content = serializers.CharField(max_length=CONTENT_MAX_LENGTH)
    # For an officer recording what came in offline (a deputy's own comment needs neither).
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        required=False,
        allow_blank=True,
        help_text="offline channels only: symposium, box, visit, reception, phone, letter, other",
    )
    received_on = serializers.DateField(required=False, allow_null=True)
    author_kind = serializers.ChoiceField(
        choices=AuthorKind.choices,
        required=False,
        default=AuthorKind.CITIZEN,
        help_text="citizen or organisation: the API takes no names",
    )

    def validate_author_kind(self, value):
        if value not in (AuthorKind.CITIZEN, AuthorKind.ORGANISATION):
            raise ValidationError(_("代表、信息采集员的意见请在页面上录入并选择提出人。"))
        return value

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the points the caller sees parse: another's reads exactly like a missing one.
        if user is not None:
            self.fields["participation"].queryset = Participation.objects.visible_to(user)

    def validate(self, data):
        number = data.get("article_number")
        data["article"] = None
        if number is not None:
            participation = data["participation"]
            data["article"] = selectors.article_by_number(participation.consultation, number)
            if data["article"] is None:
                raise ValidationError({"article_number": _("草案中没有这一条。")})
        return data


class CommentFilter(filters.FilterSet):
    consultation = IdFilter()
    participation = IdFilter()
    article = IdFilter(field_name="article__number")
    decision = filters.ChoiceFilter(choices=Comment.Decision.choices)

    class Meta:
        model = Comment
        fields = ["consultation", "participation", "article", "decision", "adopted"]


class CommentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Comments the caller sees. POST: a deputy's own comment at their point, or an officer
    recording one gathered offline (`channel`, `received_on`). Refused after closing."""

    lookup_url_kwarg = "comment_pk"
    serializer_class = CommentSerializer
    filterset_class = CommentFilter
    ordering_fields = ["received_on", "number"]
    ordering = ["participation", "number"]

    def get_queryset(self):
        return Comment.objects.visible_to(self.request.user).select_related(
            "article", "station", "merged_into"
        )

    @extend_schema(request=CommentInput, responses=CommentSerializer)
    def create(self, request, *args, **kwargs):
        if not can.may_write_somewhere(request.user):
            raise PermissionDenied
        serializer = CommentInput(data=request.data, user=request.user)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        participation = data["participation"]
        keeper = can.can_keep_participation(request.user, participation)
        deputy = can.deputy_at_point(request.user, participation) is not None
        if deputy and not (keeper and data.get("channel")):
            comment, _created = _call(
                services.comment_submit,
                actor=request.user,
                participation=participation,
                content=data["content"],
                article=data["article"],
            )
        elif keeper:
            missing = {
                name: [_("录入线下收集的意见须填写此项。")]
                for name in ("channel", "received_on")
                if not data.get(name)
            }
            if missing:
                raise ValidationError(missing)
            comment = _call(
                services.comment_record,
                actor=request.user,
                participation=participation,
                content=data["content"],
                article=data["article"],
                channel=data["channel"],
                received_on=data["received_on"],
                author_kind=data["author_kind"],
            )
        else:
            raise PermissionDenied
        fresh = self.get_queryset().get(pk=comment.pk)
        return Response(CommentSerializer(fresh).data, status=status.HTTP_201_CREATED)
