"""Which managed policy governs each workspace, as `codetape status`, `codetape doctor` and the review name it
(issue 95): the file and scope, and its SHA-256 (policy/managed.py Managed.governing), or why it is refused
there (scopes requiring different consent modes). Asked only when a `[[scope]]` is installed: otherwise the
top-level keys govern every workspace alike, and `status` says so once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from collector.errors import PolicyError
from collector.policy.managed import any_scope, load_managed


def workspace_policy(root: Path, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """What governs the workspace at `root`: `governing` (one line each: file, scope, SHA-256; empty when
    no managed policy does), `scope_sha256`, or `problem` when the policy is refused there."""
    # the workspace's identity (schemas' structs) only where a scope is installed
    from collector.workspace.identity import workspace_remotes

    try:
        managed = load_managed(env, remotes=lambda: workspace_remotes(root))
    except PolicyError as exc:
        return {"root": str(root), "governing": [], "scope_sha256": None, "problem": str(exc)}
    return {"root": str(root), "governing": [] if managed is None else managed.governing(),
            "scope_sha256": None if managed is None else managed.scope_sha256, "problem": None}


def workspaces_policy(roots: Sequence[Path], env: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """`workspace_policy` of each of `roots` when a scope is installed; [] otherwise (or when the policy is
    refused everywhere: `status` says that once)."""
    try:
        scoped = any_scope(env)
    except PolicyError:
        return []
    return [workspace_policy(root, env) for root in roots] if scoped else []


def governing_line(found: dict[str, Any]) -> str:
    """`workspace_policy` in one line, after the workspace's name."""
    if found["problem"] is not None:
        return f"managed policy REFUSED here: {found['problem']}"
    if not found["governing"]:
        return "no managed policy governs it (no scope names its remotes)"
    return f"governed by the managed policy {' and '.join(found['governing'])}"
