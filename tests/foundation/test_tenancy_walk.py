"""Walk every URL pattern with another region's objects: the answer must be 404.

A new URL whose parameters this walk does not know fails `test_every_parameter_is_known`,
so a view cannot join the portal without joining this test.
"""

import re

import pytest
from django.db import transaction

from tests.appointments.world import appointments_world
from tests.foundation import walk
from tests.legislation.world import legislation_world
from tests.livelihood.world import livelihood_world
from tests.proposals.world import proposal_world
from tests.receptions.registers import registers
from tests.suggestions.world import suggestion_world


# Which object of the cast each URL parameter names. Values are taken from the
# 交城县 side of the world; the visitors below sit in the neighbouring 文水县.
def _notification_of_county_officer(world):
    from notifications.models import Notification

    return Notification.objects.create(
        recipient=world.county_officer, kind="test", title="交城县的通知"
    ).pk


PARAMETERS = {
    "notification_pk": _notification_of_county_officer,
    "region_code": lambda w: w.county.code,
    "user_pk": lambda w: w.county_officer.pk,
    "station_pk": lambda w: w.station.pk,
    "deputy_pk": lambda w: w.deputy.pk,
    "unit_pk": lambda w: w.unit.pk,
    # Suggestions (suggestions/): made on first use, see tests/suggestions/world.py.
    "suggestion_pk": lambda w: suggestion_world(w).suggestion.pk,
    "assignment_pk": lambda w: suggestion_world(w).assignment.pk,
    "extension_pk": lambda w: suggestion_world(w).extension.pk,
    "photo_pk": lambda w: suggestion_world(w).photo.pk,
    "attachment_pk": lambda w: suggestion_world(w).attachment.pk,
    "template_pk": lambda w: suggestion_world(w).template.pk,
    "sla_pk": lambda w: suggestion_world(w).sla.pk,
    "constituent_pk": lambda w: suggestion_world(w).constituent.pk,
    "job_pk": lambda w: _county_officer_job(w).pk,
    "override_pk": lambda w: _county_calendar_override(w).pk,
    "rule_pk": lambda w: _county_reception_rule(w).pk,
    "exception_pk": lambda w: _county_reception_exception(w).pk,
    "group_pk": lambda w: _county_deputy_group(w).pk,
    "membership_pk": lambda w: _county_membership(w).pk,
    "assessment_pk": lambda w: _county_assessment(w).pk,
    "assessment_photo_pk": lambda w: _county_assessment_photo(w).pk,
    # Registers and duty records (receptions/, duties/): see tests/receptions/registers.py.
    "reception_pk": lambda w: registers(w).reception.pk,
    "visit_pk": lambda w: registers(w).visit.pk,
    "household_pk": lambda w: registers(w).household.pk,
    "activity_pk": lambda w: registers(w).activity.pk,
    "activity_photo_pk": lambda w: registers(w).photo.pk,
    "duty_report_pk": lambda w: registers(w).report.pk,
    "client_pk": lambda w: _county_api_client(w).pk,
    "duty_points_pk": lambda w: _county_points(w).pk,
    # 督办 (supervision/): the county supervises the 交城县 suggestion.
    "supervision_pk": lambda w: _county_supervision(w).pk,
    # Legislative points (legislation/): see tests/legislation/world.py.
    "consultation_pk": lambda w: legislation_world(w).consultation.pk,
    "article_number": lambda w: legislation_world(w).article.number,
    "participation_pk": lambda w: legislation_world(w).participation.pk,
    "comment_pk": lambda w: legislation_world(w).comment.pk,
    "collector_pk": lambda w: legislation_world(w).collector.pk,
    "tfa_rule_pk": lambda w: _county_two_factor_rule(w).pk,
    # The audited phone reveal (core/phones.py): kind and object, here a 交城县 deputy.
    "phone_kind": lambda w: "deputy",
    "phone_pk": lambda w: w.deputy.pk,
    # Appointments, report-backs, contacts, duties (appointments/): tests/appointments/world.py.
    "booking_pk": lambda w: appointments_world(w).booking.pk,
    "slot_pk": lambda w: _county_booking_slot(w).pk,
    "meeting_pk": lambda w: appointments_world(w).meeting.pk,
    "report_pk": lambda w: appointments_world(w).report.pk,
    "binding_pk": lambda w: appointments_world(w).binding.pk,
    "event_pk": lambda w: appointments_world(w).event.pk,
    "leader_visit_pk": lambda w: appointments_world(w).visit.pk,
    # Livelihood projects (livelihood/): see tests/livelihood/world.py.
    "cycle_pk": lambda w: livelihood_world(w).cycle.pk,
    "livelihood_proposal_pk": lambda w: livelihood_world(w).proposal.pk,
    "project_pk": lambda w: livelihood_world(w).project.pk,
    "round_pk": lambda w: livelihood_world(w).round.pk,
    "problem_pk": lambda w: livelihood_world(w).problem.pk,
    # Deputies' formal suggestions (proposals/): see tests/proposals/world.py.
    "proposal_pk": lambda w: proposal_world(w).proposal.pk,
    "proposal_assignment_pk": lambda w: proposal_world(w).lead.pk,
    "proposal_meeting_pk": lambda w: proposal_world(w).meeting.pk,
    "file_pk": lambda w: proposal_world(w).letter.pk,
    "step": lambda w: "register",
    "contact_pk": lambda w: proposal_world(w).contact.pk,
    "reply_pk": lambda w: proposal_world(w).reply.pk,
}


def _county_booking_slot(w):
    import datetime

    from appointments.models import BookingSlot

    a = appointments_world(w)
    slot, _ = BookingSlot.objects.get_or_create(
        rule=a.rule,
        date=datetime.date(2026, 6, 4),
        deputy=w.deputy,
        defaults={"station": w.station, "region": w.station.region, "capacity": 5},
    )
    return slot


