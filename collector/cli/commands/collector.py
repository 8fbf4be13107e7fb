"""`codetape collector [--detach]`: run the per-user collector (foreground, or detached with a log).

`codetape collector stop` stops the running one as SIGTERM does: every open episode is sealed (what
the clients sent until then included), then it exits, its lock released last; the command waits for the
lock to be free and names what was sealed. Stopping is yours: recording stays stopped (no editor, shell
hook, agent hook or `codetape run` starts the collector again) until you run `codetape collector` or
`codetape resume`. Stopping a collector that is not running says so and keeps recording stopped too.
`codetape status` says how the collector was started (by an editor's bridge, `--detach`, systemd, in the
foreground).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from typing import Any

from collector.errors import CollectorError, UsageError
from collector.home import Home
from collector.platform.locks import try_lock, unlock
from collector.platform.process import alive
from collector.protocol.client import AUTOSTART_WAIT_S, Client, open_socket
from collector.protocol.spawn import python_command
from collector.protocol.starter import STARTED_BY, autostarted, handover
from collector.protocol.starting import starting
from collector.protocol.stopped import AGAIN, clear_stopped, mark_stopped, refuse_if_stopped


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("collector", help="run the local collector (one per user)", description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", nargs="?", choices=["stop"],
                        help="stop: seal what the running collector holds and stop it")
    parser.add_argument("--detach", action="store_true",
                        help="start it in the background (log: CODETAPE_HOME/run/collector.log) and return")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    home = Home.from_env(args.env)
    if args.action == "stop":  # the daemon's modules are not imported: a stop starts fast
        if args.detach:
            raise UsageError("stop takes no --detach")
        return stop(home)
    from collector.daemon.rundir import AlreadyRunning
    from collector.daemon.server import run_collector

    if autostarted(args.env):  # a client found none running: never after the user stopped recording
        refuse_if_stopped(home)
    elif clear_stopped(home):
        print(AGAIN, file=sys.stderr)
    if args.detach:
        return detach(home, args.env)
    try:
        run_collector(home)
    except AlreadyRunning as exc:
        print(f"codetape: {exc}", file=sys.stderr)
    return 0


def listening(home: Home) -> bool:
    try:
        open_socket(home, 1.0).close()
    except OSError:
        return False
    return True


def detach(home: Home, env: Mapping[str, str]) -> int:
    """Start `codetape collector` in a new session with its output in the log; wait until it listens. It
    is told it was detached, or, when a client autostarts it through this command, by which client."""
    from collector.daemon.rundir import log_path, private_run_dir, read_pid

    if listening(home):
        print(f"codetape: collector already running (pid {read_pid(home)})", file=sys.stderr)
        return 0
    private_run_dir(home)
    log = log_path(home)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        child = subprocess.Popen(
            python_command("collector", "collector"), stdin=subprocess.DEVNULL, stdout=fd, stderr=fd,
            start_new_session=True, cwd="/",
            env={**os.environ, "CODETAPE_HOME": str(home.root),
                 STARTED_BY: env.get(STARTED_BY) or handover("detach")},
        )
    finally:
        os.close(fd)
    deadline = time.monotonic() + AUTOSTART_WAIT_S
    exited = False
    with starting(home):  # until it listens: a pytest ending meanwhile waits (protocol/starting.py)
        while time.monotonic() < deadline:
            if listening(home):
                print(f"collector running (pid {read_pid(home)}), log: {log}", file=sys.stderr)
                return 0
            if not exited and child.poll() is not None:
                # it may have lost the race to a collector started at the same moment: give that one time
                exited, deadline = True, min(deadline, time.monotonic() + 3.0)
            time.sleep(0.05)
    tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
    raise CollectorError(f"the collector did not start ({tail[0] if tail else 'no log'}); see {log}")


STOP_WAIT_S = 120.0  # sealing a long episode takes a while
STAYS_STOPPED = ("codetape: recording stays stopped (editors, shells, agents) until you run "
                 "`codetape resume` or `codetape collector`")


def stop(home: Home, *, wait_s: float = STOP_WAIT_S) -> int:
    """Ask the running collector to stop (as SIGTERM does: every open episode is sealed, what its clients
    sent until then included), wait until its lock is free, and say what it sealed."""
    from collector.daemon.rundir import log_path, read_pid

    mark_stopped(home)  # first: no client may start it again while it stops
    try:
        client = Client.connect(home, autostart=False, timeout=1.0)
    except CollectorError:
        print("collector: not running")
        print(STAYS_STOPPED, file=sys.stderr)
        return 0
    pid = read_pid(home)
    with client:
        status: dict[str, Any] = client.request("status")
        client.request("shutdown")
    held = [(str(w["root"]), str(w["episode"])) for w in status.get("workspaces", []) if w.get("episode")]
    count = f"{len(held)} open episode{'s' * (len(held) != 1)}"
    print(f"stopping the collector (pid {pid or status.get('pid')}): sealing {count}", file=sys.stderr)
    if not stopped(home, pid, wait_s):
        raise CollectorError(f"the collector (pid {pid}) is still stopping after {wait_s:.0f} s (sealing "
                             f"what it holds); see {log_path(home)}")
    for root, episode in held:
        if (home.episodes / f"{episode}.ctape").exists():
            print(f"sealed {episode} ({root})")
        else:
            print(f"{root}: episode {episode} was not sealed (nothing to seal, or see {log_path(home)})")
    print("collector: stopped")
    print(STAYS_STOPPED, file=sys.stderr)
    return 0


def stopped(home: Home, pid: int | None, wait_s: float) -> bool:
    """Wait until no collector holds this home's lock and its process `pid` has exited (True), at most
    `wait_s` seconds (False)."""
    deadline = time.monotonic() + wait_s
    while _locked(home) or (pid is not None and alive(pid)):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True




def _locked(home: Home) -> bool:
    try:
        fd = os.open(home.run / "collector.lock", os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        if not try_lock(fd, shared=True):
            return True
        with contextlib.suppress(OSError):
            unlock(fd)
        return False
    finally:
        os.close(fd)
