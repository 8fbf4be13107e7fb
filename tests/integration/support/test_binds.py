"""The session's check that tests keep to loopback (tests/support/binds.py), on real sockets: a process of
the session listening on every address, or bound to a UDP port of every address, is found, named with the
test that ran; one listening on 127.0.0.1 or ::1 is not; nor is a process of another session."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.support.binds import BindWatch, bound
from tests.support.leftovers import SESSION_ENV
from tests.waiting import wait_for

# the processes here bind outside loopback on purpose: they carry a mark of their own, not the session's,
# so that this session's own check (tests/conftest.py) takes them for another session's and only the
# watches made here count them
OWN = "CT_BINDS_TEST"

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/net/tcp"),
                                reason="the check reads Linux's socket tables")

LISTENER = """
import socket, sys
family = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
kind = socket.SOCK_DGRAM if sys.argv[2] == "udp" else socket.SOCK_STREAM
s = socket.socket(family, kind)
s.bind((sys.argv[1], 0))
if kind == socket.SOCK_STREAM:
    s.listen()
print(s.getsockname()[1], flush=True)
sys.stdin.read()
"""


@contextlib.contextmanager
def listening(host: str, kind: str, env: dict[str, str]) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """A process bound to `host` (a free port), once the kernel lists its socket."""
    proc = subprocess.Popen([sys.executable, "-c", LISTENER, host, kind], env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        wait_for(lambda: any(where.endswith(f":{port}") for where in bound().values()),
                 what=f"the kernel to list the socket on port {port}")
        yield proc, port
    finally:
        proc.kill()
        proc.wait(30)


@pytest.fixture
def marked(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment of a process of this test's own session (OWN), not of pytest's."""
    monkeypatch.setenv(OWN, f"binds-{os.getpid()}")
    return {**{k: v for k, v in os.environ.items() if k != SESSION_ENV}, OWN: os.environ[OWN]}


@pytest.mark.parametrize(("host", "kind"), [("0.0.0.0", "tcp"), ("::", "tcp"), ("0.0.0.0", "udp")])
def test_a_socket_of_the_session_bound_outside_loopback_is_found(host: str, kind: str,
                                                                 marked: dict[str, str]) -> None:
    watch = BindWatch(OWN)
    watch.test = "tests/made_to_bind.py::test_it"
    with listening(host, kind, marked) as (proc, port):
        watch.sweep()
    [found] = watch.binds
    assert found.pid == proc.pid and found.address.endswith(f":{port}") and kind in found.address
    assert found.test == "tests/made_to_bind.py::test_it" and "python" in found.command


@pytest.mark.parametrize(("host", "mark"), [("127.0.0.1", True), ("::1", True), ("0.0.0.0", False)])
def test_loopback_or_another_sessions_socket_is_not_found(host: str, mark: bool,
                                                          marked: dict[str, str]) -> None:
    watch = BindWatch(OWN)
    env = marked if mark else {k: v for k, v in marked.items() if k != OWN}
    with listening(host, "tcp", env):
        watch.sweep()
    assert watch.binds == []

