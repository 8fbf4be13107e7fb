"""One episode's rows of `steps`, `file_states`, `test_runs` and `commands`, gathered while it replays,
with those of the typed tables (typed_rows.py) and of `transitions` and `blobs` (transitions.py).

`StepRows.observe` is verify_replay's observer: it sees each step with the workspace after it, so the
file texts are those `codetape checkout --step N` writes: the saved file's text at every save, every
file's at every commit, every file's at the end (a file recorded without content has no text to give),
each a row of `file_states` naming its text in `blobs` by its hash. `StepRows.before` sees each step
before it is applied (what an edit replaces, the text a burst starts from).
The rows an episode becomes are capped (`limit`, in characters of text): a small episode that unfolds
into gigabytes of rows is refused, not built, and refused before the text that would pass the cap is
added (a step's JSON from the sizes the step knows; a file's text read back is bounded by the replay's
own memory cap, and counted when it is held as a blob).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pyarrow as pa

from collector.dataset.check.reasons import Rejected
from collector.dataset.rows.columns import Columns
from collector.dataset.rows.offers import OfferRows
from collector.dataset.rows.survival import TRACED, Trace
from collector.dataset.rows.tables import COMMANDS, FILE_STATES, STEPS, TASKS, TEST_RUNS
from collector.dataset.rows.transitions import TransitionRows
from collector.dataset.rows.typed_rows import TypedRows
from collector.episode.disk_writes import DiskWrites
from collector.episode.outcome import Outcomes
from collector.episode.step_data import StepsHash, step_data
from collector.export.split import WrittenText
from collector.reconstruct.turns import Turns
from collector.reconstruct.workspace import Workspace, step_texts
from collector.reconstruct.written import on_disk
from collector.text.digest import sha256_text
from schemas import steps as kinds

MAX_ROWS_BYTES = 32 << 20  # what a worker holds of one episode's rows, beside its files
SEAL_EVERY = 4 << 20  # characters of rows gathered before they are turned into Arrow
_SHORT = 256  # a text this short is not scanned for what JSON escapes: 6 characters each at most
_ESCAPES = {chr(code): 1 if chr(code) in '"\\\b\f\n\r\t' else 5 for code in (*range(32), 34, 92)}


class StepRows:
    """The rows of one episode, filled step by step (`observe`), closed by `finish`."""

    def __init__(self, episode_id: str, signer_key_id: str, month: str, *, licence: str | None = None,
                 limit: int = MAX_ROWS_BYTES) -> None:
        common = {"episode_id": episode_id, "signer_key_id": signer_key_id, "month": month,
                  "licence": licence}
        self.steps, self.file_states = Columns(STEPS, common), Columns(FILE_STATES, common)
        self.test_runs, self.commands = Columns(TEST_RUNS, common), Columns(COMMANDS, common)
        self.trace = Trace()  # what became of every inserted character (survival.py)
        self.turns = Turns()  # the agents' turns, and what became of them (turns.py)
        self.typed = TypedRows(common, self._grow, _unicode, self.trace)  # edits, diagnostics, git, cursor
        self.transitions = TransitionRows(common, self._grow, _unicode, self.trace)  # and the blobs
        self.offers = OfferRows(common, self._grow, _unicode)  # offers and preferences
        self._step_columns = self._steps_columns()
        self._sealed_at = 0  # `size` when the rows were last sealed
        self.commits = 0
        self.task: str | None = None
        self.inserted: dict[str, int] = {}  # characters the edits inserted, per origin
        self.written: dict[str, int] = {}  # characters the writes to disk outside the editor inserted
        # over the text on disk before (episode/disk_writes.py): `agent` when an agent claimed the write,
        # else `unknown`; a notebook's save whose virtual document holds the typing: not counted again
        self.disk_writes = DiskWrites()
        self.replaced: str | None = None  # the text on disk before the file_change being applied
        self.content = StepsHash()  # over each step's kind, path and data, in order (not its time)
        self.outcome: str | None = None
        self.written_text = WrittenText()  # for the signature of near duplicates (export/split.py)
        self.outcomes = Outcomes()  # how the episode and its tasks ended (outcome.py)
        self.last_write = -1  # the last step that edited or wrote a file
        self.judged: dict[str, Any] = {}  # the episode's outcome columns, once finished
        self.tasks = Columns(TASKS, common)
        self.limit, self.size = limit, 0
        self.workspace: Workspace | None = None
        self.last: tuple[int, int] = (-1, 0)  # index and t_ms of the last step

    def before(self, index: int, step: kinds.Step, workspace: Workspace) -> None:
        """See a step before the replay applies it (an edit's rows need the text it changes)."""
        self.transitions.before(index, step, workspace)  # (a burst it ends settles before it is traced)
        self.offers.before(index, step, workspace)
        if type(step) is kinds.EditStep:
            doc = workspace.buffers.get(step.path)
            if doc is not None and not self.transitions.reading:  # (an edit that reads a write to disk
                self.typed.edit(index, step, doc)  # in is the editor's: no row; transitions.py says so)
            return
        if type(step) in TRACED:
            self.trace.before(step, workspace)
        if type(step) is kinds.FileChangeStep:
            self.replaced = on_disk(step, workspace)

    def observe(self, index: int, step: kinds.Step, workspace: Workspace) -> None:
        self.workspace, self.last = workspace, (index, step.t_ms)
        if type(step) is kinds.EditStep:  # most steps: a row in `steps` and nothing else
            if self.transitions.reread(step, workspace):  # the editor reading a write in
                self.trace.reread(index, step.t_ms, step.path)
                self._edit(index, step, counted=False)
                return
            self._edit(index, step)
            return
        self._observe(index, step, workspace)
        self._seal_when_due()

    def _edit(self, index: int, step: kinds.EditStep, *, counted: bool = True) -> None:
        """observe() for an edit, inline: most steps are edits (one that read a write in: not `counted` in
        what the episode's edits inserted, the write's)."""
        changes = step.changes
        texts = len(changes[0].text) if len(changes) == 1 else sum(len(change.text) for change in changes)
        most = 6 * texts  # (the characters of their JSON, at most: as json_size counts)
        if self.size + most > self.limit:
            self._room(most)
        data = step_data(step)
        self._grow(len(data))
        self.disk_writes.see(step)
        self._hash("edit", step.path, data)
        self.written_text.edit(step)
        origin = step.origin
        self.last_write = index
        self._step(index, step.t_ms, "edit", step.source, step.path, data, origin, step.origin_detail)
        origin = origin or "unknown"
        if counted:
            self.inserted[origin] = self.inserted.get(origin, 0) + texts
        if self.size - self._sealed_at > SEAL_EVERY:
            self._seal_when_due()

    def _observe(self, index: int, step: kinds.Step, workspace: Workspace) -> None:
        self._room(sum(map(json_size, step_texts(step))))  # (a file's text: the rest of a step is short)
        data = step_data(step)
        self._grow(len(data))
        origin, detail = ((step.origin, step.origin_detail) if type(step) is kinds.FileChangeStep
                          else (None, None))
        path = getattr(step, "path", None)
        self.disk_writes.see(step)
        self._hash(step.kind, path, data)
        self._step(index, step.t_ms, step.kind, step.source, path, data, origin, detail)
        self.typed.observe(index, step)
        if type(step) in TRACED:
            self.trace.after(index, step, workspace)  # (before the transition it ends takes its ids)
            if type(step) is kinds.FileChangeStep:  # (a formatter's: rows of `edits`, with its ids)
                self.typed.formatted(index, step, self.replaced, workspace.encoding)
        if type(step) is kinds.AgentStep or type(step) is kinds.FileChangeStep:
            self.turns.see(index, step, self.trace)
        self.transitions.observe(index, step, workspace)
        match step:
            case kinds.SaveStep():
                text = workspace.text(step.path)
                if text is not None:
                    self._state(index, step.t_ms, "save", step.path, text)
            case kinds.GitStep(op="commit"):
                self.commits += 1
                self.outcomes.committed(index)
                self._states(index, step.t_ms, "commit", workspace)
            case kinds.TestRunStep():
                self.outcomes.tested(index, step)
                self._test_run(index, step)
            case kinds.CommandStep():
                self.commands.add(step=index, t_ms=step.t_ms, source=step.source,
                                  argv=step.argv, command_line=step.command_line, cwd=step.cwd,
                                  exit_code=step.exit_code, duration_ms=step.duration_ms,
                                  output_tail=step.output_tail)
            case kinds.FileChangeStep():
                self.written_text.file_change(step)
                self.last_write = index
                written = self.disk_writes.written(step, self.replaced)
                if written is not None and written[1]:
                    self.written[written[0]] = self.written.get(written[0], 0) + written[1]
            case kinds.TaskStep(action="start"):
                self.task = step.statement if self.task is None else self.task
                self.outcomes.start(index, step.statement, self.last_write)
            case kinds.TaskStep(action="done"):
                self.outcome = step.outcome
                self.outcomes.done(index, step.outcome, self.last_write)
            case _:
                pass  # on purpose: the episode-level rows only; every kind's own rows are typed_rows.py's

    def _hash(self, kind: str, path: str | None, data: str) -> None:
        self.content.update(kind, path, data)

    def _step(self, index: int, t_ms: int, kind: str, source: str, path: str | None, data: str,
              origin: str | None, detail: str | None) -> None:
        steps, times, kinds, sources, paths, datas, origins, details = self._step_columns
        steps.append(index)
        times.append(t_ms)
        kinds.append(kind)
        sources.append(source)
        paths.append(path)
        datas.append(data)
        origins.append(origin)
        details.append(detail)
        self.steps.rows += 1
        self.steps.pending += 1

    def finish(self) -> dict[str, pa.Table]:
        """Every file's text after the last step, then the tables."""
        transitions = self.transitions.finish(self.workspace)
        self.trace.settle()
        pushback = self.turns.pushback(self.trace)
        self.judged = self.outcomes.finish(self.last[0], self.last_write)
        for number, (window, judged) in enumerate(self.outcomes.tasks):
            self._grow(len(window.statement or ""))
            self.tasks.add(task=number, statement=window.statement, first_step=window.first,
                           last_step=window.last, done_step=window.done, **judged)
        offers = self.offers.finish(self.workspace)
        if self.workspace is not None:
            self._states(*self.last, "end", self.workspace)
            self._seal_when_due()
            self.workspace = None  # (its files are not kept beside the tables)
        return {"steps": self.steps.table(), "file_states": self.file_states.table(),
                "test_runs": self.test_runs.table(), "commands": self.commands.table(),
                **self.typed.tables(pushback), **transitions, "tasks": self.tasks.table(), **offers}

    def inserted_by_origin(self) -> list[dict[str, Any]]:
        """The episode row's `inserted_by_origin`: characters written per origin (what the edits and the
        writes to disk inserted, as `--origin` counts them) and their share."""
        written = Counter(self.inserted)
        written.update(self.written)
        total = sum(written.values())
        return [{"origin": origin, "chars": chars, "share": chars / total if total else 0.0}
                for origin, chars in sorted(written.items())]

    @property
    def file_state_count(self) -> int:
        return self.file_states.rows

    def _test_run(self, index: int, step: kinds.TestRunStep) -> None:
        run = {"step": index, "t_ms": step.t_ms, "framework": step.framework,
               "args": step.args, "exit_status": step.exit_status, "run_duration_ms": step.duration_ms}
        tests = step.tests
        if not tests:
            self.test_runs.add(**run, test_index=None, nodeid=None, outcome=None, duration_ms=None,
                               summary=None, kind=None)
            return
        nodeids, summaries = [test.nodeid for test in tests], [test.summary for test in tests]
        self._grow(sum(map(len, nodeids)) + sum(len(summary or "") for summary in summaries))
        self.test_runs.extend(len(tests), run, test_index=range(len(tests)), nodeid=nodeids,
                              outcome=[test.outcome for test in tests],
                              duration_ms=[test.duration_ms for test in tests], summary=summaries,
                              kind=[test.kind or "test" for test in tests])

    def _states(self, index: int, t_ms: int, event: str, workspace: Workspace) -> None:
        """Every file's text, one at a time (not all joined at once)."""
        for path in workspace.paths():
            text = workspace.text(path)
            if text is not None:
                self._state(index, t_ms, event, path, text)
                del text
                self._seal_when_due()

    def _state(self, index: int, t_ms: int, event: str, path: str, text: str) -> None:
        sha256 = sha256_text(text)
        self.transitions.blob(sha256, text)  # (held already, as a transition's text, but for a gap's)
        self.file_states.add(step=index, t_ms=t_ms, event=event, path=path, sha256=sha256)

    def _steps_columns(self) -> tuple[list[Any], ...]:
        """The columns of `steps`, the one table every step has a row in, filled directly."""
        columns = self.steps.columns
        return (columns["step"], columns["t_ms"], columns["kind"], columns["source"], columns["path"],
                columns["data"], columns["origin"], columns["origin_detail"])

    def _grow(self, size: int) -> None:
        """Count `size` more characters, about to be added."""
        self._room(size)
        self.size += size

    def _seal_when_due(self) -> None:
        """Seal every table once the rows gathered since the last seal hold SEAL_EVERY characters (called
        when a step's rows are all in)."""
        if self.size - self._sealed_at > SEAL_EVERY:
            self._sealed_at = self.size
            for columns in (self.steps, self.file_states, self.test_runs, self.commands,
                            *self.typed.columns(), *self.transitions.columns()):
                columns.seal()
            self._step_columns = self._steps_columns()

    def _room(self, size: int) -> None:
        """Refuse the episode when `size` more characters would take its rows above the limit."""
        if self.size + size > self.limit:
            raise Rejected("too_large", f"its rows would hold more than {self.limit >> 20} MiB of text "
                           "(file texts, steps, edits, diffs, tests)")


def json_size(text: str) -> int:
    """The characters `text` takes as a JSON string (at most: a short text is not scanned), counted at C
    speed without making it: a control character takes 6."""
    if len(text) <= _SHORT:
        return 6 * len(text) + 2
    if text.isprintable() and '"' not in text and "\\" not in text:
        return len(text) + 2
    return len(text) + 2 + sum(text.count(char) * extra for char, extra in _ESCAPES.items())


def _unicode(text: str) -> str:
    """`text` as Parquet can hold it: a lone surrogate (an edit that split a pair) becomes U+FFFD; the
    `sha256` column keeps the hash of the text as recorded, the one save steps compare."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text