def _county_two_factor_rule(w):
    from accounts.models import Role, TwoFactorRequirement

    rule, _created = TwoFactorRequirement.objects.get_or_create(
        role=Role.LEADER, region=w.county, defaults={"created_by": w.sysadmin}
    )
    return rule


def _county_points(w):
    from deputies.models import Deputy
    from duties.models import DeputyPoints
    from duties.services import deputy_points_recompute

    deputy_points_recompute(deputies=Deputy.objects.filter(pk=w.deputy.pk), year=2026)
    return DeputyPoints.objects.get(deputy=w.deputy, year=2026)


def _county_api_client(w):
    from open311.models import ApiClient
    from open311.services import client_register

    client = ApiClient.objects.filter(region=w.county).first()
    if client is None:
        client, _key = client_register(
            actor=w.county_officer,
            name="交城县热线",
            region=w.county,
            access="read",
            pipl_notice=True,
        )
    return client


def _county_supervision(w):
    from supervision.models import Supervision

    suggestion = suggestion_world(w).suggestion
    supervision, _ = Supervision.objects.get_or_create(
        suggestion=suggestion,
        region=w.county,
        defaults={"suggestion_region_path": suggestion.region_path, "reason": "reply_overdue"},
    )
    return supervision


def _county_deputy_group(w):
    from deputies.models import DeputyGroup

    # Looked up by the end of its name: the walk puts a marker in front of it.
    group = DeputyGroup.objects.filter(
        name__endswith="天宁镇第一代表小组", region=w.township
    ).first()
    group = group or DeputyGroup.objects.create(
        name="天宁镇第一代表小组", region=w.township, station=w.station
    )
    group.members.add(w.deputy)
    return group


def _county_membership(w):
    import datetime

    from deputies.models import StationMembership

    membership, _ = StationMembership.objects.get_or_create(
        deputy=w.deputy, station=w.station, defaults={"start_date": datetime.date(2024, 1, 5)}
    )
    return membership


def _county_assessment_photo(w):
    from stations.models import StationAssessmentPhoto

    return StationAssessmentPhoto.objects.create(
        assessment=_county_assessment(w), image="stations/assessments/evidence.jpg"
    )


def _county_assessment(w):
    import datetime

    from stations.models import StationAssessment

    assessment, _ = StationAssessment.objects.get_or_create(
        station=w.station,
        defaults={"region": w.station.region, "assessed_on": datetime.date(2025, 6, 1), "stars": 4},
    )
    return assessment


def _county_calendar_override(w):
    """A regional holiday of 交城县 (national rows are superusers' only)."""
    import datetime

    from calendars.models import CalendarOverride

    override, _ = CalendarOverride.objects.get_or_create(
        date=datetime.date(2027, 3, 1),
        region=w.county,
        defaults={"kind": "holiday", "name": "县节"},
    )
    return override


def _county_reception_rule(w):
    import datetime

    from receptions.models import ReceptionRule

    rule, _ = ReceptionRule.objects.get_or_create(
        station=w.station,
        kind="monthly",
        defaults={
            "region": w.station.region,
            "day_of_month": 20,
            "valid_from": datetime.date(2026, 1, 1),
        },
    )
    return rule


def _county_reception_exception(w):
    import datetime

    from receptions.models import ReceptionException

    rule = _county_reception_rule(w)
    exception, _ = ReceptionException.objects.get_or_create(
        rule=rule,
        date=datetime.date(2026, 12, 21),
        defaults={"station": rule.station, "region": rule.region, "cancelled": True},
    )
    return exception


def _county_officer_job(w):
    """A finished job of the county officer: nobody else may see it or its file."""
    from jobs.models import Job

    job = Job.objects.filter(created_by=w.county_officer).first()
    if job is None:
        job = Job(
            kind="placards",
            title="交城县 亮码牌",
            created_by=w.county_officer,
            region=w.county,
            status=Job.Status.DONE,
            result="jobs/walk/placards.pdf",  # no file: the walk must stop before it
            result_name="交城县-亮码牌.pdf",
        )
        job.save()
    return job


# Not tenancy-scoped, on purpose: Django's own admin (superusers only), i18n switch,
# API root and schema; public pages reached by an unguessable token are listed here too.
SKIP_PREFIXES = ("django-admin/", "i18n/", "media/")
PUBLIC_URL_NAMES: set[str] = set()
# Citizens' suggestion intake and receipt (suggestions/public_urls.py), keyed by public tokens.
PUBLIC_URL_NAMES |= {
    "public_suggestions:new_for_deputy",
    "public_suggestions:new_for_station",
    "public_suggestions:receipt",
    "public_suggestions:track_detail",  # shown only to a browser that proved code + phone digits
    "public_suggestions:track_rate",
    "public_suggestions:track_attachment",  # the same proof, and the file must be the suggestion's
}
# The Open311 interface answers client systems by their key, not a session: its own
# tests (tests/open311/) walk another county's key against this county's requests.
PUBLIC_URL_NAMES |= {
    "open311:discovery",
    "open311:services",
    "open311:service",
    "open311:requests",
    "open311:request",
    "open311:token",
}
# Deputies' and stations' public pages, QR codes and photos (public/urls.py); entries
# with a namespace match only that app's URL.
PUBLIC_URL_NAMES |= {
    "public:deputy",
    "public:deputy_qr_png",
    "public:deputy_qr_svg",
    "public:deputy_photo",
    "public:station",
    "public:station_qr_png",
    "public:station_qr_svg",
}

# A consultation's public pages at a point, its QR code, a comment's receipt and a
# collector's personal link (legislation/public_urls.py), keyed by public tokens.
PUBLIC_URL_NAMES |= {
    "public_legislation:page",
    "public_legislation:qr",
    "public_legislation:comment",
    "public_legislation:article",
    "public_legislation:receipt",
    "public_legislation:collector",
}

