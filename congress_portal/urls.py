from csp.decorators import csp_update
from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from appointments.api import (
    BookingViewSet,
    DutyEventViewSet,
    LeaderVisitViewSet,
    MeetingViewSet,
    PublicBookingViewSet,
    PublicVoteViewSet,
    ReportBackViewSet,
)
from dashboards.api import DashboardViewSet
from deputies.api import DeputyViewSet
from duties.api import PointsViewSet, RecordViewSet
from legislation.api import CommentViewSet as LegislativeCommentViewSet
from legislation.api import ConsultationViewSet
from livelihood.api import CycleViewSet as LivelihoodCycleViewSet
from livelihood.api import RoundViewSet as LivelihoodRoundViewSet
from notifications.api import NotificationViewSet
from proposals.api import ContactViewSet as ProposalContactViewSet
from proposals.api import ProposalViewSet
from proposals.api import ReplyViewSet as ProposalReplyViewSet
from receptions.api import ActivityViewSet, HouseholdViewSet, ReceptionViewSet, VisitViewSet
from regions.api import RegionViewSet
from stations.api import StationViewSet
from suggestions.api import (
    ConstituentViewSet,
    HandlingUnitViewSet,
    PublicSuggestionViewSet,
    SuggestionViewSet,
)
from supervision.api import SupervisionViewSet


def _moved_intake(request):
    return HttpResponsePermanentRedirect("/api/public-suggestions/", preserve_request=True)


router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("stations", StationViewSet, basename="station")
router.register("deputies", DeputyViewSet, basename="deputy")
router.register("suggestions", SuggestionViewSet, basename="suggestion")
router.register("constituents", ConstituentViewSet, basename="constituent")
router.register("handling-units", HandlingUnitViewSet, basename="handling-unit")
router.register("receptions", ReceptionViewSet, basename="reception")
router.register("visits", VisitViewSet, basename="visit")
router.register("households", HouseholdViewSet, basename="household")
router.register("activities", ActivityViewSet, basename="activity")
router.register("duty-points", PointsViewSet, basename="duty-points")
router.register("duty-records", RecordViewSet, basename="duty-record")
router.register("supervisions", SupervisionViewSet, basename="supervision")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("dashboards", DashboardViewSet, basename="dashboard")
router.register("public-suggestions", PublicSuggestionViewSet, basename="public-suggestion")
router.register(
    "legislation/consultations", ConsultationViewSet, basename="legislation-consultation"
)
router.register("legislation/comments", LegislativeCommentViewSet, basename="legislation-comment")
router.register("appointments/bookings", BookingViewSet, basename="appointment-booking")
router.register("appointments/meetings", MeetingViewSet, basename="appointment-meeting")
router.register("appointments/report-backs", ReportBackViewSet, basename="appointment-report")
router.register("appointments/leader-visits", LeaderVisitViewSet, basename="appointment-leader")
router.register("appointments/duty-events", DutyEventViewSet, basename="appointment-duty-event")
router.register("public-bookings", PublicBookingViewSet, basename="public-booking")
router.register("public-report-votes", PublicVoteViewSet, basename="public-report-vote")
router.register("livelihood/cycles", LivelihoodCycleViewSet, basename="livelihood-cycle")
router.register("livelihood/rounds", LivelihoodRoundViewSet, basename="livelihood-round")
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("proposal-contacts", ProposalContactViewSet, basename="proposal-contact")
router.register("proposal-replies", ProposalReplyViewSet, basename="proposal-reply")

urlpatterns = [
    path("", include("accounts.urls")),
    path("regions/", include("regions.urls")),
    path("stations/", include("stations.urls")),
    path("deputies/", include("deputies.urls")),
    path("suggestions/", include("suggestions.urls")),
    path("calendar/", include("calendars.urls")),
    path("receptions/", include("receptions.urls")),
    path("duties/", include("duties.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("ledgers/", include("ledgers.urls")),
    path("jobs/", include("jobs.urls")),
    path("audit/", include("audit.urls")),
    path("notifications/", include("notifications.urls")),
    path("supervision/", include("supervision.urls")),
    path("open311/", include("open311.urls")),
    path("legislation/", include("legislation.urls")),
    path("phones/", include("core.urls")),
    path("appointments/", include("appointments.urls")),
    path("livelihood/", include("livelihood.urls")),
    path("proposals/", include("proposals.urls")),
    # Citizens' pages (no login), reached from QR codes: short paths.
    path("p/", include("public.urls")),
    path("c/", include("suggestions.public_urls")),
    path("l/", include("legislation.public_urls")),
    path("a/", include("appointments.public_urls")),
    path("m/", include("livelihood.public_urls")),
    path("pp/", include("proposals.public_urls")),
    path("placards/", include("public.placard_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI (signed-in staff only) runs no inline script with the split view, but
    # injects its own <style>: this one page may apply inline styles, never scripts.
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="schema")
        ),
        name="api-docs",
    ),
    # The intake's old path, kept for one release: 308 keeps a client's POST and its body.
    path("api/concerns/", _moved_intake, name="legacy-public-suggestions"),
    path("api/", include(router.urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]

# A path no pattern matches: JSON under /api/, GeoReport errors under /open311/v2/.
handler404 = "congress_portal.errors.handler404"
