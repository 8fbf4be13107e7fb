"""The watcher's changes the intake holds (collector/daemon/intake/hold.py): a file's new content seen by the
watcher waits HOLD_MS for the editor's own steps, which travel a slower path, in arrival order (one let go
early takes the changes held before it on its paths along); a view an editor's steps may yet explain waits
longer, up to EXPLAIN_MS (held_views.py).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator

from schemas import steps as kinds

HOLD_MS = 1000
# the longest a watcher's view waits for the editor's steps that may explain it (held_views.py):
# the bridge holds an edit up to 1.5 s for its origin (lsp_bridge/authorship/origins.py), then hands it on
EXPLAIN_MS = 3 * HOLD_MS
Kept = Callable[[kinds.Step, int, object], bool]  # (a held change, when it came, its at_ms): it waits on


class HeldChanges:
    """A file's new content seen by the watcher waits HOLD_MS for the editor's own steps (open, edits,
    save), which travel a slower path; the session then drops it if they explain it (an editor's save).
    Changes leave in the order they came, so a create still precedes its rename."""

    def __init__(self) -> None:
        # (release at, came at, at_ms, step), in the order they came
        self._queue: deque[tuple[int, int, object, kinds.Step]] = deque()

    def hold(self, at_ms: object, step: kinds.Step, now: int) -> None:
        """Queue a file change (or a git step behind one); only new content (created, modified) waits,
        behind any change held."""
        content = type(step) is kinds.FileChangeStep and step.change in ("created", "modified")
        self._queue.append((now + HOLD_MS if content else 0, now, at_ms, step))

    def due(self, now: int, *, everything: bool = False,
            kept: Kept | None = None) -> Iterator[tuple[object, kinds.Step]]:
        """(at_ms, step) of each change due at `now` (all of them with `everything`), in order; one `kept`
        says waits on (with what came after it on its paths, and any git step after it): `kept(step, came,
        at_ms)`, `came` when it came (the daemon's clock), asked once it is off the queue."""
        if kept is None or everything:
            while self._queue and (everything or self._queue[0][0] <= now):
                _, _, at_ms, step = self._queue.popleft()
                yield at_ms, step
            return
        waiting: list[tuple[int, int, object, kinds.Step]] = []
        waits: set[str] = set()
        while self._queue and self._queue[0][0] <= now:
            item = self._queue.popleft()
            step = item[3]
            paths = _paths(step)
            if kept(step, item[1], item[2]) or not waits.isdisjoint(paths) \
                    or (waiting and type(step) is kinds.GitStep):
                waiting.append(item)
                waits.update(paths)
            else:
                yield item[2], step
        self._queue.extendleft(reversed(waiting))

    def holds_text(self, path: str, sha256: str) -> bool:
        """Whether a change of `path` to the text of hash `sha256` is held."""
        return any(type(step) is kinds.FileChangeStep and step.path == path and step.sha256 == sha256
                   for _, _, _, step in self._queue)

    def came(self, step: kinds.Step) -> int | None:
        """When the held `step` (this very step) came (the daemon's clock); None when it is not held."""
        return next((came for _, came, _, held in self._queue if held is step), None)

    def holds_path(self, path: str) -> bool:
        """Whether a change of `path` is held (a view of the file taken off the queue is superseded)."""
        return any(type(step) is kinds.FileChangeStep and step.path == path for _, _, _, step in self._queue)

    def readmit(self, admit: Callable[[kinds.Step], kinds.Step | None]) -> None:
        """Pass every held change through `admit` again (stricter settings apply to them too): a change
        it drops is no longer held."""
        kept = ((release, came, at_ms, admit(step)) for release, came, at_ms, step in self._queue)
        self._queue = deque((release, came, at_ms, step) for release, came, at_ms, step in kept
                            if step is not None)

    def take(self, wanted: Callable[[object, kinds.Step], bool]) -> list[tuple[object, kinds.Step]]:
        """(at_ms, step) of each held change `wanted(at_ms, step)` says, in order, no longer held; with each,
        the changes held before it on one of its paths (and theirs before them), so that what is taken
        still follows what it depends on: a temporary file's creation stays before its rename over the
        file wanted (an agent's tool saving through `app.py.tmp.X`, whose rename its call claims)."""
        ids: set[int] = set()
        needed: set[str] = set()
        for _, _, at_ms, step in reversed(self._queue):
            paths = _paths(step)
            if wanted(at_ms, step) or not needed.isdisjoint(paths):
                ids.add(id(step))
                needed.update(paths)
        if not ids:
            return []
        taken = [(at_ms, step) for _, _, at_ms, step in self._queue if id(step) in ids]
        self._queue = deque(item for item in self._queue if id(item[3]) not in ids)
        return taken

    def came_by(self, when: int) -> bool:
        """Whether a change that came at or before `when` is still held."""
        return bool(self._queue) and self._queue[0][1] <= when

    def __bool__(self) -> bool:
        return bool(self._queue)

    def __len__(self) -> int:
        return len(self._queue)


def _paths(step: kinds.Step) -> set[str]:
    """The paths a held change is about: its file's, and a rename's new one."""
    if type(step) is kinds.FileChangeStep:
        return {step.path} if step.new_path is None else {step.path, step.new_path}
    return set()
