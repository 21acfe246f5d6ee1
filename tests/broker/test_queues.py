"""Work is routed to three queues on the real broker: default, jobs, rollups."""

import json

import pytest
from django.urls import reverse

from congress_portal import queues
from core import outbox
from core.models import OutboxMessage
from dashboards.tasks import refresh_touched_rollups
from tests.broker.conftest import outbox_ids_of
from tests.suggestions.conftest import intake_data

pytestmark = pytest.mark.django_db(transaction=True)


def _waiting(broker) -> dict[str, list[str]]:
    """For each queue, what waits on it: Celery task names, or the outbox function."""
    found = {}
    for queue in ("default", "jobs", "rollups", "celery"):
        names = []
        for raw in broker.redis.lrange(f"{broker.prefix}{queue}", 0, -1):
            ids = outbox_ids_of(raw)
            if ids is None:
                names.append(json.loads(raw)["headers"]["task"])
            else:  # one outbox message, or a batch of them: each by its function
                names += [OutboxMessage.objects.get(pk=pk).task for pk in ids]
        found[queue] = sorted(names)
    return found


def test_suggestions_ledgers_and_rollups_each_reach_their_own_queue(
    client, world, broker, settings
):
    settings.OUTBOX_SEND_ON_COMMIT = True
    # A citizen's concern (its notice), a leader's ledger, and beat's rollup refresh.
    response = client.post(
        reverse("public_suggestions:new_for_deputy", args=[world.deputy.public_token]),
        intake_data(),
    )
    assert response.status_code == 302
    client.force_login(world.leader)
    data = {
        "ledger": "receptions",
        "region": world.county.code,
        "period": "custom",
        "start": "2026-04-01",
        "end": "2026-06-30",
    }
    assert client.post(reverse("ledgers:index"), data).status_code == 302
    refresh_touched_rollups.delay()
    outbox._sender.submit(lambda: None).result(timeout=60)

    expected = {
        "default": ["suggestions.tasks.notify_new_suggestion"],
        "jobs": ["jobs.runner.run_job"],
        "rollups": ["dashboards.tasks.refresh_touched_rollups", "duties.tasks.recompute_points"],
        "celery": [],
    }
    assert _waiting(broker) == expected

    # A relay in another process (nothing remembered) routes them the same way.
    for key in broker.redis.scan_iter(match=f"{broker.prefix}*"):
        broker.redis.delete(key)
    queues._outbox_tasks.clear()
    OutboxMessage.objects.update(dispatched_at=None)
    settings.OUTBOX_RELAY_AFTER_SECONDS = 0
    assert outbox.relay() == 3  # the notice, the points, the ledger job
    expected["rollups"] = ["duties.tasks.recompute_points"]
    assert _waiting(broker) == expected


def test_a_backlog_of_points_recomputes_leaves_the_notices_alone(client, world, broker, settings):
    # Regression (the drill, 2026-12-03): the demo's seed queued 7,652 points recomputes
    # on `default`, and citizens' intake notices waited behind them for over 10 minutes.
    # Given a burst of points recomputes handed to the broker, as a seed or an import makes
    settings.OUTBOX_SEND_ON_COMMIT = False
    burst = [
        outbox.enqueue("duties.tasks.recompute_points", deputy_ids=[world.deputy.pk], year=2026).pk
        for _ in range(50)
    ]
    assert outbox.send(burst) == 50
    # When a citizen then submits a concern
    settings.OUTBOX_SEND_ON_COMMIT = True
    response = client.post(
        reverse("public_suggestions:new_for_deputy", args=[world.deputy.public_token]),
        intake_data(),
    )
    assert response.status_code == 302
    outbox._sender.submit(lambda: None).result(timeout=60)
    # Then its notice is the only thing the default worker has to do
    waiting = _waiting(broker)
    assert waiting["default"] == ["suggestions.tasks.notify_new_suggestion"]
    assert waiting["rollups"] == ["duties.tasks.recompute_points"] * 51
    # and the nightly full recompute goes the same way
    assert queues.queue_for("duties.tasks.recompute_all_points") == "rollups"


def test_queue_patterns_send_backups_and_dashboard_work_off_the_default_queue():
    assert queues.queue_for("jobs.runner.run_job") == "jobs"
    assert queues.queue_for("core.backup.backup_create") == "jobs"
    assert queues.queue_for("dashboards.rollups.rollup_refresh_months") == "rollups"
    assert queues.queue_for("notifications.services.deliver") == "default"
    assert queues.queue_for("supervision.tasks.sweep_overdue") == "default"
