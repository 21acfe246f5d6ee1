"""REST API for bookings, meetings with bodies, report-backs, leaders' days and duty events.

Behind the same gate as the pages: lists come from `visible_to`, actions go through the
same services and workflow tables (a wrong state is a 400 with the Chinese reason, a
wrong person 403, another county's row 404). A citizen's phone is masked unless the
caller is the deputy booked or the station's officer; a poll's votes are never listed,
only the counts once the poll is closed. Citizens book and vote without an account
through the public endpoints, rate-limited like the pages.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, Throttled, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from core.masking import mask_phone
from core.net import client_ip
from deputies.models import Deputy
from duties.models import DutyKind
from receptions.services import RaisedSuggestion
from suggestions import ratelimit

from . import permissions as can
from . import public_views, selectors, services
from .models import Booking, DutyEvent, LeaderVisit, MeetingRequest, Rating, ReportBack
from .workflow import BOOKING, MEETING, REPORT_BACK


def _call(function, **kwargs):
    """Run a service; its Django errors become DRF answers (400/403), never a 500."""
    try:
        return function(**kwargs)
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            raise ValidationError(error.message_dict) from None
        raise ValidationError({"non_field_errors": error.messages}) from None
    except DjangoPermissionDenied as error:
        raise PermissionDenied(str(error) or None) from None


# --- Bookings -------------------------------------------------------------------------------


class BookingSerializer(serializers.ModelSerializer):
    deputy_name = serializers.CharField(source="deputy.name", read_only=True)
    station_name = serializers.CharField(source="station.name", read_only=True)
    phone = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = [
            "id",
            "deputy",
            "deputy_name",
            "station",
            "station_name",
            "date",
            "time_note",
            "wished",
            "topic",
            "name",
            "phone",
            "status",
            "reason",
            "reception",
            "created_at",
            "available_actions",
        ]
        read_only_fields = fields

    def get_phone(self, obj) -> str:
        user = self.context["request"].user
        return obj.phone if can.can_see_booking_phone(user, obj) else mask_phone(obj.phone)

    def get_available_actions(self, obj) -> list[str]:
        return BOOKING.available(self.context["request"].user, obj)


class BookingActInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=["confirm", "propose", "decline", "hold", "miss"])
    date = serializers.DateField(required=False, help_text="propose: the other day")
    time_note = serializers.CharField(required=False, allow_blank=True, max_length=60)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    raise_concern = serializers.BooleanField(required=False, default=True)


class BookingViewSet(viewsets.ReadOnlyModelViewSet):
    """Bookings the caller sees; `act` confirms, proposes another time, declines, records
    the meeting (a reception record) or a no-show."""

    lookup_url_kwarg = "booking_pk"
    serializer_class = BookingSerializer
    filterset_fields = ["status", "deputy", "station"]
    ordering = ["-created_at", "-pk"]

    def get_queryset(self):
        return Booking.objects.visible_to(self.request.user).select_related("deputy", "station")

    @extend_schema(request=BookingActInput, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, booking_pk=None):
        booking = self.get_object()
        if not can.may_act_anywhere(request.user):
            raise PermissionDenied
        data = BookingActInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        name = d["action"]
        if name == "confirm":
            _call(services.booking_confirm, actor=request.user, booking=booking)
        elif name == "propose":
            if "date" not in d:
                raise ValidationError({"date": [_("请填写改约日期。")]})
            _call(
                services.booking_propose,
                actor=request.user,
                booking=booking,
                date=d["date"],
                time_note=d.get("time_note", ""),
                reason=d.get("reason", ""),
            )
        elif name == "decline":
            _call(
                services.booking_decline,
                actor=request.user,
                booking=booking,
                reason=d.get("reason", ""),
            )
        elif name == "hold":
            _call(
                services.booking_hold,
                actor=request.user,
                booking=booking,
                notes=d.get("notes", ""),
                raise_concern=d["raise_concern"],
            )
        else:
            _call(services.booking_miss, actor=request.user, booking=booking)
        fresh = self.get_queryset().get(pk=booking.pk)
        return Response(BookingSerializer(fresh, context={"request": request}).data)


class PublicBookingInput(serializers.Serializer):
    deputy_token = serializers.CharField(max_length=32, help_text="the deputy's public token")
    day = serializers.CharField(
        required=False, allow_blank=True, help_text="a reception day: '<rule id>:<YYYY-MM-DD>'"
    )
    wished = serializers.CharField(required=False, allow_blank=True, max_length=100)
    category = serializers.CharField(required=False, default="other", max_length=20)
    topic = serializers.CharField(max_length=1000)
    name = serializers.CharField(max_length=40)
    phone = serializers.CharField(max_length=20)
    consent = serializers.BooleanField()
    submission_token = serializers.CharField(max_length=64)


class PublicBookingReceipt(serializers.Serializer):
    booking_token = serializers.CharField(source="public_token")
    status = serializers.CharField()
    date = serializers.DateField(allow_null=True)
    time_note = serializers.CharField()


class PublicBookingViewSet(viewsets.GenericViewSet):
    """A citizen books a deputy without an account (扫码有约): the same service as the
    page, the same capacity under concurrent requests, the same rate limits."""

    permission_classes = [AllowAny]
    idempotent_create = True  # a retried token answers 200 (core/api_schema.py)
    authentication_classes: list = []
    serializer_class = PublicBookingInput

    def get_queryset(self):
        return Booking.objects.none()

    @extend_schema(request=PublicBookingInput, responses={201: PublicBookingReceipt})
    def create(self, request):
        data = PublicBookingInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        deputy = Deputy.objects.filter(
            public_token=d["deputy_token"], status=Deputy.Status.ACTIVE
        ).first()
        if deputy is None:
            raise NotFound
        existing = services.booking_by_token(d["submission_token"])
        if existing is None and ratelimit.submission_refusal(
            "booking",
            ip=client_ip(request),
            phone=d["phone"],
            per_ip=public_views.BOOK_PER_IP,
            per_phone=public_views.BOOK_PER_PHONE,
        ):
            raise Throttled
        picked = selectors.parse_day_key(d.get("day", "")) if d.get("day") else None
        if d.get("day") and picked is None:
            raise ValidationError({"day": [_("接待日格式应为“规则编号:日期”。")]})
        booking, created = _call(
            services.booking_submit,
            deputy=deputy,
            rule_id=picked[0] if picked else None,
            date=picked[1] if picked else None,
            wished="" if picked else d.get("wished", ""),
            category=d.get("category", "other"),
            topic=d["topic"],
            name=d["name"],
            phone=d["phone"],
            consent=d["consent"],
            submission_token=d["submission_token"],
        )
        return Response(
            PublicBookingReceipt(booking).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


# --- Meetings with the heads of bodies ---------------------------------------------------------


class MeetingSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    deputies = serializers.SerializerMethodField()
    ratings = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = MeetingRequest
        fields = [
            "id",
            "unit",
            "unit_name",
            "deputies",
            "subject",
            "reasons",
            "status",
            "decline_reason",
            "schedule_due",
            "meeting_at",
            "place",
            "attendees",
            "minutes",
            "answer_due",
            "answer",
            "ratings",
            "created_at",
            "available_actions",
        ]
        read_only_fields = fields

    def get_deputies(self, obj) -> list[dict]:
        return [{"id": d.pk, "name": d.name} for d in obj.deputies.all()]

    def get_ratings(self, obj) -> list[dict]:
        return [{"deputy": r.deputy_id, "rating": r.rating} for r in obj.ratings.all()]

    def get_available_actions(self, obj) -> list[str]:
        return MEETING.available(self.context["request"].user, obj)


class MeetingActInput(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=["forward", "decline", "schedule", "hold", "answer", "rate"]
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)
    meeting_at = serializers.DateTimeField(required=False)
    place = serializers.CharField(required=False, allow_blank=True, max_length=120)
    attendees = serializers.CharField(required=False, allow_blank=True, max_length=300)
    minutes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    answer = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    rating = serializers.ChoiceField(choices=Rating.choices, required=False)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=300)


class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    """Deputies' requests to meet the heads of bodies, and `act` along their workflow."""

    lookup_url_kwarg = "meeting_pk"
    serializer_class = MeetingSerializer
    filterset_fields = ["status", "unit"]
    ordering = ["-created_at", "-pk"]

    def get_queryset(self):
        return (
            MeetingRequest.objects.visible_to(self.request.user)
            .select_related("unit")
            .prefetch_related("deputies", "ratings")
        )

    @extend_schema(request=MeetingActInput, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, meeting_pk=None):
        meeting = self.get_object()
        if not can.may_act_anywhere(request.user):
            raise PermissionDenied
        data = MeetingActInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        name, actor = d["action"], request.user
        if name == "forward":
            _call(services.meeting_forward, actor=actor, request=meeting)
        elif name == "decline":
            _call(services.meeting_decline, actor=actor, request=meeting, reason=d.get("reason"))
        elif name == "schedule":
            _call(
                services.meeting_schedule,
                actor=actor,
                request=meeting,
                meeting_at=d.get("meeting_at"),
                place=d.get("place", ""),
                attendees=d.get("attendees", ""),
            )
        elif name == "hold":
            _call(services.meeting_hold, actor=actor, request=meeting, minutes=d.get("minutes"))
        elif name == "answer":
            _call(services.meeting_answer, actor=actor, request=meeting, answer=d.get("answer"))
        else:
            _call(
                services.meeting_rate,
                actor=actor,
                request=meeting,
                rating=d.get("rating", ""),
                comment=d.get("comment", ""),
            )
        fresh = self.get_queryset().get(pk=meeting.pk)
        return Response(MeetingSerializer(fresh, context={"request": request}).data)


