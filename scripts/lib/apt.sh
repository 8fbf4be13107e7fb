# shellcheck shell=bash
# Sourced by scripts/setup after progress.sh: apt-get waits for a package manager that holds dpkg's lock
# (unattended-upgrades in a fresh machine's first minutes does) rather than failing in 5 s with exit 100.

APT_LOCKS=(/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock)
APT_LOCK_WAIT=${APT_LOCK_WAIT:-600}  # seconds, here and as apt-get's own DPkg::Lock::Timeout

# lock_held FILE: whether another process holds a POSIX lock on FILE (dpkg's kind); unknown (an unreadable
# FILE, as dpkg's are to a user who is not root) counts as free, and apt-get's own timeout waits then
lock_held() {
  [ -r "$1" ] || return 1
  python3 - "$1" <<'PY'
import fcntl, sys
with open(sys.argv[1], "rb") as lock:
    try:
        fcntl.lockf(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        sys.exit(0)
sys.exit(1)
PY
}

# wait_for_package_manager [LOCK...]: return once no other process holds any LOCK (default: dpkg's and
# apt's), saying so while it waits; 1 after APT_LOCK_WAIT seconds, with the lock named
wait_for_package_manager() {
  local lock began=$SECONDS said=0 next=10 took
  [ $# -gt 0 ] || set -- "${APT_LOCKS[@]}"
  for lock in "$@"; do
    while lock_held "$lock"; do
      took=$(( SECONDS - began ))
      if [ "$said" = 0 ]; then
        phase "waiting for the package manager: another apt or dpkg holds $lock"; said=1
      elif [ "$took" -ge "$next" ]; then
        phase "still waiting for the package manager ($took s)"; next=$(( next + 30 ))
      fi
      if [ "$took" -ge "$APT_LOCK_WAIT" ]; then
        phase "gave up after $took s: $lock is still held; let that package manager finish, then run setup again"
        return 1
      fi
      sleep 0.5
    done
  done
}
