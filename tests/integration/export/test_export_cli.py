"""`codetape export` refusals and limits through the real CLI: damaged and hostile episodes, OUT handling,
and memory that does not grow with the number of episodes."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from msgspec.structs import replace

from collector.episode import write_episode_file
from schemas import step_from_dict
from tests.cli import codetape, codetape_limited
from tests.fixtures.make_golden import DIRECTORY, FULL, FULL_HEADER
from tests.support.terminal import stderr_on_a_terminal

FULL_FILE = DIRECTORY / "full.ctape"


def one_error_line(done: subprocess.CompletedProcess[str], code: int, says: str) -> None:
    assert done.returncode == code, (done.returncode, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("codetape: ") and says in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def episode(path: Path, steps: list[dict[str, Any]]) -> Path:
    header = replace(FULL_HEADER, episode_id=uuid.uuid4())
    write_episode_file(path, header, [step_from_dict({"source": "bridge", **s}) for s in steps], level=1)
    return path


def test_a_damaged_episode_stops_the_export_with_one_line_naming_it(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.ctape"
    data = bytearray(FULL_FILE.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    for fmt in ("jsonl", "atif", "zeta", "progsnap2"):
        done = codetape(tmp_path, "export", str(FULL_FILE), str(damaged), "-f", fmt, "-o",
                        str(tmp_path / fmt))
        one_error_line(done, 1, f"cannot export {damaged}: ")
        assert not list((tmp_path / fmt).glob(".*.tmp")), "a staged file was left behind"
    assert not (tmp_path / "progsnap2" / "MainTable.csv").exists()  # the dataset is written whole or not


def test_steps_that_do_not_replay_stop_the_formats_that_replay_them(tmp_path: Path) -> None:
    hostile = episode(tmp_path / "hostile.ctape", [
        {"kind": "note", "t_ms": 0, "text": "then an edit to a file never opened"},
        {"kind": "edit", "t_ms": 5, "path": "ghost.py", "changes": [{"text": "boo"}]}])
    for fmt in ("atif", "zeta", "progsnap2"):
        done = codetape(tmp_path, "export", str(hostile), "-f", fmt, "-o", str(tmp_path / fmt))
        one_error_line(done, 1, f"cannot export {hostile}: step 1: edit at 5 ms to ghost.py")
    jsonl = codetape(tmp_path, "export", str(hostile), "-f", "jsonl", "-o", str(tmp_path / "j"))
    assert jsonl.returncode == 0, jsonl.stderr


def test_a_path_that_would_escape_is_refused_before_any_code_state_is_written(tmp_path: Path) -> None:
    escaping = episode(tmp_path / "escaping.ctape", [
        {"kind": "open", "t_ms": 0, "path": "../outside.py", "text": "x = 1\n"}])
    done = codetape(tmp_path, "export", str(escaping), "-f", "progsnap2", "-o", str(tmp_path / "out"))
    one_error_line(done, 1, "refusing to check out ../outside.py")
    assert not (tmp_path / "outside.py").exists()
    assert not list((tmp_path / "out" / "CodeStates").iterdir())  # not even the empty state of its start


def test_steps_dated_past_the_year_9999_are_refused(tmp_path: Path) -> None:
    late = episode(tmp_path / "late.ctape", [{"kind": "note", "t_ms": 2**53, "text": "far away"}])
    one_error_line(codetape(tmp_path, "export", str(late), "-f", "atif", "-o", str(tmp_path / "a")), 1,
                   "falls after the year 9999")


def test_out_must_be_new_or_empty_unless_force_which_replaces_only_its_own_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / f"{FULL_HEADER.episode_id}.jsonl"
    target.write_text("old\n")
    (out / "mine.txt").write_text("keep me\n")
    one_error_line(codetape(tmp_path, "export", str(FULL_FILE), "-f", "jsonl", "-o", str(out)), 2,
                   f"{out} is not empty")
    assert target.read_text() == "old\n"
    done = codetape(tmp_path, "export", str(FULL_FILE), "-f", "jsonl", "-o", str(out), "--force")
    assert done.returncode == 0, done.stderr
    assert target.read_text().count("\n") == len(FULL) + 1 and (out / "mine.txt").read_text() == "keep me\n"
    into_file = codetape(tmp_path, "export", str(FULL_FILE), "-f", "jsonl", "-o", str(out / "mine.txt"))
    one_error_line(into_file, 2, "exists and is not a directory")
    one_error_line(codetape(tmp_path, "export", "nope.ctape", "-f", "jsonl", "-o", str(tmp_path / "n")), 2,
                   "no episode file at nope.ctape")
    one_error_line(codetape(tmp_path, "export", str(FULL_FILE), "-o", str(tmp_path / "n")), 2,
                   "the following arguments are required: --format")


def test_the_same_episode_twice_is_exported_once(tmp_path: Path) -> None:
    done = codetape(tmp_path, "export", str(FULL_FILE), str(FULL_FILE), "-f", "atif", "-o",
                    str(tmp_path / "o"))
    assert done.returncode == 0, done.stderr
    assert "wrote 1 episode, " in done.stderr and "(skipped: duplicate episodes 1)" in done.stderr
    assert len(list((tmp_path / "o").iterdir())) == 1


def test_several_episodes_show_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    steps = [{"kind": "open", "t_ms": 0, "path": "blob.txt", "text": secrets.token_urlsafe(400_000)},
             {"kind": "edit", "t_ms": 10, "path": "blob.txt", "changes": [{"text": "small now"}]}]
    paths = [episode(tmp_path / f"big{n}.ctape", steps) for n in range(3)]
    assert sum(p.stat().st_size for p in paths) > 1 << 20
    env = {**os.environ, "CODETAPE_HOME": str(tmp_path), "COLUMNS": "100", "TERM": "xterm"}
    command = [sys.executable, "-m", "collector", "export", *map(str, paths), "-f", "atif", "-o",
               str(tmp_path / "out")]
    proc, seen = stderr_on_a_terminal(command, env)
    assert proc.returncode == 0 and proc.stdout == b""
    assert b"exporting 3 episodes as atif" in seen and b"wrote 3 episodes, 6 ATIF steps in 3 files" in seen


def typing_session(bursts: int) -> list[dict[str, Any]]:
    """Two files typed in `bursts` bursts of 20 keys, 4 s apart, diagnostics and a command after each."""
    steps: list[dict[str, Any]] = [{"kind": "open", "t_ms": 0, "path": f"f{n}.py", "text": ""}
                                   for n in (0, 1)]
    for burst in range(bursts):
        path, t_ms = f"f{burst % 2}.py", 4000 * (burst + 1)
        line = burst // 2
        for key in range(20):
            at = {"line": line, "character": key}
            change = {"range": {"start": at, "end": at}, "text": "x" if key < 19 else "\n"}
            steps.append({"kind": "edit", "t_ms": t_ms + key, "path": path, "changes": [change]})
        where = {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 1}}
        steps.append({"kind": "diagnostics", "t_ms": t_ms + 50, "path": path,
                      "items": [{"range": where, "message": "undefined name 'xxx'", "severity": 1}]})
        steps.append({"kind": "command", "t_ms": t_ms + 60, "command_line": "make", "exit_code": 0})
    return steps


def peak_mb(tmp_path: Path, *args: str) -> float:
    """The real CLI's own peak RSS in MB (tests.cli.codetape_limited)."""
    done = codetape_limited(tmp_path, *args, address_space=4 << 30, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.peak_mb


@pytest.mark.eval
@pytest.mark.parametrize("fmt", ["atif", "zeta", "progsnap2"])
def test_memory_does_not_grow_with_the_number_of_episodes(tmp_path: Path, fmt: str) -> None:
    steps = typing_session(150)
    paths = [episode(tmp_path / f"e{n}.ctape", steps) for n in range(24)]
    one = peak_mb(tmp_path, "export", str(paths[0]), "-f", fmt, "-o", str(tmp_path / "one"))
    many = peak_mb(tmp_path, "export", *map(str, paths), "-f", fmt, "-o", str(tmp_path / "many"))
    print(f"{fmt}: peak RSS {one:.0f} MB for 1 episode, {many:.0f} MB for {len(paths)}")
    assert many < one + 12, f"{fmt}: {one:.0f} MB for one episode, {many:.0f} MB for {len(paths)}"
