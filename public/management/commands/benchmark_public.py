"""Serve the citizens' pages and a bare floor site through gunicorn, load them, compare.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lianxin_speed \\
        uv run python manage.py benchmark_public --rounds 3 --seconds 5

Two gunicorn servers run side by side with the same settings (2 sync workers, DEBUG
off, database connections kept for 60 s as in production, `TRUSTED_PROXY_COUNT=1`
as behind the production proxy): the portal, and the floor site
(`public/benchfloor/`: the portal's settings and middleware stack, one view reading
one deputy row by its indexed token and rendering a small template). A bounded load
generator on loopback (wrk when installed, else a small keep-alive Python client
with `--connections` threads) drives one target at a time for `--seconds`; rounds
are interleaved (floor, then each page, then again) so a busy moment of the machine
weighs on all alike. Printed per target: req/s, p50 and p95 over all rounds, and the
ratio of its req/s to the floor's.

Targets: the deputy page, the station page, the intake form (GET), the tracking page
(the code form a citizen opens from the deputy page), the deputy's QR PNG, and an
intake POST: a real submission with the form's CSRF cookie and token, a fresh
submission token each time, and a distinct client address per request through
X-Forwarded-For, so the per-address limit (20 an hour) is never reached. The
suggestions the POSTs create are deleted at the end (`--keep` keeps them).
"""

from __future__ import annotations

import http.client
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxMessage
from deputies.models import Deputy
from stations.models import Station
from suggestions.models import Category, Suggestion

BENCH_CONTENT = "压力测试：村口路灯不亮，晚上出行不便。"  # marks the POSTs' suggestions
NOTICE_TASK = "suggestions.tasks.notify_new_suggestion"


@dataclass
class Target:
    name: str
    path: str
    port_kind: str = "portal"  # or "floor"
    method: str = "GET"
    expect: tuple[int, ...] = (200,)
    post: dict | None = None  # for POST: cookie, fields
    samples: list = field(default_factory=list)  # (requests, seconds, p50 ms, p95 ms, errors)


@dataclass
class Result:
    requests: int
    seconds: float
    p50: float
    p95: float
    errors: int


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- Targets ------------------------------------------------------------------------


def pick_deputy() -> Deputy:
    """A public deputy grouped into an open station that has reception rules: the page
    with the most to compute."""
    candidates = (
        Deputy.objects.filter(status=Deputy.Status.ACTIVE)
        .exclude(public_token="")
        .annotate(
            rules=Count(
                "memberships__station__reception_rules",
                filter=Q(memberships__station__status=Station.Status.ACTIVE),
            )
        )
        .order_by("-rules", "pk")
    )
    deputy = candidates.first()
    if deputy is None:
        raise CommandError("No active deputy: load the demo first (manage.py seed_demo).")
    return deputy


def pick_station(deputy: Deputy) -> Station:
    from public.selectors import stations_of_deputy

    stations = stations_of_deputy(deputy)
    if stations:
        return stations[0]
    station = Station.objects.filter(status=Station.Status.ACTIVE).order_by("pk").first()
    if station is None:
        raise CommandError("No open station: load the demo first (manage.py seed_demo).")
    return station


def targets(deputy: Deputy, station: Station) -> list[Target]:
    token = deputy.public_token
    return [
        Target("floor", f"/floor/{token}/", port_kind="floor"),
        Target("deputy page", reverse("public:deputy", args=[token])),
        Target("station page", reverse("public:station", args=[station.public_token])),
        Target("intake form GET", reverse("public_suggestions:new_for_deputy", args=[token])),
        Target("tracking page", reverse("public_suggestions:track")),
        Target("QR PNG", reverse("public:deputy_qr_png", args=[token])),
        Target(
            "intake POST",
            reverse("public_suggestions:new_for_deputy", args=[token]),
            method="POST",
            expect=(302,),
        ),
    ]


