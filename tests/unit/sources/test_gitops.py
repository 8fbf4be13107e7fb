"""Reflog messages, as git 2.x writes them, name the operation."""

from __future__ import annotations

import pytest

from collector.sources.git.gitops import Action, classify, is_stash_reset


@pytest.mark.parametrize(("message", "head", "expected"), [
    ("commit (initial): one", True, Action("commit", creates=True, detail="initial")),
    ("commit: fix the parser", True, Action("commit", creates=True)),
    ("commit (amend): better words", True, Action("commit", creates=True, detail="amend")),
    ("commit (merge): Merge branch 'x'", True,
     Action("merge", creates=True, detail="commit after conflicts")),
    ("revert: Revert \"x\"", True, Action("commit", creates=True, detail="revert")),
    ("cherry-pick: port the fix", True, Action("cherry_pick", creates=True)),
    ("merge topic: Fast-forward", True, Action("merge", detail="fast-forward", target="topic")),
    ("merge topic: Merge made by the 'ort' strategy.", True,
     Action("merge", creates=True, detail="Merge made by the 'ort' strategy.", target="topic")),
    ("pull -q: Fast-forward", True, Action("pull", detail="fast-forward")),
    ("pull --no-rebase: Merge made by the 'ort' strategy.", True,
     Action("pull", creates=True, detail="Merge made by the 'ort' strategy.")),
    ("pull --rebase (pick): mine", True, Action("pull", creates=True, detail="pick")),
    ("rebase (start): checkout main", True, Action("rebase", detail="start: checkout main")),
    ("rebase (pick): four", True, Action("rebase", creates=True, detail="pick")),
    ("rebase -i (squash): four", True, Action("rebase", creates=True, detail="squash")),
    ("rebase (finish): returning to refs/heads/topic", True,
     Action("rebase", detail="finish", target="refs/heads/topic", echo=True)),
    ("rebase (finish): refs/heads/topic onto 1a2b3c", False,
     Action("rebase", detail="finish: refs/heads/topic onto 1a2b3c")),
    ("rebase (abort): updating HEAD", True, Action("rebase", detail="abort: updating HEAD")),
    ("reset: moving to HEAD~1", True, Action("reset", detail="moving to HEAD~1")),
    ("checkout: moving from main to topic", True,
     Action("checkout", detail="moving from main to topic", target="topic")),
    ("branch: Created from HEAD", False, Action("branch_create", detail="Created from HEAD")),
    ("Branch: renamed refs/heads/a to refs/heads/b", True,
     Action("branch_create", detail="renamed refs/heads/a to refs/heads/b", echo=True)),
    ("branch: Reset to main", False, Action("ref_update", detail="Reset to main")),
    ("fetch origin: fast-forward", False, Action("fetch", detail="fetch origin: fast-forward")),
    ("update by push", False, Action("ref_update", detail="push")),
    ("something new in git 3", False, Action("ref_update", detail="something new in git 3")),
])
def test_classify(message: str, head: bool, expected: Action) -> None:
    assert classify(message, head=head) == expected


def test_stash_reset_is_a_head_to_head_reset_only() -> None:
    assert is_stash_reset("reset: moving to HEAD", "a" * 40, "a" * 40)
    assert not is_stash_reset("reset: moving to HEAD", "a" * 40, "b" * 40)
    assert not is_stash_reset("reset: moving to HEAD~1", "a" * 40, "a" * 40)
