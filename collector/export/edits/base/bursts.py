"""Edit bursts: an episode's steps, with each run of typing in one file grouped into one item.

An **edit burst** is a maximal run of `edit` steps to one file in which
- no step of another kind comes between two of the edits, except `cursor` and `diagnostics` steps: the
  editor reports the caret and the language server its diagnostics while the developer types, so these
  two never end a burst;
- no two consecutive edits are more than `PAUSE_MS` (3 s) apart. Zed coalesces edit events 1 s apart; a
  burst is meant to end where the developer stopped, so the pause is longer.

So a burst ends at an edit to another file, at any other step (open, save, close, command, test run, git,
note, task, gap, file change), at a pause of more than 3 s, or at the end of the episode; once it has
ended it is *settled*. `grouped(steps, workspace)` yields `Burst`s and, for every step outside a burst,
a `Single`, in the episode's order. The cursor and diagnostics steps that arrive while a burst is open
are held and yielded right after it: only the last per file (and origin, for diagnostics), since each
replaces the one before.

`workspace` (reconstruct's Workspace, with its memory and work caps) is moved forward as the steps are
read: after each item it holds the files as they were right after that item. A burst knows its file's
text before its first edit and after its last one, and where the caret was just before its first edit
(`Burst.caret`): the position of the editor's last `cursor` report for the file, or, when an edit to the
file came after that report, the end of that edit (where an editor leaves the caret after typing); where
neither is known (a driver that sends no cursor reports, an agent's write in between), the start of the
burst's first edit, since an edit's own position is where the caret was (`Burst.caret_from` says which:
`cursor`, `edit` or `first_edit`). A position is
kept while the file holds the text it is a position in (`Carets`): reopening the same text or a change on
disk under an open buffer keeps it, a step that gives the file other text (an open, a close over unsaved
edits, a change on disk of a file no editor has open, a gap's state) forgets it. None only when the file
had neither report nor edit since its text was last replaced so and the first edit has no range. Its
diff is made once, when first asked for, spending from the `DiffWork` the bursts of an episode share
(collector/text/linediff.py): past it, a burst's diff is coarse (`Burst.coarse`). A burst in a file of
more than MAX_TEXT characters (before or after it) holds neither text and has no diff (`Burst.too_large`):
its texts are never read back, so a few such files edited over and over cost no copies of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from collector.errors import ReconstructionError
from collector.reconstruct.reloads import Reloads
from collector.reconstruct.workspace import Workspace
from collector.text.linediff import DiffWork, line_diff
from collector.text.positions import caret_after, line_end, line_start, to_index
from schemas import steps as kinds
from schemas.common import PositionEncoding

PAUSE_MS = 3000
MAX_TEXT = 4 << 20  # characters of a file whose bursts are diffed
PASSIVE = (kinds.CursorStep, kinds.DiagnosticsStep)


@dataclass(frozen=True)
class Single:
    """A step outside any burst, with its index among the episode's steps (as `codetape cat` counts)."""

    index: int
    step: kinds.Step
    before: str | None = None  # an agent's write to disk (file_change, origin agent): the text it replaced
    # at the path it landed on (`landed`)

    @property
    def last(self) -> int:
        """The last step it stands for (as Burst.last)."""
        return self.index

    @property
    def end_ms(self) -> int:
        """When it ended (as Burst.end_ms)."""
        return self.step.t_ms


