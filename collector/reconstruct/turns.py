"""Pushback: what became of each of an AI agent's turns, the reward signal labs train agents on (the dataset's
`agent_events`, the ATIF and swe-messages exports: docs/exports.md).

A turn is an `agent` step whose `event` is `prompt`; it ends at the first later step of the same agent
and `session` that is a `stop`, a `prompt` or a `session_end`. Its writes are the file changes the agent
claimed (`origin` `agent`, the agent its `origin_detail` names) from its prompt to the agent's next prompt:
the file watcher records a write once its burst went quiet, which may be after the hook that ended the
turn (collector/daemon/agent_claims.py). Per turn:

- `interrupted`: whether the developer stopped the turn before the agent finished it, where the agent's
  hooks say so (INTERRUPTS), else empty (None), as for a turn with no end in the episode:
  - `claude-code`, `codex`: the turn ended with no `stop` (a prompt or the session's end came first).
    Checked with the pinned agents (tests/e2e/agents/test_pushback.py): Claude Code calls no Stop hook for
    a turn the developer interrupts (its SDK's interrupt, what Esc does in its terminal), Codex none for
    one stopped with Ctrl-C (`codex exec`, whose SessionEnd follows). A turn that failed (an API error)
    calls none either, and counts as interrupted too;
  - `cursor`: its stop hook's status (`detail`): `aborted` true, `completed` false, `error` empty (as
    Cursor documents the hook; no Cursor runs here);
  - `acp`: the prompt's stop reason (`detail`): `cancelled` true, `error` empty, any other false;
  - `gemini-cli`, `opencode`: empty: whether AfterAgent or `session.idle` come for a turn the developer
    stopped is not known here;
- `wrote_chars`: the non-whitespace characters its writes inserted (as the survival trace counts them,
  collector/reconstruct/survival.py);
- `undone_within_ms`: from its end to the first step that removed any of those characters (the
  developer's edit or write, git, a later turn's write: what was reverted or rewritten), empty when none
  was removed before the episode's end, or it wrote none. A write the same turn wrote over again is not
  counted: what the turn left is what is followed;
- `survived_to_end`: the share of those characters left at the episode's end, empty when it wrote none;
  `survived_to_commit` the share on disk at the next commit listing each file (the end's share when a
  file had no commit after the write), `survived_30s` and `survived_5min` whether some were still there
  so long after the turn's end (its last write's time when it has no end: horizons.py), all empty when
  it wrote none.

The dataset's build follows the turns on its own trace (collector/dataset/rows/rows.py); an export, whose
replay it does not drive, on a trace of its own (`Followed`), started at the episode's first prompt to an
agent (nothing before it is any turn's).

Whether the developer corrected the agent in the next prompt is not a column: codetape does not judge
what a prompt means; the next prompt is the next `user` message of the same row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from collector.reconstruct.horizons import persisted
from collector.reconstruct.survival import Trace
from collector.reconstruct.traced import Traced
from collector.reconstruct.workspace import Workspace
from schemas import steps as kinds

# how each agent's hooks tell an interrupted turn (the module's docstring): "no stop", a turn that ended
# without a `stop`; "status", the `stop` step's detail; an agent not named here: not known
INTERRUPTS = {"claude-code": "no stop", "codex": "no stop", "cursor": "status", "acp": "status"}
STOPPED = {"aborted": True, "cancelled": True, "completed": False}  # a `stop`'s detail -> interrupted
UNKNOWN_STATUS = ("error",)  # a `stop` whose detail says nothing of who stopped it


@dataclass(frozen=True)
class Pushback:
    interrupted: bool | None = None
    wrote_chars: int = 0
    undone_within_ms: int | None = None
    survived_to_end: float | None = None
    survived_to_commit: float | None = None
    survived_30s: bool | None = None
    survived_5min: bool | None = None


NONE = Pushback()


@dataclass
class _Turn:
    agent: str
    t_end: int | None = None
    interrupted: bool | None = None
    ids: list[int] = field(default_factory=list)


class Turns:
    """The turns of one episode, step by step; their pushback once the last step is applied."""

    def __init__(self) -> None:
        self.turns: dict[int, _Turn] = {}  # the prompt's step index -> its turn
        self.open: dict[tuple[str, str | None], int] = {}  # (agent, session) -> its open turn's prompt
        self.latest: dict[str, int] = {}  # agent -> its latest turn's prompt

    def see(self, index: int, step: kinds.Step, trace: Trace) -> None:
        """Take `step` (at `index`), once `trace` has applied it (an agent's write: the ids it inserted,
        watched from here on for their first removal)."""
        if type(step) is kinds.AgentStep:
            self._agent(index, step)
        elif type(step) is kinds.FileChangeStep and step.origin == "agent" and trace.step_ids:
            made = trace.step_ids
            trace.watched.update(made)
            latest = self.latest.get((step.origin_detail or "").split(":", 1)[0])
            for prompt in [latest] if latest is not None else self.open.values():
                self.turns[prompt].ids.extend(made)

    def _agent(self, index: int, step: kinds.AgentStep) -> None:
        key = (step.agent, step.session)
        if step.event not in ("stop", "prompt", "session_end"):
            return
        prompt = self.open.pop(key, None)
        if prompt is not None:
            turn = self.turns[prompt]
            turn.t_end = step.t_ms
            turn.interrupted = _interrupted(step)
        if step.event == "prompt":
            self.open[key] = index
            self.latest[step.agent] = index
            self.turns[index] = _Turn(step.agent)

    def pushback(self, trace: Trace) -> dict[int, Pushback]:
        """Each turn's pushback, by its prompt's step index (the trace has seen every step)."""
        return {index: _pushback(turn, trace) for index, turn in self.turns.items()}


def _interrupted(end: kinds.AgentStep) -> bool | None:
    """Whether the turn `end` ended was interrupted, as its agent's hooks say (None: they do not)."""
    rule = INTERRUPTS.get(end.agent)
    if rule == "no stop":
        return end.event != "stop"
    if rule == "status" and end.event == "stop" and end.detail not in UNKNOWN_STATUS:
        return STOPPED.get(end.detail or "", False)
    return None