# --- Report-backs --------------------------------------------------------------------------------


class ReportBackSerializer(serializers.ModelSerializer):
    deputy_name = serializers.CharField(source="deputy.name", read_only=True)
    station_name = serializers.CharField(source="station.name", read_only=True)
    result = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = ReportBack
        fields = [
            "id",
            "deputy",
            "deputy_name",
            "station",
            "station_name",
            "starts_at",
            "status",
            "method",
            "audience",
            "poll_opens_at",
            "poll_closes_at",
            "result",
            "available_actions",
        ]
        read_only_fields = fields

    def get_result(self, obj) -> dict | None:
        """The counts, once evaluated; a running poll shows nothing (no influence)."""
        if obj.status != ReportBack.Status.EVALUATED:
            return None
        return {
            "satisfied": obj.satisfied,
            "basically": obj.basically,
            "unsatisfied": obj.unsatisfied,
        }

    def get_available_actions(self, obj) -> list[str]:
        return REPORT_BACK.available(self.context["request"].user, obj)


class ReportActInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=["hold", "tally", "open_poll", "close_poll", "cancel"])
    audience = serializers.IntegerField(required=False, min_value=0)
    report_text = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    questions = serializers.ListField(
        child=serializers.CharField(max_length=2000), required=False, max_length=20
    )
    satisfied = serializers.IntegerField(required=False, min_value=0)
    basically = serializers.IntegerField(required=False, min_value=0)
    unsatisfied = serializers.IntegerField(required=False, min_value=0)


