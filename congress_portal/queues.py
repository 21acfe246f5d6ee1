"""Which Celery queue each piece of work goes to (`CELERY_TASK_ROUTES` points here).

Three queues, so that a province-wide export never delays a reminder SMS:

- `default`: outbox messages (notifications, reminders, points), the relay, sweeps;
- `jobs`: ledgers, placards, imports and backups (minutes long, memory-heavy);
- `rollups`: dashboard refreshes (one at a time anyway: they serialise on a row lock).
  Deputies' points recomputes go here too: a burst of them must not delay a notice.

`settings.TASK_QUEUE_PATTERNS` maps dotted names to queues (first match wins). It is
matched against the Celery task's name, and for `core.tasks.run_outbox_message`
(and `run_outbox_messages`, several messages of one queue in one delivery) against
the function the outbox message names (`jobs.runner.run_job` goes to
`jobs`, `dashboards.rollups.rollup_refresh_months` to `rollups`). The message's
function is known to the process that created the row (remembered on save); a
relay in another process reads it with the row and remembers it too.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

OUTBOX_TASK = "core.tasks.run_outbox_message"
OUTBOX_BATCH_TASK = "core.tasks.run_outbox_messages"
_MEMO_SIZE = 10_000
# outbox message id -> its function's dotted path, for messages this process created
_outbox_tasks: dict[int, str] = {}


def queue_for(name: str) -> str:
    """The queue for a task or outbox function named `name`."""
    for pattern, queue in settings.TASK_QUEUE_PATTERNS:
        if fnmatchcase(name, pattern):
            return queue
    return settings.CELERY_TASK_DEFAULT_QUEUE


def route(name, args, kwargs, options, task=None, **kw) -> dict:
    """Celery router: {"queue": ...} for every task sent from this project."""
    if name == OUTBOX_TASK:
        message_id = args[0] if args else (kwargs or {}).get("message_id")
        return {"queue": queue_of_outbox_message(message_id)}
    if name == OUTBOX_BATCH_TASK:  # the sender groups a batch by queue: its first says
        message_ids = args[0] if args else (kwargs or {}).get("message_ids")
        return {"queue": queue_of_outbox_message(message_ids[0])}
    return {"queue": queue_for(name)}


def queue_of_outbox_message(message_id) -> str:
    """The queue of the outbox message `message_id`, by the function it names."""
    return queue_for(outbox_task(message_id))


def remember(message_id: int, task: str) -> None:
    """Note the function of an outbox message this process read or wrote."""
    if len(_outbox_tasks) >= _MEMO_SIZE:
        _outbox_tasks.clear()
    _outbox_tasks[message_id] = task


def outbox_task(message_id) -> str:
    """The function an outbox message names (remembered, else read from its row)."""
    known = _outbox_tasks.get(message_id)
    if known is not None:
        return known
    from core.models import OutboxMessage

    return OutboxMessage.objects.filter(pk=message_id).values_list("task", flat=True).first() or ""


@receiver(post_save, sender="core.OutboxMessage", dispatch_uid="queues-remember-outbox-task")
def _remember_outbox_task(sender, instance, created, **kwargs) -> None:
    if created:
        remember(instance.pk, instance.task)
