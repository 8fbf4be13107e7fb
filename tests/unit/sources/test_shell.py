"""The shell hook's spool records and snippets."""

from __future__ import annotations

from collector.sources.shell.recorder import Record, command_line, parse


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