# Booking a deputy (扫码有约), a citizen's booking receipt and a report-back's phone poll
# (appointments/public_urls.py), keyed by public tokens.
PUBLIC_URL_NAMES |= {
    "public_appointments:book_deputy",
    "public_appointments:book_station",
    "public_appointments:booking",
    "public_appointments:vote",
    "public_appointments:vote_qr",
}
# A cycle's public pages, QR code, results and notice, a proposal's receipt and a
# project's progress page (livelihood/public_urls.py), keyed by public tokens.
PUBLIC_URL_NAMES |= {
    "public_livelihood:page",
    "public_livelihood:propose",
    "public_livelihood:qr",
    "public_livelihood:results",
    "public_livelihood:notice",
    "public_livelihood:receipt",
    "public_livelihood:project",
}
# A body's published handling results of formal suggestions (proposals/public_urls.py):
# public by law (Deputies Law), with no citizen's data; tests/proposals/test_public.py.
PUBLIC_URL_NAMES |= {"public_proposals:body"}
# The citizen's own photos on the tracking page: the same session proof as the page, and
# the photo must be that suggestion's (suggestions/public_photos.py).
PUBLIC_URL_NAMES |= {"public_suggestions:track_photo"}

PARAM_RE = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")

# --- what the walk leaves out, each with its reason -----------------------------------

# Routes not walked at all, by prefix (SKIP_PREFIXES above: Django's admin for
# superusers, the language switch, media) and by name:
SKIPPED_NAMES = {
    ":schema": "the OpenAPI description of the API: the same document for everyone, no rows",
    ":api-docs": "the Swagger page that reads :schema",
}
# API routes with a format suffix (`/api/stations.json`, `/api/stations/1.json`) reach
# the same view as the route without one, which is walked.
FORMAT_PARAMETERS = {"format"}

# What a visitor rightly shares with the other slice, so it is not "the other side" for
# them: {visitor: ({parameters}, {model labels whose text may show}, reason)}.
# Pages the differential check (unchanged_failures) cannot read twice alike, with why.
CHANGING_PAGES: dict[str, str] = {
    "accounts:security_totp": "each opening draws a new secret for the authenticator app and "
    "shows it as a QR code",
}
# Rows the differential check keeps for a visitor, beyond SHARED's models, with why.
DIFFERENTIAL_KEEP = {
    "other_clerk": (
        {"suggestions.Assignment"},
        "a suggestion the clerk's unit helps with names its lead unit (SHARED), which the API "
        "reads from the lead unit's assignment",
    ),
}

SHARED = {
    "other_deputy_user": (
        {
            *("consultation_pk", "article_number", "participation_pk"),
            *("cycle_pk", "round_pk", "project_pk", "livelihood_proposal_pk", "problem_pk"),
        },
        {
            *("stations.Station", "deputies.Deputy", "legislation.Consultation"),
            *("suggestions.Suggestion", "suggestions.Constituent", "suggestions.HandlingUnit"),
            *("livelihood.Cycle", "livelihood.Round", "livelihood.Project"),
            *("livelihood.Proposal", "livelihood.Problem"),
        },
        "a deputy of the same station works at it: the reception form lists the station and "
        "its deputies, a legislative point's consultation is open to all of its deputies, and "
        "a suggestion raised at a reception he held shows on it, without a link "
        "(receptions.views.log.visible_suggestions); she is a seated deputy of the county's "
        "livelihood cycle (tests/livelihood/world.py seats both), who reads its rounds and "
        "projects and votes; and a deputy asking to meet a body's head is offered the "
        "county's handling units (appointments.forms)",
    ),
    "other_clerk": (
        set(),
        {"stations.Station", "suggestions.HandlingUnit"},
        "a suggestion the clerk's unit helps with names its station and, in the API, its lead unit",
    ),
    "sibling_township_officer": (
        set(),
        {"suggestions.HandlingUnit"},
        "the county's handling units are offered to every township of the county for "
        "assignment (suggestions.selectors.bulk_assignable_units)",
    ),
}

