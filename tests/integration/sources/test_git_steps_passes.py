"""A commit is recorded once when the watcher's passes split its two reflog writes (issue seen in CI:
the same sha twice in a 300-operation stress run). git writes the branch's reflog, then HEAD's; a pass
may run between the two."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from collector.sources.git.git_steps import Observed, StepBuilder
from collector.sources.git.gitread import RefState
from collector.sources.git.reflog import ReflogEntry, parse_line

ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
       "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": "/nonexistent", "PATH": "/usr/bin:/bin"}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, env=ENV, capture_output=True, text=True,
                          check=True).stdout.strip()


def last_entry(log: Path) -> ReflogEntry:
    entry = parse_line(log.read_bytes().splitlines(keepends=True)[-1])
    assert entry is not None
    return entry


def commit_steps(steps: list[dict[str, Any]]) -> list[str]:
    return [step["sha"] for step in steps if "sha" in step]


def test_a_commit_whose_branch_entry_and_head_entry_land_in_two_passes_is_recorded_once(
        tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "a.txt").write_text("a\n")
    git(tmp_path, "add", "a.txt")
    git(tmp_path, "commit", "-q", "-m", "first")
    first = git(tmp_path, "rev-parse", "HEAD")
    before = RefState(refs={"refs/heads/main": first}, head_ref="refs/heads/main", head_sha=first)
    (tmp_path / "b.txt").write_text("b\n")
    git(tmp_path, "add", "b.txt")
    git(tmp_path, "commit", "-q", "-m", "second")
    sha = git(tmp_path, "rev-parse", "HEAD")
    after = RefState(refs={"refs/heads/main": sha}, head_ref="refs/heads/main", head_sha=sha)
    branch = last_entry(tmp_path / ".git" / "logs" / "refs" / "heads" / "main")
    head = last_entry(tmp_path / ".git" / "logs" / "HEAD")
    assert (branch.old, branch.new, branch.message) == (head.old, head.new, head.message)

    builder = StepBuilder(lambda _sha: {"message": "second", "parents": [], "files": []},
                          lambda _tips, _known: [])
    first_pass = builder.build(before, after, [Observed(0, "refs/heads/main", branch)])
    second_pass = builder.build(after, after, [Observed(1, "HEAD", head)])
    assert commit_steps(first_pass) + commit_steps(second_pass) == [sha]

    together = StepBuilder(lambda _sha: {"message": "second", "parents": [], "files": []},
                           lambda _tips, _known: [])
    both = [Observed(0, "refs/heads/main", branch), Observed(1, "HEAD", head)]
    one_pass = together.build(before, after, both)
    assert commit_steps(one_pass) == [sha]  # as before: one pass with both entries records it once


def test_a_stash_whose_reset_was_read_before_its_push_is_one_stash_step(tmp_path: Path) -> None:
    """`git stash` writes refs/stash's reflog, then HEAD's HEAD-to-HEAD reset; a pass that read the reset
    first (HEAD's entry by one read, the stash's by a later one: the CI failure of
    test_the_collector_records_git_operations_into_the_episode, a `reset` before the `stash`) still
    records the stash alone, before what came after it."""
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "a.txt").write_text("a\n")
    git(tmp_path, "add", "a.txt")
    git(tmp_path, "commit", "-q", "-m", "first")
    sha = git(tmp_path, "rev-parse", "HEAD")
    (tmp_path / "a.txt").write_text("b\n")
    git(tmp_path, "stash")
    state = RefState(refs={"refs/heads/main": sha}, head_ref="refs/heads/main", head_sha=sha)
    push = last_entry(tmp_path / ".git" / "logs" / "refs" / "stash")
    reset = last_entry(tmp_path / ".git" / "logs" / "HEAD")
    assert (reset.message, reset.old == reset.new) == ("reset: moving to HEAD", True)

    git(tmp_path, "switch", "-q", "-c", "other")
    checkout = last_entry(tmp_path / ".git" / "logs" / "HEAD")
    assert checkout.message.startswith("checkout: moving from main to other")

    for order in ([Observed(0, "HEAD", reset), Observed(1, "refs/stash", push)],
                  [Observed(0, "refs/stash", push), Observed(1, "HEAD", reset)]):
        builder = StepBuilder(lambda _sha: {"message": "", "parents": [], "files": []},
                              lambda _tips, _known: [])
        assert [step["op"] for step in builder.build(state, state, order)] == ["stash"], order
    # the second CI failure: the stash's entry read after the switch that followed it
    late = [Observed(0, "HEAD", reset), Observed(1, "HEAD", checkout), Observed(2, "refs/stash", push)]
    builder = StepBuilder(lambda _sha: {"message": "", "parents": [], "files": []}, lambda _tips, _known: [])
    assert [step["op"] for step in builder.build(state, state, late)] == ["stash", "checkout"]
