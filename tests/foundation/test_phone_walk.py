"""Walk every page, export, PDF and API answer with planted phone numbers: none may
appear in full without a recorded reveal (issue 13.2, core/phones.py).

Every personal number of the cast (citizens, deputies, information collectors,
accounts, commenters, SMS deliveries, an audit record's before/after) is replaced by
a unique planted number. Then every GET route of the URL tree, enumerated as the
cross-region walk does (tests/foundation/test_tenancy_walk.py), is fetched as each
member of the cast and as an anonymous visitor; the answer is read as the person
would read it: HTML/JSON as text, Excel through openpyxl, PDF through pypdfium2,
Word through its XML. A new page carrying a phone joins the walk by existing; a new
URL parameter the walk cannot fill fails `test_every_parameter_can_be_filled`.

The ledgers (台账, built as background jobs) are ordered by each reader and read the
same way. A control test turns the setting on and checks the walk does find the
numbers, so the walk can fail.
"""

import io
import re
import zipfile

import pypdfium2
import pytest
from django.urls import get_resolver
from openpyxl import load_workbook

from tests.appointments.world import appointments_world
from tests.foundation.test_tenancy_walk import PARAMETERS, SKIP_PREFIXES
from tests.foundation.walk import PARAM_RE, _walk
from tests.foundation.walk import fill as _fill
from tests.legislation.world import legislation_world
from tests.livelihood.world import livelihood_world
from tests.receptions.registers import registers
from tests.suggestions.world import suggestion_world

# Public pages are keyed by tokens instead of primary keys.
PUBLIC_PARAMETERS = {
    "deputy_token": lambda w: w.deputy.public_token,
    "station_token": lambda w: w.station.public_token,
    "participation_token": lambda w: legislation_world(w).participation.public_token,
    "collector_token": lambda w: legislation_world(w).collector.public_token,
    "tracking_code": lambda w: suggestion_world(w).suggestion.tracking_code,
    "submission_token": lambda w: suggestion_world(w).suggestion.submission_token or "none",
    "booking_token": lambda w: appointments_world(w).booking.public_token,
    "poll_token": lambda w: appointments_world(w).report.poll_token,
    "cycle_token": lambda w: livelihood_world(w).cycle.public_token,
    "project_token": lambda w: livelihood_world(w).project.public_token,
    "receipt_token": lambda w: livelihood_world(w).proposal.receipt_token,
}
# Not walked, each for a reason: Open311 answers client systems by key and masks phones in
# its own selectors (tests/open311/); the schema and API docs carry no data.
WALK_SKIP_PREFIXES = (*SKIP_PREFIXES, "open311/", "api/schema/", "api/docs/")
CAST = [
    "sysadmin",
    "city_officer",
    "county_officer",
    "township_officer",
    "station_officer",
    "deputy_user",
    "clerk",
    "leader",
]


def _get_routes():
    for pattern, entry, namespace in _walk(get_resolver()):
        route = pattern.lstrip("^")
        if route.startswith(WALK_SKIP_PREFIXES) or route.endswith("logout/"):
            continue
        params = [a or b for a, b in PARAM_RE.findall(route)]
        if "format" in params:  # the ".json" twin of an API route walked without it
            continue
        yield route, f"{namespace}:{entry.name}" if namespace else entry.name, params


ROUTES = list(_get_routes())


def _value(world, name):
    maker = PARAMETERS.get(name) or PUBLIC_PARAMETERS[name]
    return maker(world)


def test_every_parameter_can_be_filled():
    known = set(PARAMETERS) | set(PUBLIC_PARAMETERS)
    unknown = sorted({(r, p) for r, _, params in ROUTES for p in params if p not in known})
    assert not unknown, f"tell the phone walk how to fill these URL parameters: {unknown}"


def test_the_walk_reaches_the_pages_that_carry_phones():
    names = {name for _, name, _ in ROUTES}
    assert {
        "receptions:deputy_households",
        "deputies:detail",
        "deputies:export",
        "suggestions:constituent_list",
        "public:deputy",
        "placards:deputy",
        "household-list",
    } <= names


# --- planting ---------------------------------------------------------------------------


def _plant(world) -> dict[str, str]:
    """Give every personal phone of the cast a unique number; return number -> whose."""
    from accounts.models import User
    from audit.services import audit_record
    from deputies.models import Deputy
    from legislation.models import Collector, Comment
    from notifications.models import Delivery
    from suggestions.models import Constituent

    # Make every object the walk's parameters name (and their citizens) first.
    suggestion_world(world)
    registers(world)
    legislation_world(world)
    planted: dict[str, str] = {}

    def number(prefix: str, index: int, whose: str) -> str:
        value = f"{prefix}{index:05d}"
        planted[value] = whose
        return value

    for i, person in enumerate(Constituent.objects.order_by("pk")):
        person.phone = number("139123", i, f"constituent {person.name}")
        person.save(update_fields=["phone"])
    for i, deputy in enumerate(Deputy.objects.order_by("pk")):
        deputy.phone = number("136876", i, f"deputy {deputy.name}")
        deputy.phone_public = False
        deputy.save(update_fields=["phone", "phone_public"])
    for i, collector in enumerate(Collector.objects.order_by("pk")):
        collector.phone = number("135765", i, f"collector {collector.name}")
        collector.save(update_fields=["phone"])
    for i, comment in enumerate(Comment.objects.order_by("pk")):
        comment.contact_phone = number("133444", i, f"comment {comment.pk}")
        comment.save(update_fields=["contact_phone"])
    for i, user in enumerate(User.objects.order_by("pk")):
        user.phone = number("137555", i, f"user {user.username}")
        user.save(update_fields=["phone"])
    Delivery.objects.create(
        channel=Delivery.Channel.SMS,
        address=number("132666", 0, "an SMS delivery"),
        text="您反映的问题已答复。",
        status=Delivery.Status.GAVE_UP,
        region_path=world.station.region_path,
        last_error="gateway down",
    )
    audit_record(
        actor=world.county_officer,
        action="update",
        obj=world.deputy,
        changes={"phone": [number("131777", 0, "audit before"), world.deputy.phone]},
    )
    return planted


