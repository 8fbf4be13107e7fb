"""`codetape collector [--detach]`: run the per-user collector (foreground, or detached with a log)."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time

from collector.errors import CollectorError
from collector.home import Home
from collector.protocol.client import AUTOSTART_WAIT_S, socket_address


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("collector", help="run the local collector (one per user)", description=__doc__)
    parser.add_argument("--detach", action="store_true",
                        help="start it in the background (log: CODETAPE_HOME/run/collector.log) and return")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collector.daemon.rundir import AlreadyRunning
    from collector.daemon.server import run_collector

    home = Home.from_env(args.env)
    if args.detach:
        return detach(home)
    try:
        run_collector(home)
    except AlreadyRunning as exc:
        print(f"codetape: {exc}", file=sys.stderr)
    return 0


def listening(home: Home) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(socket_address(home.socket))
        except OSError:
            return False
    return True


def detach(home: Home) -> int:
    """Start `codetape collector` in a new session with its output in the log; wait until it listens."""
    from collector.daemon.rundir import log_path, private_run_dir, read_pid

    if listening(home):
        print(f"codetape: collector already running (pid {read_pid(home)})", file=sys.stderr)
        return 0
    private_run_dir(home)
    log = log_path(home)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "collector", "collector"], stdin=subprocess.DEVNULL, stdout=fd, stderr=fd,
            start_new_session=True, cwd="/", env={**os.environ, "CODETAPE_HOME": str(home.root)},
        )
    finally:
        os.close(fd)
    deadline = time.monotonic() + AUTOSTART_WAIT_S
    exited = False
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
