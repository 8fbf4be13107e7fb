"""Proxy mode's language server process (lsp_bridge/server.py): spawned without subprocess, used as the
proxy uses a Popen: pipes both ways, poll, wait with and without a timeout, terminate, kill, and Popen's
`returncode` (-N for signal N)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from lsp_bridge.errors import BridgeError
from lsp_bridge.server import start_server, stop_server

ECHO_LINE = "import sys; sys.stdout.write(sys.stdin.readline().upper()); sys.stdout.flush()"


def test_the_pipes_reach_the_server_and_back() -> None:
    server = start_server([sys.executable, "-c", ECHO_LINE])
    server.stdin.write(b"hello\n")
    assert server.stdout.read(6) == b"HELLO\n"
    server.stdin.close()
    assert server.wait(30) == 0
    assert server.stdout.read(1) == b""  # its end of the pipe closed when it exited: no copy kept open
    assert server.poll() == 0


def test_exit_status_and_the_signal_that_ended_it() -> None:
    assert start_server([sys.executable, "-c", "raise SystemExit(3)"]).wait() == 3
    server = start_server([sys.executable, "-c", "import time; time.sleep(60)"])
    assert server.poll() is None
    server.terminate()
    assert server.wait(30) == -signal.SIGTERM
    server.kill()  # a no-op once it has exited, as Popen's


def test_wait_with_a_timeout_raises_as_popen_does() -> None:
    server = start_server([sys.executable, "-c", "import sys; sys.stdin.read()"])
    with pytest.raises(subprocess.TimeoutExpired):
        server.wait(0.05)
    assert server.returncode is None
    server.stdin.close()  # end of input: it exits
    assert server.wait(30) == 0


def test_stop_server_kills_what_still_runs() -> None:
    server = start_server([sys.executable, "-c", "import time; time.sleep(60)"])
    stop_server(server)
    assert server.returncode == -signal.SIGKILL
    stop_server(server)


def test_a_command_that_cannot_start_says_why() -> None:
    with pytest.raises(BridgeError, match="language server 'no-such-server-x': No such file"):
        start_server(["no-such-server-x", "--stdio"])


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the child's signal masks in /proc")
def test_signals_python_ignores_are_back_at_their_defaults_in_the_server() -> None:
    server = start_server(["sleep", "60"])
    try:
        status = Path(f"/proc/{server.pid}/status").read_text()
        ignored = int(next(line for line in status.splitlines() if line.startswith("SigIgn:")).split()[1], 16)
        assert signal.getsignal(signal.SIGPIPE) == signal.SIG_IGN  # ignored here, by Python
        assert not ignored & (1 << (signal.SIGPIPE - 1))
        assert not ignored & (1 << (signal.SIGXFSZ - 1))
    finally:
        stop_server(server)