# A visitor's own object with a body naming the other slice: {route name: (the visitor,
# their own parameter values, the body)}. The answer must be 404, or write nothing.
CROSS = {
    # A retried entry form whose token is the other slice's entry's: not "already saved".
    "receptions:log_new": (
        "outsider",
        lambda w: {},
        lambda w, pick: {
            "form_token": pick("walk-reception-token-0001"),
            "station": w.neighbour_station.pk,
        },
    ),
    "receptions:visit_new": (
        "outsider",
        lambda w: {},
        lambda w, pick: {
            "form_token": pick("walk-visit-token-0001"),
            "deputy": w.neighbour_deputy.pk,
        },
    ),
    # The API's writes: a choice of the other slice parses like a missing one.
    ":reception-list": (
        "outsider",
        lambda w: {},
        lambda w, pick: {
            "station": w.neighbour_station.pk,
            "deputies": [pick(w.deputy.pk)],
            "date": "2026-03-20",
            "people_count": 1,
        },
    ),
    ":station-list": (
        "outsider",
        lambda w: {},
        lambda w, pick: {
            "name": "越界的联络点",
            "kind": "village_point",
            "region": w.neighbour_township.code,
            "parent": pick(w.station.pk),
        },
    ),
    ":legislation-comment-list": (
        "outsider",
        lambda w: {},
        lambda w, pick: {
            "participation": pick(w.values["participation_pk"]),
            "content": "越界的意见",
            "author_kind": "citizen",
        },
    ),
    # The clerk of the helping unit acknowledges, naming the lead unit's assignment.
    ":suggestion-acknowledge": (
        "other_clerk",
        lambda w: {"suggestion_pk": _co_handled(w).pk},
        lambda w, pick: {"assignment": pick(_co_handled(w).assignments.get(unit=w.unit).pk)},
    ),
    "suggestions:bulk_assign": (
        "outsider",
        lambda w: {},
        lambda w, pick: {
            "ids": [pick(w.values["suggestion_pk"])],
            "lead_unit": w.neighbour_unit.pk,
        },
    ),
    "deputies:join_group": (
        "outsider",
        lambda w: {"deputy_pk": w.neighbour_deputy.pk},
        lambda w, pick: {"group": pick(w.values["group_pk"])},
    ),
    "suggestions:merge": (
        "outsider",
        lambda w: {"suggestion_pk": _neighbour_suggestion(w).pk},
        lambda w, pick: {"survivor_code": pick(suggestion_world(w).suggestion.tracking_code)},
    ),
    "deputies:group_members": (
        "outsider",
        lambda w: {"group_pk": _neighbour_group(w).pk},
        lambda w, pick: {"deputy": pick(w.deputy.pk)},
    ),
    # Formal suggestions' API writes (proposals/api.py): a contact or a reply naming the
    # other slice's proposal parses like a missing one.
    ":proposal-contact-list": (
        "outsider",
        lambda w: {},
        lambda w, pick: {
            "proposal": pick(w.values["proposal_pk"]),
            "stage": "during",
            "held_on": "2026-03-20",
            "mode": "phone",
            "participants": "越界的见面",
            "agreed": "越界的商定事项",
        },
    ),
    # A proposal assigned to the other county's unit: the unit is missing (proposals.views).
    "proposals:assign": (
        "county_officer",
        lambda w: {"proposal_pk": _registered_proposal(w).pk},
        lambda w, pick: {"lead_unit": pick(w.neighbour_unit.pk)},
    ),
    # Livelihood projects (livelihood.views): a concern of the other county turned into a
    # project proposal, or a deputy of it seated, is a concern or a deputy not found.
    "livelihood:from_suggestion": (
        "county_officer",
        lambda w: {"cycle_pk": w.values["cycle_pk"]},
        lambda w, pick: {"tracking_code": pick(_neighbour_suggestion(w).tracking_code)},
    ),
    "livelihood:members": (
        "county_officer",
        lambda w: {"cycle_pk": w.values["cycle_pk"]},
        lambda w, pick: {"add": pick(w.neighbour_deputy.pk)},
    ),
    # The ledger export of formal suggestions for the other slice's region: no job.
    "proposals:ledger": (
        "outsider",
        lambda w: {},
        lambda w, pick: {"region": pick(w.county.code), "year": "2026"},
    ),
    ":proposal-reply-list": (
        "outsider",
        lambda w: {},
        lambda w, pick: {
            "proposal": pick(w.values["proposal_pk"]),
            "klass": "A",
            "text": "越界的答复",
            "signed_by": "越界",
        },
    ),
}


# A visitor's own page opened with a query naming the other slice's object:
# {route name: (the visitor, their own parameter values, the query)}. The answer must be
# the one a reference to nothing gets.
REFERENCES = {
    # A deputy starts a formal suggestion from a concern: the other county's concern is
    # missing, not "not yours" (proposals.views.proposal_new).
    "proposals:new": (
        "deputy_user",
        lambda w: {},
        lambda w, pick: {"from_suggestion": pick(_neighbour_suggestion(w).pk)},
    ),
}


# A visitor's own pages, which must show nothing of the other slice either (a form's
# choices): {route name: (the visitor, their own parameter values, models the page
# rightly names)}.
OWN_PAGES = {
    "deputies:detail": ("outsider", lambda w: {"deputy_pk": w.neighbour_deputy.pk}, set()),
    "receptions:deputy_households": (
        "outsider",
        lambda w: {"deputy_pk": w.neighbour_deputy.pk},
        set(),
    ),
    # A reception both deputies of the station held, where a citizen raised a suggestion
    # to 马志刚: 王秀英 sees the reception, not the suggestion.
    "receptions:log_detail": (
        "other_deputy_user",
        lambda w: {"reception_pk": _joint_reception(w).pk},
        {
            "stations.Station",
            "deputies.Deputy",
            "suggestions.Suggestion",
            "suggestions.Constituent",
        },
    ),
    # A suggestion 交城县水务局 leads and 交城县教育局 helps with: the helper's clerk sees it
    # and the station it came through, but not the lead unit's assignment.
    "suggestions:detail": (
        "other_clerk",
        lambda w: {"suggestion_pk": _co_handled(w).pk},
        {"stations.Station"},
    ),
    # The assignment page of the county's own registered proposal offers the county's
    # units, none of the neighbour's (proposals.views._units_for).
    "proposals:assign": (
        "county_officer",
        lambda w: {"proposal_pk": _registered_proposal(w).pk},
        set(),
    ),
    # The API names the lead unit of a suggestion its helpers see (not its assignment).
    ":suggestion-detail": (
        "other_clerk",
        lambda w: {"suggestion_pk": _co_handled(w).pk},
        {"stations.Station", "suggestions.HandlingUnit"},
    ),
}


def _joint_reception(w):
    import datetime

    from receptions.models import Reception

    reception = Reception.objects.filter(form_token="walk-joint-reception").first()
    if reception is None:
        reception = Reception.objects.create(
            station=w.station,
            region=w.township,
            date=datetime.date(2026, 3, 21),
            people_count=1,
            form_token="walk-joint-reception",
        )
        reception.deputies.set([w.deputy, w.other_deputy])
        reception.suggestions.set([suggestion_world(w).suggestion])
    return reception


def _neighbour_suggestion(w):
    from suggestions.models import Category, Channel, Suggestion

    found = Suggestion.objects.filter(deputy=w.neighbour_deputy).first()
    return found or Suggestion.objects.create(
        region=w.neighbour_township,
        channel=Channel.QR,
        category=Category.WATER,
        content="凤城镇的停水问题。",
        deputy=w.neighbour_deputy,
        station=w.neighbour_station,
    )


