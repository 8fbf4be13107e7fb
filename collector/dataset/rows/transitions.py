"""One episode's `transitions` (state -> action -> state) and the file texts they refer to (`blobs`).

An action is what the developer did: an edit burst once it settles (collector/export/edits/base/bursts.py's
notion: edits to one file, none more than PAUSE_MS after the one before, cursor and diagnostics steps between
them ending nothing), a command, a test run, a git operation. Its row holds the state it started from (the
caret last recorded in its file, the diagnostics then current, the last test run's outcomes: what arrives
while a burst goes on is the next action's state, never this one's) and what it did to the files: one row per
file whose text it changed (`before_sha256` -> `after_sha256`, with the unified diff), or one row without a
path when it changed none. The caret is where the editor last reported it in the file, else where the last
edit left it (bursts.py `Carets`, as the zeta export takes it; `caret_from` says which). Whose work a row is
(`origin`): a burst's edits' origin, or `mixed` with the share of the characters inserted per origin in
`origin_detail` when they differ; an origin whose edits only deleted counts for nothing beside one that
inserted (the developer's `x` in a burst of undos is the undo's row, its detail the undos'), and when no edit
inserted anything the row is the deleting origins' (`mixed`, naming them, when they differ); a file_change's
own (an agent's or another program's write to disk is a row of its own). Files also change without an action
of the developer's (opened from disk, written by another program, closed over an unsaved buffer, a gap's
state): each such step that changed a file's text is a row too (`kind` is the step's), so replaying every
row's `after_sha256` in order gives, after any row, the files `codetape checkout --step LAST_STEP` writes.

Every text a row names is in `blobs` once per episode (the dataset keeps it once: output/blob_store.py); texts
and diffs count against the episode's rows cap. Diffs are made by collector/text/linediff.py within
DIFF_WORK per episode (past it, coarse), and only of texts up to bursts.MAX_TEXT characters.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from collector.dataset.rows.columns import Columns
from collector.dataset.rows.survival import Trace, columns, gathered, labelled
from collector.dataset.rows.tables import BLOBS, TRANSITIONS
from collector.episode.summary import shares_text
from collector.export.edits.base.bursts import MAX_TEXT, PAUSE_MS, Carets
from collector.reconstruct.reloads import Reloads, edited
from collector.reconstruct.workspace import Workspace, step_paths
from collector.text.digest import sha256_text
from collector.text.linediff import DiffWork, line_diff
from schemas import steps as kinds

LISTED = 64  # diagnostics and failing tests a row lists
MAX_DIFF = 1 << 20  # characters of a diff kept (a longer one is null: the blobs hold both texts)
DIFF_WORK = 64_000_000  # linediff's work per episode: a few seconds at most
ACTIONS = (kinds.CommandStep, kinds.TestRunStep, kinds.GitStep)  # a row even when they change no file
CARET_FROM = {"cursor": "editor", "edit": "edit"}  # bursts.Carets' names -> the column's
_NOTHING: tuple[list[int], list[int]] = ([], [])  # a row that inserted nothing traced
Grow = Callable[[int], None]
Clean = Callable[[str], str]


@dataclass
class _Action:
    """An action under way: its steps, the state it started from, the texts before it (by path)."""

    kind: str
    first: int
    start_ms: int
    context: dict[str, Any]
    before: dict[str, str | None]  # None: no text, or one too large to diff (then in `large`)
    large: set[str]
    path: str | None = None
    last: int = 0
    end_ms: int = 0
    edits: int = 0
    paths: list[str] = field(default_factory=list)
    origins: Counter[str] = field(default_factory=Counter)  # characters inserted per origin (a burst's)
    details: dict[str, set[str | None]] = field(default_factory=dict)  # origin -> its edits' details
    origin: str | None = None  # a file_change's, or a write's the editor reads in
    detail: str | None = None
    written: list[int] | None = None  # the trace's ids of that write (what its row holds)
    ids: int = 0  # the trace's first id of what its edits inserted (a burst's are the ids from it on)

    def add(self, step: kinds.EditStep) -> None:
        """Count a burst's edit: the characters it inserted, by its origin."""
        origin = step.origin or "unknown"
        self.origins[origin] += sum(len(change.text) for change in step.changes)
        self.details.setdefault(origin, set()).add(step.origin_detail)

    def whose(self) -> tuple[str | None, str | None]:
        """(origin, origin_detail) of the action's row."""
        if self.kind != "edit" or self.written is not None:
            return self.origin, self.detail
        inserting = [origin for origin, chars in self.origins.items() if chars]
        whose = inserting or list(self.origins)  # (nothing inserted: the deleting origins)
        if len(whose) > 1:
            return "mixed", shares_text(self.origins) or ", ".join(sorted(whose))
        origin = next(iter(whose), "unknown")
        details = self.details.get(origin, set())
        return None if origin == "unknown" else origin, next(iter(details)) if len(details) == 1 else None


