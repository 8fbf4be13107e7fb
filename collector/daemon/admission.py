"""What a step must pass before it reaches the journal: the workspace's recording policy, and for file
changes the watcher saw, a short hold so the editor's own steps can explain them first.

`admit` drops steps about excluded paths and channels the workspace does not record, strips excluded
paths from gap states, git file lists and an agent's tool targets, and turns an over-large file text into
a `too_large` placeholder. `HeldChanges` keeps watcher changes HOLD_MS, in arrival order (one let go
early takes the changes held before it on its paths along).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from collector.home import Home
from collector.policy.recording import Policy
from collector.text.paths import path_problem

HOLD_MS = 1000


def admit(step: dict[str, Any], policy: Policy, paths: CleanPaths) -> dict[str, Any] | None:
    """The step as it may be written, or None when it must be dropped (excluded path, channel off).

    Paths are stored workspace-relative and normalised (`/abs/ws/a.py`, `./a.py` and `b/../a.py` are
    all `a.py`); a step about a path outside the workspace is dropped, and one about a path no episode
    may hold (text/paths.py) becomes a `malformed_input` gap that does not repeat the path.
    """
    kept = dict(step)
    for key in ("path", "new_path"):
        value = step.get(key)
        if not isinstance(value, str):
            continue
        clean, problem = paths.get(policy, value)
        if clean is None or policy.is_excluded(clean):
            return None
        if problem is not None:
            return {"kind": "gap", "reason": "malformed_input",
                    "detail": f"a {kind_name(step)} step about a path that cannot be recorded: {problem}"}
        kept[key] = clean
    kind = step.get("kind")
    if isinstance(kind, str) and not policy.settings.records(kind):
        return None
    for key in ("state", "files"):  # gap state jumps, git file stats
        entries = kept.get(key)
        if isinstance(entries, list):
            kept[key] = [_entry(e, policy) for e in entries if not (
                isinstance(e, dict) and isinstance(e.get("path"), str) and _unrecordable(e["path"], policy))]
    if kind == "agent":
        _agent_targets(kept, policy, paths)
    if kind == "file_change" and isinstance(kept.get("text"), str):
        size = len(kept["text"].encode("utf-8", "surrogatepass"))
        if size > policy.settings.max_file_bytes:
            kept.update(text=None, omitted="too_large", size=size)
    return kept


class CleanPaths:
    """A path's normalised form (None: outside the workspace) and why it cannot be recorded (None: it
    can), remembered for one workspace: both depend on the path and the workspace's root alone, and a
    keystroke's step repeats the path of the one before. At most `limit` paths are kept."""

    def __init__(self, limit: int = 4096) -> None:
        self._limit = limit
        self._known: dict[str, tuple[str | None, str | None]] = {}

    def get(self, policy: Policy, path: str) -> tuple[str | None, str | None]:
        known = self._known.get(path)
        if known is None:
            if len(self._known) >= self._limit:
                self._known.clear()
            clean = policy.normalize(path)
            known = self._known[path] = (clean, None if clean is None else path_problem(clean))
        return known

    def __len__(self) -> int:
        return len(self._known)


def _agent_targets(step: dict[str, Any], policy: Policy, paths: CleanPaths) -> None:
    """An agent step keeps the targets it may name: inside the workspace, not excluded, recordable, in
    their clean form (and so does what its tool reported it changed, `patch`, which the session takes
    out before the step is written); and its command line only where commands are recorded."""
    targets = step.get("targets")
    if isinstance(targets, list):
        clean = (paths.get(policy, t) if isinstance(t, str) else (None, None) for t in targets)
        step["targets"] = [path for path, problem in clean
                           if path is not None and problem is None and not policy.is_excluded(path)]
        if not step["targets"]:
            del step["targets"]
    patch = step.get("patch")
    if isinstance(patch, dict):  # what the tool reported it changed, by path: the same paths kept
        cleaned = ((paths.get(policy, path), part) for path, part in patch.items() if isinstance(path, str))
        step["patch"] = {path: part for (path, problem), part in cleaned
                         if path is not None and problem is None and not policy.is_excluded(path)}
    else:
        step.pop("patch", None)
    if not policy.settings.records("command"):
        step.pop("command_line", None)


def _unrecordable(path: str, policy: Policy) -> bool:
    clean = policy.normalize(path)
    return clean is None or policy.is_excluded(clean) or path_problem(clean) is not None


def _entry(entry: object, policy: Policy) -> object:
    """A gap state or git file entry with its path normalised (entries that are not maps stay as sent)."""
    if isinstance(entry, dict) and isinstance(entry.get("path"), str):
        return {**entry, "path": policy.normalize(entry["path"])}
    return entry


class HeldChanges:
    """A file's new content seen by the watcher waits HOLD_MS for the editor's own steps (open, edits,
    save), which travel a slower path; the session then drops it if they explain it (an editor's save).
    Changes leave in the order they came, so a create still precedes its rename."""

    def __init__(self) -> None:
        # (release at, came at, at_ms, step), in the order they came
        self._queue: deque[tuple[int, int, object, dict[str, Any]]] = deque()

    def hold(self, at_ms: object, step: dict[str, Any], now: int) -> None:
        """Queue a file change; only new content (created, modified) waits, behind any change held."""
        content = step.get("change") in ("created", "modified")
        self._queue.append((now + HOLD_MS if content else 0, now, at_ms, step))

    def due(self, now: int, *, everything: bool = False) -> Iterator[tuple[object, dict[str, Any]]]:
        """(at_ms, step) of each change due at `now` (all of them with `everything`), in order."""
        while self._queue and (everything or self._queue[0][0] <= now):
            _, _, at_ms, step = self._queue.popleft()
            yield at_ms, step

    def readmit(self, admit: Callable[[dict[str, Any]], dict[str, Any] | None]) -> None:
        """Pass every held change through `admit` again (stricter settings apply to them too): a change
        it drops is no longer held."""
        kept = ((release, came, at_ms, admit(step)) for release, came, at_ms, step in self._queue)
        self._queue = deque((release, came, at_ms, step) for release, came, at_ms, step in kept
                            if step is not None)

    def take(self, wanted: Callable[[object, dict[str, Any]], bool]) -> list[tuple[object, dict[str, Any]]]:
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


def _paths(step: dict[str, Any]) -> set[str]:
    """The paths a held change is about: its file's, and a rename's new one."""
    return {value for key in ("path", "new_path") if isinstance(value := step.get(key), str)}


def own_state(root: Path, home: Home) -> tuple[str, ...]:
    """An anchored glob for CODETAPE_HOME when it lies inside the workspace: never record our own files."""
    try:
        inside = home.root.resolve().relative_to(root)
    except ValueError:
        return ()
    return ("/" + glob_escape(inside.as_posix()) + "/",) if inside.parts else ("**",)


def glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[\\" else c for c in text)


def kind_name(step: dict[str, Any]) -> str:
    kind = step.get("kind")
    return repr(kind[:32]) if isinstance(kind, str) else "kind-less"
