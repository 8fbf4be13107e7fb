"""The turns of a swe-messages row (swe_messages.py): each action of the episode as a tool call, who made it
(`actor`: the `developer` or an AI `agent`) and which AI, and the prompts the developer gave an agent.

    Call     a tool call and its result; `actor`, `agent` (which AI, for an agent's call)
    Prompt   the developer's prompt to an AI agent (empty when they left it out at review)
    Whose    who made each edit burst and write: the edits' origins as the replay goes, the agents'
             self-descriptions (generalised in unlinkable mode)
    act      an item as the row's turns

An edit burst is the agent's when one of its edits has an AI origin (`ai_completion`, `agent`: the classes
of schemas/steps/edit.py), else the developer's (an edit without evidence included); a write to disk is the
agent's when an agent claimed it (`origin` agent), else the developer's (a formatter, git, a script run on
their machine). Commands, test runs and git are the developer's: an agent's own tool calls other than its
writes (reads, searches, its shell commands, whose output no hook gives) are not actions here.

Which AI: the agent the evidence names (`origin_detail` `claude-code:...`, an agent step's `agent`), an
ACP agent by its self-description (its `session_start` detail, "NAME VERSION"), `unknown` when the evidence
names none (an inline suggestion of the editor's). codetape records no model name of its own
(consent/generalise.py); in an episode signed unlinkably a self-description has its versions at
major.minor and its model names as their family (generalise.py `agent_label`, what minimisation does).

A `codetape run -- pytest` is one action: the test run the pytest plugin (or `go test -json`) reported
during a command's run (at most 1 s outside it, and at most 10 s before its end), or the JUnit report read
after it, and the command are one `run_tests` call, the command's line and folder among its arguments and
its exit code after the test results.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, assert_never, get_args

from collector.consent.generalise import agent_label
from collector.episode.outcome import FAILED
from collector.export.edits.base.bursts import Burst, Single
from collector.reconstruct.workspace import Workspace
from collector.stats.activity import language_of
from collector.text.linediff import DiffWork, line_diff
from schemas import Step
from schemas import steps as kinds
from schemas.steps.agent import AgentName
from schemas.steps.edit import ORIGIN_CLASS

MAX_FAILING = 20
SLACK_MS = 1000  # a test run reported up to 1 s outside its command's run is its (as daemon/junit_runs.py)
ENDED_MS = 10_000  # ... when the command ended at most 10 s after it (not a dev server's hour around it)
AGENTS = frozenset(get_args(AgentName))
UNKNOWN = "unknown"


@dataclass
class Call:
    """One action: a tool call and what came back."""

    name: str
    arguments: dict[str, Any]
    result: str
    actor: str = "developer"
    agent: str = ""  # which AI, for an agent's call


@dataclass
class Prompt:
    """The developer's prompt to an AI agent (`index`: its step, the turn's key: reconstruct/turns.py)."""

    text: str
    agent: str
    index: int = -1


Turn = Call | Prompt


@dataclass
class Pending:
    """What a span holds to make a command and its test run one call."""

    test: tuple[Call, int] | None = None  # the last run_tests call with no command yet, and when it ran
    command: tuple[Call, kinds.CommandStep] | None = None  # the last run_command call with no test run yet
    changed: dict[str, int] = field(default_factory=dict)  # language -> lines changed, for `language`


class Whose:
    """Who made each edit burst and write, and the languages of the files (see the module docstring)."""

    def __init__(self, unlinkable: bool) -> None:
        self.unlinkable = unlinkable
        self.ai: dict[int, str] = {}  # an AI edit not yet in a burst: index -> its evidence's where
        self.described: dict[str, str] = {}  # an ACP agent's self-description, its latest
        self.languages: dict[str, str] = {}  # path -> the languageId its editor opened it with

    def see(self, index: int, step: Step) -> None:
        """Note a step before the replay applies it."""
        if type(step) is kinds.EditStep:
            if step.origin is not None and ORIGIN_CLASS.get(step.origin) == "ai":
                self.ai[index] = _where(step.origin_detail)
        elif type(step) is kinds.OpenStep and step.language_id:
            self.languages[step.path] = step.language_id
        elif type(step) is kinds.AgentStep and step.event == "session_start" and step.agent == "acp" \
                and step.detail:
            self.described["acp"] = agent_label(step.detail) if self.unlinkable else step.detail

    def burst(self, burst: Burst) -> tuple[str, str]:
        """(actor, which AI) of an edit burst."""
        if not self.ai:
            return "developer", ""
        ai = [where for index, where in self.ai.items() if burst.first <= index <= burst.last]
        self.ai = {index: where for index, where in self.ai.items() if index > burst.last}
        if not ai:
            return "developer", ""
        return "agent", self.which(next((where for where in ai if where in AGENTS), UNKNOWN))

    def which(self, agent: str) -> str:
        """Which AI, for the agent the evidence names (see the module docstring)."""
        if agent not in AGENTS:
            return UNKNOWN
        return self.described.get(agent, agent)

    def language(self, path: str) -> str:
        return self.languages.get(path) or language_of(path)


def act(turns: list[Turn], pending: Pending, whose: Whose, item: Burst | Single,
        before: Callable[[str], str | None], workspace: Workspace, work: DiffWork) -> bool:
    """Add the item's turns to `turns` (nothing for what is not an action); whether it edited or wrote a
    file. `before(path)`: a file's text before a write, as the row knows it."""
    if isinstance(item, Burst):
        if not item.too_large and item.before == item.after:
            whose.burst(item)
            return False  # (a burst that left its file as it was, `x` then `u`: no edit, no call)
        actor, agent = whose.burst(item)
        diff = item.diff(headers=True)
        _changed(pending, whose.language(item.path), diff)
        turns.append(Call("edit_file", {"path": item.path, "diff": diff}, f"edited {item.path}", actor,
                          agent))
        return True
    step = item.step
    match step:
        case kinds.FileChangeStep():
            claimed = step.origin == "agent"
            actor = "agent" if claimed else "developer"
            agent = whose.which(_where(step.origin_detail)) if claimed else ""
            wrote = False
            for path, text_before, after in file_writes(step, before, workspace):
                diff = unified(path, text_before, after, work)
                if not diff:
                    continue  # (no text changed: a temporary file made empty, a file written as it was)
                _changed(pending, whose.language(path), diff)
                verb = "deleted" if after is None else "wrote"
                turns.append(Call("write_file", {"path": path, "diff": diff}, f"{verb} {path}", actor, agent))
                wrote = True
            return wrote
        case kinds.AgentStep(event="prompt"):
            turns.append(Prompt(step.prompt or "", whose.which(step.agent), item.index))
        case kinds.CommandStep():
            _command(turns, pending, step)
        case kinds.TestRunStep():
            _test_run(turns, pending, step)
        case kinds.GitStep():
            turns.append(Call("git", {"op": step.op, "ref": step.ref, "message": step.message},
                              step.sha or step.new or step.detail or "done"))
        # no call, no prompt (opening, saving, closing, the caret, diagnostics, notes, gaps, an edit: a burst)
        case (kinds.OpenStep() | kinds.CloseStep() | kinds.EditStep() | kinds.SaveStep()
              | kinds.DiagnosticsStep() | kinds.CursorStep() | kinds.NoteStep() | kinds.TaskStep()
              | kinds.GapStep() | kinds.RedactionStep() | kinds.OfferStep()):
            pass
        case kinds.AgentStep():  # an agent's other steps (its prompt is the one turn it makes)
            pass
        case _:
            assert_never(step)
    return False


