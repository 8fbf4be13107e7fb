"""One step at a time: every channel of every step kind, the editor buffers, what is on disk, and the paths
(paths.py).

`StepRedactor.step` returns the step to write (None when nothing of it is left: the keystrokes of a
secret typed one at a time after its placeholder), the records the window needs to trace characters back
to the step that inserted them, and characters shown earlier that a secret found now covers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple, assert_never

from msgspec.structs import replace

from collector.redact.stream import channels
from collector.redact.stream.buffer import Buffer, Mark, placeholders_in
from collector.redact.stream.paths import PathRedactor
from collector.redact.stream.text import TextRedactor
from collector.text.digest import sha256_text
from schemas import steps as kinds
from schemas.common import PositionEncoding
from schemas.steps.base import Position, Range
from schemas.text_fields import all_texts

Marks = Mapping[tuple[int, int], Sequence[Mark]]  # (step index, change or file index) -> marks


class Record(NamedTuple):
    """How a step changed one buffer: change `change` replaced `[a, b)` with `inserted` characters
    ("edit"), set its whole text ("set"), or closed it ("drop")."""

    change: int
    path: str
    kind: Literal["edit", "set", "drop"]
    a: int = 0
    b: int = 0
    inserted: int = 0


@dataclass
class RedactionOutcome:
    """A redacted step (None: nothing left of it), how it changed buffers, characters shown before that a
    secret found now covers, and the placeholders it writes (counted)."""

    step: kinds.Step | None
    records: list[Record] = field(default_factory=list)
    visible: list[tuple[str, int, list[Mark]]] = field(default_factory=list)  # (path, change, marks)
    written: Counter[str] = field(default_factory=Counter)


@dataclass
class State:
    buffers: dict[str, Buffer]
    disk: dict[str, tuple[str, str] | None]


class StepRedactor:
    """Buffers (what the editor shows) and disk texts, redacted as the steps go by. `said`, when given,
    redacts what the steps say rather than hold as files (commands and their output, test output, commit
    messages, notes, tasks, agent text), with the same registry and more names to mask (the developer's
    git identity where committed files hold it: gitnames.py). A file's text is redacted by the redactor
    `at` its path (text.py: what some of that file's lines keep, knownnames.py)."""

    def __init__(self, encoding: PositionEncoding, redactor: TextRedactor,
                 said: TextRedactor | None = None) -> None:
        self.encoding: PositionEncoding = encoding
        self.redactor = redactor
        self.said = said if said is not None else redactor
        self.paths = PathRedactor(redactor)
        self.buffers: dict[str, Buffer] = {}
        # paths on disk -> (true text, redacted text) when redaction changed it, None when it did not
        self.disk: dict[str, tuple[str, str] | None] = {}

    def snapshot(self) -> State:
        return State({path: buf.copy() for path, buf in self.buffers.items()}, dict(self.disk))

    def restore(self, state: State) -> None:
        self.buffers = {path: buf.copy() for path, buf in state.buffers.items()}
        self.disk = dict(state.disk)

    def step(self, step: kinds.Step, index: int, marks: Marks) -> RedactionOutcome:
        outcome = self._step(step, index, marks)
        if (outcome.step is not None and outcome.step is not step
                and not isinstance(outcome.step, kinds.EditStep)):
            for text in texts(outcome.step):
                outcome.written.update(placeholders_in(text))
        if outcome.step is not None:  # secrets in file names (paths.py)
            outcome.step = self.paths.step(outcome.step, outcome.written)
        return outcome

    def _step(self, step: kinds.Step, index: int, marks: Marks) -> RedactionOutcome:
        r = self.said
        match step:
            case kinds.EditStep():
                return self._edit(step, index, marks)
            case kinds.OpenStep():
                return self._open(step, index, marks)
            case kinds.SaveStep():
                return self._save(step, index, marks)
            case kinds.CloseStep():
                buf = self.buffers.pop(step.path, None)
                self._remember(buf)
                return RedactionOutcome(step, [Record(0, step.path, "drop")])
            case kinds.FileChangeStep():
                return RedactionOutcome(self._file_change(step))
            case kinds.GapStep():
                return self._gap(step, index, marks)
            case kinds.DiagnosticsStep():
                return RedactionOutcome(self._diagnostics(step))
            case kinds.CursorStep():
                return RedactionOutcome(self._cursor(step))
            case kinds.CommandStep():
                return RedactionOutcome(channels.command(step, r))
            case kinds.TestRunStep():
                return RedactionOutcome(channels.test_run(step, r))
            case kinds.GitStep():
                return RedactionOutcome(channels.git(step, r))
            case kinds.NoteStep():
                return RedactionOutcome(channels.note(step, r))
            case kinds.TaskStep():
                return RedactionOutcome(channels.task(step, r))
            case kinds.AgentStep():
                return RedactionOutcome(channels.agent(step, r))
            case kinds.OfferStep():
                return RedactionOutcome(self._offer(step))
            case kinds.RedactionStep():  # its rule and placeholder are the redactor's own: nothing to redact
                return RedactionOutcome(step)
            case _:
                assert_never(step)

    # -- buffers -------------------------------------------------------------------------------------------

    def _edit(self, step: kinds.EditStep, index: int, marks: Marks) -> RedactionOutcome:
        buf = self.buffers.get(step.path)
        if buf is None:  # an edit to a buffer never opened: it will not replay, but it must not leak
            redact = self.redactor.at(step.path).redact
            changes = [c if (t := redact(c.text)) == c.text else replace(c, text=t)
                       for c in step.changes]
            return RedactionOutcome(_with_changes(step, changes))
        outcome = RedactionOutcome(step)
        out: list[kinds.ContentChange] = []
        same = True
        for n, change in enumerate(step.changes):
            done = buf.change(change.range, change.text, marks.get((index, n), ()))
            kind: Literal["edit", "set"] = "set" if change.range is None else "edit"
            outcome.records.append(Record(n, step.path, kind, done.a, done.b, len(change.text)))
            if done.visible:
                outcome.visible.append((step.path, n, done.visible))
            if done.written:
                outcome.written.update(done.written)
            if done.same:
                out.append(change)
            else:
                same = False
                out.extend(done.changes)
        if not same:
            outcome.step = _with_changes(step, out) if out else None
        return outcome

    def _open(self, step: kinds.OpenStep, index: int, marks: Marks) -> RedactionOutcome:
        mine = marks.get((index, 0), ())
        buf = self.buffers.get(step.path)
        if buf is not None:
            text = buf.reset(step.text, mine)
        else:
            redactor = self.redactor.at(step.path)
            buf = self.buffers[step.path] = Buffer(step.text, self.encoding, redactor, mine)
            text = buf.redacted_text()
        if step.path not in self.disk:
            self.disk[step.path] = (step.text, text) if text != step.text else None
        out = step if text == step.text else replace(step, text=text)
        return RedactionOutcome(out, [Record(0, step.path, "set")])

    def _save(self, step: kinds.SaveStep, index: int, marks: Marks) -> RedactionOutcome:
        buf = self.buffers.get(step.path)
        records: list[Record] = []
        true: str | None = None
        red: str | None = None
        if step.text is not None:
            mine = marks.get((index, 0), ())
            if buf is None:
                buf = self.buffers[step.path] = Buffer(step.text, self.encoding, self.redactor.at(step.path),
                                                       mine)
                red = buf.redacted_text()
            else:
                red = buf.reset(step.text, mine)
            true = step.text
            records.append(Record(0, step.path, "set"))
        elif buf is not None:
            true, red = (buf.true_text(), buf.redacted_text()) if buf.hidden else (None, None)
        else:
            entry = self.disk.get(step.path)
            true, red = entry if entry is not None else (None, None)
        if buf is not None:
            self._remember(buf)
            changed = true is not None and red is not None and true != red
            self.disk[step.path] = (true, red) if changed and true is not None and red is not None else None
        update: dict[str, object] = {}
        if step.text is not None and red != step.text:
            update["text"] = red
        if step.sha256 is not None and true is not None and red is not None and true != red \
                and sha256_text(true) == step.sha256:
            update["sha256"] = sha256_text(red)
        return RedactionOutcome(replace(step, **update) if update else step, records)

    def _remember(self, buf: Buffer | None) -> None:
        """What secrets left in a buffer (edited values) stays hidden wherever it appears."""
        if buf is not None and buf.hidden:
            for fragment, secret in buf.fragments():
                self.redactor.registry.alias(fragment, secret)

    # -- disk and state jumps ------------------------------------------------------------------------------

    def _disk_text(self, path: str, text: str) -> str:
        buf = self.buffers.get(path)
        same = buf is not None and buf.true_text() == text
        red = buf.redacted_text() if buf is not None and same else self.redactor.at(path).redact(text)
        self.disk[path] = (text, red) if red != text else None
        return red

    def _file_change(self, step: kinds.FileChangeStep) -> kinds.FileChangeStep:
        if step.change == "deleted":
            self.disk.pop(step.path, None)
            return step
        target = step.path
        if step.change == "renamed" and step.new_path is not None:
            entry = self.disk.pop(step.path, None)
            target = step.new_path
            self.disk[target] = entry
        if step.link is not None:  # a link's target string is a text like any other
            self.disk.pop(target, None)
            link = self.redactor.redact(step.link)
            return step if link == step.link else replace(step, link=link)
        if step.text is None:
            return step
        red = self._disk_text(target, step.text)
        if red == step.text:
            return step
        update: dict[str, object] = {"text": red}
        if step.sha256 is not None and step.sha256 == sha256_text(step.text):
            update["sha256"] = sha256_text(red)
        return replace(step, **update)

    def _gap(self, step: kinds.GapStep, index: int, marks: Marks) -> RedactionOutcome:
        out = channels.gap_detail(step, self.said)
        if step.state is None:
            return RedactionOutcome(out)
        if step.on_disk_only:  # a snapshot: texts on disk, as a file change's
            disk = [file if file.text is None or (red := self._disk_text(file.path, file.text)) == file.text
                    else replace(file, text=red) for file in step.state]
            changed = any(new is not old for new, old in zip(disk, step.state, strict=True))
            return RedactionOutcome(replace(out, state=disk) if changed else out)
        records: list[Record] = []
        state: list[kinds.FileState] = []
        for n, file in enumerate(step.state):
            if file.text is None:
                self.buffers.pop(file.path, None)
                self.disk.pop(file.path, None)
                records.append(Record(n, file.path, "drop"))
                state.append(file)
                continue
            buf = self.buffers.get(file.path)
            mine = marks.get((index, n), ())
            if buf is not None:  # a gap's state also opens the file for editing, as reconstruction does
                red = buf.reset(file.text, mine)
            else:
                buf = self.buffers[file.path] = Buffer(file.text, self.encoding, self.redactor.at(file.path),
                                                       mine)
                red = buf.redacted_text()
            records.append(Record(n, file.path, "set"))
            self.disk[file.path] = (file.text, red) if red != file.text else None
            state.append(file if red == file.text else replace(file, text=red))
        if any(new is not old for new, old in zip(state, step.state, strict=True)):
            out = replace(out, state=state)
        return RedactionOutcome(out, records)

    # -- positions in buffers ------------------------------------------------------------------------------

    def _diagnostics(self, step: kinds.DiagnosticsStep) -> kinds.DiagnosticsStep:
        buf = self.buffers.get(step.path)
        if buf is None or not buf.hidden:
            return channels.diagnostics(step, self.redactor)
        items = [replace(d, range=buf.map_range(d.range)) for d in step.items]
        return channels.diagnostics(step, self.redactor, items)

    def _cursor(self, step: kinds.CursorStep) -> kinds.CursorStep:
        buf = self.buffers.get(step.path)
        if buf is None or not buf.hidden:
            return step
        selections = []
        for sel in step.selections:
            anchor = buf.map_range(_point(sel.anchor)).start
            active = buf.map_range(_point(sel.active)).start
            selections.append(kinds.Selection(anchor=anchor, active=active))
        return replace(step, selections=selections)

    def _offer(self, step: kinds.OfferStep) -> kinds.OfferStep:
        out = channels.offer(step, self.redactor)
        buf = self.buffers.get(step.path)
        return out if buf is None or not buf.hidden else replace(out, range=buf.map_range(step.range))


def _point(position: Position) -> Range:
    return Range(start=position, end=position)


def _with_changes(step: kinds.EditStep, changes: list[kinds.ContentChange]) -> kinds.EditStep:
    if len(changes) == len(step.changes) and all(a is b for a, b in zip(changes, step.changes, strict=True)):
        return step
    return replace(step, changes=changes)


def texts(step: kinds.Step) -> Iterator[str]:
    """Every text a step carries, free and file (schemas/text_fields.py), to count placeholders and look
    for values."""
    return all_texts(step)