@dataclass
class Burst:
    """One settled edit burst: steps `first`..`last` (indexes), all edits to `path`."""

    path: str
    first: int
    last: int
    start_ms: int
    end_ms: int
    before: str
    caret: tuple[int, int] | None  # (line, character) of the caret before the burst, in LSP units of `before`
    caret_from: str | None = None  # "cursor": the editor's report; "edit": the end of the last edit before;
    # "first_edit": the start of its own first edit
    edits: int = 1
    after: str = ""
    work: DiffWork | None = None  # what its diff may spend (None: a budget of its own)
    too_large: bool = False  # its file had more than MAX_TEXT characters: no texts, no diff
    _made: tuple[str, bool] | None = field(default=None, repr=False)

    def diff(self, *, headers: bool = True) -> str:
        """The unified diff from `before` to `after`; without the ---/+++ lines when `headers` is false."""
        hunks = self._hunks()[0]
        return f"--- a/{self.path}\n+++ b/{self.path}\n{hunks}" if hunks and headers else hunks

    @property
    def coarse(self) -> bool:
        """Whether its diff is coarse: every line between the first change and the last replaced, since
        a smallest diff would have cost more than was left (collector/text/linediff.py)."""
        return self._hunks()[1]

    def _hunks(self) -> tuple[str, bool]:
        if self._made is None:
            made = line_diff(self.before, self.after, work=self.work)
            self._made = ("".join(made.parts), made.coarse)
        return self._made

    def caret_offset(self, encoding: PositionEncoding) -> int:
        """The caret as an index into `before` (LSP line breaks, clamped as LSP clamps); the caret must be
        known."""
        assert self.caret is not None
        line, character = self.caret
        start = line_start(self.before, line)
        if start is None:
            return len(self.before)
        return start + to_index(self.before[start:line_end(self.before, start)], character, encoding)


Item = Burst | Single


def grouped(steps: Iterable[kinds.Step], workspace: Workspace, pause_ms: int = PAUSE_MS,
            work: DiffWork | None = None) -> Iterator[Item]:
    """The steps as bursts and singles, applying each to `workspace` (see the module docstring); the
    bursts' diffs spend from `work`."""
    grouper = Grouper(workspace.encoding, pause_ms, work)
    for index, step in enumerate(steps):
        yield from grouper.before(index, step, workspace)
        _apply(workspace, index, step)
        yield from grouper.after(index, step, workspace)
    yield from grouper.finish(workspace)


class Grouper:
    """`grouped` for a replay it does not drive (the dataset build's, collector/export/follow.py): told of
    each step `before` the replay applies it and `after`, each returning the items that step settled, in
    order; `finish` the last ones once the steps have ended."""

    def __init__(self, encoding: PositionEncoding, pause_ms: int = PAUSE_MS,
                 work: DiffWork | None = None) -> None:
        self.pause_ms, self.work = pause_ms, work
        self.burst: Burst | None = None
        self.held: dict[tuple[str, str, str], Single] = {}
        self.carets = Carets(encoding)
        self._passive = False  # the step being applied is held until the burst it came in settles
        self._replaced: str | None = None  # the text an agent's write being applied replaces
        self.reloads = Reloads()  # an edit that reads a write to disk in is no burst (reloads.py)

    def before(self, index: int, step: kinds.Step, workspace: Workspace) -> list[Item]:
        self.reloads.before(step, workspace)
        burst = self.burst
        if isinstance(step, PASSIVE) and burst is not None:
            self._passive = True
            self.carets.see(step, workspace)
            key = (step.kind, step.path, step.origin if isinstance(step, kinds.DiagnosticsStep) else "")
            self.held.pop(key, None)  # the latest goes last: held stays in the order of the steps
            self.held[key] = Single(index, step)
            return []
        self._passive = False
        settled: list[Item] = []
        if burst is not None and not _continues(burst, step, self.pause_ms):
            settled = [_settled(burst, workspace), *self.held.values()]
            self.held.clear()
            self.burst = burst = None
        if isinstance(step, kinds.EditStep) and burst is None:
            large = (workspace.size(step.path) or 0) > MAX_TEXT
            caret, caret_from = self.carets.get(step.path)
            if caret is None:
                caret, caret_from = _own_caret(step)
            self.burst = Burst(step.path, index, index, step.t_ms, step.t_ms,
                               "" if large else workspace.text(step.path) or "", caret, caret_from,
                               work=self.work, too_large=large)
        self._replaced = workspace.disk.get(landed(step)) \
            if isinstance(step, kinds.FileChangeStep) and step.origin == "agent" else None
        self.carets.see(step, workspace)
        return settled

    def after(self, index: int, step: kinds.Step, workspace: Workspace) -> list[Item]:
        reread = self.reloads.after(step, workspace)
        if self._passive:
            return []
        burst = self.burst
        if reread and burst is not None and burst.first == index:  # the editor reading a write in
            self.burst = None
            return []
        if burst is None:
            return [Single(index, step, self._replaced)]
        if index != burst.first:
            burst.last, burst.end_ms, burst.edits = index, step.t_ms, burst.edits + 1
        return []

    def finish(self, workspace: Workspace) -> list[Item]:
        if self.burst is None:
            return []
        settled: list[Item] = [_settled(self.burst, workspace), *self.held.values()]
        self.burst = None
        self.held.clear()
        return settled