def csrf_for(port: int, path: str) -> dict:
    """The CSRF cookie and form token of one GET of the intake form."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    response = conn.getresponse()
    html = response.read().decode()
    conn.close()
    cookie = ""
    for header, value in response.getheaders():
        if header.lower() == "set-cookie" and value.startswith(settings.CSRF_COOKIE_NAME + "="):
            cookie = value.split(";", 1)[0]
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if response.status != 200 or not cookie or not match:
        raise CommandError(f"The intake form gave no CSRF cookie and token ({response.status}).")
    return {"cookie": cookie, "csrf": match.group(1)}


def post_body(csrf: str, number: int) -> tuple[str, str]:
    """(body, client address) of the `number`-th submission."""
    fields = {
        "csrfmiddlewaretoken": csrf,
        "category": Category.values[0],
        "content": BENCH_CONTENT,
        "submission_token": uuid.uuid4().hex,
    }
    address = f"10.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}"
    return urlencode(fields), address


# --- Load generators ------------------------------------------------------------------

WRK_SCRIPT = r"""
local counter = 0
local csrf = os.getenv("BENCH_CSRF")
local cookie = os.getenv("BENCH_COOKIE")
local category = os.getenv("BENCH_CATEGORY")
local content = os.getenv("BENCH_CONTENT_ENC")
local offset = tonumber(os.getenv("BENCH_OFFSET"))
local thread_id = 0
local threads = {}
function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
  table.insert(threads, thread)
end
function init(args)
  errors_ = 0
  if csrf and csrf ~= "" then
    math.randomseed(os.time() + id * 7919)
  end
end
function request()
  if csrf == nil or csrf == "" then
    return wrk.format(nil, nil)
  end
  counter = counter + 1
  local n = offset + id * 1000000 + counter
  local token = string.format("%08x%08x%08x", math.random(0, 0x7fffffff), n,
    math.random(0, 0x7fffffff))
  local body = "csrfmiddlewaretoken=" .. csrf .. "&category=" .. category ..
    "&content=" .. content .. "&submission_token=" .. token
  local headers = {}
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["Cookie"] = cookie
  headers["X-Forwarded-For"] = string.format("10.%d.%d.%d",
    bit.band(bit.rshift(n, 16), 255), bit.band(bit.rshift(n, 8), 255), bit.band(n, 255))
  return wrk.format("POST", nil, headers, body)
end
function response(status, headers, body)
  if status ~= tonumber(os.getenv("BENCH_EXPECT")) then errors_ = errors_ + 1 end
