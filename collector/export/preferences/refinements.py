"""Refinement pairs: an AI agent's write and the developer's rewrite of its lines, the rule `dpo-agent`
(dpo_agent.py) writes a row by (docs/exports.md says what a row holds and why).

A *turn* begins at a prompt to an agent (an `agent` step, `event` `prompt`); its writes are the writes to
disk that agent claimed (`file_change`, `origin` `agent`, the agent its `origin_detail` names) until the
next prompt to any agent, as for the turns of collector/reconstruct/turns.py. Each write is followed as a
*place*: the lines of its file it changed (what the text before and after it share at their start and
end, collector/text/linediff.py `between`, so whole lines; every line of a file it created; its empty lines
in front left out, so that neither side starts with a line break a tokenizer would join to the prompt's
last: docs/exports.md), in the text
the developer sees (a stale buffer shows the disk's: collector/reconstruct/reloads.py). Every later change
of that text is found the same way: one in front of the place moves it, one behind it does nothing, and
one that overlaps it, or changes its inside, joins it (the place then spans what the change left there).
The place *settles* at its horizon, the first of:

- the next prompt to an agent (the developer's next instruction: what they did before it is their answer),
- the next commit listing its file (its text then, as it was committed),
- the agent writing the same file again (a later write is its own),
- kto's horizon, HORIZON_MS after the write (every step up to that time counted, none after it:
  collector/reconstruct/offers.py), or the episode's end.

`Settled`: the write's `rejected` text (the place right after the write), its `chosen` text (the place
at the horizon), who else changed the place (`actors`: `developer` for the editor's human edits, `ai` for
a completion model's, `formatter`, `external` for any other write), and the share of the non-whitespace
characters the write inserted still in the files at the horizon (the survival trace's `solid_left`, as
stepwise labels a step; -1.0 when it inserted none). A write whose place holds the same text at the horizon
(untouched, or changed and changed back) makes no row; nor does one that inserted no line (a deletion).
`refinements` runs the rule over a list of steps alone (its own replay), for a test or a reader outside an
export.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from collector.reconstruct.offers import HORIZON_MS
from collector.reconstruct.traced import Traced
from collector.reconstruct.workspace import Workspace
from collector.text.linediff import between
from schemas import steps as kinds
from schemas.common import PositionEncoding
from schemas.steps import Step
from schemas.steps.edit import ORIGIN_CLASS

ACTORS = {"human": "developer", "ai": "ai"}  # an edit's origin class (ORIGIN_CLASS) -> the actor it names


@dataclass(slots=True)
class Turn:
    """A prompt to an agent: its step, the agent, its text (None: left out at review), the task then."""

    index: int
    agent: str
    prompt: str | None
    statement: str | None
    before: dict[str, str | None] = field(default_factory=dict)  # path -> its text before its first write


@dataclass(slots=True)
class Written:
    """One agent write followed: its place [start, end) in its file's shown text, from the write on."""

    index: int
    t_ms: int
    path: str
    turn: Turn
    created: bool
    start: int
    end: int
    rejected: str
    first_line: int  # 1-based, of the place in the text right after the write
    ids: list[int]
    actors: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Settled:
    """A write at its horizon (module docstring)."""

    index: int  # the write's step
    path: str
    agent: str
    turn_index: int
    prompt: str | None
    statement: str | None
    before: str | None  # the file's text before the turn (None: not known, or no file)
    created: bool
    first_line: int
    rejected: str
    chosen: str
    actors: tuple[str, ...]
    kept_share: float
    settled_index: int  # the step it settled before (the number of steps when at the end)


def agent_of(step: kinds.FileChangeStep) -> str:
    """The agent a write's claim names (`origin_detail` `claude-code:Edit` -> `claude-code`)."""
    return (step.origin_detail or "").split(":", 1)[0]


def moved(start: int, end: int, before: str, after: str) -> tuple[int, int, bool]:
    """The place [start, end) of `before` in `after`, and whether the change touched it (module docstring)."""
    if before == after:
        return start, end, False
    a, old_end, new_end = between(before, after)
    if old_end <= start:  # in front of it (an insertion at its start too)
        return start + new_end - old_end, end + new_end - old_end, False
    if a >= end:  # behind it (an insertion at its end too)
        return start, end, False
    first = min(start, a)
    last = max(end, old_end) + new_end - old_end
    return first, last, True


