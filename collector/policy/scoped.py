"""Which managed policy governs each workspace, as `codetape status`, `codetape doctor` and the review name it
(issue 95): the file and scope, and its SHA-256 (policy/managed.py Managed.governing), or why it is refused
there (scopes requiring different consent modes), and the scopes that governed it once and match it no
longer (issue 106: policy/reach.py, seen.py). Asked only when a `[[scope]]` is installed: otherwise the
top-level keys govern every workspace alike, and `status` says so once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from collector.errors import PolicyError
from collector.home import Home
from collector.policy.managed_places import none_installed

TYPE_CHECKING = False  # typing is not loaded at a command's start-up (~3 ms)
if TYPE_CHECKING:
    from typing import Any


def workspace_policy(root: Path, env: Mapping[str, str] | None = None,
                     home: Home | None = None) -> dict[str, Any]:
    """What governs the workspace at `root`: `governing` (one line each: file, scope, SHA-256; empty when
    no managed policy does), `scope_sha256`, `problem` when the policy is refused there, and `lifted`: the
    scopes the home recorded governing it that no longer match it (its remotes and history no longer
    name them; policy/seen.py), one line each."""
    # the repository's remotes and history (git) only where a scope is installed
    from collector.policy.managed import load_managed
    from collector.policy.reach import Reach
    from collector.policy.seen import recorded_for

    try:
        managed = load_managed(env, reach=Reach(root, home))
    except PolicyError as exc:
        return {"root": str(root), "governing": [], "scope_sha256": None, "problem": str(exc), "lifted": []}
    now = set() if managed is None else {(str(ref.path), ref.name) for ref in managed.scopes}
    lifted = [f"{record.file}, scope {record.scope} (governing it since {record.since})"
              for record in ([] if home is None else recorded_for(home, root))
              if (record.file, record.scope) not in now]
    return {"root": str(root), "governing": [] if managed is None else managed.governing(),
            "scope_sha256": None if managed is None else managed.scope_sha256, "problem": None,
            "lifted": lifted}


def workspaces_policy(roots: Sequence[Path], env: Mapping[str, str] | None = None,
                      home: Home | None = None) -> list[dict[str, Any]]:
    """`workspace_policy` of each of `roots` when a scope is installed; [] otherwise (or when the policy is
    refused everywhere: `status` says that once)."""
    if none_installed(env):
        return []  # no policy file, so no scope: managed.py's models not loaded (`status` at start-up)
    # deferred: a policy file is there
    from collector.policy.managed import any_scope

    try:
        scoped = any_scope(env)
    except PolicyError:
        return []
    return [workspace_policy(root, env, home) for root in roots] if scoped else []


def governing_line(found: dict[str, Any]) -> str:
    """`workspace_policy` in one line, after the workspace's name."""
    if found["problem"] is not None:
        return f"managed policy REFUSED here: {found['problem']}"
    lifted = ("; NO LONGER MATCHES (its remotes and history no longer name it): "
              f"{' and '.join(found['lifted'])}: episodes recorded while it matched keep its rules"
              if found.get("lifted") else "")
    if not found["governing"]:
        return f"no managed policy governs it (no scope names its remotes or history){lifted}"
    return f"governed by the managed policy {' and '.join(found['governing'])}{lifted}"
