"""Where the organisation's managed policy is looked for (policy/managed.py says what it is and does), and
the policy as `codetape status` and `codetape doctor` report it.

Kept apart from managed.py so that a machine with no policy installed, the usual case, says so without
loading the policy's models: `managed_status` imports managed.py only when a policy file, `CODETAPE_POLICY`
or the policy.d folder is there (issue 108, item 8: `status` at start-up). managed.py finds the files
through this module's functions (`managed_places.managed_path`, ...), so that a test moving the system's
file moves it for both.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from collector.errors import PolicyError
from collector.platform.folders import program_data

TYPE_CHECKING = False  # typing is not loaded at a command's start-up (~3 ms)
if TYPE_CHECKING:
    from typing import Any

ENV = "CODETAPE_POLICY"
FOLDER = "policy.d"  # beside the system's policy.toml: one file per organisation, of [[scope]] sections


def managed_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the managed policy is installed on this machine, never chosen by the environment (`env` is
    not read: on Windows the ProgramData known folder is asked of the system, platform/folders.py)."""
    del env  # the same signature as managed_paths and added_path: nothing of it chooses the system's file
    if sys.platform == "darwin":
        return Path("/Library/Application Support/codetape/policy.toml")
    if sys.platform == "win32":
        return program_data() / "codetape" / "policy.toml"
    return Path("/etc/codetape/policy.toml")


def environment_problem(env: Mapping[str, str]) -> str | None:
    """On Windows, why a `ProgramData` variable that differs from the system's known folder is worth a
    look (a user's own `setx ProgramData ...` overrides the system's in every process she starts: it used
    to move the policy away); None elsewhere, or when it names the system's folder."""
    if sys.platform != "win32":
        return None
    named, system = env.get("ProgramData"), program_data()
    if named is None or _same_folder(named, str(system)):
        return None
    return (f"ProgramData is {named} in this environment, not the system's {system}: the managed policy is "
            f"read from {system}\\codetape\\policy.toml all the same; a user variable set with `setx "
            "ProgramData` changes where other programs look, so remove it unless you set it on purpose")


def _same_folder(one: str, other: str) -> bool:
    """Whether two Windows folder names are the same folder (case and separators aside)."""
    def norm(name: str) -> str:
        return name.replace("/", "\\").rstrip("\\").casefold()

    return norm(one) == norm(other)


def added_path(env: Mapping[str, str] | None = None) -> Path | None:
    """The policy `CODETAPE_POLICY` adds to the system's, if it is set."""
    env = os.environ if env is None else env
    named = env.get(ENV)
    return Path(named).expanduser() if named else None


def managed_paths(env: Mapping[str, str] | None = None) -> list[Path]:
    """Every file the managed policy is read from: the system's, then the one `CODETAPE_POLICY` adds."""
    added = added_path(env)
    return [managed_path(env), *([added] if added is not None else [])]


def policy_folder(env: Mapping[str, str] | None = None) -> Path:
    """policy.d beside the system's policy.toml: one file per organisation, each of `[[scope]]` sections."""
    return managed_path(env).parent / FOLDER


def dropped_paths(env: Mapping[str, str] | None = None) -> list[Path]:
    """The files in policy.d (`*.toml`, by name); PolicyError when the folder is there but cannot be read."""
    folder = policy_folder(env)
    try:
        names = sorted(entry.name for entry in os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        raise PolicyError(f"managed policy folder {folder}: {exc.strerror}; nothing is recorded or "
                          "signed") from None
    return [folder / name for name in names if name.endswith(".toml") and not name.startswith(".")]


def none_installed(env: Mapping[str, str] | None = None) -> bool:
    """Whether reading the managed policy would find nothing and refuse nothing: `CODETAPE_POLICY` unset,
    the system's file absent (not merely unreadable) and no file in policy.d (managed.py not loaded)."""
    if added_path(env) is not None:
        return False
    try:
        os.stat(managed_path(env))
        return False
    except (FileNotFoundError, NotADirectoryError):
        pass
    except OSError:  # there but not readable: reading it says why
        return False
    try:
        return not dropped_paths(env)
    except PolicyError:
        return False


def managed_status(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The managed policy as `codetape status` and `codetape doctor` report it: where it is looked for and
    why there (`source`), and whether it is absent, in force or refused (`problem`): managed.py reads the
    files when there are any."""
    env = os.environ if env is None else env
    added = added_path(env)
    found: dict[str, Any] = {"path": str(managed_path(env)), "source": "the system's location",
                             "environment": environment_problem(env),
                             "added": None if added is None else str(added), "state": "none", "problem": None,
                             "override": None if added is None else (
                                 f"{ENV} is set ({added}): an environment variable can only add a policy to "
                                 "the system's, and an administrator's belongs in its location; unset it "
                                 "unless you set it on purpose")}
    if none_installed(env):  # what reading them would say, without the policy's models (~8 ms)
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
