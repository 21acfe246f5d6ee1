"""Walk every URL pattern with another region's objects: the answer must be 404.

A new URL whose parameters this walk does not know fails `test_every_parameter_is_known`,
so a view cannot join the portal without joining this test.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.appointments.world import appointments_world
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
    "tfa_rule_pk": lambda w: _county_two_factor_rule(w).pk,
    "duty_points_pk": lambda w: _county_points(w).pk,
    # 督办 (supervision/): the county supervises the 交城县 suggestion.
    "supervision_pk": lambda w: _county_supervision(w).pk,
    # Legislative points (legislation/): see tests/legislation/world.py.
    "consultation_pk": lambda w: legislation_world(w).consultation.pk,
    "article_number": lambda w: legislation_world(w).article.number,
    "participation_pk": lambda w: legislation_world(w).participation.pk,
    "comment_pk": lambda w: legislation_world(w).comment.pk,
    "collector_pk": lambda w: legislation_world(w).collector.pk,
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


def _county_points(w):
    from deputies.models import Deputy
    from duties.models import DeputyPoints
    from duties.services import deputy_points_recompute

    deputy_points_recompute(deputies=Deputy.objects.filter(pk=w.deputy.pk), year=2026)
    return DeputyPoints.objects.get(deputy=w.deputy, year=2026)


def _county_two_factor_rule(w):
    from accounts.models import Role, TwoFactorRequirement

    rule, _created = TwoFactorRequirement.objects.get_or_create(
        role=Role.LEADER, region=w.county, defaults={"created_by": w.sysadmin}
    )
    return rule


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

    group, _ = DeputyGroup.objects.get_or_create(
        name="天宁镇第一代表小组", region=w.township, defaults={"station": w.station}
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
    "public_suggestions:track_photo",  # the same proof, and the photo must be the suggestion's
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

PARAM_RE = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace or ""]))
            yield from _walk(entry, pattern, inner)
        elif isinstance(entry, URLPattern):
            yield pattern, entry, namespace


def _is_public(entry, namespace: str) -> bool:
    return entry.name in PUBLIC_URL_NAMES or f"{namespace}:{entry.name}" in PUBLIC_URL_NAMES


def _routes():
    for pattern, entry, namespace in _walk(get_resolver()):
        route = pattern.lstrip("^")
        if route.startswith(SKIP_PREFIXES) or _is_public(entry, namespace):
            continue
        params = [a or b for a, b in PARAM_RE.findall(route)]
        if params and "format" not in params:
            yield route, entry.name, params


def _fill(route: str, values: dict) -> str:
    def replace(match):
        return str(values[match.group(1) or match.group(2)])

    path = PARAM_RE.sub(replace, route)
    path = path.replace("\\.", ".").replace("$", "").replace("^", "")
    return "/" + path


ROUTES = list(_routes())


def test_every_parameter_is_known():
    unknown = {(route, p) for route, _, params in ROUTES for p in params if p not in PARAMETERS}
    assert not unknown, f"add these URL parameters to the cross-region walk: {sorted(unknown)}"


def test_walk_covers_the_object_pages():
    walked = {p for _, _, params in ROUTES for p in params}
    assert {"user_pk", "region_code"} <= walked


@pytest.mark.parametrize("visitor", ["outsider", "neighbour_clerk"])
@pytest.mark.parametrize(("route", "name", "params"), ROUTES, ids=[r[0] for r in ROUTES])
def test_other_region_objects_are_404(client, world, visitor, route, name, params):
    client.force_login(getattr(world, visitor))
    path = _fill(route, {p: PARAMETERS[p](world) for p in params})
    # A method the view does not take is refused before any lookup (405); the one
    # it takes must not tell a foreign row from a missing one.
    answers = {method: getattr(client, method)(path).status_code for method in ("get", "post")}
    assert set(answers.values()) <= {404, 405}, f"{path} as {visitor}: {answers}"
    assert 404 in answers.values(), f"{path} as {visitor}: {answers}"


def test_own_objects_are_reachable_for_the_county_officer(client, world):
    """The walk's paths are real: the same URLs answer 200 inside the region."""
    client.force_login(world.county_officer)
    for route, _name, params in ROUTES:
        if not route.startswith(("regions/", "accounts/")) or "api/" in route:
            continue
        values = {p: PARAMETERS[p](world) for p in params}
        if "user_pk" in values:
            values["user_pk"] = world.township_officer.pk
        path = _fill(route, values)
        if path.endswith(("/active/", "/password/", "/unlock/", "/second-factor/reset/")):
            continue
        assert client.get(path).status_code == 200, path
