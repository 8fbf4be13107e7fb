"""One episode's rows of the typed tables: `edits` (one row per change), `diagnostics` (one per item),
`git` (one per operation), `cursor` and `agent_events` (one per step), as tables.py declares them. An
agent step's prompt is never a column: `agent_events` holds its length (null when the step has none, as
when the developer left it out at review), and on a prompt's row what became of the turn it began
(collector/reconstruct/turns.py), filled once the last step is replayed.

An edit's row says what the change replaced (`deleted`) and where, as character offsets into the text
before it: read from the file's buffer before the step is applied (`edit`, called before the replay
applies it), each change of a step after the ones before it (a copy of the buffer takes them in turn:
steps of several changes are few, a format or a rename). A formatter's write to disk on save (a
`file_change` of origin `format`) has rows too, one per place it changed, as an LSP format's edit
(`formatted`): the dataset's `format` rows are the formatter's changes, however the editor ran it.
Each change is traced as it goes (survival.py): its row's labels, whether what it inserted stayed, are
filled once the last step is replayed. Every text counts against the episode's rows cap (`grow`,
rows.py) before it is added.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import assert_never

import pyarrow as pa

from collector.dataset.rows.columns import Columns
from collector.dataset.rows.survival import Trace, gathered, labelled
from collector.dataset.rows.tables import PUSHBACK, TYPED
from collector.reconstruct.turns import Pushback
from collector.text.document import Document
from collector.text.narrow import Narrowed, narrowed_spans
from schemas import steps as kinds
from schemas.common import PositionEncoding
from schemas.steps.base import Range

Grow = Callable[[int], None]  # count so many more characters about to be added (refuses past the cap)
Clean = Callable[[str], str]  # a text as Parquet can hold it (rows._unicode)


def pushed(schema: pa.Schema) -> pa.Schema:
    """`agent_events`' schema without the pushback columns: what is gathered row by row."""
    return pa.schema([field for field in schema if field.name not in PUSHBACK])


def _span(range_: Range | None) -> tuple[int | None, int | None, int | None, int | None]:
    if range_ is None:
        return None, None, None, None
    return range_.start.line, range_.start.character, range_.end.line, range_.end.character


