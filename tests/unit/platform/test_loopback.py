"""Loopback TCP with a per-user secret (collector/platform/loopback.py): the endpoint file, the proofs both
ways, and `connect` against listeners in this process (threads, no process)."""

from __future__ import annotations

import ast
import os
import socket
import stat
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from collector.platform import loopback
from collector.sources.agents import payloads
from collector.sources.pytest_path import codetape_pytest

SECRET = bytes(range(32))


def test_the_endpoint_file_is_0600_and_reads_back(tmp_path: Path) -> None:
    path = str(tmp_path / loopback.ENDPOINT_NAME)
    loopback.write_endpoint(path, 40123, SECRET)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert Path(path).read_text().splitlines() == ["tcp://127.0.0.1:40123", SECRET.hex()]
    assert loopback.read_endpoint(path) == ("127.0.0.1", 40123, SECRET)
    assert os.listdir(tmp_path) == [loopback.ENDPOINT_NAME]  # (the partial file renamed over it)


@pytest.mark.parametrize("text", ["", "tcp://127.0.0.1:40123\n",
                                  "tcp://10.0.0.1:40123\n" + SECRET.hex() + "\n",
                                  "tcp://127.0.0.1:0\n" + SECRET.hex() + "\n",
                                  "tcp://127.0.0.1:x\n" + SECRET.hex() + "\n",
                                  "tcp://127.0.0.1:40123\n" + SECRET.hex()[:-2] + "\n",
                                  "tcp://127.0.0.1:40123\nnot hex\n", "x" * 300])
def test_what_is_not_an_endpoint_file_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / loopback.ENDPOINT_NAME
    path.write_text(text)
    with pytest.raises(OSError, match="not a collector endpoint file"):
        loopback.read_endpoint(str(path))


def test_a_missing_endpoint_is_a_missing_file_as_a_missing_socket(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        loopback.connect(str(tmp_path / loopback.ENDPOINT_NAME), 1.0)


def test_only_the_secret_proves_it_and_the_answer_is_bound_to_the_nonce() -> None:
    hello = loopback.client_hello(SECRET)
    assert len(hello) == loopback.CLIENT_HELLO_BYTES
    answer = loopback.admitted(SECRET, hello)
    assert answer is not None and len(answer) == loopback.PROOF_BYTES
    assert loopback.admitted(bytes(32), hello) is None  # another secret
    assert loopback.admitted(SECRET, hello[:-1]) is None
    assert loopback.admitted(SECRET, bytes(loopback.CLIENT_HELLO_BYTES)) is None
    assert loopback.admitted(SECRET, loopback.client_hello(SECRET)) != answer  # a fresh nonce each time
    assert loopback.client_hello(SECRET) != loopback.client_hello(SECRET)


def test_the_transport_is_tcp_on_windows_and_where_asked() -> None:
    assert loopback.uses_tcp({}, "win32")
    assert not loopback.uses_tcp({}, "linux")
    assert loopback.uses_tcp({loopback.TRANSPORT_ENV: "tcp"}, "linux")
    assert not loopback.uses_tcp({loopback.TRANSPORT_ENV: "unix"}, "darwin")
    assert loopback.is_endpoint(Path("/h/run") / loopback.ENDPOINT_NAME)
    assert not loopback.is_endpoint("/h/run/collector.sock")


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[Callable[[Callable[[socket.socket], None]], str]]:
    """A loopback port served by one thread with `serve(connection)`, its endpoint file's path returned."""
    server = socket.create_server(("127.0.0.1", 0))
    threads: list[threading.Thread] = []

    def start(serve: Callable[[socket.socket], None]) -> str:
        def accept() -> None:
            conn, _ = server.accept()
            with conn:
                serve(conn)

        threads.append(threading.Thread(target=accept, daemon=True))
        threads[-1].start()
        path = str(tmp_path / loopback.ENDPOINT_NAME)
        loopback.write_endpoint(path, server.getsockname()[1], SECRET)
        return path

    yield start
    server.close()
    for thread in threads:
        thread.join(10)


def _collector(received: list[bytes]) -> Callable[[socket.socket], None]:
    def serve(conn: socket.socket) -> None:
        hello = conn.recv(loopback.CLIENT_HELLO_BYTES, socket.MSG_WAITALL)
        answer = loopback.admitted(SECRET, hello)
        if answer is None:
            return
        conn.sendall(answer)
        received.append(conn.recv(100))

    return serve


def test_connect_proves_the_secret_and_checks_the_collectors_answer(
        listener: Callable[[Callable[[socket.socket], None]], str]) -> None:
    received: list[bytes] = []
    path = listener(_collector(received))
    sock = loopback.connect(path, 10.0, socket.socket)
    assert isinstance(sock, socket.socket) and sock.family == socket.AF_INET
    with sock:
        sock.sendall(b"after the proofs")
        sock.shutdown(socket.SHUT_WR)
        assert sock.recv(10) == b""
    assert received == [b"after the proofs"]


@pytest.mark.parametrize("answer", [b"", b"\0" * 32], ids=["closes", "a wrong proof"])
def test_a_listener_that_is_not_the_collector_gets_nothing(
        listener: Callable[[Callable[[socket.socket], None]], str], answer: bytes) -> None:
    """Another user's program on the port of a collector that died: it cannot answer with the proof, so
    the client sends nothing past its own proof (which does not hold the secret)."""
    seen: list[bytes] = []
    done = threading.Event()

    def impostor(conn: socket.socket) -> None:
        seen.append(conn.recv(loopback.CLIENT_HELLO_BYTES, socket.MSG_WAITALL))
        conn.sendall(answer)
        conn.shutdown(socket.SHUT_WR)
        seen.append(conn.recv(100))
        done.set()

    path = listener(impostor)
    with pytest.raises(loopback.NotProven, match="is not your collector"):
        loopback.connect(path, 10.0)
    assert done.wait(30)
    assert len(seen[0]) == loopback.CLIENT_HELLO_BYTES and SECRET not in seen[0]
    assert seen[1] == b""


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix sockets in this Python (the simulation)")
def test_a_unix_socket_path_is_connected_as_it_is(tmp_path: Path) -> None:
    path = str(tmp_path / "s")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(path)
        server.listen(1)
        sock = loopback.connect(path, 5.0, socket.socket)
        try:
            assert sock.family == socket.AF_UNIX
        finally:
            sock.close()


def test_no_unix_socket_is_tried_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("collector.platform.loopback.sys", SimpleNamespace(platform="win32"))  # here only
    with pytest.raises(OSError, match="Unix sockets are not available"):
        loopback.connect("/nowhere/collector.sock", 1.0)


def test_the_hook_and_the_plugin_load_this_very_file_by_path() -> None:
    for loaded in (vars(payloads)["loopback"], codetape_pytest.loopback):
        assert loaded.__name__ == "codetape_loopback"
        assert Path(str(loaded.__file__)).resolve() == Path(loopback.__file__).resolve()


@pytest.mark.parametrize("version", [(3, 8), (3, 11)])
def test_python_3_8_parses_it_and_it_imports_only_the_standard_library(version: tuple[int, int]) -> None:
    tree = ast.parse(Path(loopback.__file__).read_text(), feature_version=version)
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= {*sys.stdlib_module_names, "__future__"}, imported
