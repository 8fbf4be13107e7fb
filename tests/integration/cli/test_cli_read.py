"""The read-side commands through the real CLI: inspect, cat, verify, checkout, and EPISODE by id prefix."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest
from msgspec.structs import replace

from collector.cli.progress import PROGRESS_FROM
from collector.episode import EpisodeWriter, write_episode_file
from collector.episode.container import CONSENT, OPTIONAL
from schemas import EpisodeHeader, Step, step_from_dict
from schemas.steps import EditStep, FileChangeStep
from tests.cli import codetape
from tests.fixtures.make_golden import (
    DIRECTORY,
    FAMILY_FINAL,
    FULL,
    FULL_HEADER,
    NOTES_FINAL,
    PAGER,
    PAGER_FIXED,
    TEST_PAGER,
)
from tests.support.terminal import stderr_on_a_terminal
from tests.unit.report.test_data import insert, step

FULL_FILE = DIRECTORY / "full.ctape"
UNICODE_FILE = DIRECTORY / "unicode.ctape"


def one_error_line(proc: subprocess.CompletedProcess[str], code: int, says: str) -> None:
    assert proc.returncode == code, proc
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("codetape: ") and says in lines[0], proc.stderr


def header_like(head: EpisodeHeader, episode_id: str) -> EpisodeHeader:
    return replace(head, episode_id=uuid.UUID(episode_id))


def typing_steps(count: int, line: str) -> list[Step]:
    """Open a.txt, then add `line` at the start of line n for n in range(count)."""
    steps = [step_from_dict({"kind": "open", "t_ms": 0, "source": "bridge", "path": "a.txt", "text": ""})]
    for n in range(count):
        at = {"line": n, "character": 0}
        steps.append(step_from_dict({"kind": "edit", "t_ms": n, "source": "bridge", "path": "a.txt",
                                     "changes": [{"range": {"start": at, "end": at}, "text": line}]}))
    return steps


# -- inspect ----------------------------------------------------------------------------------------


def test_inspect_summarises_for_a_person(tmp_path: Path) -> None:
    proc = codetape(tmp_path, "inspect", str(FULL_FILE))
    assert proc.returncode == 0 and proc.stderr == ""
    text = proc.stdout
    for expected in ("0b5e7e1a-93c4-4d2f-8e61-a7f2c9d40e15", "2026-03-14T09:26:53.589Z (UTC)",
                     "0:00:46.000 (steps from 0 ms to 46000 ms)", "steps      21: file_change 4",
                     "src/pager.py", "1 open, 1 edit, 1 save", "tests/test_paginate.py", "encoding   utf-16",
                     "client     Neovim 0.11.4", "https://github.com/example/pager.git", "signed     no",
                     "test_run 1", "git 2"):
        assert expected in text, (expected, text)
    whole = hashlib.sha256(FULL_FILE.read_bytes()).hexdigest()
    assert f"file sha256     {whole} (the whole file; an upload names it episodes/{whole}.ctape)" in text
    assert "trailer sha256  " in text and f"trailer sha256  {whole}" not in text


def test_inspect_json_is_complete_and_counts_right(tmp_path: Path) -> None:
    proc = codetape(tmp_path, "inspect", "--json", str(FULL_FILE))
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["episode_id"] == str(FULL_HEADER.episode_id)
    assert summary["started_at"] == "2026-03-14T09:26:53.589Z"
    assert summary["ended_at"] == "2026-03-14T09:27:39.589Z"
    assert (summary["first_t_ms"], summary["last_t_ms"], summary["duration_ms"]) == (0, 46000, 46000)
    assert summary["steps"] == len(FULL)
    assert summary["kinds"] == dict(sorted(Counter(step.kind for step in FULL).items()))
    assert summary["skipped_unknown_kinds"] == {}
    assert set(summary["files"]) == {"src/pager.py", "tests/test_pager.py", "tests/test_paginate.py",
                                     "docs/diagram.png", "NOTES.md", "scratch.txt"}
    typed = sum(len(change.text) for step in FULL if isinstance(step, EditStep)
                and step.path == "src/pager.py" for change in step.changes)  # (no origin: unknown's)
    assert summary["files"]["src/pager.py"] == {"opens": 1, "edits": 1, "saves": 1, "changes": 0,
                                                "written": {"unknown": typed}, "snapshot": False}
    created = sum(len(step.text) for step in FULL if isinstance(step, FileChangeStep)
                  and step.change == "created" and step.text is not None)  # (a program's: unknown's, all new)
    assert created and summary["files"]["tests/test_pager.py"]["written"] == {"unknown": created}
    assert summary["written"] == {"unknown": typed + created}
    assert summary["position_encoding"] == "utf-16"
    assert summary["client"] == {"name": "Neovim", "version": "0.11.4"}
    assert summary["workspace"]["root_name"] == "pager"
    assert (summary["signed"], summary["signature_checked"]) == (False, False)
    assert summary["format"] == {"read_version": 1, "write_version": 1}


def test_inspect_reports_a_consent_frame_that_holds_no_valid_signature(tmp_path: Path) -> None:
    path = tmp_path / "signed.ctape"
    with open(path, "wb") as out:
        writer = EpisodeWriter(out, FULL_HEADER, level=1)
        writer.extend(FULL[:3])
        writer.add_frame(CONSENT, b"a consent statement and its signature", OPTIONAL)
        writer.close()
    text = codetape(tmp_path, "inspect", str(path)).stdout
    assert "signed     INVALID: consent frame is damaged: 37 bytes cannot hold a signature" in text
    summary = json.loads(codetape(tmp_path, "inspect", "--json", str(path)).stdout)
    assert (summary["signed"], summary["signature_checked"], summary["steps"]) == (True, True, 3)
    assert summary["signed_by"] is None
    assert summary["signature_problem"].startswith("consent frame is damaged")


# -- EPISODE by id --------------------------------------------------------------------------------


def test_episode_ids_and_unique_prefixes_resolve_in_the_home(tmp_path: Path) -> None:
    episodes = tmp_path / "episodes"
    episodes.mkdir()
    shutil.copy(FULL_FILE, episodes / f"{FULL_HEADER.episode_id}.ctape")
    expected = (DIRECTORY / "full.cat.jsonl").read_text(encoding="utf-8")
    for ref in (str(FULL_HEADER.episode_id), "0b5e", "0B5E7E1A93C4", "0b5e7e1a-93"):
        proc = codetape(tmp_path, "cat", ref)
        assert proc.returncode == 0 and proc.stdout == expected, (ref, proc.stderr)


def test_ambiguous_or_unknown_ids_exit_2_and_list_candidates(tmp_path: Path) -> None:
    one_error_line(codetape(tmp_path, "inspect", "0b5e"), 2, "holds no episodes")
    episodes = tmp_path / "episodes"
    episodes.mkdir()
    first, second = "0b5e0000-0000-4000-8000-000000000001", "0b5e0000-0000-4000-8000-000000000002"
    for episode_id in (first, second):
        write_episode_file(episodes / f"{episode_id}.ctape", header_like(FULL_HEADER, episode_id), FULL[:2])
    (episodes / "notes.txt").write_text("not an episode")
    proc = codetape(tmp_path, "inspect", "0b5e")
    one_error_line(proc, 2, "is ambiguous")
    assert first in proc.stderr and second in proc.stderr
    proc = codetape(tmp_path, "verify", "ffff")
    one_error_line(proc, 2, "no episode id")
    assert first in proc.stderr and "notes" not in proc.stderr
    assert codetape(tmp_path, "verify", "0b5e0000-0000-4000-8000-000000000002").stdout == "ok\n"
    one_error_line(codetape(tmp_path, "cat", "missing.ctape"), 2, "no episode file at missing.ctape")


# -- cat --------------------------------------------------------------------------------------------


@pytest.mark.eval  # a memory goal: scripts/test --all runs it
def test_cat_streams_one_chunk_at_a_time(tmp_path: Path) -> None:
    """60 MB of edits in 15 chunks: cat's peak memory stays near one chunk's, not the whole episode's."""
    path = tmp_path / "long.ctape"
    steps = typing_steps(60_000, "x" * 1000 + "\n")
    write_episode_file(path, FULL_HEADER, steps, level=1)
    script = ("import resource, subprocess, sys\n"
              "p = subprocess.run([sys.executable, '-m', 'collector', 'cat', sys.argv[1]],"
              " stdout=subprocess.PIPE, check=True)\n"
              "lines = p.stdout.splitlines()\n"
              "print(len(lines), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)\n")
    proc = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "CODETAPE_HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    count, peak_mb = map(int, proc.stdout.split())
    assert count == len(steps)
    assert peak_mb < 110, f"cat peaked at {peak_mb} MB for a 60 MB episode"


