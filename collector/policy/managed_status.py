"""The managed policy as `codetape status` and `codetape doctor` report it: where it is looked for, and
whether it is absent, in force or refused. With nothing installed (managed_places.py `none_installed`, the
usual case) it says so without importing managed.py and the policy's models (issue 108, item 8). The
places are asked of managed_places.py by attribute, as managed.py does, so that a test moving the
system's file moves it here too."""

from __future__ import annotations

import os
from collections.abc import Mapping

from collector.policy import managed_places
from collector.policy.managed_places import ENV

TYPE_CHECKING = False  # typing is not loaded at a command's start-up (~3 ms)
if TYPE_CHECKING:
    from typing import Any


def managed_status(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The managed policy as `codetape status` and `codetape doctor` report it: where it is looked for and
    why there (`source`), and whether it is absent, in force or refused (`problem`): managed.py reads the
    files when there are any."""
    env = os.environ if env is None else env
    added = managed_places.added_path(env)
    found: dict[str, Any] = {"path": str(managed_places.managed_path(env)), "source": "the system's location",
                             "environment": managed_places.environment_problem(env),
                             "added": None if added is None else str(added), "state": "none", "problem": None,
                             "override": None if added is None else (
                                 f"{ENV} is set ({added}): an environment variable can only add a policy to "
                                 "the system's, and an administrator's belongs in its location; unset it "
                                 "unless you set it on purpose")}
    if managed_places.none_installed(env):  # what reading them would say, without the policy's models (~8 ms)
        return {**found, "scoped": [], "state": "none"}
    # deferred: the policy's models (dataclasses, the settings' structs) only when a file is there
    from collector.policy.managed import read_status

    return read_status(env, found)


def status_lines(found: dict[str, Any]) -> list[str]:
    """`managed_status` for a person: nothing when there is no policy (`--json` says where it looked)."""
    environment = [f"  PROBLEM: {found['environment']}"] if found.get("environment") else []
    if found["state"] == "none":
        return [f"managed policy: none ({found['path']} does not exist)", *environment] if environment else []
    if found["state"] == "refused":
        return [f"managed policy: REFUSED: {found['problem']}", *environment]
    lines = []
    if found.get("sha256") is not None:  # the top-level keys: every workspace
        added = f" (added by {ENV})" if found.get("added") else ""
        lines.append(f"managed policy: {found['where']}{added} (sha256 {found['sha256'][:16]}...)")
        settings = found["settings"]
        if settings["channels"] is not None:
            lines.append(f"  channels recorded at most: {', '.join(settings['channels'])}")
        if settings["max_file_bytes"] is not None:
            lines.append(f"  files above {settings['max_file_bytes']} bytes recorded without content")
        lines.extend(f"  a share requires: {line}" for line in found["requires"])
    for file in found.get("scoped", []):  # the repositories each scope names
        named = "; ".join(f"{scope['scope']} ({', '.join(scope['remotes'])})" for scope in file["scopes"])
        lines.append(f"managed policy scopes: {file['file']} (sha256 {file['sha256'][:16]}...): {named}")
    if found.get("override"):
        lines.append(f"  PROBLEM: {found['override']}")
    return [*lines, *environment]
