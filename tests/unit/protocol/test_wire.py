"""The stdlib-only wire the agent hook and the pytest plugin load by path, held to framing.py's JSON dialect
both ways, and to what it copies of codetape; and the settings-root walk."""

from __future__ import annotations

import ast
import json
import socket
import sys
from pathlib import Path
from typing import Any

import pytest

from collector.protocol import framing, wire
from collector.sources.agents import payloads
from collector.sources.pytest_path import codetape_pytest
from collector.workspace import trust
from schemas.settings import SETTINGS_FILE

SOURCE = Path(wire.__file__).read_text()

MESSAGES: list[dict[str, Any]] = [
    {"op": "hello", "id": 1, "workspace": "/w", "source": "agent", "pid": 42, "client": None,
     "position_encoding": None},
    {"op": "step", "at": 1_700_000_000_000,
     "step": {"kind": "agent", "prompt": "é \n \" \\ ✓ \x00\x1f\x7f \u2028", "targets": ["/w/a b.py"],
              "truncated": True}},
    {"op": "step", "at": 1, "step": {"kind": "test_run", "tests": [{"nodeid": "t.py::x", "duration_ms": 0}],
                                     "n": [1, 2.5, None, True, False, -0.0, 2**53], "e": {}, "l": []}},
    {"workspace": "/w/\ud83d"},  # a lone surrogate, which UTF-8 cannot hold: `?` both ways
]


class Sent:
    """What a client sends and reads: `sendall` collects, `recv` hands out `incoming` in small pieces."""

    def __init__(self, incoming: bytes = b"") -> None:
        self.out = b""
        self.incoming = incoming

    def sendall(self, data: bytes) -> None:
        self.out += data

    def recv(self, size: int) -> bytes:
        piece, self.incoming = self.incoming[:min(size, 3)], self.incoming[min(size, 3):]
        return piece


@pytest.mark.parametrize("message", MESSAGES)
def test_it_writes_the_bytes_framing_writes_for_a_json_client(message: dict[str, Any]) -> None:
    sent = Sent()
    wire.write(sent, message)
    assert sent.out == framing.encode(message, as_json=True)


def test_several_messages_go_at_once_each_framed_and_framing_reads_them_back() -> None:
    sent = Sent()
    wire.write(sent, *MESSAGES[:3])
    assert sent.out == b"".join(framing.encode(m, as_json=True) for m in MESSAGES[:3])
    ours, theirs = socket.socketpair()
    with ours, theirs:
        ours.sendall(sent.out)
        ours.shutdown(socket.SHUT_WR)
        assert [framing.recv_message(theirs) for _ in range(4)] == [*MESSAGES[:3], None]


def test_a_float_framing_writes_in_another_form_is_still_the_same_value() -> None:
    """1e16: msgspec writes `1e16`, the standard library `1e+16`; either reads as the other wrote it."""
    message = {"n": [1e16, 1e-7, 0.1]}
    sent = Sent()
    wire.write(sent, message)
    assert framing.decode_body(sent.out[4:]) == message
    assert wire.read(Sent(framing.encode(message, as_json=True))) == message


@pytest.mark.parametrize("message", MESSAGES[:3])
def test_it_reads_what_framing_writes_for_a_json_client(message: dict[str, Any]) -> None:
    stream = Sent(framing.encode(message, as_json=True) + framing.encode({"id": 2}, as_json=True))
    assert wire.read(stream) == message
    assert wire.read(stream) == {"id": 2}
    assert wire.read(stream) == {}  # the end of the stream


@pytest.mark.parametrize("body", [b"[1]", b"{bad", b"\xff{}", b"x" * (wire.MAX_REPLY + 1)])
def test_an_answer_that_is_no_json_object_or_too_long_is_no_answer(body: bytes) -> None:
    assert wire.read(Sent(len(body).to_bytes(4, "big") + body)) == {}
    assert wire.read(Sent(b"\x00\x00")) == {}  # cut inside the length


@pytest.mark.parametrize("data", [
    b'{"a": [1, -2.5e3, "\\ud83d", null, true, false, {"b": "\\u00e9\\n"}]}', b'  {"x": "y"}\n', b"[]",
    '{"p": "é✓"}'.encode(), b'{"n": NaN, "i": Infinity}', b"1", b'"s"'])
def test_the_hook_reads_json_as_json_loads_does(data: bytes) -> None:
    assert json.dumps(wire.loads(data)) == json.dumps(json.loads(data))


@pytest.mark.parametrize("data", [b"{bad", b'{"a": 1} x', b"", b"\xff{}", b'{"a": 1', b"[" * 100_000])
def test_the_hook_refuses_what_json_loads_refuses(data: bytes) -> None:
    with pytest.raises((ValueError, RecursionError)):
        wire.loads(data)


def test_the_hook_writes_json_as_json_dumps_does() -> None:
    message = {"op": "step", "at": 1, "step": {"prompt": "é \n \" \\ ✓", "n": [1, 2.5, None, True], "e": {}}}
    assert wire.dumps(message) == json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    with pytest.raises(TypeError):
        wire.dumps({"x": object()})


def test_the_settings_file_pre_filter(tmp_path: Path) -> None:
    (tmp_path / "ws" / "a" / "b").mkdir(parents=True)
    assert wire.settings_root(str(tmp_path / "ws" / "a" / "b")) is None
    (tmp_path / "ws" / ".codetape.toml").write_text("")
    assert wire.settings_root(str(tmp_path / "ws" / "a" / "b")) == str(tmp_path / "ws")
    assert wire.settings_root(str(tmp_path / "ws")) == str(tmp_path / "ws")


def test_the_settings_file_name_is_the_schemas_one() -> None:
    assert wire.SETTINGS_FILE == trust.SETTINGS_FILE == SETTINGS_FILE


def test_the_hook_and_the_plugin_load_this_very_file_by_path() -> None:
    for loaded in (vars(payloads)["wire"], codetape_pytest.wire):
        assert loaded.__name__ == "codetape_wire"
        assert Path(str(loaded.__file__)).resolve() == Path(wire.__file__).resolve()


@pytest.mark.parametrize("version", [(3, 8), (3, 11)])
def test_python_3_8_parses_it_and_it_imports_only_the_standard_library(version: tuple[int, int]) -> None:
    tree = ast.parse(SOURCE, feature_version=version)
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= sys.stdlib_module_names


def test_the_clients_and_the_daemon_read_each_other() -> None:
    """The clients' reader and writer (standard library only) at the other end of a socket pair: what a
    JSON client is answered, a value JSON has no form for (its str()) and a path that is no UTF-8 (`?`
    for what UTF-8 cannot hold, as the clients write it) among it."""
    left, right = socket.socketpair()
    reply = {"id": 1, "ok": True, "recording": True, "workspace": "/w/é😀", "paused": False, "problem": None}
    left.sendall(framing.encode({**reply, "where": Path("/w")}, as_json=True))
    assert wire.read(right) == {**reply, "where": "/w"}
    left.sendall(framing.encode({**reply, "workspace": "/w/é😀/\udcff"}, as_json=True))
    assert wire.read(right) == {**reply, "workspace": "/w/é😀/?"}
    step = {"kind": "test_run", "source": "pytest", "args": ["-k", "é😀\udcff"], "duration_ms": 3}
    wire.write(right, {"op": "step", "at": 5, "step": step})
    assert framing.recv_message(left) == {"op": "step", "at": 5, "step": {**step, "args": ["-k", "é😀?"]}}