def test_cat_to_a_closed_pipe_is_quiet(tmp_path: Path) -> None:
    env = {**os.environ, "CODETAPE_HOME": str(tmp_path)}
    with subprocess.Popen([sys.executable, "-m", "collector", "cat", str(FULL_FILE)], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read()
        code = proc.wait(timeout=60)
    assert json.loads(first)["kind"] == "task"
    assert code == 0 and b"Traceback" not in err


def test_cat_lines_start_with_kind_and_time(tmp_path: Path) -> None:
    for line in codetape(tmp_path, "cat", str(UNICODE_FILE)).stdout.splitlines():
        assert list(json.loads(line))[:2] == ["kind", "t_ms"]


# -- verify -----------------------------------------------------------------------------------------


def _episode(tmp_path: Path, *steps: dict[str, object]) -> str:
    path = tmp_path / f"{uuid.uuid4()}.ctape"
    write_episode_file(path, FULL_HEADER, [step_from_dict({"source": "bridge", **step}) for step in steps])
    return str(path)


def test_verify_names_the_first_step_that_does_not_replay(tmp_path: Path) -> None:
    opened = {"kind": "open", "t_ms": 0, "path": "a.py", "text": "ab\n"}
    typed = {"kind": "edit", "t_ms": 1, "path": "a.py",
             "changes": [{"range": {"start": {"line": 0, "character": 2}, "end": {"line": 0, "character": 2}},
                          "text": "c"}]}
    wrong = {"kind": "save", "t_ms": 2, "path": "a.py", "sha256": hashlib.sha256(b"ab\n").hexdigest()}
    proc = codetape(tmp_path, "verify", _episode(tmp_path, opened, typed, wrong))
    one_error_line(proc, 1, "step 2: save at 2 ms of a.py: the reconstructed text does not match")
    closed = {"kind": "close", "t_ms": 2, "path": "a.py"}
    proc = codetape(tmp_path, "verify", _episode(tmp_path, opened, closed, {**typed, "t_ms": 3}))
    one_error_line(proc, 1, "step 2: edit at 3 ms to a.py, which is not open")
    lying = {"kind": "save", "t_ms": 2, "path": "a.py", "text": "abc\n", "sha256": "0" * 64}
    one_error_line(codetape(tmp_path, "verify", _episode(tmp_path, opened, lying)), 1,
                   "its text does not match its own hash")
    right = {"kind": "save", "t_ms": 2, "path": "a.py", "sha256": hashlib.sha256(b"abc\n").hexdigest()}
    proc = codetape(tmp_path, "verify", _episode(tmp_path, opened, typed, right))
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "ok\n", "")


