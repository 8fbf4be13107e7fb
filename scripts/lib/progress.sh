# shellcheck shell=bash
# Sourced by scripts/setup: how a phase says what it is doing, so that no long wait is a silent one.
# Both write to fd 3, the script's stderr as it was when this file was sourced, so a phase's command can
# silence its own output (`busy WHAT CMD 2>/dev/null`) and still be heard as it runs.
exec 3>&2

# phase WHAT: say, on stderr, that WHAT starts
phase() { echo "setup: $*" >&3; }

# busy WHAT CMD...: run CMD (a command or a shell function), saying "setup: still WHAT (N s)" on stderr at
# 2, 6, 14 and 30 s, then every 30 s while it runs; busy's exit status is CMD's
busy() {
  local what=$1 pid began=$SECONDS next=2 took
  shift
  "$@" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 0.5
    took=$(( SECONDS - began ))
    if [ "$took" -ge "$next" ] && kill -0 "$pid" 2>/dev/null; then
      echo "setup: still $what ($took s)" >&3
      next=$(( next < 30 ? next * 2 + 2 : next + 30 ))
    fi
  done
  wait "$pid"
}