end
function done(summary, latency, requests)
  local errors = 0
  for _, thread in ipairs(threads) do errors = errors + (thread:get("errors_") or 0) end
  io.write(string.format("BENCH %d %d %.3f %.3f %d\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, errors))
end
"""


def drive_wrk(port, target, seconds, connections, offset, script) -> Result:
    env = dict(os.environ)
    env["BENCH_EXPECT"] = str(target.expect[0])
    env["BENCH_OFFSET"] = str(offset)
    if target.post:
        from urllib.parse import quote_plus

        env["BENCH_CSRF"] = target.post["csrf"]
        env["BENCH_COOKIE"] = target.post["cookie"]
        env["BENCH_CATEGORY"] = Category.values[0]
        env["BENCH_CONTENT_ENC"] = quote_plus(BENCH_CONTENT)
    else:
        env["BENCH_CSRF"] = ""
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        script,
        f"http://127.0.0.1:{port}{target.path}",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    output = done.stdout + done.stderr
    match = re.search(r"^BENCH (\d+) (\d+) ([\d.]+) ([\d.]+) (\d+)$", output, re.M)
    if not match:
        raise CommandError(f"wrk gave no result:\n{output}")
    requests, micros, p50, p95, errors = match.groups()
    return Result(int(requests), int(micros) / 1e6, float(p50), float(p95), int(errors))


def drive_python(port, target, seconds, connections, offset, script=None) -> Result:
    """Threads with one kept connection each (reopened when the server closes it)."""
    stop = time.perf_counter() + seconds
    latencies: list[float] = []
    errors = [0]
    counter = [offset]
    lock = threading.Lock()

    def worker():
        conn = None
        while time.perf_counter() < stop:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            headers, body = {}, None
            if target.post:
                with lock:
                    counter[0] += 1
                    number = counter[0]
                body, address = post_body(target.post["csrf"], number)
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": target.post["cookie"],
                    "X-Forwarded-For": address,
                }
            started = time.perf_counter()
            try:
                conn.request(target.method, target.path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                closing = response.will_close
            except (OSError, http.client.HTTPException):
                status, closing = 0, True
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed * 1000)
                if status not in target.expect:
                    errors[0] += 1
            if closing:
                conn.close()
                conn = None
        if conn is not None:
            conn.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - began
    return Result(
        len(latencies), took, percentile(latencies, 50), percentile(latencies, 95), errors[0]
    )


def drop_broker_prefix(prefix: str) -> None:
    """Delete the keys the run's servers published under `prefix` (Redis only)."""
    if not settings.REDIS_URL:
        return
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)


# --- Servers --------------------------------------------------------------------------


class Server:
    """One gunicorn: 2 sync workers, DEBUG off, database connections kept."""

    def __init__(
        self, settings_module: str, port: int, workers: int, log_dir: Path, broker_prefix: str
    ):
        self.port = port
        env = dict(os.environ)
        if settings.REDIS_URL:
            env["CELERY_BROKER_KEY_PREFIX"] = broker_prefix
        env.update(
            DJANGO_SETTINGS_MODULE=settings_module,
            DEBUG="false",
            DB_CONN_MAX_AGE="60",
            TRUSTED_PROXY_COUNT="1",
            PYTHONUNBUFFERED="1",
        )
        self.log = open(log_dir / f"gunicorn-{port}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "congress_portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--keep-alive",
                "5",
                "--log-level",
                "warning",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, path: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise CommandError(f"gunicorn on {self.port} exited; see {self.log.name}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", path)
                status = conn.getresponse().status
                conn.close()
                if status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise CommandError(f"gunicorn on {self.port} did not answer; see {self.log.name}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


# --- The run --------------------------------------------------------------------------


def summarise(target: Target) -> dict:
    requests = sum(r.requests for r in target.samples)
    seconds = sum(r.seconds for r in target.samples)
    return {
        "rps": requests / seconds if seconds else 0.0,
        # The median of the rounds' percentiles: one slow round does not hide the rest.
        "p50": statistics.median(r.p50 for r in target.samples) if target.samples else 0.0,
        "p95": statistics.median(r.p95 for r in target.samples) if target.samples else 0.0,
        "errors": sum(r.errors for r in target.samples),
        "requests": requests,
    }


def run_rounds(ports, plan, *, rounds, seconds, connections, drive, script, warmup=1.0):
    """Floor and pages in turn, `rounds` times; returns nothing, fills target.samples."""
    offset = 0
    for target in plan:  # warm-up: imports, templates, kept fragments, connections
        drive(ports[target.port_kind], target, warmup, 1, offset, script)
        offset += 100_000
    for target in plan:
        target.samples.clear()
    for _ in range(rounds):
        for target in plan:
            result = drive(ports[target.port_kind], target, seconds, connections, offset, script)
            offset += 100_000
            target.samples.append(result)


class Command(BaseCommand):
    help = "Benchmark the citizens' pages through gunicorn against a bare floor site."

    def add_arguments(self, parser):
        parser.add_argument("--rounds", type=int, default=3)
        parser.add_argument("--seconds", type=float, default=5.0, help="per target per round")
        parser.add_argument("--connections", type=int, default=4)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument(
            "--generator", choices=["auto", "wrk", "python"], default="auto", help="load tool"
        )
        parser.add_argument("--keep", action="store_true", help="keep the POSTs' suggestions")
        parser.add_argument("--output", type=Path, default=None, help="Markdown file")

    def handle(self, *args, rounds, seconds, connections, workers, generator, keep, output, **_):
        use_wrk = generator == "wrk" or (generator == "auto" and shutil.which("wrk"))
        if generator == "wrk" and not shutil.which("wrk"):
            raise CommandError("wrk is not installed (apt-get install wrk).")
        drive = drive_wrk if use_wrk else drive_python
        deputy = pick_deputy()
        station = pick_station(deputy)
        plan = targets(deputy, station)
        before = Suggestion.objects.filter(content=BENCH_CONTENT).values_list("pk", flat=True)
        before = set(before)
        last_message = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first()
        broker_prefix = f"benchmark-public-{uuid.uuid4().hex[:8]}:"
        if not settings.REDIS_URL:
            self.stderr.write(
                "REDIS_URL is not set: the POSTs hand their messages to the zero-setup "
                "filesystem broker, not to Redis as in production."
            )
        work = Path(tempfile.mkdtemp(prefix="benchmark-public-"))
        script = work / "bench.lua"
        script.write_text(WRK_SCRIPT)
        ports = {"portal": free_port(), "floor": free_port()}
        servers = [
            Server("congress_portal.settings", ports["portal"], workers, work, broker_prefix),
            Server("public.benchfloor.settings", ports["floor"], workers, work, broker_prefix),
        ]
        try:
            servers[0].wait_ready(plan[1].path)
            servers[1].wait_ready(plan[0].path)
            post = next(t for t in plan if t.method == "POST")
            post.post = csrf_for(ports["portal"], post.path)
            run_rounds(
                ports,
                plan,
                rounds=rounds,
                seconds=seconds,
                connections=connections,
                drive=drive,
                script=str(script),
            )
        finally:
            for server in servers:
                server.stop()
            if not keep:
                made = Suggestion.objects.filter(content=BENCH_CONTENT).exclude(pk__in=before)
                made_ids = list(made.values_list("pk", flat=True))
                made.delete()
                # Their notices, published to a prefix of this run's own that no worker
                # reads: the rows and the queued copies go too. (The points recomputes
                # stay: run later, they count the deputy without the deleted rows.)
                OutboxMessage.objects.filter(
                    pk__gt=last_message or 0,
                    task=NOTICE_TASK,
                    kwargs__suggestion_id__in=made_ids,
                    done_at__isnull=True,
                ).delete()
                drop_broker_prefix(broker_prefix)
        lines = self.report(plan, deputy, station, rounds, seconds, connections, workers, use_wrk)
        self.stdout.write("\n".join(lines))
        output = output or (
            Path(settings.VAR_DIR) / "benchmarks" / f"public-{timezone.localtime():%Y%m%d-%H%M}.md"
        )
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.stdout.write(f"\nwritten to {output}")
        shutil.rmtree(work, ignore_errors=True)

    def report(self, plan, deputy, station, rounds, seconds, connections, workers, use_wrk):
        floor = summarise(plan[0])
        lines = [
            f"# Public pages benchmark, {timezone.localtime():%Y-%m-%d %H:%M}",
            "",
            f"- database: {connection.vendor} {connection.settings_dict.get('NAME')}, "
            f"{Deputy.objects.count():,} deputies, {Station.objects.count():,} stations, "
            f"{Suggestion.objects.count():,} suggestions",
            f"- gunicorn: {workers} sync workers, DEBUG off, DB connections kept 60 s; "
            f"load: {'wrk' if use_wrk else 'Python threads'}, {connections} connections, "
            f"{rounds} rounds x {seconds:g} s per target, interleaved",
            f"- pages of deputy {deputy.name} and station {station.name}",
            f"- broker: {'Redis' if settings.REDIS_URL else 'filesystem (REDIS_URL not set)'}, "
            "messages sent on commit by the web process as in production"
            if settings.OUTBOX_SEND_ON_COMMIT
            else "- broker: none, OUTBOX_SEND_ON_COMMIT off",
            f"- machine: {platform.machine()}, {os.cpu_count()} cores, "
            f"load average {os.getloadavg()[0]:.1f}, Python {platform.python_version()}",
            "",
            "| target | req/s | p50 | p95 | errors | req/s / floor |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for target in plan:
            row = summarise(target)
            ratio = row["rps"] / floor["rps"] if floor["rps"] else 0.0
            lines.append(
                f"| {target.name} | {row['rps']:.0f} | {row['p50']:.1f} ms | {row['p95']:.1f} ms "
                f"| {row['errors']} of {row['requests']} | {ratio:.0%} |"
            )
        return lines
