"""`codetape diff EPISODE A B` through the real CLI: the diff applies with `git apply` to the workspace
at A and gives exactly the workspace at B. The workspace at a step is its checkout plus the files the
episode first recorded later, as it first recorded them (opened, or in a gap's state): they were there,
and a diff shows what changed in them, not their whole text as new."""

from __future__ import annotations

import subprocess
from bisect import bisect_right
from pathlib import Path

import pytest

from collector.episode import open_episode, write_episode_file
from schemas.steps import FileChangeStep, GapStep, OpenStep
from tests.cli import codetape
from tests.fixtures.make_golden import DIRECTORY
from tests.support.sessions import Session, generate

FULL = DIRECTORY / "full.ctape"


def tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*"))
            if path.is_file()}


def checkout(home: Path, episode: Path, dest: Path, step: str | None) -> dict[str, bytes]:
    proc = codetape(home, "checkout", str(episode), str(dest), *([] if step is None else ["--step", step]))
    assert proc.returncode == 0, proc.stderr
    return tree(dest)


def first_seen_after(episode: Path, step: str) -> dict[str, bytes]:
    """The files the episode first recorded after `step` (`end`: none), by their first text there."""
    seen: set[str] = set()
    found: dict[str, bytes] = {}
    for index, item in enumerate(open_episode(episode).steps()):
        later = step != "end" and index > int(step)
        files: list[tuple[str, str | None]] = []
        match item:
            case OpenStep():
                files = [(item.path, item.text)]
            case GapStep(state=list() as state):
                files = [(file.path, file.text) for file in state]
            case FileChangeStep():
                files = [(item.path, None)] + ([(item.new_path, None)] if item.new_path else [])
            case _:
                pass
        for path, text in files:
            if path not in seen and later and text is not None:
                found[path] = text.encode("utf-8", "surrogatepass")
            seen.add(path)
    return found


def workspace_at(home: Path, episode: Path, dest: Path, step: str) -> dict[str, bytes]:
    """The checkout after `step`, with the files first recorded later written as first recorded."""
    files = checkout(home, episode, dest, None if step == "end" else step)
    for path, text in first_seen_after(episode, step).items():
        if path not in files:
            (dest / path).parent.mkdir(parents=True, exist_ok=True)
            (dest / path).write_bytes(text)
    return tree(dest)


def round_trip(tmp_path: Path, episode: Path, a: str, b: str) -> str:
    """Write the workspace at A, apply `diff A B` with git apply, compare with the workspace at B; returns
    the diff."""
    home = tmp_path / "home"
    work = tmp_path / f"at-{a}-{b}"
    work.mkdir()
    before = workspace_at(home, episode, work / "a", a)
    after = workspace_at(home, episode, work / "b", b)
    proc = codetape(home, "diff", str(episode), a, b, keep_cr=True)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    patch = work / "change.diff"
    patch.write_bytes(proc.stdout.encode("utf-8", "surrogateescape"))
    (work / "a").mkdir(exist_ok=True)
    applied = subprocess.run(["git", "apply", "--allow-empty", "--whitespace=nowarn", str(patch)],
                             cwd=work / "a", capture_output=True, text=True, timeout=60)
    assert applied.returncode == 0, applied.stderr
    assert tree(work / "a") == after
    assert (proc.stdout == "") == (before == after)
    return proc.stdout


def test_the_golden_episode_between_an_edit_and_the_end(tmp_path: Path) -> None:
    out = round_trip(tmp_path, FULL, "1", "end")
    assert out.startswith("diff --git a/src/pager.py b/src/pager.py\nindex ce4073a..fb5d4bc\n"
                          "--- a/src/pager.py\n+++ b/src/pager.py\n@@ -1,5 +1,5 @@\n")
    assert ("-    for start in range(0, len(items) - 1, size):\n"
            "+    for start in range(0, len(items), size):\n") in out
    assert "NOTES.md" not in out  # first seen later (in a gap's state), unchanged since
    assert ("diff --git a/tests/test_paginate.py b/tests/test_paginate.py\nnew file mode 100644\n"
            "index 0000000..") in out  # created during the episode
    assert "--- /dev/null\n+++ b/tests/test_paginate.py\n" in out
    assert "--- a/src/pager.py\n+++ b/src/pager.py\n" in round_trip(tmp_path, FULL, "end", "1")
    assert round_trip(tmp_path, FULL, "3", "5") == ""  # a save changes no text


def test_unicode_paths_crlf_and_a_whole_document_change(tmp_path: Path) -> None:
    out = round_trip(tmp_path, DIRECTORY / "unicode.ctape", "2", "end")
    assert "+++ b/docs/naïve 😀.md\t\n" in out and "+replaced\r\n" in out  # (a space in it: a tab, as git)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Session]:
    session = generate(3, "mixed", scale=0.06)
    episode = tmp_path_factory.mktemp("diff") / "mixed.ctape"
    write_episode_file(episode, session.header, session.steps)
    return episode, session


@pytest.mark.parametrize(("a", "b"), [("0", "900"), ("900", "1500"), ("1500", "end"), ("end", "0")])
def test_a_generated_session_between_steps(tmp_path: Path, generated: tuple[Path, Session], a: str,
                                           b: str) -> None:
    assert round_trip(tmp_path, generated[0], a, b)


def test_times_name_the_state_after_the_last_step_before_them(tmp_path: Path,
                                                              generated: tuple[Path, Session]) -> None:
    episode, session = generated
    times = [step.t_ms for step in session.steps]
    a, b = bisect_right(times, 120_000) - 1, bisect_right(times, 1_200_000) - 1
    by_time = codetape(tmp_path, "diff", str(episode), "2m", "20:00", keep_cr=True)
    by_step = codetape(tmp_path, "diff", str(episode), str(a), str(b), keep_cr=True)
    assert by_time.returncode == 0 and by_time.stdout == by_step.stdout != ""
    everything = codetape(tmp_path, "diff", str(episode), "start", "end", keep_cr=True)
    assert everything.stdout.count("+++ b/") == len(session.expected)
    opened = {step.path: step.text for step in session.steps if isinstance(step, OpenStep)}
    for path, text in opened.items():  # from how each file was opened: its whole text only if it was empty
        whole = f"--- a/{path}\n+++ b/{path}\n@@ -0,0 +1,"
        assert (whole in everything.stdout) == (text == ""), path


def test_bad_moments_are_usage_errors_on_one_line(tmp_path: Path) -> None:
    for args, says in ((["soon", "end"], "A 'soon' is not a step (12), a time (90s, 2m, 1:30) or start/end"),
                       (["0", "99"], "step 99 does not exist: the episode has 21 steps")):
        proc = codetape(tmp_path, "diff", str(FULL), *args, keep_cr=True)
        assert proc.returncode == 2 and proc.stdout == ""
        assert proc.stderr.splitlines() == [f"codetape: {says}"], proc.stderr
