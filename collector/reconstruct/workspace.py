"""Reconstruction: the text of every file the episode knows, at any step.

A pipeline of small pieces: `Workspace.apply(step)` moves the state one step forward; `replay`
yields (index, step, workspace) so callers can stop, compare or snapshot wherever they like.

Every reader replays through a `Workspace` (verify, replay, report, checkout, diff), so it holds the two
caps that keep a hostile episode from exhausting the machine: memory (`limit`: the files' estimated size)
and work (`work_limit`: characters copied to build and edit the files and to read them back whole, list
slots moved). An edit costs about its own size however long its line (`Document.apply`), so only an
episode that makes the replay redo the same work over and over reaches the work cap: a large file read
back at each of thousands of saves, a line inserted at the top of millions of lines thousands of times.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import NoReturn, assert_never

from collector.episode.keyframe import Keyframe
from collector.episode.limits import MAX_FILES
from collector.episode.resolve import show
from collector.errors import FilesTooLarge, ReconstructionError
from collector.text.digest import sha256_text
from collector.text.document import Document
from schemas import steps as kinds
from schemas.common import PositionEncoding

MAX_WORKSPACE = MAX_FILES  # (a reader's: an episode opened with other limits carries its own)
LINE_COST = 64  # bytes a line takes beyond its characters: its str object and its list slot
MAX_WORK = 8 << 30  # work units (about a character copied each) per replay: seconds of work, not hours
READ_LINE_WORK = 8  # reading a document back whole costs per line about as much as 8 characters


class Workspace:
    """Files as the episode knows them: editor buffers over what is known to be on disk.

    An open document's buffer is what the developer sees; the disk layer is what was last opened,
    saved, or changed outside the editor. A change on disk to a file open in the editor does not
    touch its buffer (the editor decides whether to reload, and says so with its own steps); closing
    a buffer falls back to the disk. A gap's state sets both layers, a snapshot's (GapStep.on_disk_only)
    the disk only. `omitted` files exist on disk but their content was not recorded; `links` are
    symbolic links on disk, by their target string.
    """

    def __init__(self, encoding: PositionEncoding, *, limit: int = MAX_WORKSPACE,
                 work_limit: int = MAX_WORK) -> None:
        self.encoding: PositionEncoding = encoding
        self.buffers: dict[str, Document] = {}
        self.disk: dict[str, str] = {}
        self._omitted: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.limit = limit
        self.weight = 0  # estimated bytes the files take in memory, kept below `limit`
        self._weights: dict[str, int] = {}
        self.work_limit = work_limit
        self.work = 0  # work units spent so far; checked against `work_limit` before every change
        self._clean: dict[str, str] = {}  # buffer -> its text on disk, for a buffer not edited since
        # the buffer text read last, until the next step: several readers of one step (the dataset build's
        # rows and exports, collector/export/follow.py) share one string, and its work is counted once
        self._last_read: tuple[str, str] | None = None

    @property
    def omitted(self) -> dict[str, str]:
        return {path: why for path, why in self._omitted.items() if path not in self.buffers}

    def text(self, path: str) -> str | None:
        """A file's text: its buffer's when it is open (the disk's string itself while the buffer is as it
        was opened or saved: nothing joined, no copy), else the disk's."""
        doc = self.buffers.get(path)
        if doc is None:
            return self.disk.get(path)
        clean = self._clean.get(path)
        if clean is not None:
            return clean
        last = self._last_read
        if last is not None and last[0] == path:
            return last[1]
        text = self.read(doc)
        self._last_read = (path, text)
        return text

    def size(self, path: str) -> int | None:
        """The characters `text(path)` gives, known without joining a buffer's lines."""
        doc = self.buffers.get(path)
        if doc is not None:
            return doc.size
        text = self.disk.get(path)
        return None if text is None else len(text)

    def files_size(self) -> int:
        """The characters `files()` gives, known without joining anything."""
        return sum(doc.size for doc in self.buffers.values()) + \
            sum(len(text) for path, text in self.disk.items() if path not in self.buffers)

    def paths(self) -> list[str]:
        """The paths `files()` holds, in its order."""
        return sorted(self.disk.keys() | self.buffers.keys())

    def files(self) -> dict[str, str]:
        merged = self.disk | {path: self._buffer_text(path, doc) for path, doc in self.buffers.items()}
        return dict(sorted(merged.items()))

    def _buffer_text(self, path: str, doc: Document) -> str:
        clean = self._clean.get(path)
        if clean is not None:
            return clean
        last = self._last_read
        if last is not None and last[0] == path:
            return last[1]
        text = self.read(doc)
        self._last_read = (path, text)
        return text

    def read(self, doc: Document) -> str:
        """A buffer's whole text, joined from its lines: work the next step's check counts."""
        self.work += doc.size + READ_LINE_WORK * doc.line_count
        return doc.text

    def _refuse_work(self, step: kinds.Step) -> NoReturn:
        raise ReconstructionError(
            f"step at {step.t_ms} ms: the replay has already copied or read back "
            f"{self.work_limit >> 30} G characters of file text, the same large file or long line "
            "rebuilt or read over and over (a damaged or hostile episode); refusing to go on")

    def _on_disk(self, path: str, text: str) -> None:
        self._clean.pop(path, None)
        self._omitted.pop(path, None)
        self.links.pop(path, None)
        self.disk[path] = text

    def _off_disk(self, path: str) -> None:
        self._clean.pop(path, None)
        self.disk.pop(path, None)
        self._omitted.pop(path, None)
        self.links.pop(path, None)

    def _link(self, path: str, target: str) -> None:
        self._clean.pop(path, None)
        self.disk.pop(path, None)
        self._omitted.pop(path, None)
        self.links[path] = target

    def _account(self, paths: Iterable[str]) -> None:
        for path in paths:
            doc, text = self.buffers.get(path), self.disk.get(path)
            weight = 0 if doc is None else doc.size + LINE_COST * doc.line_count
            weight += 0 if text is None else len(text) + LINE_COST
            link = self.links.get(path)
            weight += 0 if link is None else len(link) + LINE_COST
            self.weight += weight - self._weights.pop(path, 0)
            if weight:
                self._weights[path] = weight

    def apply(self, step: kinds.Step) -> None:
        """Move one step forward; refuses a step that could take the files above `limit` in memory, and
        any step or change once the replay's work has passed `work_limit` (an edit step refused there
        may be half applied: the workspace is not to be used further)."""
        self._last_read = None
        if type(step) is kinds.EditStep:  # most steps: without the dispatch the other kinds need
            self._edit(step)
            return
        if type(step) is kinds.DiagnosticsStep:
            self._hold(step)
            return
        texts = step_texts(step)
        growth = sum(2 * len(text) + LINE_COST * (text.count("\n") + text.count("\r") + 2) for text in texts)
        if self.weight + growth > self.limit:
            self._refuse_memory(step)
        if self.work > self.work_limit:
            self._refuse_work(step)
        self.work += sum(map(len, texts))  # the documents built from the step's texts
        self._apply(step)
        self._account(step_paths(step))

    def _hold(self, step: kinds.Step) -> None:
        """apply() for a step that adds no text and changes no file (a diagnostics step): its checks."""
        if self.weight > self.limit:
            self._refuse_memory(step)
        if self.work > self.work_limit:
            self._refuse_work(step)

    def _edit(self, step: kinds.EditStep) -> None:
        """apply() for an edit: its memory check, then its changes, each counting its own work."""
        changes = step.changes
        if len(changes) == 1 and self._type_on(step.path, changes[0]):
            return
        growth = 0
        for change in changes:
            text = change.text
            growth += 2 * len(text) + LINE_COST * (text.count("\n") + text.count("\r") + 2)
        if self.weight + growth > self.limit:
            self._refuse_memory(step)
        doc = self.buffers.get(step.path)
        if doc is None:
            self._refuse_closed(step)
        self._clean.pop(step.path, None)
        for change in changes:
            if self.work > self.work_limit:
                self._refuse_work(step)
            self.work += doc.apply(change.range, change.text)
        self._account((step.path,))

    def _type_on(self, path: str, change: kinds.ContentChange) -> bool:
        """An edit that types on where the one before it typed (Document.type_on), with the checks and
        the accounting `_edit` would give it; False, having done nothing, for any other edit or one that
        the checks refuse (`_edit` then applies or refuses it as ever)."""
        doc, text = self.buffers.get(path), change.text
        if doc is None or change.range is None or self.work > self.work_limit or \
                self.weight + 2 * len(text) + 2 * LINE_COST > self.limit:  # (text without a line break)
            return False
        work = doc.type_on(change.range, text)
        if work is None:
            return False
        self._clean.pop(path, None)
        self.work += work
        self.weight += len(text)  # (as `_account` counts it: the size grew by the text, the lines did not)
        self._weights[path] += len(text)
        return True

    def _refuse_memory(self, step: kinds.Step) -> NoReturn:
        raise FilesTooLarge(f"step at {step.t_ms} ms would take the reconstructed files above "
                            f"{self.limit >> 20} MiB in memory; refusing to go on")

    def _refuse_closed(self, step: kinds.EditStep) -> NoReturn:
        raise ReconstructionError(f"edit at {step.t_ms} ms to {step.path}, which is not open (never opened, "
                                  "or closed)")

    def _apply(self, step: kinds.Step) -> None:
        match step:
            case kinds.OpenStep():
                self.buffers[step.path] = Document(step.text, self.encoding)
                self._clean.pop(step.path, None)
                if step.path not in self.disk:
                    self._on_disk(step.path, step.text)
                if self.disk.get(step.path) == step.text:
                    self._clean[step.path] = self.disk[step.path]
            case kinds.SaveStep():
                if step.text is not None:
                    self.buffers[step.path] = Document(step.text, self.encoding)
                    self._clean.pop(step.path, None)
                saved = self.text(step.path) if step.text is None else step.text
                if saved is not None:
                    self._on_disk(step.path, saved)
                    if step.path in self.buffers:
                        self._clean[step.path] = saved
            case kinds.CloseStep():
                self.buffers.pop(step.path, None)
                self._clean.pop(step.path, None)
            case kinds.FileChangeStep():
                self._apply_file_change(step)
            # a snapshot: files no editor has open
            case kinds.GapStep(state=list() as state) if step.on_disk_only:
                for file in state:
                    if file.text is None:
                        self._off_disk(file.path)
                    else:  # as a change on disk: a buffer open over it stays as the editor has it
                        self._on_disk(file.path, file.text)
            case kinds.GapStep(state=list() as state):
                for file in state:
                    if file.text is None:
                        self.buffers.pop(file.path, None)
                        self._off_disk(file.path)
                    else:  # after a hole we cannot know what the editor has open: editable
                        self.buffers[file.path] = Document(file.text, self.encoding)
                        self._on_disk(file.path, file.text)
                        self._clean[file.path] = file.text
            # changes no file (an edit is applied before this)
            case (kinds.EditStep() | kinds.DiagnosticsStep() | kinds.TestRunStep() | kinds.CommandStep()
                  | kinds.GitStep() | kinds.CursorStep() | kinds.NoteStep() | kinds.TaskStep()
                  | kinds.RedactionStep() | kinds.AgentStep() | kinds.OfferStep()):
                pass
            case kinds.GapStep():  # a gap with no state leaves the files as they were
                pass
            case _:
                assert_never(step)

    def _apply_file_change(self, step: kinds.FileChangeStep) -> None:
        if step.change == "deleted":
            self._off_disk(step.path)
            return
        path = step.path
        if step.change == "renamed":
            if step.new_path is None:
                raise ReconstructionError(f"rename at {step.t_ms} ms of {step.path} has no new path")
            self._clean.pop(step.path, None)  # (its string: no longer on disk, not kept beside the buffer)
            text, reason = self.disk.pop(step.path, None), self._omitted.pop(step.path, None)
            target = self.links.pop(step.path, None)
            path = step.new_path
            if text is not None:
                self._on_disk(path, text)
            elif reason is not None:
                self._off_disk(path)
                self._omitted[path] = reason
            elif target is not None:
                self._link(path, target)
        if step.link is not None:
            self._link(path, step.link)
        elif step.omitted is not None:
            self._off_disk(path)
            self._omitted[path] = step.omitted
        elif step.text is not None:
            self._on_disk(path, step.text)

    def keyframe(self, steps: int) -> Keyframe:
        """The files as a keyframe holds them, after the first `steps` steps (the writer's `FileStates`)."""
        buffers = {path: self._buffer_text(path, doc) for path, doc in sorted(self.buffers.items())}
        return Keyframe(steps, buffers, dict(sorted(self.disk.items())), dict(sorted(self._omitted.items())),
                        dict(sorted(self.links.items())))

    @classmethod
    def from_keyframe(cls, keyframe: Keyframe, encoding: PositionEncoding, *, limit: int = MAX_WORKSPACE,
                      work_limit: int = MAX_WORK) -> Workspace:
        """The workspace a replay holds where `keyframe` stands; ReconstructionError above `limit`."""
        workspace = cls(encoding, limit=limit, work_limit=work_limit)
        texts = [*keyframe.buffers.values(), *keyframe.disk.values(), *keyframe.links.values()]
        growth = sum(len(text) + LINE_COST * (text.count("\n") + text.count("\r") + 2) for text in texts)
        if growth > limit:
            raise FilesTooLarge(f"the keyframe after step {keyframe.steps} would take the "
                                      f"reconstructed files above {limit >> 20} MiB in memory; refusing to "
                                      "go on")
        workspace.buffers = {path: Document(text, encoding) for path, text in keyframe.buffers.items()}
        workspace.disk = dict(keyframe.disk)
        workspace._omitted = dict(keyframe.omitted)
        workspace.links = dict(keyframe.links)
        workspace.work = sum(map(len, texts))
        workspace._account([*keyframe.buffers, *keyframe.disk, *keyframe.links])
        return workspace

    def keyframe_problem(self, keyframe: Keyframe) -> str | None:
        """The first way `keyframe` differs from these files (naming the path, never the text), or None."""
        layers: list[tuple[str, dict[str, str], Mapping[str, str | Document]]] = [
            ("editor buffer", keyframe.buffers, self.buffers), ("disk text", keyframe.disk, self.disk),
            ("omitted file", keyframe.omitted, self._omitted), ("link", keyframe.links, self.links)]
        for what, kept, replayed in layers:
            for path in sorted(kept.keys() ^ replayed.keys()):
                if path in kept:
                    return f"it has the {what} {show(path)}, which the replay does not have"
                return f"it lacks the {what} {show(path)}, which the replay has"
            for path, value in kept.items():
                found = replayed[path]
                if (self.read(found) if isinstance(found, Document) else found) != value:
                    return f"its {what} {show(path)} differs from the replay's"
        return None

    def save_mismatch(self, step: kinds.SaveStep) -> str | None:
        """Why a save's hash disagrees with the reconstructed text, or None when it agrees."""
        if step.sha256 is None:
            return None
        text = self.text(step.path)
        if text is None:
            return f"save at {step.t_ms} ms of {step.path}, which the episode never opened"
        if sha256_text(text) != step.sha256:
            return f"save at {step.t_ms} ms of {step.path}: reconstructed text does not match the saved hash"
        return None