def _command(turns: list[Turn], pending: Pending, step: kinds.CommandStep) -> None:
    line = step.command_line or (shlex.join(step.argv) if step.argv else "")
    exit_code = f"[exit code {step.exit_code}]"
    if pending.test is not None and _during(pending.test[1], step):  # the tests this command ran
        call, pending.test = pending.test[0], None
        call.arguments.update(command=line, cwd=step.cwd)
        call.result += "\n" + exit_code
        return
    output = ((step.output_tail or "") + "\n" + exit_code).lstrip("\n")
    call = Call("run_command", {"command": line, "cwd": step.cwd}, output)
    turns.append(call)
    pending.command = (call, step)


def _test_run(turns: list[Turn], pending: Pending, step: kinds.TestRunStep) -> None:
    arguments = {"framework": step.framework, "args": step.args}
    if pending.command is not None and _during(step.t_ms, pending.command[1]):  # a report read after it
        call, command = pending.command
        pending.command = None
        call.name, call.arguments = "run_tests", {**arguments, **call.arguments}
        call.result = test_result(step) + f"\n[exit code {command.exit_code}]"
        return
    call = Call("run_tests", arguments, test_result(step))
    turns.append(call)
    pending.test = (call, step.t_ms)


def _during(t_ms: int, command: kinds.CommandStep) -> bool:
    """Whether a test run reported at `t_ms` is the one `command` ran."""
    return command.t_ms - command.duration_ms - SLACK_MS <= t_ms <= command.t_ms + SLACK_MS and \
        command.t_ms - t_ms <= ENDED_MS