class TypedRows:
    def __init__(self, constants: dict[str, str | None], grow: Grow, clean: Clean, trace: Trace) -> None:
        self.edits = Columns(gathered(TYPED["edits"]), constants)  # (the labels: at the end, `tables`)
        self.trace = trace
        self.edit_ids: list[int] = []  # each edit row's id in the trace
        self.diagnostics = Columns(TYPED["diagnostics"], constants)
        self.git = Columns(TYPED["git"], constants)
        self.cursor = Columns(TYPED["cursor"], constants)
        self.agent_events = Columns(pushed(TYPED["agent_events"]), constants)  # (pushback: at the end)
        self.grow, self.clean = grow, clean

    def columns(self) -> tuple[Columns, ...]:
        return self.edits, self.diagnostics, self.git, self.cursor, self.agent_events

    def edit(self, index: int, step: kinds.EditStep, doc: Document) -> None:
        """An edit's rows, from its file's buffer `doc` before the step is applied (left as it is)."""
        changes = step.changes
        work = doc if len(changes) == 1 else doc.copy()
        for number, change in enumerate(changes):
            start, end, deleted = work.extract(change.range)
            self.grow(len(deleted) + len(change.text))
            self.edit_ids.append(self.trace.change(index, step.t_ms, step.path, work.size, start, end,
                                                   deleted, change.text))
            if work is not doc:
                work.apply(change.range, change.text)
            start_line, start_character, end_line, end_character = _span(change.range)
            self.edits.append((index, number, step.t_ms, step.path, step.version, start_line, start_character,
                               end_line, end_character, start, end, self.clean(change.text),
                               self.clean(deleted), step.origin, step.origin_detail))  # (EDITS's order)

    def formatted(self, index: int, step: kinds.FileChangeStep, before: str | None,
                  encoding: PositionEncoding) -> None:
        """A formatter's write on save (origin `format`, traced: survival.py `_formatted`) as rows of
        `edits`: one per place it changed in the text on disk `before` it, from the last, as the bridge
        narrows an LSP format's edit (lsp_bridge/capture/sync.py `formatted`); none for the lines it wrote
        again unchanged."""
        places, ids, text = self.trace.step_places, self.trace.step_ids, step.text
        if step.origin != "format" or before is None or text is None or not places:
            return
        spans = narrowed_spans(before, [Narrowed(place.before_start, place.before_end, place.after_end)
                                        for place in places], encoding)
        found = zip(reversed(places), reversed(ids), reversed(spans), strict=True)
        for number, (place, made, (start_line, start_character, end_line, end_character)) in enumerate(found):
            inserted = text[place.after_start:place.after_end]
            deleted = before[place.before_start:place.before_end]
            self.grow(len(deleted) + len(inserted))
            self.edit_ids.append(made)
            self.edits.append((index, number, step.t_ms, step.path, None, start_line, start_character,
                               end_line, end_character, place.before_start, place.before_end,
                               self.clean(inserted), self.clean(deleted), step.origin, step.origin_detail))

    def observe(self, index: int, step: kinds.Step) -> None:
        """The rows of a step other than an edit (none for most kinds)."""
        match step:
            case kinds.DiagnosticsStep():
                self._diagnostics(index, step)
            case kinds.GitStep():
                self.grow(sum(len(file.path) for file in step.files) + len(step.message or ""))
                self.git.add(step=index, t_ms=step.t_ms, op=step.op, sha=step.sha, message=step.message,
                             parents=step.parents, ref=step.ref, old=step.old, new=step.new,
                             detail=step.detail,
                             files=[{"path": file.path, "added": file.added, "deleted": file.deleted,
                                     "change": file.change, "escaped": file.escaped} for file in step.files])
            case kinds.CursorStep():
                caret = step.selections[0].active
                self.cursor.add(step=index, t_ms=step.t_ms, path=step.path, line=caret.line,
                                character=caret.character,
                                selections=[{"anchor_line": s.anchor.line,
                                             "anchor_character": s.anchor.character,
                                             "active_line": s.active.line,
                                             "active_character": s.active.character}
                                            for s in step.selections])
            case kinds.AgentStep():
                self.grow(sum(map(len, step.targets)) + len(step.command_line or ""))
                self.agent_events.add(step=index, t_ms=step.t_ms, agent=step.agent, session=step.session,
                                      event=step.event, hook=step.hook, tool=step.tool, targets=step.targets,
                                      command_line=step.command_line,
                                      prompt_chars=None if step.prompt is None else len(step.prompt),
                                      detail=step.detail, truncated=step.truncated)
            # no typed table of their own: the `steps` table holds them (an edit: `edit`, above)
            case (kinds.OpenStep() | kinds.CloseStep() | kinds.EditStep() | kinds.SaveStep()
                  | kinds.TestRunStep() | kinds.CommandStep() | kinds.FileChangeStep() | kinds.NoteStep()
                  | kinds.TaskStep() | kinds.GapStep() | kinds.RedactionStep() | kinds.OfferStep()):
                pass
            case _:
                assert_never(step)

    def _diagnostics(self, index: int, step: kinds.DiagnosticsStep) -> None:
        row = {"step": index, "t_ms": step.t_ms, "path": step.path, "origin": step.origin,
               "version": step.version}
        if not step.items:
            self.diagnostics.add(**row, item=None, start_line=None, start_character=None, end_line=None,
                                 end_character=None, severity=None, message=None, code=None, source=None)
            return
        self.grow(sum(len(item.message) for item in step.items))
        for number, item in enumerate(step.items):
            start_line, start_character, end_line, end_character = _span(item.range)
            self.diagnostics.add(**row, item=number, start_line=start_line, start_character=start_character,
                                 end_line=end_line, end_character=end_character, severity=item.severity,
                                 message=item.message, code=None if item.code is None else str(item.code),
                                 source=item.source)

    def tables(self, pushback: dict[int, Pushback]) -> dict[str, pa.Table]:
        """The tables, `pushback` (each agent turn's, by its prompt's step) on the prompts' rows."""
        edits = labelled(self.edits.table(), self.trace.each(self.edit_ids), TYPED["edits"])
        events = self.agent_events.table()
        turns = [pushback.get(step) for step in events.column("step").to_pylist()]
        values = {name: [None if turn is None else getattr(turn, name) for turn in turns]
                  for name in PUSHBACK}
        agent_events = labelled(events, values, TYPED["agent_events"])
        return {"edits": edits, "diagnostics": self.diagnostics.table(), "git": self.git.table(),
                "cursor": self.cursor.table(), "agent_events": agent_events}
