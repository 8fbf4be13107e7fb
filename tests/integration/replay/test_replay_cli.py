"""`codetape replay` through the real CLI: the plain log, EPISODE by id prefix, and one-line errors."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.cli import codetape
from tests.fixtures.make_golden import DIRECTORY
from tests.fixtures.replay.make_replay_golden import DIRECTORY as REPLAY


def one_error_line(proc: subprocess.CompletedProcess[str], code: int, says: str) -> None:
    assert proc.returncode == code, proc
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("codetape: ") and says in lines[0], proc.stderr


def test_plain_log_by_episode_id_prefix_and_with_a_window(tmp_path: Path) -> None:
    (tmp_path / "episodes").mkdir()
    shutil.copyfile(DIRECTORY / "full.ctape",
                    tmp_path / "episodes" / "0b5e7e1a-93c4-4d2f-8e61-a7f2c9d40e15.ctape")
    proc = codetape(tmp_path, "replay", "0b5e", "--plain")
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout == (REPLAY / "full.plain.txt").read_text(encoding="utf-8")
    proc = codetape(tmp_path, "replay", "0b5e", "--plain", "--from", "0:09", "--to", "11")
    # the command 10 shows at its start, before the test run 9 it ran (collector/replay/command_order.py)
    assert [line.split()[0] for line in proc.stdout.splitlines()] == ["6", "7", "8", "10", "9", "11"]


def test_plain_log_notes_the_steps_it_skipped(tmp_path: Path) -> None:
    proc = codetape(tmp_path, "replay", str(DIRECTORY / "future.ctape"), "--plain")
    assert proc.returncode == 0
    assert proc.stdout == (REPLAY / "future.plain.txt").read_text(encoding="utf-8")
    assert proc.stderr == ("codetape: note: skipped 1 step of kinds this codetape does not know "
                           '("bookmark" 1)\n')


def test_usage_errors(tmp_path: Path) -> None:
    full = str(DIRECTORY / "full.ctape")
    one_error_line(codetape(tmp_path, "replay", full, "--plain", "--from", "later"), 2,
                   "--from 'later' is not a step (12), a time (90s, 2m, 1:30) or start/end")
    one_error_line(codetape(tmp_path, "replay", full, "--plain", "--to", "99"), 2,
                   "--to 99 is past the last step (0 to 20)")
    one_error_line(codetape(tmp_path, "replay", full, "--plain", "--speed", "2"), 2,
                   "--plain prints every step at once: --speed, --idle-limit and --paused are for the player")
    one_error_line(codetape(tmp_path, "replay", full, "--speed", "0"), 2, "--speed 0 is out of range")
    one_error_line(codetape(tmp_path, "replay", full, "--idle-limit", "-1"), 2,
                   "--idle-limit -1 must be a number of seconds (0: no limit)")
    one_error_line(codetape(tmp_path, "replay", full), 2,
                   "the player needs a terminal; use --plain for a step log")
    one_error_line(codetape(tmp_path, "replay", "feed", "--plain"), 2, "no episode file at feed")


def test_a_damaged_episode_is_refused_on_one_line(tmp_path: Path) -> None:
    data = bytearray((DIRECTORY / "full.ctape").read_bytes())
    data[200] ^= 0xFF
    (tmp_path / "damaged.ctape").write_bytes(bytes(data))
    one_error_line(codetape(tmp_path, "replay", str(tmp_path / "damaged.ctape"), "--plain"), 1, "damaged")