def landed(step: kinds.FileChangeStep) -> str:
    """The path whose text a file change set: a rename's new path (an atomic save renames its temporary
    file over the file it writes), else its own."""
    return step.new_path if step.change == "renamed" and step.new_path is not None else step.path


def _continues(burst: Burst, step: kinds.Step, pause_ms: int) -> bool:
    return (isinstance(step, kinds.EditStep) and step.path == burst.path
            and step.t_ms - burst.end_ms <= pause_ms)


class Carets:
    """Where the caret was last seen in each file: reported by the editor, or left by an edit. Told of each
    step before the replay applies it (`workspace` as it is then); a position is kept while the file holds
    the text it is a position in, so a step that replaces the text with another (an open, a close over
    unsaved edits, a change on disk of a file no editor has open, a save or a gap setting other text)
    forgets it, and one that leaves the text as it was (reopening the same text, a change on disk under an
    open buffer) keeps it."""

    def __init__(self, encoding: PositionEncoding) -> None:
        self.encoding = encoding
        self.known: dict[str, tuple[tuple[int, int], str]] = {}

    def get(self, path: str) -> tuple[tuple[int, int] | None, str | None]:
        found = self.known.get(path)
        return (None, None) if found is None else found

    def see(self, step: kinds.Step, workspace: Workspace) -> None:
        known = self.known
        match step:
            case kinds.CursorStep():
                active = step.selections[0].active
                known[step.path] = ((active.line, active.character), "cursor")
            case kinds.EditStep():
                caret = (0, 0)
                for change in step.changes:  # applied in order: the caret ends after the last one
                    start = (0, 0) if change.range is None else \
                        (change.range.start.line, change.range.start.character)
                    caret = caret_after(*start, change.text, self.encoding)
                known[step.path] = (caret, "edit")
            case kinds.OpenStep():
                self._keep_if(step.path, step.text, workspace)
            case kinds.SaveStep(text=str() as text):
                self._keep_if(step.path, text, workspace)
            case kinds.CloseStep():  # the file then reads as it is on disk
                self._keep_if(step.path, workspace.disk.get(step.path), workspace)
            case kinds.FileChangeStep():
                if step.path not in workspace.buffers:  # (under an open buffer the text stays the editor's)
                    same = step.change == "modified" and step.link is None and step.omitted is None
                    self._keep_if(step.path, step.text if same else None, workspace)
                if step.new_path is not None:
                    known.pop(step.new_path, None)
            case kinds.GapStep(state=None):
                return  # no file's text set: each stays as it was
            case kinds.GapStep(state=list() as state):
                for file in state:
                    if not (step.on_disk_only and file.path in workspace.buffers):
                        self._keep_if(file.path, file.text, workspace)
            case _:  # on purpose: the other kinds leave every text as it was
                return

    def _keep_if(self, path: str, text: str | None, workspace: Workspace) -> None:
        """Forget `path`'s caret unless its text after the step, `text`, is its text now."""
        if path in self.known and (text is None or workspace.text(path) != text):
            del self.known[path]


def _own_caret(step: kinds.EditStep) -> tuple[tuple[int, int] | None, str | None]:
    """An edit's own position as the caret, for a burst with no caret seen before it: its first change's
    start (None for a change with no range, a whole text replaced: no position is known)."""
    where = step.changes[0].range if step.changes else None
    if where is None:
        return None, None
    return (where.start.line, where.start.character), "first_edit"


def _settled(burst: Burst, workspace: Workspace) -> Burst:
    if burst.too_large or (workspace.size(burst.path) or 0) > MAX_TEXT:
        burst.before, burst.too_large = "", True
    else:
        burst.after = workspace.text(burst.path) or ""
    return burst


def _apply(workspace: Workspace, index: int, step: kinds.Step) -> None:
    try:
        workspace.apply(step)
    except ReconstructionError as exc:
        raise type(exc)(f"step {index}: {exc}") from None
