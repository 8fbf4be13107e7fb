"""`stepwise`: a row per mistake and its fix, in TRL's stepwise-supervision form (docs/exports.md says what
a row holds and how each step is labelled).

`StepwiseExporter` follows the replay's items (follow.py): a *segment* runs from a failing test run to the
next green one (collector/episode/outcome.py `green`), a failing run between them starting none. Its
prompt is the task's statement and the failing run as swe-messages gives a run's result
(traces/base/swe_calls.py `test_result`); its steps are the edit bursts between (edits/base/bursts.py,
each its unified diff) and the writes to disk from outside the editor (swe_calls.py `file_writes`), each
labelled by the dataset's own survival trace (collector/reconstruct/traced.py `reverted`: none of its
non-whitespace characters left at the green run). The trace runs from the failing run to the green one
only (what the files hold at the failing run is text found), so an episode pays its memory only in a
segment. A segment holding a redaction placeholder, a burst in a file too large to diff (bursts.py
MAX_TEXT) or no step that changed a file is left out, counted.
"""

from __future__ import annotations

import shlex
from collections import Counter
from dataclasses import dataclass, field

from collector.episode import Episode
from collector.episode.lines import json_line
from collector.episode.outcome import FAILED, green
from collector.export.allowance import Allowance, Writes
from collector.export.edits.base.bursts import Burst, Item
from collector.export.follow import Items
from collector.export.per_episode import Following
from collector.export.traces.base.swe_calls import file_writes, test_result, unified
from collector.reconstruct.traced import Traced
from collector.reconstruct.workspace import Workspace
from collector.redact.placeholders import PLACEHOLDER_RE
from collector.text.linediff import DiffWork
from schemas.contract import Contract, fields
from schemas.steps import EditStep, FileChangeStep, Step, TaskStep, TestRunStep

# each step's label, and the share left it is read from
LABELS = frozenset({"labels", "surviving_shares"})
CONTRACTS = {"stepwise": Contract(
    "a row per failing test run and the next green one, each step between labelled, for TRL's PRMTrainer",
    (*fields(("tests", "notes"),
             ("prompt", "string", "the task's statement and the failing run's command and result",
              "free_text")),
     *fields(("edits", "files"),
             ("completions", "list[string]", "each step's unified diff: an edit burst, or a write to "
                                             "disk from "
              "outside the editor", "file_text"),
             ("labels", "list[bool]", "per step: false when none of its inserted non-whitespace "
                                      "characters is "
              "left in the files at the green run"),
             ("surviving_shares", "list[float]", "per step: the share of them left then (-1: none inserted)"),
             ("completion_steps", "list[list[int]]", "per step: its first and last step"),
             ("completion_actors", "list[string]", "per step: whose it is: developer, agent or external"),
             ("outside_writes", "bool", "an agent or a program wrote between the runs")),
     *fields(("build",), ("name", "string", "`<episode id>:<failing step>-<passing step>`: the row's id")),
     *fields(("tests",),
             ("failing_step", "int", "the failing test run's step"),
             ("passing_step", "int", "the next green run's step")),
     *fields(("build",), ("split", "string", "train or eval: the episode's side of the split"))),
    LABELS)}


class StepwiseExporter(Following):
    def follower(self, out: Writes, episode: Episode, allowance: Allowance) -> Segments:
        return Segments(out, episode, self.result.skipped, self.result.splits[str(episode.header.episode_id)],
                        allowance.diffs)


def failing(step: TestRunStep) -> bool:
    """Whether a test run failed: a test failed or errored, or the runner exited non-zero."""
    return step.exit_status not in (None, 0) or any(test.outcome in FAILED for test in step.tests)


def prompt(run: TestRunStep, statement: str | None) -> str:
    """What the developer faced at a failing run (module docstring)."""
    task = f"The task:\n{statement}\n\n" if statement else ""
    command = shlex.join([run.framework, *run.args])
    return f"{task}The tests failed ({command}):\n{test_result(run)}\n"


@dataclass(frozen=True)
class Write:
    """A write to disk from outside the editor in a segment: its step, whose, its diff, the ids it made."""

    index: int
    actor: str
    diff: str
    ids: list[int]


@dataclass
class Segment:
    """A failing run, the task then, and the bursts and writes since, each with the ids of what it
    inserted."""

    index: int
    run: TestRunStep
    statement: str | None
    bursts: list[tuple[Burst, range] | Write] = field(default_factory=list)