def _co_handled(w):
    from suggestions.models import Assignment, Category, Channel, Suggestion

    # The walk marks the content (a marker in front): look it up by its end.
    suggestion = Suggestion.objects.filter(content__endswith="天宁镇学校门口积水。").first()
    if suggestion is None:
        suggestion = Suggestion.objects.create(
            region=w.township,
            channel=Channel.QR,
            category=Category.WATER,
            content="天宁镇学校门口积水。",
            station=w.station,
            status=Suggestion.Status.ASSIGNED,
            handling=Suggestion.Handling.ASSIGNED,
        )
        Assignment.objects.create(suggestion=suggestion, unit=w.unit, note="请尽快处理")
        Assignment.objects.create(suggestion=suggestion, unit=w.other_unit, role=Assignment.Role.CO)
    return suggestion


def _registered_proposal(w):
    """A formal suggestion registered and waiting to be assigned (the walked one is replied)."""
    from proposals.models import Proposal
    from proposals.services import proposal_register
    from tests.proposals.world import submitted

    title = "乡村道路养护资金（待交办）"
    found = Proposal.objects.filter(title__endswith=title).first()
    if found is None:
        found = submitted(w, title=title)
        proposal_register(actor=w.county_officer, proposal=found)
    return found


def _neighbour_group(w):
    from deputies.models import DeputyGroup

    group = DeputyGroup.objects.filter(
        name__endswith="凤城镇代表小组", region=w.neighbour_township
    ).first()
    group = group or DeputyGroup.objects.create(
        name="凤城镇代表小组", region=w.neighbour_township, station=w.neighbour_station
    )
    return group


# Mutants (bin/check-tenancy-mutants) that change nothing, with the reason.
EQUIVALENT_MUTANTS = {
    ("deputies.views", "group_detail", "access_object", 1): "the queryset it is given, "
    "deputies.selectors.groups_for(user), is already visible_to(user)",
    ("stations.views", "station_detail", "access_object", 1): "the queryset it is given, "
    "stations.selectors.stations_for(user), is already visible_to(user)",
    ("stations.views", "standards", "access_object", 2): "the items are filtered to the region "
    "the view has just fetched with access_object(for_write=True)",
    ("suggestions.views", "extension_decide", "access_object", 1): "the next line fetches the "
    "extension's suggestion with access_object, and an extension follows its suggestion",
    ("proposals.views", "assignment_return", "visible_to", 1): "it only chooses where the "
    "clerk goes after returning an assignment (the proposal, or the list when the return "
    "took the proposal out of the clerk's sight); the proposal page itself is access_object's",
}
# The comment counts of a legislative point: every deputy of the point already sees the
# point's counts of all its comments (legislation.selectors.participations_of), so
# counting only the comments the user may read hides nothing more.
EQUIVALENT_MUTANTS |= {
    ("legislation.views", name, "visible_to", 1): "the point's comment counts are shown to its "
    "deputies in full on the same page (legislation.selectors.participations_of)"
    for name in ("consultation_detail", "participation_detail", "summary_sheet")
}

# Who owns each route's object when it is not the county officer, by route name
# ("namespace:name") or by namespace ("namespace:").
OWNERS = {
    "calendars:": "sysadmin",  # the calendar editor is the system administrator's
    "audit:": "sysadmin",
    "notifications:failed": "sysadmin",
    "supervision:schedules": "sysadmin",
    "legislation:edit": "city_officer",  # the consultation is the city's
    "legislation:text": "city_officer",
    "legislation:publish": "city_officer",
    "legislation:comment": "deputy_user",  # a deputy comments in their own name
    "accounts:two_factor_rules": "sysadmin",  # who must use a second factor: administrators
    "accounts:two_factor_rule_delete": "sysadmin",
    "proposals:new": "deputy_user",  # a deputy writes their own formal suggestion
    "proposals:edit": "deputy_user",
    "proposals:attach": "deputy_user",
}
# A valid body for an owner's POST where an empty one would stop at a lookup.
OWNER_BODIES = {
    "deputies:group_members": lambda w: {"deputy": w.other_deputy.pk},
    "deputies:join_group": lambda w: {"group": _county_deputy_group(w).pk},
}
# Routes whose only method refuses the walked object's state after finding it (4xx, not
# 404): the workflow tests take the object through them.
OWNER_REFUSALS = {
    name: "the walked suggestion is already assigned; the workflow table refuses this step "
    "after the lookup (tests/suggestions/test_transitions.py, test_api.py walk it)"
    for name in (
        *(
            f"suggestions:{a}"
            for a in [
                "accept",
                "reject",
                "answer",
                "handle",
                "assign",
                "merge",
                "extend",
                "reply",
                "follow_up",
                "return",
                "decide",
            ]
        ),
        *(
            f":suggestion-{a}"
            for a in [
                "accept",
                "acknowledge",
                "answer",
                "assign",
                "decide-extension",
                "extend",
                "follow-up",
                "handle",
                "merge",
                "reject",
                "reply",
                "send-back",
            ]
        ),
    )
}
OWNER_REFUSALS |= {
    "stations:import_confirm": "confirms an uploaded workbook: POST only, after an upload",
    "deputies:import_confirm": "the same for deputies",
    "suggestions:bulk_assign": "POST only, with a selection (tests/suggestions/test_inbox.py)",
    "calendars:year_mark": "POST only, with a year (tests/calendars/)",
    "notifications:mark_read": "POST only; it marks the user's own notices",
    ":notification-mark-read": "POST only; it marks the user's own notices",
    ":public-suggestion-list": "POST only: a citizen's submission (tests/suggestions/)",
    "accounts:logout": "POST only",
    "legislation:text": "the walked consultation is published; its text is set only while "
    "it is a draft (tests/legislation/)",
    "core:phone_reveal": "POST only, with a reason from the list (tests/foundation/test_phones.py)",
    "livelihood:project_new": "a project comes from a voted round of the cycle's own body; "
    "tests/livelihood/test_pages.py walks it",
    "livelihood:decide": "screening happens in the cycle's screening phase, not the walked one "
    "(tests/livelihood/test_cycle.py)",
    "proposals:edit": "the walked proposal is submitted; only a draft is edited "
    "(tests/proposals/test_pages.py)",
    "proposals:attach": "the same: attachments go on a draft (tests/proposals/)",
    "proposals:co_view": "only a co-handling unit's clerk gives its view "
    "(tests/proposals/test_services.py, test_pages.py)",
    ":appointment-booking-act": "POST only, with an action (tests/appointments/test_api*)",
    ":appointment-meeting-act": "POST only, with an action (tests/appointments/)",
    ":appointment-report-act": "POST only, with an action (tests/appointments/)",
    ":public-booking-list": "POST only: a citizen's booking (tests/appointments/)",
    ":public-report-vote-list": "POST only: a voter's phone vote (tests/appointments/)",
    ":livelihood-round-ballot": "POST only, with a ballot (tests/livelihood/test_voting.py)",
    ":livelihood-round-confirm": "POST only, by the tellers (tests/livelihood/test_voting.py)",
    ":livelihood-round-totals": "POST only, with the totals (tests/livelihood/test_voting.py)",
}
# What a leader (read-only) may write: their own account and their own notices, and
# jobs they start (an export of what they read).
LEADER_OWN = {
    "accounts:logout",
    "accounts:security_recovery",  # their own recovery codes for their own second factor
    "accounts:password_change",
    "notifications:mark_read",
    "notifications:preferences",
    ":notification-mark-read",
}

