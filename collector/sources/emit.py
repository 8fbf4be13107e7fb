"""What a watcher is to the session, and the callback it feeds: `emit(at_ms, step)` from its own thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from collector.errors import CodetapeError

Emit = Callable[[int, dict[str, Any]], None]


def reason(exc: BaseException) -> str:
    """An exception as the reason a watcher gives for failing: its type and message (only the message for
    a CodetapeError, written for a person)."""
    if isinstance(exc, CodetapeError) and str(exc):
        return str(exc)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class Watcher(Protocol):
    source: str  # the `source` of its steps: "git", "files"

    def start(self) -> None: ...
    def settle(self) -> None: ...
    def stop(self) -> None: ...

    def failure(self) -> str | None:
        """Why the watcher stopped watching on its own (a thread ended, a watched directory went away);
        None while it watches. Its owner then stops it and records a `gap`."""
        ...
