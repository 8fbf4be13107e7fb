"""A settings file read while half written (issue 51, item 5; collector/daemon/settings_watch.py): an
editor that saves `.codetape.toml` in place truncates it, then writes it. Until its content settled (no
write for QUIET_MS, EMPTY_SETTLE_MS while empty) the last good reading applies, and the file is read
again at the next look; a file that stays empty applies as it is; one that cannot be used, and what is
not a write, apply at once.
The clock is the watch's own and the file's mtime is set: no test sleeps."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from collector.daemon.settings_watch import EMPTY_SETTLE_MS, QUIET_MS, SettingsWatch, Unusable
from collector.home import Home
from collector.workspace import trust
from collector.workspace.registry import Registry

SETTINGS = 'snapshot = "tracked"\nexclude = ["private/"]\n'
STRICTER = 'exclude = ["private/", "build/"]\nsnapshot = "tracked"\n'  # applies without being accepted
T = 1_760_000_000_000  # when the file was first written (unix ms)


class Workspace:
    """An opted-in workspace whose settings file accepted SETTINGS, its watch and the watch's clock."""

    def __init__(self, tmp_path: Path) -> None:
        self.home = Home(tmp_path / "home")
        self.root = (tmp_path / "ws").resolve()
        self.root.mkdir()
        self.file = self.root / ".codetape.toml"
        self.write(SETTINGS, T)
        self.file.chmod(0o644)
        Registry(self.home).accept(self.root, SETTINGS)
        self.now = T + 10  # the first reading is read as it is, however recent
        self.watch = SettingsWatch(self.root, self.home, (), clock=lambda: self.now)
        assert self.look() is None and self.read() == ("tracked", ["private/"])

    def write(self, text: str, at_ms: int) -> None:
        """Write the file in place (truncated, then written) at `at_ms`, its mtime."""
        with open(self.file, "w", encoding="utf-8") as out:
            out.write(text)
        os.utime(self.file, ns=(at_ms * 1_000_000, at_ms * 1_000_000))

    def look(self, at_ms: int | None = None) -> Unusable | None:
        if at_ms is not None:
            self.now = at_ms
        return self.watch.look()

    def read(self) -> tuple[str, list[str]] | None:
        """The settings applied now: the snapshot and the exclusions (None: none read yet)."""
        if self.watch.wanted is None:
            return None
        settings, _ = self.watch.wanted
        return settings.snapshot, list(settings.exclude)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path)


def test_a_file_emptied_then_written_keeps_the_last_good_settings_in_between(ws: Workspace) -> None:
    ws.write("", T + 5000)  # truncated
    for at in (T + 5000, T + 5000 + QUIET_MS, T + 5000 + EMPTY_SETTLE_MS - 1):
        assert ws.look(at) is None
        assert ws.read() == ("tracked", ["private/"]) and ws.watch.problem is None, at
    ws.write(STRICTER.split("\n")[0], T + 6000)  # half written: its first line (no snapshot)
    assert ws.look(T + 6000 + QUIET_MS - 1) is None
    assert ws.read() == ("tracked", ["private/"]) and ws.watch.problem is None
    ws.write(STRICTER, T + 6500)  # the rest
    assert ws.look(T + 6500 + QUIET_MS - 1) is None and ws.read() == ("tracked", ["private/"])
    assert ws.look(T + 6500 + QUIET_MS) is None  # quiet for QUIET_MS: read
    assert ws.read() == ("tracked", ["private/", "build/"]) and ws.watch.problem is None


def test_a_file_that_stays_empty_applies_after_the_settle_time(ws: Workspace) -> None:
    ws.write("", T + 5000)
    assert ws.look(T + 5000 + EMPTY_SETTLE_MS - 1) is None and ws.read() == ("tracked", ["private/"])
    assert ws.look(T + 5000 + EMPTY_SETTLE_MS) is None
    assert ws.read() == ("none", ["private/"])  # the user emptied it: theirs (bounded by what they accepted)
    assert ws.watch.problem is None


def test_a_file_written_more_than_quiet_ms_ago_is_read(ws: Workspace) -> None:
    ws.write(STRICTER, T + 5000)
    assert ws.look(T + 5000 + QUIET_MS) is None
    assert ws.read() == ("tracked", ["private/", "build/"])
    ws.write(SETTINGS, T + 9000)  # a mtime ahead of the clock by more than QUIET_MS: not held for it
    assert ws.look(T + 9000 - QUIET_MS) is None and ws.read() == ("tracked", ["private/"])


def test_a_file_made_writable_by_others_stops_recording_at_once_and_restarts_at_once(ws: Workspace) -> None:
    ws.file.chmod(0o664)  # the content read at T + 10, its mtime T: a chmod, no write
    assert ws.look(T + 20) is None and ws.watch.problem is not None
    assert "writable by group or others" in ws.watch.problem
    ws.file.chmod(0o644)
    assert ws.look(T + 30) == Unusable(T + 20, 0) and ws.watch.problem is None
    ws.write(STRICTER, T + 40)  # written, and writable by others before it settled: a problem at once
    ws.file.chmod(0o666)
    assert ws.look(T + 50) is None and ws.watch.problem is not None


def test_a_file_given_away_while_written_stops_recording_at_once(ws: Workspace,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def not_mine(info: os.stat_result) -> bool:
        return False

    monkeypatch.setattr(trust, "owned_by_me", not_mine)  # as a chown to another user would (needs root)
    ws.write(STRICTER, T + 5000)
    assert ws.look(T + 5000) is None and ws.watch.problem is not None
    assert "belongs to another user" in ws.watch.problem


def test_a_file_written_invalid_stops_recording_at_once_and_its_fix_applies_once_written(
        ws: Workspace) -> None:
    """A typo, or a file half written that does not parse: nothing is recorded under it, now (loudly)."""
    ws.write(STRICTER[:15], T + 5000)
    assert ws.look(T + 5000) is None and ws.watch.problem is not None
    assert ".codetape.toml:1: " in ws.watch.problem
    ws.write(STRICTER, T + 5050)
    assert ws.look(T + 5050 + QUIET_MS - 1) is None and ws.watch.problem is not None  # still settling
    assert ws.look(T + 5050 + QUIET_MS) == Unusable(T + 5000, 0) and ws.watch.problem is None
    assert ws.read() == ("tracked", ["private/", "build/"])


def test_a_file_gone_stops_recording_at_once(ws: Workspace) -> None:
    ws.file.unlink()
    assert ws.look(T + 20) is None and ws.watch.problem is not None and "does not exist" in ws.watch.problem


def test_a_file_accepted_as_it_is_written_applies_at_once(ws: Workspace) -> None:
    """`codetape trust` right after a save: the registry changed too, so it is read now."""
    ws.write('snapshot = "tracked"\nexclude = ["private/"]\nmax_file_bytes = 1000\n', T + 5000)
    Registry(ws.home).accept(ws.root, ws.file.read_text(encoding="utf-8"))
    assert ws.look(T + 5000) is None
    assert ws.watch.wanted is not None and ws.watch.wanted[0].max_file_bytes == 1000
