import datetime

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditRecord, AuditRecordImmutable
from audit.services import audit_record, history_of
from audit.tasks import audit_prune
from tests.dbvendor import postgresql_only


def test_a_change_records_who_what_before_after_and_ip(client, world):
    client.force_login(world.county_officer)

    client.post(
        reverse("accounts:user_toggle_active", args=[world.township_officer.pk]),
        REMOTE_ADDR="192.0.2.7",
    )

    record = history_of(world.township_officer).get(action="state")
    assert record.actor == world.county_officer
    assert record.ip == "192.0.2.7"
    assert record.changes == {"is_active": [True, False]}
    assert record.object_repr == str(world.township_officer)


def test_staff_see_the_history_of_an_account_they_manage(client, world):
    client.force_login(world.county_officer)
    client.post(reverse("accounts:user_toggle_active", args=[world.township_officer.pk]))

    body = client.get(reverse("accounts:user_detail", args=[world.township_officer.pk])).content

    assert "状态变更".encode() in body
    # The change reads as the field's label and yes/no, not `is_active True → False`.
    page = body.decode()
    history = page[page.index("变更记录") :]
    assert "is_active" not in history
    assert "有效" in history and "是 → 否" in history


def test_records_cannot_be_changed_or_deleted_through_the_application(world):
    record = audit_record(actor=world.county_officer, action="update", obj=world.station)

    record.note = "tampered"
    with pytest.raises(AuditRecordImmutable):
        record.save()
    with pytest.raises(AuditRecordImmutable):
        record.delete()


@postgresql_only(
    "the trigger lives in PostgreSQL; SQLite (the laptop demo) has only the "
    "application-level guard tested above"
)
def test_the_database_refuses_to_change_recent_records(world):
    record = audit_record(actor=world.county_officer, action="update", obj=world.station)

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(pk=record.pk).update(note="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(pk=record.pk)._raw_delete(connection.alias)
    assert AuditRecord.objects.get(pk=record.pk).note == ""


def test_prune_keeps_six_months_at_least(world, settings):
    settings.AUDIT_RETENTION_DAYS = 183
    recent = audit_record(actor=world.county_officer, action="update", obj=world.station)
    old = audit_record(actor=world.county_officer, action="update", obj=world.station)
    # Age one record past the floor (bypassing the guard, as time would).
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # triggers off
        cursor.execute(
            "UPDATE audit_auditrecord SET at = %s WHERE id = %s",
            [timezone.now() - datetime.timedelta(days=400), old.pk],
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")

    audit_prune()

    assert AuditRecord.objects.filter(pk=recent.pk).exists()
    assert not AuditRecord.objects.filter(pk=old.pk).exists()


def test_retention_setting_cannot_go_below_six_months(monkeypatch):
    import importlib

    import congress_portal.settings as portal_settings

    monkeypatch.setenv("AUDIT_RETENTION_DAYS", "30")
    reloaded = importlib.reload(portal_settings)
    try:
        assert reloaded.AUDIT_RETENTION_DAYS == 183
    finally:
        monkeypatch.delenv("AUDIT_RETENTION_DAYS")
        importlib.reload(portal_settings)


def test_audit_log_page_is_for_admins_and_scoped(client, world):
    audit_record(actor=world.county_officer, action="update", obj=world.station, note="ours")
    audit_record(actor=world.outsider, action="update", obj=world.neighbour_station, note="theirs")

    client.force_login(world.county_officer)
    assert client.get(reverse("audit:list")).status_code == 403

    client.force_login(world.sysadmin)
    body = client.get(reverse("audit:list")).content.decode()
    assert "ours" in body and "theirs" in body  # the city admin sees both counties


def test_audit_log_of_a_county_admin_hides_the_neighbour(client, world):
    from accounts.models import Role, RoleAssignment

    RoleAssignment.objects.create(user=world.outsider, role=Role.SYSADMIN, region=world.neighbour)
    audit_record(actor=world.county_officer, action="update", obj=world.station, note="ours")
    client.force_login(world.outsider)

    body = client.get(reverse("audit:list")).content.decode()

    assert "ours" not in body


def test_history_masks_phones_and_ips_for_roles_that_do_not_need_them(rf, world, settings):
    from django.template.loader import render_to_string

    audit_record(
        actor=world.county_officer,
        action="update",
        obj=world.deputy,
        changes={"phone": ["13912345678", "13987654321"]},
    )
    history = history_of(world.deputy)

    def render_for(user):
        request = rf.get("/")
        request.user = user
        return render_to_string("includes/history.html", {"history": history}, request=request)

    assert "13912345678" not in render_for(world.county_officer)  # default: nobody
    settings.PHONES_SHOWN_IN_FULL = ["county_staff"]
    as_leader = render_for(world.leader)
    as_staff = render_for(world.county_officer)
    assert "139****5678" in as_leader and "13912345678" not in as_leader
    assert "13912345678" in as_staff
    assert "<th>IP</th>" not in as_staff
    assert "<th>IP</th>" in render_for(world.sysadmin)


def test_account_events_appear_in_the_regional_audit_log(client, world):
    from accounts.models import Role, RoleAssignment

    RoleAssignment.objects.create(user=world.outsider, role=Role.SYSADMIN, region=world.neighbour)
    client.force_login(world.county_officer)
    client.post(reverse("accounts:user_password_reset", args=[world.township_officer.pk]))

    client.force_login(world.sysadmin)  # the city's administrator
    assert "重置密码" in client.get(reverse("audit:list")).content.decode()
    client.force_login(world.outsider)  # the neighbouring county's administrator
    assert "重置密码" not in client.get(reverse("audit:list")).content.decode()


def test_seed_demo_refuses_to_run_in_production(settings):
    from django.core.management import CommandError, call_command

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo")