def _pushback(turn: _Turn, trace: Trace) -> Pushback:
    interrupted = turn.interrupted if turn.t_end is not None else None
    ids = [made for made in turn.ids if trace.inserted[made]]
    if not ids:
        return Pushback(interrupted)
    counts = [trace.inserted[made] for made in ids]
    wrote = sum(counts)
    left = sum(min(trace.alive[made], trace.inserted[made]) for made in ids)
    end = turn.t_end
    cuts = [trace.first_cut[made] for made in ids if made in trace.first_cut]
    later = [cut for cut in cuts if end is not None and cut >= end]
    undone = min(later) - end if later and end is not None else None
    labels = trace.labels(ids, counts)
    since = max(trace.t_ms[made] for made in ids) if end is None else end  # (the horizons' start)
    none_left = (0 if not left else None) if labels.reverted_within_ms is None else \
        max(min(trace.t_ms[made] for made in ids) + labels.reverted_within_ms - since, 0)  # (0: never shown)
    to_commit = labels.survived_to_commit
    return Pushback(interrupted, wrote, undone, left / wrote,
                    left / wrote if to_commit is None else to_commit, **persisted(none_left))


class Followed:
    """The turns of a replay an export follows, on a trace of its own from the first prompt on."""

    def __init__(self) -> None:
        self.traced = Traced()
        self.turns = Turns()

    def before(self, index: int, step: kinds.Step, workspace: Workspace) -> None:
        if self.traced.trace is None and type(step) is kinds.AgentStep and step.event == "prompt":
            self.traced.start()
        self.traced.before(index, step, workspace)

    def after(self, index: int, step: kinds.Step, workspace: Workspace) -> None:
        self.traced.after(index, step, workspace)
        trace = self.traced.trace
        if trace is not None and (type(step) is kinds.AgentStep or type(step) is kinds.FileChangeStep):
            self.turns.see(index, step, trace)

    def pushback(self) -> dict[int, Pushback]:
        """Each turn's pushback, by its prompt's step index, once the replay has ended."""
        trace = self.traced.trace
        return self.turns.pushback(trace) if trace is not None else {}
