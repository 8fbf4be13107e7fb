"""The shell hook's spool records and snippets."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest

from collector.home import Home
from collector.platform.process import holds_open
from collector.protocol.client import Client
from collector.sources.shell import recorder as recorder_module
from collector.sources.shell.recorder import Record, ShellRecorder, command_line, parse
from tests.waiting import wait_for


def record(status: int, cwd: str, mode: str, text: str) -> bytes:
    return b"\0".join([b"ct1", str(status).encode(), cwd.encode(), b"1700000000000000", b"1700000000250000",
                       mode.encode(), text.encode()]) + b"\0"


def test_parse_keeps_complete_records_and_returns_the_rest() -> None:
    data = record(0, "/w", "h", "\t echo 'a\tb'\n") + record(1, "/w/é", "c", "false")
    data += record(2, "/w", "d", "")
    records, rest, bad = parse(data + data[:20])
    assert records == [Record(0, "/w", 1700000000000000, 1700000000250000, "h", "\t echo 'a\tb'\n"),
                       Record(1, "/w/é", 1700000000000000, 1700000000250000, "c", "false"),
                       Record(2, "/w", 1700000000000000, 1700000000250000, "d", "")]
    assert (rest, bad) == (data[:20], 0)


def test_parse_skips_malformed_records() -> None:
    damaged = record(0, "/w", "c", "ok").replace(b"ct1", b"xx1")
    records, rest, bad = parse(damaged + record(0, "/w", "c", "ok"))
    assert [r.text for r in records] == ["ok"] and bad == 1 and rest == b""
    assert parse(b"ct1\0notanumber\0/w\0" + b"1\0" * 2 + b"c\0x\0")[2] == 1


def test_command_line_by_mode() -> None:
    def rec(mode: str, text: str) -> Record:
        return Record(0, "/w", 0, 0, mode, text)
    assert command_line(rec("h", "\t for i in 1; do echo; done\n"), None) == "for i in 1; do echo; done"
    assert command_line(rec("h", "\t line one\nline two\n"), None) == "line one\nline two"
    assert command_line(rec("d", ""), "make test") == "make test"
    assert command_line(rec("d", ""), None) is None
    assert command_line(rec("c", " spaced "), None) == " spaced "


class Delivered:
    """A collector connection that keeps the command lines sent; `on_status` runs at each `status` asked
    (the recorder asks once a claimed file's records are sent)."""

    closed = False

    def __init__(self, on_status: Callable[[], None] = lambda: None) -> None:
        self.lines: list[str] = []
        self.on_status = on_status

    def hello(self, root: Path, source: str) -> dict[str, Any]:
        return {"recording": True}

    def send_step(self, at_ms: int, step: dict[str, Any]) -> None:
        self.lines.append(step["command_line"])

    def request(self, op: str) -> None:
        self.on_status()

    def close(self) -> None:
        pass


def recorder_for(tmp_path: Path, spool: Path, connection: Delivered) -> ShellRecorder:
    """A recorder of this process's "shell" whose records are all in workspace tmp_path/ws."""
    ws = tmp_path / "ws"
    recorder = ShellRecorder(spool, os.getpid(), Home(tmp_path / "home"),
                             connect=lambda _home: cast(Client, connection))
    recorder._workspace = lambda cwd: ws  # type: ignore[method-assign]
    return recorder


@pytest.mark.skipif(sys.platform != "linux", reason="which files a process holds open: /proc/PID/fd")
def test_a_record_the_shell_writes_into_the_claimed_spool_is_sent(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The shell opens the spool by name for each record: opened just before the recorder's claim (its
    rename), the record lands in the claimed file, after the recorder began reading it."""
    monkeypatch.setattr(recorder_module, "COMPLETE_WAIT_S", 60.0)  # (however slow this machine is)
    ws = str(tmp_path / "ws")
    spool = tmp_path / "shell-1.spool"
    spool.write_bytes(record(0, ws, "c", "echo one"))
    connection = Delivered()
    recorder = recorder_for(tmp_path, spool, connection)
    with spool.open("ab") as shell:  # the shell's redirection, opened before the claim
        claim = threading.Thread(target=recorder._drain)
        claim.start()
        wait_for(lambda: not spool.exists(), what="the recorder to claim the spool")
        assert holds_open(os.getpid(), next(tmp_path.glob("shell-1.spool.*.taken")))
        shell.write(record(0, ws, "c", "echo two"))
    claim.join(timeout=60)
    assert connection.lines == ["echo one", "echo two"]
    assert not list(tmp_path.glob("shell-1.spool*")), "the claimed file goes once delivered"


def test_a_record_that_lands_while_the_claimed_records_are_sent_is_sent_too(tmp_path: Path) -> None:
    """Where the shell's open files cannot be seen (or it was slower than the wait): the claimed file is
    read again after its records were delivered, and what came meanwhile is sent before it goes."""
    ws = str(tmp_path / "ws")
    spool = tmp_path / "shell-1.spool"
    spool.write_bytes(record(0, ws, "c", "echo one"))
    late = [record(0, ws, "c", "echo two")]

    def shell_writes() -> None:
        if late:
            with next(tmp_path.glob("shell-1.spool.*.taken")).open("ab") as claimed:
                claimed.write(late.pop())

    connection = Delivered(on_status=shell_writes)
    assert recorder_for(tmp_path, spool, connection)._drain()
    assert connection.lines == ["echo one", "echo two"]
    assert not list(tmp_path.glob("shell-1.spool*"))


def test_holds_open_sees_a_descriptor_whatever_the_file_is_named_now(tmp_path: Path) -> None:
    path = tmp_path / "spool"
    path.write_bytes(b"")
    if holds_open(os.getpid(), path) is None:
        pytest.skip("no /proc/PID/fd here: not known, as the function says")
    with path.open("ab"):
        moved = path.rename(tmp_path / "claimed")
        assert holds_open(os.getpid(), moved) is True
    assert holds_open(os.getpid(), moved) is False
    assert holds_open(os.getpid(), tmp_path / "gone") is False