def step_texts(step: kinds.Step) -> list[str]:
    """Every text a step can add to the files."""
    match step:
        case kinds.EditStep():
            return [change.text for change in step.changes]
        case kinds.FileChangeStep():
            return [text for text in (step.text, step.link) if text is not None]
        case kinds.OpenStep() | kinds.SaveStep():
            return [] if step.text is None else [step.text]
        case kinds.GapStep(state=list() as state):
            return [file.text for file in state if file.text is not None]
        # adds no text to the files
        case (kinds.CloseStep() | kinds.DiagnosticsStep() | kinds.TestRunStep() | kinds.CommandStep()
              | kinds.GitStep() | kinds.CursorStep() | kinds.NoteStep() | kinds.TaskStep()
              | kinds.RedactionStep() | kinds.AgentStep() | kinds.OfferStep()):
            return []
        case kinds.GapStep():  # a gap with no state adds none
            return []
        case _:
            assert_never(step)


def step_paths(step: kinds.Step) -> list[str]:
    """Every path a step can change."""
    match step:
        case kinds.EditStep() | kinds.OpenStep() | kinds.SaveStep() | kinds.CloseStep():
            return [step.path]
        case kinds.FileChangeStep():
            return [step.path] if step.new_path is None else [step.path, step.new_path]
        case kinds.GapStep(state=list() as state):
            return [file.path for file in state]
        case (kinds.DiagnosticsStep() | kinds.TestRunStep() | kinds.CommandStep() | kinds.GitStep()
              | kinds.CursorStep() | kinds.NoteStep() | kinds.TaskStep() | kinds.RedactionStep()
              | kinds.AgentStep() | kinds.OfferStep()):  # changes no path
            return []
        case kinds.GapStep():  # a gap with no state changes none
            return []
        case _:
            assert_never(step)


def replay(encoding: PositionEncoding,
           steps: Iterable[kinds.Step]) -> Iterator[tuple[int, kinds.Step, Workspace]]:
    """(index, step, workspace after that step) for every step; the workspace object is reused."""
    workspace = Workspace(encoding)
    for index, step in enumerate(steps):
        workspace.apply(step)
        yield index, step, workspace


def workspace_at(encoding: PositionEncoding, steps: Iterable[kinds.Step], stop: int | None = None, *,
                 start: Workspace | None = None, first: int = 0) -> Workspace:
    """The workspace after step `stop` (0-based, inclusive), or after the last step.

    `start` and `first`: the steps begin with step number `first`, applied to `start` (a keyframe's files).
    """
    workspace = Workspace(encoding) if start is None else start
    index = first - 1
    for index, step in enumerate(steps, start=first):
        workspace.apply(step)
        if index == stop:
            return workspace
    if stop is not None:
        raise ReconstructionError(f"step {stop} does not exist: the episode has only {index + 1} steps"
                                  if index >= 0 else "the episode has no steps")
    return workspace
