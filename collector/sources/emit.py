"""What a watcher is to the session, and the callback it feeds: `emit(at_ms, step)` from its own thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

Emit = Callable[[int, dict[str, Any]], None]


class Watcher(Protocol):
    def start(self) -> None: ...
    def settle(self) -> None: ...
    def stop(self) -> None: ...