class Segments(Items):
    """The episode's bursts and test runs as they settle, the trace beside them; a row per segment."""

    def __init__(self, out: Writes, episode: Episode, skipped: Counter[str], split: str,
                 work: DiffWork) -> None:
        super().__init__(episode.header.position_encoding, work)
        self.out, self.skipped, self.split = out, skipped, split
        self.episode_id = str(episode.header.episode_id)
        self.traced = Traced()
        self.mark = 0  # the trace's first id of the burst open (its ids run from it on)
        self.statement: str | None = None  # the task under way
        self.segment: Segment | None = None
        self.written = 0
        self.work = work
        self.disk_before: dict[str, str | None] = {}  # a write's paths: their text on disk before it

    def before(self, index: int, step: Step, workspace: Workspace) -> None:
        super().before(index, step, workspace)  # (a burst this step ends settles before it is traced)
        burst = self.grouper.burst
        if type(step) is EditStep and burst is not None and burst.first == index:
            self.mark = self.traced.made
        if type(step) is FileChangeStep and self.segment is not None:
            self.disk_before = {path: workspace.disk.get(path) for path in filter(None, (step.path,
                                                                                          step.new_path))}
        self.traced.before(index, step, workspace)

    def after(self, index: int, step: Step, workspace: Workspace) -> None:
        self.traced.after(index, step, workspace)
        super().after(index, step, workspace)

    def item(self, item: Item, workspace: Workspace) -> None:
        if isinstance(item, Burst):
            if self.segment is not None:
                self.segment.bursts.append((item, range(self.mark, self.traced.made)))
            return
        match item.step:
            case FileChangeStep() as write if self.segment is not None:
                trace = self.traced.trace
                ids = list(trace.step_ids) if trace is not None else []
                actor = "agent" if write.origin == "agent" else "external"
                for path, before, after in file_writes(write, self.disk_before.get, workspace):
                    diff = unified(path, before, after, self.work)
                    if diff:
                        self.segment.bursts.append(Write(item.index, actor, diff, ids))
            case TaskStep(action="start", statement=statement):
                self.statement = statement
            case TaskStep(action="done"):
                self.statement = None
            case TestRunStep() as run if green(run):
                if self.segment is not None:
                    self._row(self.segment, item.index, workspace)
                self.segment = None
                self.traced.stop()
            case TestRunStep() as run if failing(run) and self.segment is None:
                self.segment = Segment(item.index, run, self.statement)
                self.traced.start()  # (only what is inserted from here on is labelled)
            case _:  # on purpose: only a task's start and end and a test run bound a segment
                pass

    def _label(self, ids: range | list[int], workspace: Workspace) -> tuple[bool, float]:
        """A step's label and surviving share (module docstring)."""
        trace = self.traced.trace
        left, solid = trace.solid_left(ids, workspace) if trace is not None else (0, 0)
        if not solid:  # (whitespace alone, or nothing inserted: as the characters say)
            return not self.traced.reverted(ids), -1.0
        return left > 0, left / solid

    def _row(self, segment: Segment, passing: int, workspace: Workspace) -> None:
        if any(not isinstance(one, Write) and one[0].too_large for one in segment.bursts):
            self.skipped["segments with a file too large to diff"] += 1
            return
        steps = [(one.diff, self._label(one.ids, workspace), [one.index, one.index], one.actor)
                 if isinstance(one, Write) else
                 (one[0].diff(), self._label(one[1], workspace), [one[0].first, one[0].last], "developer")
                 for one in segment.bursts]
        steps = [step for step in steps if step[0]]
        if not steps:
            self.skipped["segments with no change"] += 1
            return
        text = prompt(segment.run, segment.statement)
        if any(PLACEHOLDER_RE.search(one) for one in (text, *(diff for diff, _, _, _ in steps))):
            self.skipped["segments with a redaction placeholder"] += 1
            return
        actors = [actor for _, _, _, actor in steps]
        self.out.write(json_line({"prompt": text, "completions": [diff for diff, _, _, _ in steps],
                                  "labels": [label for _, (label, _), _, _ in steps],
                                  "surviving_shares": [share for _, (_, share), _, _ in steps],
                                  "completion_steps": [span for _, _, span, _ in steps],
                                  "completion_actors": actors,
                                  "outside_writes": any(actor != "developer" for actor in actors),
                                  "name": f"{self.episode_id}:{segment.index}-{passing}",
                                  "failing_step": segment.index, "passing_step": passing,
                                  "split": self.split}))
        self.written += 1

    def end(self, workspace: Workspace) -> int:
        return self.written
