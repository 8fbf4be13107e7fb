"""A pass that reads late reflogs one file after another puts their entries back in git's order (found in
CI under load: `git switch -c topic` recorded as checkout, then branch_create)."""

from __future__ import annotations

from collector.sources.git.git_steps import STASH, STASH_DROP
from collector.sources.git.reflog import ReflogEntry
from collector.sources.git.reflog_order import Read, in_git_order

A, B, C, D = ("a" * 40, "b" * 40, "c" * 40, "d" * 40)


def entry(old: str | None, new: str | None, message: str, seconds: int = 100) -> ReflogEntry:
    return ReflogEntry(old, new, seconds, message)


def names(merged: list[Read]) -> list[str]:
    return [f"{log}: {e.message}" for log, e in merged]


def test_a_branch_made_by_a_checkout_comes_just_before_that_checkout() -> None:
    commit = entry(A, B, "commit: first")
    checkout = entry(B, B, "checkout: moving from main to topic")
    head = [commit, checkout]
    late = [("refs/heads/main", commit), ("refs/heads/topic", entry(None, B, "branch: Created from HEAD"))]
    assert names(in_git_order(head, late)) == [
        "refs/heads/main: commit: first", "HEAD: commit: first",
        "refs/heads/topic: branch: Created from HEAD", "HEAD: checkout: moving from main to topic"]


def test_a_branch_keeps_its_own_order_and_its_commits_stand_before_heads_copies() -> None:
    second = entry(B, C, "commit: second")
    head = [entry(B, B, "checkout: moving from main to topic"), second]
    late = [("refs/heads/topic", entry(None, B, "branch: Created from HEAD")), ("refs/heads/topic", second)]
    assert names(in_git_order(head, late)) == [
        "refs/heads/topic: branch: Created from HEAD", "HEAD: checkout: moving from main to topic",
        "refs/heads/topic: commit: second", "HEAD: commit: second"]


def test_a_stash_push_comes_before_the_reset_it_ends_with_and_a_drop_last() -> None:
    head = [entry(C, C, "reset: moving to HEAD"), entry(C, B, "checkout: moving from topic to main")]
    push = entry(None, D, "WIP on topic: c second")
    late = [(STASH_DROP, entry(None, A, "WIP on main: old", seconds=1)), (STASH, push)]
    assert names(in_git_order(head, late)) == [
        f"{STASH}: WIP on topic: c second", "HEAD: reset: moving to HEAD",
        "HEAD: checkout: moving from topic to main", f"{STASH_DROP}: WIP on main: old"]


def test_other_entries_go_by_their_second_and_within_it_after_head() -> None:
    head = [entry(A, B, "commit: one", seconds=9), entry(B, C, "commit: two", seconds=11)]
    late = [("refs/heads/x", entry(A, D, "reset: moving to HEAD~1", seconds=10)),
            ("refs/remotes/origin/main", entry(A, B, "fetch origin: fast-forward", seconds=11))]
    assert names(in_git_order(head, late)) == [
        "HEAD: commit: one", "refs/heads/x: reset: moving to HEAD~1", "HEAD: commit: two",
        "refs/remotes/origin/main: fetch origin: fast-forward"]


def test_nothing_is_lost_or_repeated_when_the_habits_disagree_with_the_file_order() -> None:
    checkout = entry(A, A, "checkout: moving from main to topic")
    late_commit = entry(A, B, "commit: on topic")
    head = [late_commit, checkout]  # HEAD's copy first, the branch's creation after it in the file
    created = entry(None, A, "branch: Created from HEAD")
    late = [("refs/heads/topic", late_commit), ("refs/heads/topic", created)]
    merged = in_git_order(head, late)
    assert sorted(names(merged)) == sorted(names([*(("HEAD", e) for e in head), *late]))
    topic = [e.message for log, e in merged if log == "refs/heads/topic"]
    assert topic == ["commit: on topic", "branch: Created from HEAD"]


def test_with_nothing_late_heads_entries_stand_alone() -> None:
    head = [entry(A, B, "commit: one")]
    assert in_git_order(head, []) == [("HEAD", head[0])]
    assert in_git_order([], [(STASH, head[0])]) == [(STASH, head[0])]
