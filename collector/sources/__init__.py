"""Capture sources that run inside the collector, one session each: the git watcher and the file watcher.

The session calls `start_watchers(root, policy, emit)` and then `start()` on each watcher; `emit(at_ms,
step)` receives steps in JSON form (no `t_ms`, paths workspace-relative POSIX) from the watchers' own
threads. Only the channels the workspace records get a watcher.

    git_watcher   .git -> reflog lines (reflog) + ref snapshots (gitread) -> operations (gitops, git_steps)
    file_watcher  the work tree -> file states (filestate) -> file_change / gap
    passthrough   `codetape run`: a command run transparently, its output tail kept
    shell         the shell hook's recorder: command lines spooled by the shell -> command steps

The watchers are imported when started, so `codetape run` and the shell recorder stay light.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from collector.client import now_ms
from collector.home import Home

if TYPE_CHECKING:
    from collector.policy import Policy

Emit = Callable[[int, dict[str, Any]], None]


class Watcher(Protocol):
    def start(self) -> None: ...
    def settle(self) -> None: ...
    def stop(self) -> None: ...


def start_watchers(root: Path, policy: Policy, emit: Emit, *,
                   clock: Callable[[], int] = now_ms, home: Home | None = None) -> list[Watcher]:
    """The watchers for `root`'s recorded channels, not yet started. codetape's own state is never watched."""
    from collector.sources.file_watcher import FileWatcher
    from collector.sources.git_watcher import GitWatcher

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


__all__ = ["Emit", "Watcher", "start_watchers"]