class TransitionRows:
    def __init__(self, constants: dict[str, str | None], grow: Grow, clean: Clean, trace: Trace) -> None:
        self.rows = Columns(gathered(TRANSITIONS), constants)  # (the labels: at the end, `finish`)
        self.trace = trace
        self.traced: list[tuple[list[int], list[int]]] = []  # per row: ids, their characters counted
        self.blobs = Columns(BLOBS, {})
        self.grow, self.clean = grow, clean
        self.held: set[str] = set()  # the texts in this episode's blobs, by sha256
        self.state: dict[str, str] = {}  # path -> the sha256 of its text as checkout writes it
        self.burst: _Action | None = None
        self.single: _Action | None = None
        # (path, origin) -> current items
        self.diagnostics: dict[tuple[str, str], list[kinds.Diagnostic]] = {}
        self.carets: Carets | None = None  # (made with the workspace's encoding)
        self.tests: dict[str, Any] = {"test_run_step": None, "tests_passed": None, "tests_failed": None,
                                      "failing": None}
        self.work = DiffWork(DIFF_WORK)
        self.actions = 0
        self.reloads = Reloads()  # a file written over its clean buffer: the write's action, not the reload's
        self.reading = False  # the edit being applied reads a write to disk in (`_reads_in`)
        self.unread: dict[str, tuple[str, str | None, str | None, list[int]]] = {}  # path -> (sha256,
        # origin, detail, the trace's ids it made)
        # of a write over a buffer with unsaved edits, which the editor may read in later

    def columns(self) -> tuple[Columns, ...]:
        return self.rows, self.blobs

    def before(self, index: int, step: kinds.Step, workspace: Workspace) -> None:
        """See `step` before the replay applies it: a burst it ends settles, an action it starts begins."""
        if self.carets is None:
            self.carets = Carets(workspace.encoding)
        self.reloads.before(step, workspace)
        if type(step) is not kinds.DiagnosticsStep:
            if type(step) is not kinds.CursorStep:
                self._begin(index, step, workspace)
            self.carets.see(step, workspace)  # (after the action it starts took the caret before it)

    def _begin(self, index: int, step: kinds.Step, workspace: Workspace) -> None:
        burst = self.burst
        if burst is not None:
            if (type(step) is kinds.EditStep and step.path == burst.path
                    and step.t_ms - burst.end_ms <= PAUSE_MS):
                burst.last, burst.end_ms, burst.edits = index, step.t_ms, burst.edits + 1
                burst.add(step)
                return
            self._settle(burst, workspace)
        if type(step) is kinds.EditStep:
            path = step.path
            self.reading = self._reads_in(step, workspace)
            if self.reading:  # the editor reading a write in: no burst of the developer's
                unread = self.unread.get(path)
                if unread is not None:  # (over unsaved edits: the text shown changes, the write's row)
                    self.single = _Action("edit", index, step.t_ms, self._context(path),
                                          *self._texts([path], workspace), path, index, step.t_ms, 1, [path],
                                          origin=unread[1], detail=unread[2], written=unread[3])
                return
            self.burst = _Action("edit", index, step.t_ms, self._context(path),
                                 *self._texts([path], workspace), path, index, step.t_ms, 1, [path],
                                 ids=len(self.trace.inserted))
            self.burst.add(step)
            return
        paths = step_paths(step)
        if paths or isinstance(step, ACTIONS):
            self.single = _Action(step.kind, index, step.t_ms, self._context(paths[0] if paths else None),
                                  *self._texts(paths, workspace), None, index, step.t_ms, 0, paths)
            if type(step) is kinds.FileChangeStep:
                self.single.origin, self.single.detail = step.origin, step.origin_detail

    def observe(self, index: int, step: kinds.Step, workspace: Workspace) -> None:
        """See `step` applied: its rows, once it ends an action; what it says about the state."""
        self.reloads.after(step, workspace)  # (a close that reads a write in: as shown, no change)
        if type(step) is kinds.FileChangeStep:
            self._written(step, workspace)
        match step:
            case kinds.CursorStep():
                pass
            case kinds.DiagnosticsStep():
                key = (step.path, step.origin)
                if step.items:
                    self.diagnostics[key] = step.items
                else:
                    self.diagnostics.pop(key, None)
            case _:  # every other kind ends the action before it (real work, not a skip)
                single, self.single = self.single, None
                if single is not None:
                    self._emit(single, workspace, always=isinstance(step, ACTIONS))
                if type(step) is kinds.TestRunStep:
                    self._tested(index, step)

    def reread(self, step: kinds.EditStep, workspace: Workspace) -> bool:
        """See an edit applied (observe's, for an edit); True when it was the editor reading a write to disk
        in (`reading`, said before it): no edit of the developer's."""
        self.reloads.after(step, workspace)
        if not self.reading:
            return False
        self.reading = False
        single, self.single = self.single, None
        if single is not None:
            self.unread.pop(step.path, None)
            self._emit(single, workspace, always=False)
        return True

    def _reads_in(self, step: kinds.EditStep, workspace: Workspace) -> bool:
        """Before the replay applies an edit: whether it is the editor reading a write to disk in, into a
        stale buffer (reloads.py) or over unsaved edits (VS Code's Revert File): its changes make the buffer
        exactly the text written."""
        path = step.path
        if self.reloads.stale(path):
            return self.reloads.reads(step, workspace)
        unread = self.unread.get(path)
        disk = workspace.disk.get(path)
        shown = workspace.text(path)
        return unread is not None and disk is not None and shown is not None and \
            sha256_text(disk) == unread[0] and edited(shown, step, workspace) == disk

    def finish(self, workspace: Workspace | None) -> dict[str, pa.Table]:
        """The tables, once the burst under way (if any) has settled in `workspace` (after the last step)."""
        if self.burst is not None and workspace is not None:
            self._settle(self.burst, workspace)
        labels = columns([self.trace.labels(ids, counts) for ids, counts in self.traced])
        return {"transitions": labelled(self.rows.table(), labels, TRANSITIONS), "blobs": self.blobs.table()}

    def blob(self, sha256: str, text: str) -> None:
        """Hold `text` (whose hash is `sha256`) in this episode's blobs, once."""
        if sha256 not in self.held:
            self.grow(len(text))
            self.held.add(sha256)
            self.blobs.add(sha256=sha256, text=self.clean(text))

    def _settle(self, burst: _Action, workspace: Workspace) -> None:
        self.burst = None
        self._emit(burst, workspace, always=True)

    def _emit(self, action: _Action, workspace: Workspace, *, always: bool) -> None:
        changed = []
        for path in action.paths:
            text = self.reloads.text(path, workspace)
            after = None if text is None else sha256_text(text)
            before = self.state.get(path)
            if after is not None:
                self.blob(after, text)  # type: ignore[arg-type]  # (after is None when text is)
                self.state[path] = after
            else:
                self.state.pop(path, None)
            if after != before or action.kind == "edit":
                changed.append((path, before, after, text))
        if not changed and not always:
            return
        origin, detail = action.whose()
        written = action.written  # the ids of a write the editor reads in with this step
        if action.kind in ("open", "close", "save") and len(changed) == 1:
            unread = self.unread.pop(changed[0][0], None)  # the editor read in a write it had held back
            if unread is not None and unread[0] == changed[0][2]:
                origin, detail, written = unread[1], unread[2], unread[3]
        row = {"action": self.actions, "kind": action.kind, "first_step": action.first,
               "last_step": action.last, "start_ms": action.start_ms, "end_ms": action.end_ms,
               "edits": action.edits, "origin": origin, "origin_detail": detail, **action.context}
        self.actions += 1
        if not changed:
            self.rows.add(**row, path=None, before_sha256=None, after_sha256=None, diff=None,
                          diff_coarse=None)
            self.traced.append(_NOTHING)
        traced = written if written is not None else range(action.ids, len(self.trace.inserted)) \
            if action.kind == "edit" else self.trace.step_ids if action.kind == "file_change" else []  # (a
        # burst settles before the step after it is traced: the ids from its first on are its own)
        for path, before, after, text in changed:
            paths, alive = self.trace.paths, self.trace.alive  # (what it holds at its end is counted)
            wrote = action.kind == "file_change" or written is not None
            counted = self.trace.inserted if wrote else alive  # (a write: what it wrote, shown or not yet: a
            # buffer reads it in, or is saved over it)
            held = [(one, counted[one]) for one in traced if counted[one] and paths[one] == path]
            self.traced.append(([one for one, _count in held], [count for _one, count in held]) if held
                               else _NOTHING)
            made = path not in action.large and before is not None and after is not None
            diff, coarse = self._diff(path, action.before[path], text) if made else (None, None)
            self.rows.add(**row, path=path, before_sha256=before, after_sha256=after, diff=diff,
                          diff_coarse=coarse)

    def _written(self, step: kinds.FileChangeStep, workspace: Workspace) -> None:
        """A write to disk over a buffer with unsaved edits (the view keeps the buffer): remember whose it
        was, for the step that reads it in, if one does."""
        path = step.new_path or step.path
        if path in workspace.buffers and step.text is not None and \
                self.reloads.text(path, workspace) != step.text:
            self.unread[path] = (sha256_text(step.text), step.origin, step.origin_detail,
                                 list(self.trace.step_ids))
        else:
            self.unread.pop(path, None)

    def _texts(self, paths: list[str], workspace: Workspace) -> tuple[dict[str, str | None], set[str]]:
        """The texts of `paths` now as the developer sees them (None: none), but those of more than
        MAX_TEXT characters (`large`)."""
        large = {path for path in paths if (workspace.size(path) or 0) > MAX_TEXT}
        return {path: None if path in large else self.reloads.text(path, workspace) for path in paths}, large

    def _diff(self, path: str, before: str | None, after: str | None) -> tuple[str | None, bool | None]:
        if len(after or "") > MAX_TEXT:
            return None, None  # (a text too large to diff)
        made = line_diff(before or "", after or "", work=self.work)
        hunks = "".join(made.parts)
        if len(hunks) > MAX_DIFF:
            return None, made.coarse
        diff = f"--- a/{path}\n+++ b/{path}\n{hunks}" if hunks else ""
        self.grow(len(diff))
        return self.clean(diff), made.coarse

    def _context(self, path: str | None) -> dict[str, Any]:
        """The state an action starts from, as its row's columns."""
        caret, caret_from = (None, None) if path is None or self.carets is None else self.carets.get(path)
        items = [(item_path != path, item.severity or 1, item_path, origin, item)
                 for (item_path, origin), found in self.diagnostics.items() for item in found]
        count = len(items)
        items.sort(key=lambda entry: entry[:4])
        listed = [{"path": item_path, "origin": origin, "severity": item.severity, "message": item.message,
                   "start_line": item.range.start.line, "start_character": item.range.start.character,
                   "end_line": item.range.end.line, "end_character": item.range.end.character}
                  for _other, _severity, item_path, origin, item in items[:LISTED]]
        self.grow(sum(len(item.message) for *_key, item in items[:LISTED]))
        return {"caret_line": None if caret is None else caret[0],
                "caret_character": None if caret is None else caret[1],
                "caret_from": CARET_FROM.get(caret_from or ""),
                "diagnostics": listed, "diagnostic_count": count, **self.tests}

    def _tested(self, index: int, step: kinds.TestRunStep) -> None:
        failing = [test.nodeid for test in step.tests if test.outcome in ("failed", "error")]
        self.tests = {"test_run_step": index,
                      "tests_passed": sum(test.outcome == "passed" for test in step.tests),
                      "tests_failed": len(failing), "failing": failing[:LISTED]}