class ReportBackViewSet(viewsets.ReadOnlyModelViewSet):
    """Report-backs the caller sees, with results once evaluated; `act` along the workflow."""

    lookup_url_kwarg = "report_pk"
    serializer_class = ReportBackSerializer
    filterset_fields = ["status", "deputy", "station"]
    ordering = ["-starts_at", "-pk"]

    def get_queryset(self):
        return ReportBack.objects.visible_to(self.request.user).select_related("deputy", "station")

    @extend_schema(request=ReportActInput, responses=ReportBackSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, report_pk=None):
        report = self.get_object()
        if not can.may_act_anywhere(request.user):
            raise PermissionDenied
        data = ReportActInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        name, actor = d["action"], request.user
        if name == "hold":
            _call(
                services.report_back_hold,
                actor=actor,
                report=report,
                audience=d.get("audience"),
                report_text=d.get("report_text", ""),
                questions=[
                    RaisedSuggestion(category="other", content=q)
                    for q in d.get("questions", [])
                    if q.strip()
                ],
            )
        elif name == "tally":
            missing = {
                k: [_("录入纸质测评结果须填写此项。")]
                for k in ("satisfied", "basically", "unsatisfied")
                if k not in d
            }
            if missing:
                raise ValidationError(missing)
            _call(
                services.report_back_tally,
                actor=actor,
                report=report,
                satisfied=d["satisfied"],
                basically=d["basically"],
                unsatisfied=d["unsatisfied"],
            )
        elif name == "open_poll":
            _call(services.report_back_open_poll, actor=actor, report=report)
        elif name == "close_poll":
            _call(services.report_back_close_poll, actor=actor, report=report)
        else:
            _call(services.report_back_cancel, actor=actor, report=report)
        fresh = self.get_queryset().get(pk=report.pk)
        return Response(ReportBackSerializer(fresh, context={"request": request}).data)


