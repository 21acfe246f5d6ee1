"""bin/run's worker (bin/_worker.sh): started again when it dies, and stopped within
10 s by SIGTERM even while a task runs (issue 12, points 5 and 8). Also: bin/_apt.sh
waits for another apt instead of failing on its lock.

The worker runs as bin/run runs it (the same shell function) on the embedded broker in
a temporary folder, with a SQLite file database holding beat's tables.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except (FileNotFoundError, IndexError):
        return True
    return state == "Z"


@pytest.fixture
def demo_env(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG"}
    }
    env.update(
        LIANXIN_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        LIANXIN_PY=sys.executable,
        LIANXIN_WORKER_ARGS="--include=tests.scaling.sleepy",
        WORKER_CONCURRENCY="1",
        WORKER_QUEUES="default",
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "django_celery_beat", "-v0"],
        cwd=BASE,
        env=env,
        check=True,
    )
    return env


def _send_sleep(env, marker: Path, seconds: float) -> None:
    code = (
        "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'congress_portal.settings');"
        "import django; django.setup(); from congress_portal.celery import app;"
        f"app.send_task('tests.scaling.sleepy.sleep', args=[{str(marker)!r}, {seconds}],"
        " queue='default')"
    )
    subprocess.run([sys.executable, "-c", code], cwd=BASE, env=env, check=True)


def test_the_worker_is_restarted_when_it_dies_and_stops_within_10_s(demo_env, tmp_path):
    log = tmp_path / "run.log"
    with open(log, "wb") as out:
        supervisor = subprocess.Popen(
            ["bash", "-c", 'say() { echo "==> $*"; }; source bin/_worker.sh; supervise_worker'],
            cwd=BASE,
            env=demo_env,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
    try:
        # Given a worker running a task
        first = tmp_path / "first"
        _send_sleep(demo_env, first, 120)
        _wait_for(first.exists, 90, "the worker to run the first task")
        worker_group = os.getpgid(int(first.read_text()))
        assert worker_group != os.getpgid(supervisor.pid)  # a session of its own

        # When the worker dies (SIGKILL to it and its pool)
        os.killpg(worker_group, signal.SIGKILL)

        # Then bin/run says so and starts it again: a new task runs
        _wait_for(lambda: "starting it again" in log.read_text(), 30, "the restart message")
        second = tmp_path / "second"
        _send_sleep(demo_env, second, 120)
        _wait_for(second.exists, 90, "the restarted worker to run a task")
        busy_pid = int(second.read_text())

        # When bin/run is told to stop (Ctrl-C / SIGTERM) while that task sleeps
        started = time.monotonic()
        supervisor.send_signal(signal.SIGTERM)
        supervisor.wait(timeout=20)
        elapsed = time.monotonic() - started

        # Then it and the worker with its pool are gone within 10 s
        assert elapsed < 10, (elapsed, log.read_text())
        _wait_for(lambda: _gone(busy_pid), 3, "the pool process to be gone")
    except AssertionError:
        print(log.read_text(errors="replace")[-4000:])
        raise
    finally:
        if supervisor.poll() is None:
            os.killpg(supervisor.pid, signal.SIGKILL)
            supervisor.wait()


def test_apt_lock_is_waited_for_with_a_message(tmp_path):
    lock = tmp_path / "lock-frontend"
    lock.write_text("")
    # Another "apt" holds the lock for 4 s
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import time; f = open({str(lock)!r}); time.sleep(4)"]
    )
    time.sleep(0.5)
    started = time.monotonic()
    script = (
        'say() { echo "==> $*"; }; source bin/_apt.sh; '
        f"apt_locks=({lock}); APT_WAIT_SECONDS=60; wait_for_apt && echo went-on"
    )
    result = subprocess.run(
        ["bash", "-c", script], cwd=BASE, capture_output=True, text=True, timeout=60
    )
    holder.wait()
    assert "waiting for it to finish" in result.stdout
    assert result.stdout.strip().endswith("went-on")
    assert time.monotonic() - started >= 3


def test_ctrl_c_stops_the_web_and_the_busy_worker_within_10_s(demo_env, tmp_path):
    # bin/run's last line, with a stand-in web server on this helper's port
    log = tmp_path / "run.log"
    web = [sys.executable, "-m", "http.server", "8302", "--bind", "127.0.0.1"]
    script = 'say() { echo "==> $*"; }; source bin/_worker.sh; run_with_worker "$@"'
    with open(log, "wb") as out:
        run = subprocess.Popen(
            ["bash", "-c", script, "bin/run", *web],
            cwd=BASE,
            env=demo_env,
            stdout=out,
            stderr=out,
            start_new_session=True,  # a terminal's foreground process group of its own
        )
    try:
        marker = tmp_path / "busy"
        _send_sleep(demo_env, marker, 120)
        _wait_for(marker.exists, 90, "the worker to run a task")
        busy_pid = int(marker.read_text())

        # Ctrl-C: the terminal sends SIGINT to the whole foreground process group
        started = time.monotonic()
        os.killpg(run.pid, signal.SIGINT)
        run.wait(timeout=20)
        elapsed = time.monotonic() - started

        assert elapsed < 10, (elapsed, log.read_text())
        assert "stopping" in log.read_text()
        _wait_for(lambda: _gone(busy_pid), 3, "the busy worker to be gone")
        _wait_for(
            lambda: subprocess.run(["fuser", "8302/tcp"], capture_output=True).returncode != 0,
            3,
            "the web server to be gone",
        )
    except AssertionError:
        print(log.read_text(errors="replace")[-4000:])
        raise
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
