"""Where the organisation's managed policy is looked for (policy/managed.py says what it is and does), and
whether anything is installed there at all (`none_installed`).

Kept apart from managed.py so that a machine with no policy installed, the usual case, says so without
loading the policy's models (managed_status.py, scoped.py: issue 108, item 8, `status` at start-up).
managed.py finds the files through this module's functions (`managed_places.managed_path`, ...), so that
a test moving the system's file moves it for both.
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
    pass

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