class Refinements:
    """Told of every step before and after the replay applies it (a Follower's before and after); `settled`
    holds every write at its horizon once `finish` ran."""

    def __init__(self) -> None:
        self.traced = Traced()  # started at the first prompt to an agent: nothing before is any turn's
        self.turn: Turn | None = None
        self.statement: str | None = None
        self.open: list[Written] = []
        self.settled: list[Settled] = []
        self._shown: dict[str, str | None] = {}  # the open places' files: their shown text before the step
        self._write: tuple[int, kinds.FileChangeStep, str | None, str | None] | None = None

    def shown(self, path: str, workspace: Workspace) -> str | None:
        return self.traced.reloads.text(path, workspace)

    def before(self, index: int, step: Step, workspace: Workspace) -> None:
        self.open = [one for one in self.open if not self._due(one, index, step, workspace)]
        self._write = None
        match step:
            case kinds.AgentStep(event="prompt"):
                self._settle_all(index, workspace)
                if self.traced.trace is None:
                    self.traced.start()
                self.turn = Turn(index, step.agent, step.prompt, self.statement)
            case kinds.TaskStep(action="start", statement=statement):
                self.statement = statement
            case kinds.TaskStep(action="done"):
                self.statement = None
            case kinds.FileChangeStep(origin="agent", change="created" | "modified") \
                    if self.turn is not None and agent_of(step) == self.turn.agent:
                self._write = (index, step, workspace.disk.get(step.path), self.shown(step.path, workspace))
            case _:  # on purpose: every other step only moves the places (after)
                pass
        self._shown = {one.path: self.shown(one.path, workspace) for one in self.open}
        self.traced.before(index, step, workspace)

    def after(self, index: int, step: Step, workspace: Workspace) -> None:
        self.traced.after(index, step, workspace)
        actor = _actor(step)
        for one in self.open:
            was = self._shown.get(one.path)
            now = self.shown(one.path, workspace)
            if was is None or now is None or was == now:
                continue
            one.start, one.end, touched = moved(one.start, one.end, was, now)
            if touched:
                one.actors.add(actor)
        if self._write is not None:
            self._written(*self._write, workspace)
        if type(step) is kinds.GitStep and step.op == "commit":
            listed = {file.path for file in step.files}
            done = [one for one in self.open if one.path in listed]
            for one in done:
                self._settle(one, index + 1, workspace)
            self.open = [one for one in self.open if one.path not in listed]

    def finish(self, count: int, workspace: Workspace) -> list[Settled]:
        self._settle_all(count, workspace)
        return self.settled

    def _due(self, one: Written, index: int, step: Step, workspace: Workspace) -> bool:
        """Whether `one` settles before `step`: past kto's horizon, or its file written by the agent again."""
        again = type(step) is kinds.FileChangeStep and step.origin == "agent" and step.path == one.path
        if step.t_ms > one.t_ms + HORIZON_MS or again:
            self._settle(one, index, workspace)
            return True
        return False

    def _written(self, index: int, step: kinds.FileChangeStep, disk: str | None, shown: str | None,
                 workspace: Workspace) -> None:
        turn = self.turn
        after = self.shown(step.path, workspace)
        if turn is None or after is None:
            return
        turn.before.setdefault(step.path, disk)
        old = shown if shown is not None else disk
        if old is None:
            start, end = 0, len(after)
        else:
            start, _, end = between(old, after)
        while start < end and after[start] in "\r\n":  # (its empty lines in front: module docstring)
            start += 2 if after.startswith("\r\n", start) else 1
        trace = self.traced.trace
        ids = list(trace.step_ids) if trace is not None else []
        self.open.append(Written(index, step.t_ms, step.path, turn, step.change == "created" and disk is None,
                                 start, end, after[start:end], after.count("\n", 0, start) + 1, ids))

    def _settle_all(self, index: int, workspace: Workspace) -> None:
        for one in self.open:
            self._settle(one, index, workspace)
        self.open = []

    def _settle(self, one: Written, index: int, workspace: Workspace) -> None:
        text = self.shown(one.path, workspace) or ""
        trace = self.traced.trace
        left, solid = trace.solid_left(one.ids, workspace) if trace is not None else (0, 0)
        turn = one.turn
        self.settled.append(Settled(
            one.index, one.path, turn.agent, turn.index, turn.prompt, turn.statement,
            turn.before.get(one.path), one.created, one.first_line, one.rejected, text[one.start:one.end],
            tuple(sorted(one.actors)), left / solid if solid else -1.0, index))


def _actor(step: Step) -> str:
    if type(step) is kinds.EditStep:
        return ACTORS.get(ORIGIN_CLASS.get(step.origin or "unknown", "unknown"), "external")
    if type(step) is kinds.FileChangeStep and step.origin == "format":
        return "formatter"
    return "external"


def changed(one: Settled) -> bool:
    """Whether the developer changed the write's lines by its horizon (a row, unless left out)."""
    return bool(one.rejected) and one.chosen != one.rejected


def refinements(steps: Iterable[Step], encoding: PositionEncoding = "utf-16") -> list[Settled]:
    """Every agent write of `steps` at its horizon, by the rule of this module, over a replay of its own."""
    workspace = Workspace(encoding)
    rule = Refinements()
    count = 0
    for index, step in enumerate(steps):
        rule.before(index, step, workspace)
        workspace.apply(step)
        rule.after(index, step, workspace)
        count = index + 1
    return rule.finish(count, workspace)
