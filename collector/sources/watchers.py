"""The watchers a session runs in the collector, chosen by the channels the workspace records."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from collector.home import Home
from collector.protocol.clock import now_ms
from collector.sources.emit import Emit, Watcher

if TYPE_CHECKING:
    from collector.policy.recording import Policy

def start_watchers(root: Path, policy: Policy, emit: Emit, *,
                   clock: Callable[[], int] = now_ms, home: Home | None = None) -> list[Watcher]:
    """The watchers for `root`'s recorded channels, not yet started. codetape's own state is never watched."""
    # watchdog (~40 ms) only when watchers start, not for the daemon's other users
    from collector.sources.files.file_watcher import FileWatcher
    from collector.sources.git.git_watcher import GitWatcher

    root = root.resolve()
    state = (home or Home.from_env()).root
    skip = (state,) if state.is_relative_to(root) else ()
    channels = policy.settings.channels
    watchers: list[Watcher] = []
    if "git" in channels:
        watchers.append(GitWatcher(root, policy, emit, clock=clock))
    if "files" in channels:
        watchers.append(FileWatcher(root, policy, emit, clock=clock, skip=skip))
    return watchers
