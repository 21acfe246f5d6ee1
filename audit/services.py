"""Writing the audit trail. Services call `audit_record` inside their transaction."""

import datetime
import decimal
import uuid
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models

from core import writes

from .context import current_ip
from .models import AuditRecord


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict:
    """The current values of `fields`, in a JSON-ready form (FKs by their label)."""
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.is_relation and field.many_to_one:
            related_id = getattr(obj, field.attname)
            values[name] = str(getattr(obj, name)) if related_id is not None else None
        else:
            values[name] = _plain(getattr(obj, name))
    return values


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} for every field whose value changed."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    changes: dict | None = None,
    note: str = "",
    succeeded: bool = True,
    actor_label: str = "",
) -> AuditRecord:
    """Append one record; the IP comes from the current request, if any. Inside a
    `core.writes.together()` block it is written at the block's end."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    record = AuditRecord(
        actor=actor if authenticated else None,
        actor_label=actor_label or (actor.get_username() if authenticated else ""),
        ip=current_ip.get(),
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        region_path=_region_path_of(obj if obj is not None else (actor if authenticated else None)),
        changes=changes or {},
        note=note[:300],
        succeeded=succeeded,
    )
    return writes.insert(record)  # inside writes.together(): with the block's other rows


def _region_path_of(obj) -> str:
    """Where a record belongs for the audit log's region filter.

    Scoped rows carry their region path; an account (or an event with no object,
    such as a login) belongs where its most recent role is.
    """
    if obj is None:
        return ""
    path = getattr(obj, "region_path", "") or getattr(obj, "path", "")
    if path:
        return path
    if obj._meta.label == "accounts.User" and obj.pk is not None:
        from accounts.models import RoleAssignment

        latest = (
            RoleAssignment.objects.filter(user_id=obj.pk)
            .order_by("-pk")
            .values_list("region_path", flat=True)
            .first()
        )
        return latest or ""
    return ""


def history_of(obj: models.Model):
    """The records about one object, newest first. Callers check access to `obj` first."""
    return AuditRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")
