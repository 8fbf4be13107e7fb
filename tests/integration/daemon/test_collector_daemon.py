"""The collector process: one per user, private socket, autostart, sealing on SIGTERM, crash recovery.

Every test runs on both transports: the Unix socket, and loopback TCP with the per-user secret
(collector/platform/loopback.py), which Windows will use and CODETAPE_COLLECTOR_TRANSPORT=tcp selects here.
"""

from __future__ import annotations

import _socket
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import msgpack
import pytest

from collector.errors import CollectorError
from collector.home import Home
from collector.platform.loopback import TRANSPORT_ENV, read_endpoint
from collector.protocol.client import Client, open_socket
from collector.protocol.clock import now_ms
from tests.support.collector_harness import (
    codetape_process,
    episode_steps,
    opt_in,
    running,
    settle,
    start_daemon,
)
from tests.waiting import TIMEOUT_S, wait_for

NOTE = {"kind": "note", "source": "bridge", "text": "hello"}


@pytest.fixture(autouse=True, params=["unix", "tcp"])
def transport(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The collector's transport for this test, its clients' and every process it starts."""
    monkeypatch.setenv(TRANSPORT_ENV, request.param)
    yield request.param


def raw_connection(home: Home) -> _socket.socket:
    """A connection to the collector of `home` on which the test writes bytes itself (on TCP, the secret
    proved first, as every client does)."""
    sock = open_socket(home, TIMEOUT_S)
    sock.settimeout(TIMEOUT_S)
    return sock


def test_socket_is_0600_in_a_0700_run_dir_with_a_pid_file(tmp_path: Path, transport: str) -> None:
    """On TCP the endpoint file (its port and secret) is what is 0600 in run/."""
    with running(tmp_path / "h") as daemon:
        run = daemon.home.run
        assert stat.S_IMODE(run.stat().st_mode) == 0o700
        info = daemon.home.socket.lstat()
        assert stat.S_ISSOCK(info.st_mode) if transport == "unix" else stat.S_ISREG(info.st_mode)
        assert stat.S_IMODE(info.st_mode) == 0o600
        assert info.st_uid == os.getuid()
        assert (run / "collector.pid").read_text().strip() == str(daemon.proc.pid)
        assert daemon.stop() == 0
        assert not daemon.home.socket.exists()
        assert not (run / "collector.pid").exists()


def test_a_deep_home_listens_in_a_short_private_directory(tmp_path: Path, transport: str) -> None:
    """macOS takes 103 bytes of socket path, Linux 107: a home deeper than that listens in /tmp/codetape-UID/
    (0700), where its clients look too. An endpoint file has no such limit: it stays in run/."""
    root = tmp_path / ("d" * 60) / "h"
    assert len(os.fsencode(root / "run" / "collector.sock")) > 107
    with running(root) as daemon:
        sock = daemon.home.socket
        short = Path("/tmp", f"codetape-{os.getuid()}") if transport == "unix" else daemon.home.run
        assert sock.parent == short
        assert stat.S_IMODE(sock.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(sock.lstat().st_mode) == 0o600
        with daemon.client() as client:
            assert client.request("status")["pid"] == daemon.proc.pid
        assert daemon.stop() == 0
        assert not sock.exists()


def test_a_loose_run_dir_is_tightened_on_start(tmp_path: Path) -> None:
    home = Home(tmp_path / "h")
    home.run.mkdir(parents=True)
    os.chmod(home.run, 0o755)
    with running(home.root) as daemon:
        assert stat.S_IMODE(daemon.home.run.stat().st_mode) == 0o700


SYSTEM_PYTHON = shutil.which("python3", path="/usr/bin:/bin")  # one that user nobody can run


@pytest.mark.skipif(os.getuid() != 0, reason="only root can become another user to try the socket")
@pytest.mark.skipif(SYSTEM_PYTHON is None, reason="no python3 in /usr/bin or /bin to run as another user")
def test_another_user_cannot_connect_even_when_the_permissions_are_opened(transport: str) -> None:
    """The mode bits keep other users out; if they were loosened, the peer credentials still refuse them
    (where the system gives none, as under the macOS simulation, the loosened permissions do)."""
    if transport == "tcp":
        pytest.skip("no permissions guard a loopback port: test_another_user_cannot_read_the_secret")
    probe = ("import socket, sys\n"
             "s = socket.socket(socket.AF_UNIX)\n"
             "try:\n    s.connect(sys.argv[1])\nexcept PermissionError:\n    print('denied'); sys.exit(0)\n"
             "try:\n    s.sendall(b'\\x00\\x00\\x00\\x0a\\x81\\xa2op\\xa6status')\n"
             "    print('closed' if s.recv(100) == b'' else 'answered')\n"
             "except (BrokenPipeError, ConnectionResetError):\n    print('closed')\n")
    base = Path(tempfile.mkdtemp(prefix="ct-peer-"))  # outside pytest's 0700 tmp root, so only run/ guards
    try:
        os.chmod(base, 0o755)
        with running(base / "h") as daemon:
            sock = str(daemon.home.socket)
            others = stat.S_IRWXG | stat.S_IRWXO
            assert not daemon.home.run.stat().st_mode & others
            assert not daemon.home.socket.stat().st_mode & others
            assert SYSTEM_PYTHON is not None
            as_nobody = {"user": 65534, "group": 65534, "extra_groups": [], "cwd": "/"}
            denied = subprocess.run([SYSTEM_PYTHON, "-I", "-c", probe, sock], capture_output=True, text=True,
                                    timeout=30, check=False, **as_nobody)  # type: ignore[call-overload]
            assert denied.returncode == 0, denied.stderr
            assert denied.stdout.strip() == "denied"
            os.chmod(daemon.home.run, 0o755)
            os.chmod(daemon.home.socket, 0o777)
            refused = subprocess.run([SYSTEM_PYTHON, "-I", "-c", probe, sock], capture_output=True,
                                     text=True, timeout=30, check=False, **as_nobody)  # type: ignore[call-overload]
            assert refused.returncode == 0, refused.stderr
            assert refused.stdout.strip() == "closed"
            assert "another user" in daemon.log_text()
    finally:
        shutil.rmtree(base)


STATUS = b"\x00\x00\x00\x0a\x81\xa2op\xa6status"  # a whole `status` request (msgpack)
# what another user's process can do on TCP: read the endpoint file, then connect to the port and send a
# status request with no proof (the collector waits for 48 bytes: closed at its wait) or with a wrong one
TCP_PROBE = ("import socket, sys\n"
             "try:\n    open(sys.argv[1], 'rb').read(); print('read')\n"
             "except PermissionError:\n    print('denied')\n"
             "for first in (b'', b'\\x00' * 48):\n"
             "    s = socket.create_connection(('127.0.0.1', int(sys.argv[2])), timeout=30)\n"
             "    try:\n        s.sendall(first + sys.argv[3].encode('latin-1'))\n"
             "        print('closed' if s.recv(100) == b'' else 'answered')\n"
             "    except (BrokenPipeError, ConnectionResetError):\n        print('closed')\n")


def refused(log: str) -> int:
    """How many connections the log says were refused for not proving the secret (said once a second at
    most, with their count: collector/daemon/door.py)."""
    said = re.findall(r"refused (\d+) connection\(s\) that did not prove the secret", log)
    return sum(int(n) for n in said)


@pytest.mark.skipif(os.getuid() != 0, reason="only root can become another user to try the port")
@pytest.mark.skipif(SYSTEM_PYTHON is None, reason="no python3 in /usr/bin or /bin to run as another user")
def test_another_user_cannot_read_the_secret_and_is_closed_unread(transport: str) -> None:
    """On loopback TCP any local user reaches the port: another user (nobody, uid 65534) cannot read the
    endpoint file, and its connections, with no proof or a wrong one, are closed without an answer."""
    if transport != "tcp":
        pytest.skip("the Unix socket's test: test_another_user_cannot_connect_even_when_the_permissions_...")
    base = Path(tempfile.mkdtemp(prefix="ct-peer-"))  # outside pytest's 0700 tmp root, so only run/ guards
    try:
        os.chmod(base, 0o755)
        with running(base / "h") as daemon:
            endpoint = str(daemon.home.socket)
            _host, port, _secret = read_endpoint(endpoint)
            assert SYSTEM_PYTHON is not None
            as_nobody = {"user": 65534, "group": 65534, "extra_groups": [], "cwd": "/"}
            probe = subprocess.run([SYSTEM_PYTHON, "-I", "-c", TCP_PROBE, endpoint, str(port),
                                    STATUS.hex()], capture_output=True, text=True, timeout=60,
                                   check=False, **as_nobody)  # type: ignore[call-overload]
            assert probe.returncode == 0, probe.stderr
            assert probe.stdout.split() == ["denied", "closed", "closed"]
            wait_for(lambda: refused(daemon.log_text()) == 2, what="both refusals to be logged",
                     detail=daemon.log_text)
            with daemon.client() as client:
                assert client.request("status")["pid"] == daemon.proc.pid
    finally:
        shutil.rmtree(base)


@pytest.mark.parametrize("first", [b"", b"\x00" * 48, b"\x81" * 16 + b"\x00" * 32],
                         ids=["no secret", "wrong secret", "a nonce without its proof"])
def test_a_loopback_connection_without_the_secret_is_closed_before_any_byte_is_read(
        tmp_path: Path, transport: str, first: bytes) -> None:
    """This user's own process, on TCP, without the secret: a `shutdown` request after no proof or a wrong
    one gets no answer, only the end of the connection, and is not carried out (the collector answers the
    next client): the proof is checked before anything else is read."""
    if transport != "tcp":
        pytest.skip("a Unix socket's peer is known by its credentials, not by a secret")
    with running(tmp_path / "h") as daemon:
        _host, port, _secret = read_endpoint(str(daemon.home.socket))
        shutdown = json.dumps({"op": "shutdown", "id": 1}).encode()
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S) as raw:
            raw.sendall(first + len(shutdown).to_bytes(4, "big") + shutdown + STATUS)
            assert raw.recv(1000) == b""
        wait_for(lambda: "did not prove the secret" in daemon.log_text(), what="the refusal to be logged")
        with daemon.client() as client:
            assert client.request("status")["pid"] == daemon.proc.pid
        assert daemon.proc.poll() is None


def test_a_second_collector_exits_cleanly_saying_one_runs(tmp_path: Path) -> None:
    with running(tmp_path / "h") as daemon:
        second = codetape_process(daemon.home.root, "collector")
        assert second.returncode == 0
        assert f"already running (pid {daemon.proc.pid})" in second.stderr
        detached = codetape_process(daemon.home.root, "collector", "--detach")
        assert detached.returncode == 0
        assert daemon.proc.poll() is None
        with daemon.client() as client:
            assert client.request("status")["pid"] == daemon.proc.pid


def test_stale_socket_of_a_killed_collector_is_replaced(tmp_path: Path) -> None:
    daemon = start_daemon(tmp_path / "h")
    daemon.stop(signal.SIGKILL)
    assert daemon.home.socket.exists()
    with pytest.raises(CollectorError, match="not running"):
        Client.connect(daemon.home, autostart=False)
    with running(daemon.home.root) as again, again.client() as client:
        assert client.request("status")["pid"] == again.proc.pid


def test_connect_autostarts_a_detached_collector(tmp_path: Path) -> None:
    home = Home(tmp_path / "h")
    with Client.connect(home, autostart=True) as client:
        pid = client.request("status")["pid"]
        assert pid != os.getpid()
        assert (home.run / "collector.log").exists()
        assert stat.S_IMODE((home.run / "collector.log").stat().st_mode) == 0o600
        client.request("shutdown")
    wait_for(lambda: not home.socket.exists(), what="the autostarted collector to stop")


def test_sigterm_seals_open_episodes_and_tells_connected_clients(tmp_path: Path) -> None:
    ws = opt_in(tmp_path / "ws", home=tmp_path / "h")
    daemon = start_daemon(tmp_path / "h")
    with daemon.client() as client:
        assert client.hello(ws, "bridge")["recording"]
        client.send_step(now_ms(), NOTE)
        settle(client)
        assert daemon.stop(signal.SIGTERM) == 0
        event = client.next_event(10)
    assert event is not None and event["event"] == "sealed"
    assert event["workspace"] == str(ws) and event["steps"] == 1
    assert [s["text"] for s in episode_steps(event["path"])] == ["hello"]
    assert not list(daemon.home.journals.glob("*.journal"))


def test_shutdown_request_seals_too(tmp_path: Path) -> None:
    ws = opt_in(tmp_path / "ws", home=tmp_path / "h")
    daemon = start_daemon(tmp_path / "h")
    with daemon.client() as client:
        client.hello(ws, "pytest")
        client.send_step(now_ms(), {**NOTE, "source": "pytest"})
        assert client.request("shutdown") == {}
    assert daemon.proc.wait(20) == 0
    assert len(list(daemon.home.episodes.glob("*.ctape"))) == 1


def test_a_killed_collector_leaves_a_journal_that_the_next_one_seals(tmp_path: Path) -> None:
    ws = opt_in(tmp_path / "ws", home=tmp_path / "h")
    daemon = start_daemon(tmp_path / "h")
    with daemon.client() as client:
        client.hello(ws, "bridge")
        at = now_ms()
        for i in range(50):
            client.send_step(at + i, {**NOTE, "text": f"step {i}"})
        settle(client)
        episode = client.request("status")["workspaces"][0]["episode"]
    daemon.stop(signal.SIGKILL)
    journals = list(daemon.home.journals.glob("*.journal"))
    assert [j.stem for j in journals] == [episode]
    with running(daemon.home.root) as again:
        sealed = again.home.episodes / f"{episode}.ctape"
        # logged once the recovery is complete: the episode written, then the journal removed
        wait_for(lambda: "recovered" in again.log_text(), what="the recovery to be logged")
        assert [s["text"] for s in episode_steps(sealed)] == [f"step {i}" for i in range(50)]
        assert not journals[0].exists()


def test_oversized_message_is_refused_with_an_error_and_the_collector_lives(tmp_path: Path) -> None:
    with running(tmp_path / "h") as daemon:
        raw = raw_connection(daemon.home)
        raw.sendall((17 * 1024 * 1024).to_bytes(4, "big"))
        reply = raw.recv(1000)
        assert b"above the" in reply
        assert raw.recv(1000) == b""
        raw.close()
        with daemon.client() as client:
            assert client.request("status")["pid"] == daemon.proc.pid


def test_a_damaged_body_gets_one_line_in_its_dialect_and_the_collector_lives(tmp_path: Path) -> None:
    """What a broken or hostile client sends (collector/protocol/framing.py): the connection gets one error
    line, msgpack or JSON as the body looked, and ends; the collector serves the next one."""
    bodies = {b"\xc1": "not valid msgpack", b"\x81\xa1a" + b"\x91" * 100_000 + b"\xc0": "not valid msgpack",
              b"\x81\xa2op\xa2\xff\xfe": "not valid msgpack", b"\x92\x01\x02": "expected a map",
              b"\x81\xa2op\xdb\xff\xff\xff\xff": "not valid msgpack", b'{"op": NaN}': "not valid JSON",
              b'{"op": "status"} {}': "not valid JSON", b'{"op": "\xff"}': "not valid JSON"}
    with running(tmp_path / "h") as daemon:
        for body, error in bodies.items():
            raw = raw_connection(daemon.home)
            raw.sendall(len(body).to_bytes(4, "big") + body)
            head = raw.recv(4, socket.MSG_WAITALL)
            reply = raw.recv(int.from_bytes(head, "big"), socket.MSG_WAITALL)
            assert reply[:1] == (b"{" if body[:1] == b"{" else b"\x82"), reply
            answer = json.loads(reply) if body[:1] == b"{" else msgpack.unpackb(reply)
            assert answer["ok"] is False and error in answer["error"] and "\n" not in answer["error"], answer
            assert raw.recv(1000) == b""
            raw.close()
        with daemon.client() as client:
            assert client.request("status")["pid"] == daemon.proc.pid


def test_clients_autostarting_at_once_share_one_collector(tmp_path: Path) -> None:
    home = Home(tmp_path / "h")
    pids: list[int] = []
    errors: list[BaseException] = []

    def connect() -> None:
        try:
            with Client.connect(home, autostart=True) as client:
                pids.append(client.request("status")["pid"])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=connect) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert not errors and len(pids) == 4 and len(set(pids)) == 1
    finally:
        with Client.connect(home, autostart=False) as client:
            client.request("shutdown")
        wait_for(lambda: not home.socket.exists(), what="the collector to stop")


def test_a_stalled_client_does_not_block_the_others(tmp_path: Path) -> None:
    ws = opt_in(tmp_path / "ws", home=tmp_path / "h")
    with running(tmp_path / "h") as daemon:
        stalled = raw_connection(daemon.home)
        stalled.sendall((1000).to_bytes(4, "big") + b"\x81")  # a message cut short, never finished
        with daemon.client() as client:
            client.hello(ws, "bridge")
            client.send_step(now_ms(), NOTE)
            assert client.request("seal", workspace=str(ws))["steps"] == 1
        stalled.close()


def test_a_collector_whose_socket_was_removed_stops_instead_of_lingering(tmp_path: Path) -> None:
    ws = opt_in(tmp_path / "ws", home=tmp_path / "h")
    daemon = start_daemon(tmp_path / "h")
    with daemon.client() as client:
        client.hello(ws, "bridge")
        client.send_step(now_ms(), NOTE)
        settle(client)
    daemon.home.socket.unlink()
    assert daemon.proc.wait(20) == 0
    assert len(list(daemon.home.episodes.glob("*.ctape"))) == 1
    assert "removed or replaced" in daemon.log_text()
