# Waiting for apt's locks (sourced by bin/_setup.sh; needs `say`).
# Another apt or dpkg (unattended-upgrades, a second terminal) holds its locks: wait for
# it, saying so, instead of dying with apt's raw lock error. apt itself also waits
# (DPkg::Lock::Timeout) for a lock taken between our check and its start.
APT_WAIT_SECONDS="${APT_WAIT_SECONDS:-900}"
apt_locks=(/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock)
apt_busy() {
  local lock
  for lock in "${apt_locks[@]}"; do
    [ -e "$lock" ] || continue
    # A lock is held when another process has the file open with a lock on it.
    # (Without fuser, apt's own DPkg::Lock::Timeout does the waiting.)
    if command -v fuser >/dev/null 2>&1 && fuser "$lock" >/dev/null 2>&1; then return 0; fi
  done
  return 1
}
wait_for_apt() {
  local waited=0
  while apt_busy; do
    if [ "$waited" = 0 ]; then say "another apt/dpkg is running: waiting for it to finish (up to ${APT_WAIT_SECONDS} s)"; fi
    if [ "$waited" -ge "$APT_WAIT_SECONDS" ]; then echo "apt is still busy after ${APT_WAIT_SECONDS} s; try again later" >&2; return 1; fi
    sleep 3
    waited=$((waited + 3))
  done
}