def test_verify_accepts_a_resync_and_names_it(tmp_path: Path) -> None:
    """The bridge's copy drifted (a lost change): the resync carries the true text, the save after it
    holds, and `ok` says where; the same save without the resync is refused."""
    opened = {"kind": "open", "t_ms": 0, "path": "a.py", "text": "ab\n"}
    saved = {"kind": "save", "t_ms": 1500, "path": "a.py", "sha256": hashlib.sha256(b"abc\n").hexdigest()}
    resync = {"kind": "gap", "t_ms": 1500, "reason": "resync", "detail": "a.py: version 3 never arrived",
              "state": [{"path": "a.py", "text": "abc\n"}]}
    proc = codetape(tmp_path, "verify", _episode(tmp_path, opened, resync, saved))
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == "ok (1 resync of a document the editor's edits did not make: a.py at 1.5 s)\n"
    one_error_line(codetape(tmp_path, "verify", _episode(tmp_path, opened, saved)), 1,
                   "the reconstructed text does not match the saved hash")


# -- checkout -----------------------------------------------------------------------------------------


def test_checkout_writes_the_workspace_after_the_last_step(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = codetape(tmp_path, "checkout", str(FULL_FILE), str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    files = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert files == {"src/pager.py": PAGER_FIXED.encode(), "tests/test_paginate.py": TEST_PAGER.encode(),
                     "NOTES.md": b"# Notes\n\nAWS key \xc2\xabredacted:aws-access-key:1\xc2\xbb\n"}


def test_checkout_refuses_a_folder_that_is_not_empty_naming_what_it_would_replace(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "src").mkdir(parents=True)
    (out / "src" / "pager.py").write_text("unsaved work\n")
    (out / "unrelated.txt").write_text("stays")
    proc = codetape(tmp_path, "checkout", str(FULL_FILE), str(out), "--step", "7")
    one_error_line(proc, 1, f"{out} is not empty; the checkout would replace src/pager.py (--force")
    assert (out / "src" / "pager.py").read_text() == "unsaved work\n"
    assert sorted(p.name for p in out.rglob("*")) == ["pager.py", "src", "unrelated.txt"]
    (out / "src" / "pager.py").unlink()
    proc = codetape(tmp_path, "checkout", str(FULL_FILE), str(out))
    one_error_line(proc, 1, f"{out} is not empty; the checkout would replace no file in it (--force")
    many = tmp_path / "many.ctape"
    write_episode_file(many, FULL_HEADER, [step_from_dict(
        {"kind": "file_change", "t_ms": n, "source": "files", "path": f"f{n}.txt", "change": "created",
         "text": f"{n}\n"}) for n in range(9)], level=1)
    for n in range(9):
        (out / f"f{n}.txt").write_text("mine\n")
    proc = codetape(tmp_path, "checkout", str(many), str(out))
    one_error_line(proc, 1, "would replace f0.txt, f1.txt, f2.txt, f3.txt, f4.txt and 4 more (--force")
    assert {(out / f"f{n}.txt").read_text() for n in range(9)} == {"mine\n"}
    assert "--force" in codetape(tmp_path, "checkout", "--help").stdout


def test_checkout_at_a_step_lists_omitted_files_on_stderr(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "unrelated.txt").write_text("stays")
    (out / "src").mkdir()
    (out / "src" / "pager.py").write_text("old content, overwritten")
    proc = codetape(tmp_path, "checkout", str(FULL_FILE), str(out), "--step", "7", "--force")
    assert proc.returncode == 0 and proc.stdout == ""
    assert "omitted (binary, recorded without content): docs/diagram.png" in proc.stderr
    assert not (out / "docs").exists()
    assert (out / "src" / "pager.py").read_text() == PAGER_FIXED
    assert (out / "tests" / "test_pager.py").read_text() == TEST_PAGER
    assert (out / "unrelated.txt").read_text() == "stays"
    proc = codetape(tmp_path, "checkout", str(FULL_FILE), str(tmp_path / "first"), "--step", "1")
    assert proc.returncode == 0
    assert (tmp_path / "first" / "src" / "pager.py").read_text() == PAGER


def test_checkout_keeps_unicode_names_and_line_breaks_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert codetape(tmp_path, "checkout", str(UNICODE_FILE), str(out)).returncode == 0
    assert (out / "docs" / "naïve 😀.md").read_bytes() == NOTES_FINAL.encode("utf-8")
    assert (out / "emoji.txt").read_bytes() == FAMILY_FINAL.encode("utf-8")


@pytest.mark.parametrize("step", ["-1", "21", "x"])
def test_checkout_step_out_of_range_is_a_usage_error(tmp_path: Path, step: str) -> None:
    proc = codetape(tmp_path, "checkout", str(FULL_FILE), str(tmp_path / "out"), "--step", step)
    assert proc.returncode == 2
    assert not (tmp_path / "out").exists()


def test_long_checkout_on_a_terminal_shows_progress_on_stderr_only(tmp_path: Path) -> None:
    path = tmp_path / "long.ctape"
    steps = typing_steps(PROGRESS_FROM, "y\n")
    write_episode_file(path, FULL_HEADER, steps, level=1)
    env = {**os.environ, "CODETAPE_HOME": str(tmp_path), "COLUMNS": "100", "TERM": "xterm"}
    proc, seen = stderr_on_a_terminal(
        [sys.executable, "-m", "collector", "checkout", str(path), str(tmp_path / "out")], env)
    assert proc.returncode == 0 and proc.stdout == b""
    assert (tmp_path / "out" / "a.txt").read_text() == "y\n" * PROGRESS_FROM
    assert b"reconstructing" in seen and b"wrote 1 file" in seen


def test_a_long_report_on_a_terminal_shows_progress_on_stderr_only(tmp_path: Path) -> None:
    path = tmp_path / "long.ctape"
    steps = [step("open", 0, path="a.txt", text="")]
    steps += [insert(n, "a.txt", n, 0, "y\n") for n in range(PROGRESS_FROM)]
    write_episode_file(path, FULL_HEADER, steps, level=1)
    env = {**os.environ, "CODETAPE_HOME": str(tmp_path), "COLUMNS": "100", "TERM": "xterm"}
    command = [sys.executable, "-m", "collector", "report", str(path), "-o", str(tmp_path / "l.html")]
    proc, seen = stderr_on_a_terminal(command, env)
    assert proc.returncode == 0 and proc.stdout == b""
    assert b"reading" in seen and b"wrote " in seen
    assert f"{PROGRESS_FROM:,} edits: +{2 * PROGRESS_FROM:,} chars" in (tmp_path / "l.html").read_text()
    quiet = codetape(tmp_path, "report", str(path), "-o", str(tmp_path / "q.html"))
    assert "reading" not in quiet.stderr  # not a terminal: no bar