# --- the walk ---------------------------------------------------------------------------


def _covered(route: str, name: str) -> str | None:
    """Why a route is not walked, or None when it is."""
    short = name.split(":", 1)[1]
    if route.startswith(SKIP_PREFIXES):
        return "SKIP_PREFIXES"
    if name in PUBLIC_URL_NAMES or short in PUBLIC_URL_NAMES:
        return "PUBLIC_URL_NAMES"
    if name in SKIPPED_NAMES:
        return SKIPPED_NAMES[name]
    return None


def _routes():
    for route, name, params, module in walk.all_patterns_with_views():
        if _covered(route, name) or FORMAT_PARAMETERS & set(params):
            continue
        yield walk.Route(route, name, params, api=route.startswith("api/"), module=module)


ROUTES = list(_routes())
OBJECT_ROUTES = [r for r in ROUTES if r.params]
LIST_ROUTES = [r for r in ROUTES if not r.params]


def _owner_of(world, route) -> object:
    namespace = route.name.split(":")[0] + ":"
    return getattr(world, OWNERS.get(route.name, OWNERS.get(namespace, "county_officer")))


@pytest.fixture
def walked(world, settings, tmp_path):
    """The cast, every object the parameters name, a marker in every scoped row, real files."""
    settings.MEDIA_ROOT = tmp_path
    walk.extend_cast(world)
    values = {param: build(world) for param, build in PARAMETERS.items()}
    world.deputy.photo = "deputies/photos/walk.jpg"
    world.deputy.save(update_fields=["photo"])
    world.values = values
    walk.other_slice_extras(world)
    _neighbour_suggestion(world)
    _co_handled(world)
    _joint_reception(world)
    _registered_proposal(world)
    world.markers = walk.plant_markers()
    walk.write_files(tmp_path)
    return world


def test_every_parameter_is_known():
    unknown = {(r.route, p) for r in OBJECT_ROUTES for p in r.params if p not in PARAMETERS}
    assert not unknown, f"add these URL parameters to the tenancy walk: {sorted(unknown)}"


def test_every_route_is_walked_or_excluded_with_a_reason():
    names = {name for _, name, _ in walk.all_patterns()}
    walked = {r.name for r in ROUTES}
    reasons = {name: _covered(route, name) for route, name, _ in walk.all_patterns()}
    silent = {
        name for name in names - walked if not reasons.get(name) and name not in SKIPPED_NAMES
    }
    assert not silent, f"routes neither walked nor excluded with a reason: {sorted(silent)}"
    # The walk reaches list pages, create forms and API lists, not only object pages.
    assert {"stations:list", "suggestions:new", ":suggestion-list", ":handling-unit-list"} <= {
        r.name for r in LIST_ROUTES
    }
    assert {"user_pk", "region_code"} <= {p for r in OBJECT_ROUTES for p in r.params}
    for mapping in (OWNERS, OWNER_BODIES, OWNER_REFUSALS, CROSS, OWN_PAGES):
        stale = {k for k in mapping if not k.endswith(":") and k not in walked}
        assert not stale, f"entries for routes that are not walked: {sorted(stale)}"


def _foreign(world, visitor):
    params, models, _reason = SHARED.get(visitor, (set(), set(), ""))
    forbidden = walk.foreign_markers(getattr(world, visitor), world.markers)
    return params, {m: row for m, row in forbidden.items() if row[0] not in models}


def _foreign_paths(world, visitor) -> frozenset:
    """The pages of the other slice's objects, which no page of `visitor` may link to.
    Region pages are left out: a breadcrumb may name an ancestor region."""
    shared = SHARED.get(visitor, (set(),))[0]
    return frozenset(
        walk.fill(r.route, world.values)
        for r in OBJECT_ROUTES
        if not r.api and not (shared | {"region_code"}) & set(r.params)
    )


