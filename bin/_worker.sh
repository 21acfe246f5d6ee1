# The Celery worker (with beat) as bin/run runs it: restarted when it exits, stopped
# within 10 s when asked. Sourced by bin/run; tests/scaling/test_bin_run_worker.py
# runs it the same way. Needs: a `say` function, .venv set up.

LIANXIN_PY="${LIANXIN_PY:-.venv/bin/python}"
WORKER_STOP_SECONDS="${WORKER_STOP_SECONDS:-8}"

# Stop a process group: SIGTERM (Celery's warm shutdown), then SIGKILL for whatever is
# still there after WORKER_STOP_SECONDS. A job cut short is not lost: its message is
# acknowledged late and the jobs sweep queues a job whose heartbeat stopped.
stop_group() {
  local group="$1" waited=0
  kill -TERM -- "-$group" 2>/dev/null || return 0
  while kill -0 -- "-$group" 2>/dev/null; do
    if [ "$waited" -ge $((WORKER_STOP_SECONDS * 5)) ]; then
      say "Celery worker still busy after ${WORKER_STOP_SECONDS} s: stopping it now"
      kill -KILL -- "-$group" 2>/dev/null || true
      break
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
}

# Run the worker until told to stop (SIGTERM/SIGINT to this shell); start it again
# whenever it exits on its own, and say so. The worker gets a session of its own, so
# Ctrl-C reaches it only through here and its pool children go down with it.
supervise_worker() {
  local child="" code=0 stopping=""
  trap 'stopping=1; if [ -n "$child" ]; then stop_group "$child"; fi; exit 0' TERM INT
  while :; do
    # shellcheck disable=SC2086  # LIANXIN_WORKER_ARGS is a list of options
    setsid "$LIANXIN_PY" -m celery -A congress_portal worker --beat --loglevel=warning \
      --concurrency="${WORKER_CONCURRENCY:-2}" -Q "${WORKER_QUEUES:-default,jobs,rollups}" \
      --without-mingle --without-gossip \
      --scheduler supervision.beat:DatabaseScheduler ${LIANXIN_WORKER_ARGS:-} &
    child=$!
    code=0
    wait "$child" || code=$?
    [ -n "$stopping" ] && break
    child=""
    say "Celery worker exited (code $code): starting it again in 2 s"
    sleep 2
  done
}

# Run the worker (supervised) and the web command given, until either Ctrl-C/SIGTERM
# arrives or the web command ends; then stop both, within 10 s, and return.
run_with_worker() {
  local worker_pid="" web_pid=""
  # shellcheck disable=SC2317  # called by the trap
  shutdown() {
    trap - EXIT INT TERM
    say "stopping"
    if [ -n "$web_pid" ]; then kill -TERM "$web_pid" 2>/dev/null || true; fi
    if [ -n "$worker_pid" ]; then kill -TERM "$worker_pid" 2>/dev/null || true; fi
    wait 2>/dev/null || true
    exit 0
  }
  trap shutdown EXIT INT TERM
  say "starting Celery worker with beat (restarted if it exits)"
  supervise_worker &
  worker_pid=$!
  "$@" &
  web_pid=$!
  wait "$web_pid" || true
  shutdown
}
