"""Which git operation a reflog message names. Pure functions over git's message conventions.

Git writes `ACTION: DETAIL` for every ref update: `commit: fix`, `commit (amend): fix`,
`checkout: moving from main to topic`, `merge topic: Fast-forward`, `rebase (pick): fix`,
`rebase (finish): refs/heads/topic onto 1a2b...`, `reset: moving to HEAD~1`, `cherry-pick: fix`,
`pull --rebase (pick): fix`, `fetch origin: fast-forward`, `branch: Created from HEAD`, ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PHASE = re.compile(r"\(([^)]*)\)\s*$")
_MOVING = re.compile(r"^moving from (.+) to (.+)$")
_CREATING_PHASES = {"pick", "reword", "edit", "squash", "fixup", "continue", "merge"}


@dataclass(frozen=True)
class Action:
    """What one reflog entry did. `creates` means its new sha is a commit made by this operation."""

    op: str
    creates: bool = False
    detail: str | None = None
    target: str | None = None
    echo: bool = False  # HEAD's copy of what a branch's own reflog records; nothing to emit


_RETURNING = re.compile(r"^returning to (refs/\S+)")


def classify(message: str, *, head: bool) -> Action:
    """The operation behind one entry of HEAD's reflog (`head`) or of a branch's."""
    action, _, rest = message.partition(": ")
    verb = action.split(" ", 1)[0].lower()
    phase_match = _PHASE.search(action)
    phase = phase_match.group(1) if phase_match else None
    if verb == "commit":
        return _commit(phase)
    if verb in {"revert", "am"}:
        return Action("commit", creates=True, detail=verb)
    if verb == "cherry-pick":
        return Action("cherry_pick", creates=True)
    if verb == "merge":
        return _merge("merge", action, rest)
    if verb == "pull":
        if phase is not None or "--rebase" in action:
            return _rebase("pull", phase, rest)
        return _merge("pull", action, rest)
    if verb == "rebase":
        return _rebase("rebase", phase, rest)
    if verb == "reset":
        return Action("reset", detail=rest or None)
    if verb == "checkout":
        moving = _MOVING.match(rest)
        return Action("checkout", detail=rest or None, target=moving.group(2) if moving else None)
    if verb == "branch":
        return Action("branch_create", detail=rest, echo=True) if head else _branch(rest)
    if verb == "fetch":
        return Action("fetch", detail=message)
    if message.startswith("update by push"):
        return Action("ref_update", detail="push")
    return Action("ref_update", detail=message or None)


def _commit(phase: str | None) -> Action:
    if phase == "merge":
        return Action("merge", creates=True, detail="commit after conflicts")
    if phase == "cherry-pick":
        return Action("cherry_pick", creates=True, detail="commit after conflicts")
    return Action("commit", creates=True, detail=phase)


def _merge(op: str, action: str, rest: str) -> Action:
    merged = action.split(" ", 1)[1] if " " in action and op == "merge" else None
    if rest.lower().startswith("fast-forward"):
        return Action(op, detail="fast-forward", target=merged)
    return Action(op, creates=True, detail=rest or None, target=merged)


def _rebase(op: str, phase: str | None, rest: str) -> Action:
    base = phase.split(" ", 1)[0] if phase else None
    returning = _RETURNING.match(rest)
    if returning is not None:
        # HEAD's side of the end of a rebase; the branch's own reflog records the update
        return Action(op, detail="finish", target=returning.group(1), echo=True)
    if base is None:
        # git before 2.26: `rebase: MESSAGE` per commit, `rebase finished: ...` at the end
        return Action(op, creates=True, detail="pick")
    if base in _CREATING_PHASES:
        return Action(op, creates=True, detail=base)
    return Action(op, detail=f"{base}: {rest}" if rest else base)


def _branch(rest: str) -> Action:
    lower = rest.lower()
    if lower.startswith("created from") or lower.startswith("renamed") or lower.startswith("copied"):
        return Action("branch_create", detail=rest)
    return Action("ref_update", detail=rest or None)


def is_stash_reset(message: str, old: str | None, new: str | None) -> bool:
    """`git stash` ends with `reset --hard HEAD`, which logs a HEAD-to-HEAD reset."""
    return message == "reset: moving to HEAD" and old == new
