# Shared by bin/run and bin/test: install everything this checkout needs.
# Idempotent and quick when nothing changed. Sourced, not executed.
set -euo pipefail
export UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy
PY="${PYTHON:-python3}"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

# System packages: CJK fonts for PDFs, gettext for translations, Chromium for browser tests.
need_apt=()
command -v msgfmt >/dev/null 2>&1 || need_apt+=(gettext)
# grep reads all of fc-list's output: with -q it stops at the first match, fc-list dies of
# SIGPIPE, pipefail fails the test, and apt ran (update included) on every start.
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || need_apt+=(fonts-noto-cjk)
if [ "${LIANXIN_NEED_BROWSER:-0}" = 1 ] && [ ! -x /usr/bin/chromium ]; then need_apt+=(chromium); fi
source bin/_apt.sh  # wait_for_apt
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    say "installing ${need_apt[*]} (apt)"
    wait_for_apt
    apt-get -o DPkg::Lock::Timeout="$APT_WAIT_SECONDS" update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout="$APT_WAIT_SECONDS" install -y -qq "${need_apt[@]}" >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    wait_for_apt
    sudo apt-get -o DPkg::Lock::Timeout="$APT_WAIT_SECONDS" update -qq \
      && sudo DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout="$APT_WAIT_SECONDS" install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "Please install: ${need_apt[*]}" >&2; exit 1
  fi
fi

# Python: uv installs the locked dependencies into .venv.
if ! "$PY" -m uv --version >/dev/null 2>&1; then
  say "installing uv"
  "$PY" -m pip install -q "uv==0.13.8"
fi
say "python packages (uv.lock)"
"$PY" -m uv sync --frozen --quiet
# Front-end libraries: pinned in package-lock.json, served from static/, never a CDN.
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.lock-copy; then
  say "front-end packages (package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.lock-copy
fi
uv_run() { "$PY" -m uv run --frozen --quiet "$@"; }
uv_run python manage.py compilemessages --ignore=.venv --ignore=node_modules -v0