def object_failures(client, walked, visitor, routes=None, *, stop=False) -> list[str]:
    """What `visitor` reaches of the other slice on object routes (every method)."""
    shared, forbidden = _foreign(walked, visitor)
    client.force_login(getattr(walked, visitor))
    failures = []
    for route in OBJECT_ROUTES if routes is None else [r for r in routes if r.params]:
        if shared & set(route.params):
            continue
        path = walk.fill(route.route, walked.values)
        answers = {}
        for method in walk.METHODS:
            answers[method] = answer = walk.call(client, method, path, api=route.api)
            if leak := walk.leaked(answer.text, forbidden):
                failures.append(f"{method.upper()} {path} shows {leak}")
        statuses = {m: a.status for m, a in answers.items()}
        if not set(statuses.values()) <= {404, 405} or 404 not in statuses.values():
            failures.append(f"{path}: {statuses}")
        if stop and failures:
            break
    return failures


def _filters(world):
    """Query strings naming the other slice: its region, station, unit, deputy, a search."""
    return [
        {
            "q": "WK~",
            "search": "WK~",
            "region": world.township.code,
            "station": world.station.pk,
            "point": world.point.pk,
            "parent": world.station.pk,
            "unit": world.unit.pk,
            "deputy": world.deputy.pk,
        },
        {"region": world.township.pk, "parent__code": world.county.code},
    ]


def list_failures(client, walked, visitor, routes=None, *, stop=False) -> list[str]:
    """What `visitor` sees of the other slice on parameterless routes."""
    _shared, forbidden = _foreign(walked, visitor)
    paths = _foreign_paths(walked, visitor)
    regions = walk.unseen_regions(getattr(walked, visitor))
    assert forbidden, "the other slice has no marked rows: the walk could not fail"
    client.force_login(getattr(walked, visitor))
    failures = []
    tries = [("get", None)] + [("get", q) for q in _filters(walked)] + [("post", None)]
    for route in LIST_ROUTES if routes is None else [r for r in routes if not r.params]:
        path = walk.fill(route.route, {})
        for method, data in tries:
            answer = walk.call(client, method, path, data, api=route.api)
            if isinstance(answer.status, str) or answer.status >= 500:
                failures.append(f"{method.upper()} {path} {data or ''}: {answer.status}")
            elif leak := walk.leaked(answer.text, forbidden, paths, regions):
                failures.append(f"{method.upper()} {path} {data or ''} shows {leak}")
        hidden = str(walked.township.code) in regions and route.name not in CHANGING_PAGES
        if hidden and (told := _region_told(client, walked, route)):
            failures.append(f"GET {path}?region= {told}")
        if stop and failures:
            break
    return failures


MISSING_REGION = "141122999"  # a township code of the right shape that names nothing


def _region_told(client, walked, route) -> str:
    """`?region=` naming a region the visitor may not see must answer exactly as one naming
    no region at all (region names carry no marker, so this is how a filter that looks
    the region up without the tenancy rule shows)."""
    path, code = walk.fill(route.route, {}), walked.township.code
    one = walk.call(client, "get", path, {"region": code}, api=route.api)
    none = walk.call(client, "get", path, {"region": MISSING_REGION}, api=route.api)
    if one.status != none.status:
        return f"{one.status} for an unseen region, {none.status} for none"

    def echo_free(text):  # the code itself may be echoed back (a filter box, an example)
        return walk.same_page(text.replace(code, "~").replace(MISSING_REGION, "~"))

    if echo_free(one.text) != echo_free(none.text):
        return "an unseen region reads differently from a missing one"
    return ""


def unchanged_failures(client, walked, visitor, routes=None, *, stop=False) -> list[str]:
    """A count or a choice list names no marker: so each parameterless page is read twice
    by `visitor`, with the other slice's rows and with them removed (in a transaction
    rolled back); a page that changes showed something of the other slice."""
    _shared, models, _reason = SHARED.get(visitor, (set(), set(), ""))
    models = models | DIFFERENTIAL_KEEP.get(visitor, (set(), ""))[0]
    user = getattr(walked, visitor)
    client.force_login(user)
    pages = [r for r in (LIST_ROUTES if routes is None else routes) if not r.params]
    pages = [r for r in pages if r.name not in CHANGING_PAGES]

    def read():
        return {r.name: walk.call(client, "get", walk.fill(r.route, {}), api=r.api) for r in pages}

    before = read()
    with transaction.atomic():
        assert walk.remove_unseen(user, keep=models), "nothing of the other slice to remove"
        after = read()
        transaction.set_rollback(True)
    failures = []
    for route in pages:
        one, other = before[route.name], after[route.name]
        if one.status != other.status or walk.same_page(one.text) != walk.same_page(other.text):
            failures.append(f"GET /{route.route} changes without the other slice")
            if stop:
                break
    return failures


def _missing(value):
    """A reference to nothing, of the same kind as `value`."""
    return 987654 if isinstance(value, int) else "WALKMISSING0000"


def _writes():
    from audit.models import AuditRecord

    reads = [AuditRecord.Action.EXPORT, AuditRecord.Action.REVEAL, AuditRecord.Action.LOGOUT]
    return AuditRecord.objects.exclude(action__in=reads).count


