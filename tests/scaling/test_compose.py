"""docker-compose.yml cannot run here (no registry): these checks keep it true to the code.

Each service's command, health check and volumes are read from the file and held
against the settings: the queues, the beat scheduler, the WSGI module, where files
and beat's schedule live, and the replica the router reads.
"""

import re
import shlex
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands
from django.urls import resolve

ROOT = Path(settings.BASE_DIR)
LONG_RUNNING = {
    "web",
    "worker-default",
    "worker-jobs",
    "worker-rollups",
    "beat",
    "db",
    "db-replica",
    "redis",
}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _url(value: str):
    """A URL from the file, its ${VARIABLE:?message} parts filled in."""
    return urlparse(re.sub(r"\$\{[^}]*\}", "secret", value))


def _argv(service: dict) -> list[str]:
    command = service["command"]
    return command if isinstance(command, list) else shlex.split(command)


def _workers(compose) -> dict[str, list[str]]:
    return {
        name: _argv(service)
        for name, service in compose["services"].items()
        if "worker" in _argv(service)[:4] and "celery" in _argv(service)[0]
    }


def test_the_roles_of_the_drill_are_all_there(compose):
    assert set(compose["services"]) == LONG_RUNNING | {"migrate"}


def test_one_worker_per_configured_queue_and_no_queue_without_one(compose):
    queues = {queue.name for queue in settings.CELERY_TASK_QUEUES}
    consumed = []
    for name, argv in _workers(compose).items():
        assert argv[:4] == ["celery", "-A", "congress_portal", "worker"], name
        consumed += argv[argv.index("-Q") + 1].split(",")
        assert name == f"worker-{argv[argv.index('-Q') + 1]}"
    assert sorted(consumed) == sorted(queues)
    assert settings.CELERY_TASK_DEFAULT_QUEUE in queues
    routed = {queue for _, queue in settings.TASK_QUEUE_PATTERNS}
    assert routed <= queues


def test_worker_health_checks_ping_the_node_name_the_worker_takes(compose):
    for name, argv in _workers(compose).items():
        node = argv[argv.index("-n") + 1]
        test = " ".join(compose["services"][name]["healthcheck"]["test"])
        assert node == "celery@%h", name
        assert "inspect ping -d celery@$HOSTNAME" in test.replace("$$", "$"), name


def test_exactly_one_beat_with_the_locking_scheduler_and_a_kept_schedule(compose):
    beats = [
        name
        for name, service in compose["services"].items()
        if re.search(r"celery .*\bbeat\b", " ".join(_argv(service)))
    ]
    assert beats == ["beat"]
    beat = compose["services"]["beat"]
    command = " ".join(_argv(beat))
    assert f"--scheduler {settings.CELERY_BEAT_SCHEDULER}" in command
    assert "manage.py setup_schedules &&" in command
    schedule = re.search(r"--schedule (\S+)", command).group(1)
    mounts = dict(volume.split(":")[::-1][:2] for volume in beat["volumes"])
    assert str(Path(schedule).parent) in mounts, "beat's schedule file is on a volume"
    # The image's LIANXIN_VAR_DIR is that folder.
    assert "LIANXIN_VAR_DIR=/app/var" in (ROOT / "Dockerfile").read_text()
    assert str(Path(schedule).parent) == "/app/var"
    # Its health check is a command that exists.
    check = beat["healthcheck"]["test"]
    assert check[:3] == ["CMD", "python", "manage.py"] and check[3] in get_commands()


def test_every_long_running_service_has_a_health_check(compose):
    for name in LONG_RUNNING:
        check = compose["services"][name].get("healthcheck")
        assert check and check["test"], name


def test_web_runs_the_wsgi_application_and_checks_a_real_page(compose):
    web = compose["services"]["web"]
    argv = _argv(web)
    assert argv[0] == "gunicorn"
    assert argv[1] == f"{settings.WSGI_APPLICATION.rsplit('.', 1)[0]}:application"
    # The port opens once the app is loaded: a booting node refuses connections, which
    # a load balancer sends to another node, instead of holding them (the drill).
    assert "--preload" in argv
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert '"--preload"' in dockerfile.split("CMD", 1)[1]
    url = re.search(r"urlopen\('([^']+)'", " ".join(web["healthcheck"]["test"])).group(1)
    assert resolve(urlparse(url).path).view_name == "accounts:login"
    assert web["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_files_live_on_one_shared_volume_at_media_root(compose):
    for name in ("web", "worker-default", "worker-jobs", "worker-rollups", "beat"):
        service = compose["services"][name]
        media_root = service["environment"]["MEDIA_ROOT"]
        mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in service["volumes"]}
        assert mounts.get(media_root) == "media", name


def test_the_replica_is_streamed_from_the_primary_and_the_app_reads_it(compose):
    services = compose["services"]
    env = services["web"]["environment"]
    assert _url(env["DATABASE_URL"]).hostname == "db"
    replica_host = _url(env["DATABASE_REPLICA_URL"]).hostname
    replica = services[replica_host]
    command = " ".join(_argv(replica))
    assert "pg_basebackup -h db" in command and " -R " in command and "-X stream" in command
    assert "hot_standby=on" in command
    assert replica["depends_on"]["db"]["condition"] == "service_healthy"
    primary = " ".join(_argv(services["db"]))
    assert "wal_level=replica" in primary
    for volume in services["db"]["volumes"]:
        source = volume.split(":")[0]
        if source.startswith("./"):
            assert (ROOT / source).is_file(), source


def test_the_environment_names_settings_the_code_reads(compose):
    source = (ROOT / "congress_portal" / "settings.py").read_text()
    for name in compose["x-app"]["environment"]:
        assert re.search(rf'env_\w+\("{name}"', source), name


def test_every_named_volume_is_declared_and_used(compose):
    used = set()
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith(("./", "/")):
                used.add(source)
    assert used == set(compose["volumes"])
