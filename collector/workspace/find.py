"""Which opted-in workspace a path belongs to.

Opt-in is the user's own act: a folder counts only when `codetape init` registered it in the user's
registry and its `.codetape.toml` is theirs alone (workspace/trust.py). A `.codetape.toml` that is not
registered (a cloned repository's, another account's in a shared directory) or not trusted is skipped,
and the walk goes on to the folders above; `ignored_settings` says which were skipped and why.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from collector.home import Home
from collector.workspace.registry import Registry
from collector.workspace.trust import SETTINGS_FILE, settings_problem


def settings_folders(path: Path) -> list[Path]:
    """`path` (resolved) and its ancestors that hold a `.codetape.toml`, nearest first."""
    current = path.expanduser().resolve()
    return [folder for folder in (current, *current.parents) if (folder / SETTINGS_FILE).is_file()]


def find_workspace(path: Path, home: Home) -> Path | None:
    """The nearest ancestor of `path` (or `path` itself) that is an opted-in workspace, resolved."""
    candidates = settings_folders(path)
    if not candidates:
        return None
    registered = set(Registry(home).roots())
    return next((root for root in (_registered(folder, registered) for folder in candidates) if root), None)


def _registered(folder: Path, registered: set[Path]) -> Path | None:
    """The registered root `folder` is: itself, or, on a file system that ignores case, the root spelt
    with other cases that is the same directory (`cd ~/PROJ` in a shell on macOS)."""
    if folder in registered:
        return folder
    for root in registered:
        if str(root).casefold() == str(folder).casefold():
            with contextlib.suppress(OSError):
                if os.path.samefile(root, folder):
                    return root
    return None


def ignored_settings(path: Path, home: Home) -> list[str]:
    """Why each `.codetape.toml` at or above `path` does not opt its folder in (empty: none ignored)."""
    registered = set(Registry(home).registered())
    reasons = []
    for folder in settings_folders(path):
        if folder not in registered:
            reasons.append(f"{folder / SETTINGS_FILE} is ignored: {folder} was not opted in by you "
                           f"(if you trust it: codetape init --force {folder})")
            continue
        problem = settings_problem(folder)
        if problem is not None:
            reasons.append(f"{problem}; it is ignored")
    return reasons