def cross_failures(client, walked, routes=None) -> list[str]:
    """A visitor's own object, with a body naming the other slice's object: 404 or no
    write; and the visitor's own pages show nothing of the other slice."""
    failures = []
    names = {r.name for r in (ROUTES if routes is None else routes)}
    for name, (visitor, own, body) in CROSS.items():
        if name not in names:
            continue
        route = next(r for r in ROUTES if r.name == name)
        client.force_login(getattr(walked, visitor))
        path = walk.fill(route.route, own(walked))
        real = body(walked, lambda x: x)
        answer = walk.call(client, "post", path, real, api=route.api, probe=_writes())
        missing = walk.call(client, "post", path, body(walked, _missing), api=route.api)
        wrote = not isinstance(answer.status, int) or answer.probe_grew
        # An owner's own pages are the walked ones: only a visitor can be sent over.
        sent_over = visitor in walk.VISITORS and answer.location in _foreign_paths(walked, visitor)
        told = (answer.status, walk.shape(answer, route.api)) != (
            missing.status,
            walk.shape(missing, route.api),
        )
        if wrote or sent_over or told:
            failures.append(
                f"POST {path} {real} as {visitor}: {answer.status} {answer.location} "
                f"{answer.messages} (wrote: {answer.probe_grew}), for a missing row "
                f"{missing.status} {missing.messages}"
            )
    for name, (visitor, own, query) in REFERENCES.items():
        if name not in names:
            continue
        route = next(r for r in ROUTES if r.name == name)
        client.force_login(getattr(walked, visitor))
        path = walk.fill(route.route, own(walked))
        real = query(walked, lambda x: x)
        answer = walk.call(client, "get", path, real, api=route.api)
        missing = walk.call(client, "get", path, query(walked, _missing), api=route.api)
        if (answer.status, walk.shape(answer, route.api)) != (
            missing.status,
            walk.shape(missing, route.api),
        ):
            failures.append(
                f"GET {path} {real} as {visitor}: {answer.status}, "
                f"for a missing row {missing.status}"
            )
    for name, (visitor, own, named) in OWN_PAGES.items():
        if name not in names:
            continue
        route = next(r for r in ROUTES if r.name == name)
        # Only what this page rightly names is spared (not the visitor's SHARED rows).
        forbidden = walk.foreign_markers(getattr(walked, visitor), walked.markers)
        forbidden = {m: row for m, row in forbidden.items() if row[0] not in named}
        paths = _foreign_paths(walked, visitor)
        client.force_login(getattr(walked, visitor))
        path = walk.fill(route.route, own(walked))
        answer = walk.call(client, "get", path, api=route.api)
        leak = walk.leaked(answer.text, forbidden, paths)
        if answer.status != 200 or leak:
            failures.append(f"GET {path} as {visitor}: {answer.status} {leak}")
    return failures


def test_own_objects_with_the_other_slice_in_the_body_are_404(client, walked):
    failures = cross_failures(client, walked)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("visitor", list(walk.VISITORS))
def test_other_slice_objects_are_404_for_every_method(client, walked, visitor):
    """Each visitor, on every object route of the other slice, with every method: 404
    (405 for a method the route does not take, but at least one method must reach the
    lookup and answer 404), and no marker of the other slice in any answer."""
    failures = object_failures(client, walked, visitor)
    assert not failures, f"{visitor} ({walk.VISITORS[visitor]}):\n" + "\n".join(failures)


@pytest.mark.parametrize("visitor", list(walk.VISITORS))
def test_lists_show_nothing_of_the_other_slice(client, walked, visitor):
    """Every parameterless route (list pages, create forms, API lists, exports), plain and
    with filters naming the other slice, and a bare POST: no marker of the other slice."""
    failures = list_failures(client, walked, visitor)
    assert not failures, f"{visitor} ({walk.VISITORS[visitor]}):\n" + "\n".join(failures)


@pytest.mark.parametrize("visitor", list(walk.VISITORS))
def test_lists_do_not_change_without_the_other_slice(client, walked, visitor):
    """Bare counts and choice lists carry no marker: the visitor's parameterless pages must
    read the same with the other slice's rows removed."""
    failures = unchanged_failures(client, walked, visitor)
    assert not failures, f"{visitor} ({walk.VISITORS[visitor]}):\n" + "\n".join(failures)


def test_a_leader_writes_nothing(client, walked):
    """The county's leader reads the county; every write on every route is refused (403),
    or is not a write at all (no audit record but of an export or a revealed phone)."""
    writes = _writes()
    client.force_login(walked.leader)
    failures = []
    for route in ROUTES:
        if route.name in LEADER_OWN:
            continue
        path = walk.fill(route.route, walked.values)
        for method in walk.WRITES:
            answer = walk.call(client, method, path, api=route.api, probe=writes)
            if answer.status in (403, 404, 405):
                continue
            if isinstance(answer.status, str) or answer.status >= 500 or answer.probe_grew:
                failures.append(f"{method.upper()} {path}: {answer.status}")
    assert not failures, "a leader wrote:\n" + "\n".join(failures)


def owner_failures(client, walked, routes=None, *, stop=False) -> list[str]:
    """The routes whose owner does not get a success answer (2xx or a redirect)."""
    failures = []
    current = None
    for route in ROUTES if routes is None else routes:
        owner = _owner_of(walked, route)
        if owner is not current:
            client.force_login(owner)
            current = owner
        path = walk.fill(route.route, walked.values)
        body = OWNER_BODIES.get(route.name, lambda w: None)(walked)
        methods = walk.METHODS if route.params else ("get", "post")
        statuses = {m: walk.call(client, m, path, body, api=route.api).status for m in methods}
        wrong = {m: s for m, s in statuses.items() if isinstance(s, str) or s == 404 or s >= 500}
        succeeded = any(isinstance(s, int) and s < 400 for s in statuses.values())
        if wrong or not (succeeded or route.name in OWNER_REFUSALS):
            failures.append(f"{path} as {owner.username}: {statuses}")
            if stop:
                break
    return failures


def test_owners_reach_every_walked_route(client, walked):
    """The walk's paths are real: the object's owner gets a success answer on every route
    (2xx or a redirect), so the 404s above come from the tenancy rule, not the fixtures."""
    failures = owner_failures(client, walked)
    assert not failures, "owners do not reach:\n" + "\n".join(failures)


def test_owners_lists_show_their_own_rows(client, walked):
    """The other side of the list check: the owner's lists do show the markers."""
    client.force_login(walked.county_officer)
    shown = set()
    for name in ("stations:list", "deputies:list", "suggestions:inbox", ":suggestion-list"):
        route = next(r for r in LIST_ROUTES if r.name == name)
        shown |= set(
            walk.MARKER_RE.findall(walk.call(client, "get", walk.fill(route.route, {})).text)
        )
    assert len(shown) >= 4