class PublicVoteInput(serializers.Serializer):
    poll_token = serializers.CharField(max_length=32)
    phone = serializers.CharField(max_length=20)
    rating = serializers.ChoiceField(choices=Rating.choices)


class PublicVoteViewSet(viewsets.GenericViewSet):
    """A voter's phone vote on a report-back while its poll is open: one per phone."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = PublicVoteInput

    def get_queryset(self):
        return ReportBack.objects.none()

    @extend_schema(request=PublicVoteInput, responses={201: None})
    def create(self, request):
        data = PublicVoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        report = ReportBack.objects.filter(poll_token=d["poll_token"]).first()
        if report is None:
            raise NotFound
        limit, window = public_views.VOTE_PER_IP  # the page's limits, counted together
        if not ratelimit.hit("vote-ip", client_ip(request), limit=limit, window=window):
            raise Throttled
        _call(services.report_back_vote, report=report, phone=d["phone"], rating=d["rating"])
        return Response(status=status.HTTP_201_CREATED)


# --- Leaders' station days and other duties ---------------------------------------------------


class LeaderVisitSerializer(serializers.ModelSerializer):
    leader_name = serializers.CharField(source="leader.full_name", read_only=True)
    station_name = serializers.CharField(source="station.name", read_only=True)
    matters = serializers.IntegerField(read_only=True)

    class Meta:
        model = LeaderVisit
        fields = [
            "id",
            "station",
            "station_name",
            "leader",
            "leader_name",
            "date",
            "people_count",
            "matters",
        ]
        read_only_fields = fields


class LeaderVisitViewSet(viewsets.ReadOnlyModelViewSet):
    """Leaders' station days (领导干部进站) the caller sees."""

    lookup_url_kwarg = "leader_visit_pk"
    serializer_class = LeaderVisitSerializer
    filterset_fields = ["station", "leader"]
    ordering = ["-date", "-pk"]

    def get_queryset(self):
        from django.db.models import Count

        return (
            LeaderVisit.objects.visible_to(self.request.user)
            .select_related("station", "leader")
            .annotate(matters=Count("suggestions"))
        )


class DutyEventSerializer(serializers.ModelSerializer):
    kind_display = serializers.SerializerMethodField()
    deputies = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = DutyEvent
        fields = ["id", "kind", "kind_display", "title", "date", "region", "deputies"]
        read_only_fields = fields

    def get_kind_display(self, obj) -> str:
        return dict(DutyKind.choices).get(obj.kind, obj.kind)


class DutyEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Sessions attended, inspections, law-enforcement checks, standing-committee sittings,
    training: each credited on the deputies' duty records."""

    lookup_url_kwarg = "event_pk"
    serializer_class = DutyEventSerializer
    filterset_fields = ["kind", "region"]
    ordering = ["-date", "-pk"]

    def get_queryset(self):
        return DutyEvent.objects.visible_to(self.request.user).prefetch_related("deputies")