@pytest.fixture
def planted(world):
    return _plant(world)


# --- reading an answer as a person would -----------------------------------------------


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _text(response) -> str:
    """What the reader sees: cells of a workbook, text of a PDF, words of a document."""
    data = _body(response)
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind or data[:2] == b"PK" and b"xl/" in data[:2000]:
        workbook = load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    if "pdf" in kind or data[:5] == b"%PDF-":
        try:
            document = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError:
            # An uploaded file that only claims to be a PDF (a test's stub): read its bytes.
            return data.decode("utf-8", "ignore")
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    if "wordprocessingml" in kind or data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = " ".join(
                archive.read(name).decode("utf-8", "ignore")
                for name in archive.namelist()
                if name.endswith(".xml")
            )
        return re.sub(r"<[^>]+>", "", xml)
    if kind.startswith("image/"):
        return ""
    return data.decode("utf-8", "ignore")


def _leaks(client, world, planted) -> list[str]:
    found = []
    for route, name, params in ROUTES:
        path = _fill(route, {p: _value(world, p) for p in params})
        response = client.get(path)
        if response.status_code != 200:
            continue
        text = _text(response)
        found += [f"{path} ({name}): {planted[n]} {n}" for n in planted if n in text]
    return found


def _household(world):
    from receptions.models import ContactHousehold

    return ContactHousehold.objects.select_related("constituent").get(
        pk=registers(world).household.pk
    )


# --- the walk ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", [*CAST, "anonymous"])
def test_no_page_export_pdf_or_api_answer_shows_a_planted_number(client, world, planted, who):
    if who != "anonymous":
        client.force_login(getattr(world, who))
    leaks = _leaks(client, world, planted)
    assert not leaks, "\n".join(leaks)


def test_the_walk_finds_numbers_when_a_role_is_set_to_see_them(client, world, planted, settings):
    """The control: with county staff set to see numbers in full the same walk finds
    them, on the households page, the deputy's page, its API and the exports."""
    settings.PHONES_SHOWN_IN_FULL = ["county_staff"]
    client.force_login(world.county_officer)
    leaks = "\n".join(_leaks(client, world, planted))
    household = _household(world)
    assert household.constituent.phone in leaks
    assert f"/receptions/deputies/{world.deputy.pk}/households/" in leaks
    assert f"/deputies/{world.deputy.pk}/" in leaks
    assert "/api/households/" in leaks and "/deputies/export/" in leaks


def test_a_reveal_is_the_way_to_a_full_number_and_it_is_recorded(client, world, planted):
    from audit.models import AuditRecord

    household = _household(world)
    number = household.constituent.phone
    url = f"/phones/household/{household.pk}/reveal/"
    client.force_login(world.deputy_user)
    page = client.get(f"/receptions/deputies/{world.deputy.pk}/households/").content.decode()
    assert url in page and number not in page
    assert client.post(url).status_code == 400  # no reason: nothing shown
    assert not AuditRecord.objects.filter(action="reveal").exists()
    revealed = client.post(url, {"reason": "callback"}, headers={"HX-Request": "true"})
    assert revealed.status_code == 200 and number in revealed.content.decode()
    record = AuditRecord.objects.get(action="reveal")
    assert record.actor == world.deputy_user and record.changes["reason"] == "callback"
    # A leader reads the list masked and may not reveal.
    client.force_login(world.leader)
    assert client.post(url, {"reason": "callback"}).status_code == 403


def test_the_ledgers_readers_download_show_no_planted_number(
    client, world, planted, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from core import outbox
    from jobs.models import Job
    from ledgers.ledgers import LedgerKind

    period = {"period": "year", "year": "2026"}
    for who in ("county_officer", "city_officer", "township_officer", "leader"):
        client.force_login(getattr(world, who))
        for kind in LedgerKind:
            region = world.township if who == "township_officer" else world.county
            answer = client.post(
                reverse("ledgers:index"), {"ledger": kind.value, "region": region.code, **period}
            )
            assert answer.status_code == 302, (who, kind)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.run_pending()
    jobs = list(Job.objects.filter(kind="ledger").select_related("created_by"))
    assert len(jobs) == 4 * len(LedgerKind)
    for job in jobs:
        assert job.status == Job.Status.DONE, job.error
        client.force_login(job.created_by)
        text = _text(client.get(reverse("jobs:download", args=[job.pk])))
        assert text.strip(), job.title  # the workbook was read
        leaks = [planted[n] for n in planted if n in text]
        assert not leaks, (job.created_by.username, job.title, leaks)