def _where(detail: str | None) -> str:
    """Where an origin's evidence comes from (`claude-code:PreToolUse Write` -> `claude-code`)."""
    return detail.split(":", 1)[0] if detail else ""


def _changed(pending: Pending, language: str, diff: str) -> None:
    lines = sum(1 for line in diff.splitlines() if line[:1] in "+-" and line[:4] not in ("+++ ", "--- "))
    pending.changed[language] = pending.changed.get(language, 0) + max(lines, 1)


def main_language(changed: dict[str, int]) -> str:
    """The language of the most lines changed (of two as many, the first by name); empty for none."""
    return min(changed.items(), key=lambda found: (-found[1], found[0]))[0] if changed else ""


def file_writes(step: kinds.FileChangeStep, before: Callable[[str], str | None],
           workspace: Workspace) -> list[tuple[str, str | None, str | None]]:
    """(path, text before, text after) of each file a file change changed: a rename gives its new path
    the text and leaves nothing at its old one."""
    if step.change == "renamed" and step.new_path is not None:
        return [(step.new_path, before(step.new_path), workspace.disk.get(step.new_path)),
                (step.path, before(step.path), None)]
    return [(step.path, before(step.path), written(step, workspace))]


def written(step: kinds.FileChangeStep, workspace: Workspace) -> str | None:
    """The text a write left on disk at its path: what a buffer open over it reads in (the buffer keeps
    the text before until the editor does: a write's diff is never the buffer's)."""
    return None if step.change == "deleted" else workspace.disk.get(step.path)


def test_result(step: kinds.TestRunStep) -> str:
    failing = [test for test in step.tests if test.outcome in FAILED]
    passed = sum(test.outcome == "passed" for test in step.tests)
    lines = [f"{passed} passed, {len(failing)} failed (exit status {step.exit_status})"]
    lines += [f"FAILED {test.nodeid}" + (f": {test.summary}" if test.summary else "")
              for test in failing[:MAX_FAILING]]
    return "\n".join(lines)


def unified(path: str, before: str | None, after: str | None, work: DiffWork) -> str:
    """The unified diff of a file from `before` to `after` (None: no such file), `--- a/PATH`."""
    if before == after:
        return ""
    old = "/dev/null" if before is None else f"a/{path}"
    new = "/dev/null" if after is None else f"b/{path}"
    hunks = "".join(line_diff(before or "", after or "", work=work).parts)
    return f"--- {old}\n+++ {new}\n{hunks}" if hunks else ""
