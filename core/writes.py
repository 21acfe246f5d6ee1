"""Rows written together: the inserts that follow a hot path's main row, in one round trip.

    with transaction.atomic(), writes.together():
        suggestion.save()              # needs its id now: written at once
        event(suggestion, ...)         # these three are held...
        audit_record(...)
        enqueue("...", id=suggestion.pk)
    # ...and written here, at the end of the block, still inside the transaction

Writers of such rows call `insert(row)`: the row is saved at once, or, inside a
`together()` block, held and written at the block's end with the others: one INSERT
per table (their ids come back with it), and on PostgreSQL all of them in one round
trip. They commit or roll back with the work that wrote them. A row inserted inside a
nested atomic block is written at once instead, so it rolls back with that block.

A statement whose answer is only needed at the end (a rate count to check) can go
with them: `later(sql, params, then)` sends it first in the same round trip and hands
its rows to `then`, which raises to refuse, and the whole transaction rolls back.

What the block does not do for a held row: call the model's `save()` (so a model whose
`save()` does more than refuse updates is refused here) or send `pre_save`. It does send
`post_save` (created) for each row once written, so receivers still learn of it. Until
the block ends a held row has no id.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models.signals import post_save
from django.db.models.sql import InsertQuery

from core import clock

_pending = threading.local()  # this thread's open `together()` block, if any


@dataclass
class _Block:
    depth: int  # the savepoints open when the block began
    rows: list = field(default_factory=list)
    later: list = field(default_factory=list)  # (sql, params, then)
    now: object = None

    def time(self):
        if self.now is None:
            self.now = clock.now()
        return self.now


def _savepoint_depth() -> int:
    return len(transaction.get_connection().savepoint_ids)


def _open_block() -> _Block | None:
    block = getattr(_pending, "block", None)
    if block is not None and _savepoint_depth() == block.depth:
        return block
    return None


def held() -> bool:
    """Whether `insert()` would hold a row now (a block is open at this depth)."""
    return _open_block() is not None


def block_time():
    """One time for all the rows of the open block (the time it was first asked for),
    or now when none is open."""
    block = _open_block()
    return block.time() if block is not None else clock.now()


def insert(row: models.Model) -> models.Model:
    """Save the new `row` now, or at the end of the open `together()` block."""
    block = _open_block()
    if block is None:
        row.save(force_insert=True)
        return row
    model = type(row)
    if model.save is not models.Model.save and not getattr(model, "insert_without_save", False):
        raise TypeError(f"{model.__name__}.save() does more than save: insert it at once")
    block.rows.append(row)
    return row


def later(sql: str, params, then: Callable[[list[tuple]], None]) -> None:
    """Run `sql` with the open block's rows (before them) and call `then(rows)` with
    its rows; outside a block, at once. `then` raises to refuse: the caller's
    transaction then rolls back, the block's rows with it. The statement must return
    rows (RETURNING ...), and a literal % in it is written %% (it is joined with the
    others into one string of parameters)."""
    block = _open_block()
    if block is not None:
        block.later.append((sql, params, then))
        return
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(sql, params)
        then(cursor.fetchall())


@contextmanager
def together():
    """Hold the rows `insert()` is given inside the block, and write them at its end."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("writes.together() belongs inside an atomic block")
    if getattr(_pending, "block", None) is not None:  # nested: the outer block writes
        yield
        return
    block = _pending.block = _Block(depth=_savepoint_depth())
    try:
        yield
    except BaseException:
        # The held rows are dropped: the transaction must not commit without them,
        # even if the caller catches the error inside it.
        transaction.set_rollback(True)
        raise
    finally:
        _pending.block = None
    if block.rows or block.later:
        _write(block.rows, block.later)


def _write(rows: list[models.Model], later: list[tuple]) -> None:
    by_model: dict[type, list] = {}
    for row in rows:
        by_model.setdefault(type(row), []).append(row)
    connection = transaction.get_connection()
    if connection.vendor == "postgresql" and _client_side_binding(connection):
        _write_in_one_round_trip(connection, by_model, later)
    else:
        with connection.cursor() as cursor:
            for sql, params, then in later:
                cursor.execute(sql, params)
                then(cursor.fetchall())
        for model, objs in by_model.items():
            model._base_manager.bulk_create(objs)
    for model, objs in by_model.items():
        for row in objs:
            post_save.send(model, instance=row, created=True, raw=False, using=row._state.db)


def _client_side_binding(connection) -> bool:
    """psycopg's client-side binding cursor (Django's default) sends several statements
    with their values in one call; server-side binding (an option) cannot."""
    return not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding")


def _write_in_one_round_trip(connection, by_model: dict[type, list], later: list) -> None:
    """The `later` statements, then one INSERT ... RETURNING per table, built by
    Django's own insert compiler (field defaults, `auto_now_add`, database values), sent
    as one string of statements; the `later` answers are checked before the ids are
    taken."""
    statements = [sql for sql, _params, _then in later]
    params = [value for _sql, values, _then in later for value in values]
    for model, objs in by_model.items():
        for row in objs:  # as bulk_create does: a related object must be saved already
            row._prepare_related_fields_for_save(operation_name="insert")
        opts = model._meta
        fields = [
            f
            for f in opts.concrete_fields
            if not f.generated and not (f.primary_key and isinstance(f, models.AutoField))
        ]
        query = InsertQuery(model)
        query.insert_values(fields, objs)
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = [opts.pk]
        [(sql, values)] = compiler.as_sql()
        statements.append(sql)
        params.extend(values)
    with connection.cursor() as cursor:
        cursor.execute("; ".join(statements), params)
        raw = cursor.cursor
        for position, (_sql, _params, then) in enumerate(later):
            if position:
                raw.nextset()
            then(raw.fetchall())
        for position, objs in enumerate(by_model.values()):
            if position or later:
                raw.nextset()
            for row, (pk,) in zip(objs, raw.fetchall(), strict=True):
                row.pk = pk
                row._state.adding = False
                row._state.db = connection.alias
