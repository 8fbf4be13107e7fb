"""The text at zeta2's revision (collector/export/revision.py): from the snapshot's files at HEAD, moved by
the commits made on it, lost when HEAD moves otherwise."""

from __future__ import annotations

from typing import Any

from collector.export.revision import Revision
from collector.reconstruct.workspace import Workspace
from schemas import Step, step_from_dict

HEAD = "a" * 40
NEXT = "b" * 40


def step(kind: str, **fields: Any) -> Step:
    return step_from_dict({"kind": kind, "t_ms": 0, "source": "collector", **fields})


def snapshot() -> Step:
    return step("gap", reason="snapshot", detail="snapshot of the files git tracks: 2 recorded (12 bytes)\n"
                "left out, binary (1):\n  logo.png",
                state=[{"path": "a.py", "text": "a = 1\n", "at_head": True},
                       {"path": "b.py", "text": "b = 2\n", "at_head": False}])


def seen(revision: Revision, *steps: Step) -> Workspace:
    workspace = Workspace("utf-16")
    for one in steps:
        workspace.apply(one)
        revision.see(one, workspace)
    return workspace


def test_the_snapshot_says_which_texts_are_heads() -> None:
    revision = Revision(HEAD)
    assert revision.known("a.py") == "no snapshot of the repository at the episode's start"
    seen(revision, snapshot())
    assert (revision.known("a.py"), revision.text("a.py")) == (None, "a = 1\n")
    assert revision.known("b.py") == "changed before the recording began"
    assert revision.known("logo.png") == "left out of the snapshot"
    assert (revision.known("new.py"), revision.text("new.py")) == (None, None)  # in no commit
    assert Revision(None).known("a.py") == "no git HEAD at the episode's start"
    empty, failed = Revision(HEAD), Revision(HEAD)
    seen(empty, step("gap", reason="snapshot", detail="snapshot of the files git tracks: 0 recorded (0 B)"))
    seen(failed, step("gap", reason="snapshot", detail="no snapshot of the files git tracks: git failed"))
    assert (empty.known("new.py"), failed.known("new.py")) == (
        None, "no snapshot of the repository at the episode's start")


def test_a_commit_on_the_revision_takes_what_was_on_disk_when_git_counts_the_same_lines() -> None:
    revision = Revision(HEAD)
    written = step("file_change", path="a.py", change="modified", text="a = 1\nc = 3\n")
    part = step("file_change", path="new.py", change="created", text="x\ny\n")
    commit = step("git", op="commit", sha=NEXT, parents=[HEAD], files=[
        {"path": "a.py", "added": 1, "deleted": 0},
        {"path": "new.py", "added": 1, "deleted": 0, "change": "A"}])  # one of its two lines staged
    seen(revision, snapshot(), written, part, commit)
    assert revision.sha == NEXT
    assert (revision.known("a.py"), revision.text("a.py")) == (None, "a = 1\nc = 3\n")
    assert revision.known("new.py") == "a commit of other text than the one on disk"
    assert revision.known("b.py") == "changed before the recording began"


def test_head_moved_otherwise_leaves_every_text_unknown() -> None:
    elsewhere = step("git", op="commit", sha=NEXT, parents=[NEXT])
    for moved, why in ((step("git", op="checkout", old=HEAD, new=NEXT), "HEAD moved by git checkout"),
                       (elsewhere, f"a commit not made on {HEAD[:12]}")):
        revision = Revision(HEAD)
        seen(revision, snapshot(), moved)
        assert revision.known("a.py") == why and revision.known("new.py") == why
    revision = Revision(HEAD)
    seen(revision, snapshot(), step("git", op="checkout", old=HEAD, new=HEAD))  # (a new branch, same commit)
    assert revision.known("a.py") is None


def test_without_a_snapshot_a_files_first_text_is_known_by_the_collectors_comparison() -> None:
    revision = Revision(HEAD)
    seen(revision,
         step("open", path="a.py", text="a = 1\n", head_text="same"),
         step("open", path="b.py", text="b = 3\n", head_text="other"),  # changed before the recording
         step("file_change", path="new.py", change="created", text="x\n", head_text="absent"),
         step("save", path="s.py", text="«redacted:github-pat:1»\n", head_text="same"),
         step("open", path="plain.py", text="p = 1\n"))  # not compared (another collector, no HEAD)
    assert (revision.known("a.py"), revision.text("a.py")) == (None, "a = 1\n")
    assert revision.known("b.py") == "not HEAD's text when the episode first saw it"
    assert (revision.known("new.py"), revision.text("new.py")) == (None, None)  # in no commit
    assert revision.known("s.py") == "its text there redacted"  # a placeholder is never the base
    assert revision.known("plain.py") == "no snapshot of the repository at the episode's start"
    seen(revision, step("open", path="b.py", text="b = 2\n", head_text="same"))  # the first one said
    assert revision.known("b.py") == "not HEAD's text when the episode first saw it"


def test_the_snapshot_comes_first_and_a_commit_keeps_a_comparison_for_the_files_it_did_not_change() -> None:
    revision = Revision(HEAD)
    seen(revision, snapshot(), step("open", path="b.py", text="b = 2\n", head_text="same"),
         step("open", path="untracked.py", text="u\n", head_text="other"))
    assert revision.known("b.py") == "changed before the recording began"
    assert (revision.known("untracked.py"), revision.text("untracked.py")) == (None, None)  # the snapshot's
    revision = Revision(HEAD)
    seen(revision, step("file_change", path="c.py", change="modified", text="c\n"),
         step("git", op="commit", sha=NEXT, parents=[HEAD], files=[{"path": "c.py", "added": 1}]),
         step("open", path="a.py", text="a = 1\n", head_text="same"),  # compared with HEAD: NEXT's too
         step("open", path="c.py", text="c\n", head_text="other"))  # HEAD's was not NEXT's
    assert (revision.sha, revision.known("a.py"), revision.text("a.py")) == (NEXT, None, "a = 1\n")
    assert revision.known("c.py") == "no snapshot of the repository at the episode's start"
    renamed = step("git", op="commit", sha=NEXT, parents=[HEAD],
                   files=[{"path": "d.py", "change": "R"}])  # (its old path not named)
    unread = step("git", op="commit", sha=NEXT, parents=[HEAD], detail="commit details unreadable: gone")
    for moved in (renamed, unread, step("git", op="checkout", old=HEAD, new=NEXT)):
        revision = Revision(HEAD)
        seen(revision, moved, step("open", path="e.py", text="e\n", head_text="same"))
        assert revision.known("e.py") is not None  # no longer taken: what the commit changed is not known
    redacted = Revision(HEAD)
    seen(redacted, step("gap", reason="snapshot", detail="snapshot of the files git tracks: 1 recorded (9 B)",
                        state=[{"path": "k.py", "text": "K = «redacted:aws:2»\n", "at_head": True}]))
    assert redacted.known("k.py") == "its text there redacted"
