"""`swe-messages`: agent fine-tuning rows, `<episode id>.swe-messages.jsonl`, one JSON line per task (from a
`task start` to its `task done`, or to the next start or the end), or one for the whole episode when it
has no task (steps before the first task's start are then in no row). The shape of the OpenAI-style agent
sets (nebius SWE-rebench-OpenHands): every row has the same columns, of the same types:

    messages        a conversation, as chat templates and TRL's conversational format take it:
                    `system` (what the developer could do, the repository), `user` (the task's statement;
                    without one, "(no task statement was recorded)"), then for each of the developer's
                    actions an `assistant` message with one tool call (`tool_calls`: id, type `function`,
                    `function` {name, arguments: a JSON string}) and content "", and the `tool` message with
                    its result (`tool_call_id`, `name`, `content`). The actions and their tools:
                      edit_file    a settled edit burst (bursts.py): {path, diff}; result "edited PATH"
                      write_file   a write to disk outside the editor (an agent, a formatter, git):
                                   {path, diff}; result "wrote PATH" ("deleted PATH")
                      run_command  a terminal command: {command, cwd}; result its output's tail and exit code
                      run_tests    a test run: {framework, args}; result passed/failed counts, the failing
                                   tests' ids and messages
                      git          a git operation: {op, ref, message}; result its sha or detail
                    Opening, saving, closing, the caret, diagnostics, notes and gaps are not actions.
    tools           the five tools' definitions (OpenAI function schemas), the same in every row
    model_patch     the span's diff: every file from its text when the span first saw it to its text at the
                    span's end, unified, `--- a/PATH` / `+++ b/PATH`, files in path order
    resolved        1, 0 or -1, and `resolved_signal`: the span's outcome as the dataset's `tasks` and
                    `episodes` give it (episode/outcome.py): 1 for `pass`, 0 for `fail` or a reported
                    `abandoned`, resting on `tests`, `self-reported` or `commit`; -1 (and an empty signal)
                    when no signal says anything
    repo            the git remote, else the workspace folder's name
    license         the licence the episode was signed under (its consent statement); empty when unsigned
    split           train, eval or none (split.py: by repository, never a duplicate on both sides)
    episode_id, task_index (0, 1, ...; -1 for an episode without a task), first_step, last_step

Every column has one type in every row of every file, no null among them: `datasets.load_dataset("json")`
over a whole export folder takes a column's type from the first file, and refuses a later one where it
differs (a column all null in one file, numbers in another).

A row that would hold a redaction placeholder is written with it: the placeholder is the text the
developer signed, and the row is a whole trajectory that cannot be cut around it (zeta's examples are).
"""

from __future__ import annotations

import json
import shlex
import tempfile
from dataclasses import dataclass, field
from typing import IO, Any

from collector.consent.statement import parse_statement, unpack_payload
from collector.episode import Episode
from collector.episode.lines import json_line
from collector.episode.outcome import FAILED, Window, green, judged
from collector.errors import EpisodeError
from collector.export.allowance import Allowance, Capped, Writes
from collector.export.bursts import Burst, Item, Single
from collector.export.follow import Items
from collector.export.per_episode import Following
from collector.reconstruct.workspace import Workspace
from collector.text.linediff import DiffWork, line_diff
from schemas import Step
from schemas.steps import CommandStep, FileChangeStep, GitStep, TaskStep, TestRunStep

NO_TASK = "(no task statement was recorded)"
MAX_FAILING = 20


def _tool(name: str, description: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, "description": description, "parameters": {
        "type": "object", "properties": properties, "required": required}}}


_TEXT = {"type": "string"}
TOOLS = [
    _tool("edit_file", "Edit a file in the editor.", {"path": _TEXT, "diff": _TEXT}, ["path", "diff"]),
    _tool("write_file", "Write a file on disk outside the editor.", {"path": _TEXT, "diff": _TEXT},
          ["path", "diff"]),
    _tool("run_command", "Run a command in a terminal.", {"command": _TEXT, "cwd": _TEXT}, ["command"]),
    _tool("run_tests", "Run the tests.", {"framework": _TEXT, "args": {"type": "array", "items": _TEXT}},
          ["framework"]),
    _tool("git", "Run a git operation.", {"op": _TEXT, "ref": _TEXT, "message": _TEXT}, ["op"]),
]


def system_prompt(repo: str) -> str:
    return (f"You are a software developer working in the repository {repo}. You act through the tools "
            "edit_file, write_file, run_command, run_tests and git; each tool's result follows its call.")


@dataclass
class Span:
    """One row being gathered: a task, or the whole episode."""

    task_index: int | None
    statement: str | None
    first_step: int
    last_step: int = 0
    messages: list[dict[str, Any]] = field(default_factory=list)
    base: dict[str, str | None] = field(default_factory=dict)  # each file's text when the span first saw it
    window: Window | None = None  # what its outcome rests on (episode/outcome.py), from first_step
    written: int = -1  # the last step that edited or wrote a file

    def __post_init__(self) -> None:
        if self.window is None:
            self.window = Window(self.first_step, self.statement)

    def judged(self) -> dict[str, Any]:
        """Its outcome columns, as the dataset's `tasks` and `episodes` tables give them."""
        assert self.window is not None
        return judged(self.window, self.written)
    calls: int = 0

    def call(self, name: str, arguments: dict[str, Any], result: str) -> None:
        call_id = f"call_{self.calls}"
        self.calls += 1
        self.messages.append({"role": "assistant", "content": "", "tool_calls": [
            {"id": call_id, "type": "function",
             "function": {"name": name, "arguments": json.dumps(arguments, ensure_ascii=False)}}]})
        self.messages.append({"role": "tool", "tool_call_id": call_id, "name": name, "content": result})


class SweMessagesExporter(Following):

    def follower(self, out: Writes, episode: Episode, allowance: Allowance) -> Messages:
        return Messages(out, episode, self.result.splits[str(episode.header.episode_id)], allowance)


class Messages:
    """The rows of an episode whose tasks are not known before its end: written as if it had none (into a
    temporary file, the whole episode one row) and as if it had some (into `out`, a row per task), until
    the first `task start` ends the first; at the end, the first's file is copied into `out` when no task
    started."""

    def __init__(self, out: Writes, episode: Episode, split: str, allowance: Allowance) -> None:
        self.out = out
        self.tasked = Rows(out, episode, split, allowance, whole=False)
        own = Allowance(allowance.episode_bytes)  # (what the row of the whole episode may take and spend)
        spare = tempfile.TemporaryFile(prefix="codetape-swe-messages-")  # noqa: SIM115 (closed by _drop)
        self.spare: IO[bytes] | None = spare
        self.whole: Rows | None = Rows(Capped(spare, own), episode, split, own, whole=True)

    def before(self, index: int, step: Step, workspace: Workspace) -> None:
        if self.whole is not None and isinstance(step, TaskStep) and step.action == "start":
            self._drop()
        for rows in self._rows():
            rows.before(index, step, workspace)

    def after(self, index: int, step: Step, workspace: Workspace) -> None:
        for rows in self._rows():
            rows.after(index, step, workspace)

    def finish(self, workspace: Workspace) -> int:
        if self.whole is None:
            return self.tasked.finish(workspace)
        written = self.whole.finish(workspace)
        assert self.spare is not None
        self.spare.seek(0)
        while chunk := self.spare.read(1 << 20):
            self.out.write(chunk)
        self._drop()
        return written

    def _rows(self) -> tuple[Rows, ...]:
        return (self.tasked,) if self.whole is None else (self.tasked, self.whole)

    def _drop(self) -> None:
        if self.spare is not None:
            self.spare.close()
        self.whole, self.spare = None, None


class Rows(Items):
    """A row per task (`whole`: one row of the whole episode, which has no task)."""

    def __init__(self, out: Writes, episode: Episode, split: str, allowance: Allowance, *,
                 whole: bool) -> None:
        header = episode.header
        super().__init__(header.position_encoding, allowance.diffs)
        self.out, self.work = out, allowance.diffs
        episode_id = str(header.episode_id)
        self.fixed: dict[str, Any] = {"repo": header.workspace.git_remote or header.workspace.root_name,
                      "license": _licence(episode) or "", "split": split, "episode_id": episode_id}
        self.texts: dict[str, str | None] = {}  # each file's text after the item before
        self.span: Span | None = Span(None, None, 0) if whole else None
        self.tasks, self.rows = 0, 0

    def item(self, item: Item, workspace: Workspace) -> None:
        step = item.step if isinstance(item, Single) else None
        span = self.span
        if isinstance(step, TaskStep):
            if step.action == "start":
                if span is not None:
                    self.rows += self._finish(span, workspace)
                self.span, self.tasks = Span(self.tasks, step.statement, item.last), self.tasks + 1
            elif span is not None:
                assert span.window is not None
                if step.outcome is not None:
                    span.window.said = (item.last, step.outcome)
                span.window.done, span.last_step = item.last, item.last
                self.rows += self._finish(span, workspace)
                self.span = None
            return
        if span is not None:
            _act(span, item, self.texts, workspace, self.work)
            span.last_step = item.last
        _seen(item, self.texts, workspace)

    def end(self, workspace: Workspace) -> int:
        if self.span is not None:
            self.rows += self._finish(self.span, workspace)
        return self.rows

    def _finish(self, span: Span, workspace: Workspace) -> int:
        fixed = self.fixed
        outcome = span.judged()
        said = outcome["outcome_signal"] != "abandoned"  # (the signal of none)
        resolved = (1 if outcome["outcome"] == "pass" else 0) if said else -1
        signal = outcome["outcome_signal"] if said else ""
        patch = "".join(_diff(path, span.base[path], workspace.text(path), self.work)
                        for path in sorted(span.base))
        messages = [{"role": "system", "content": system_prompt(fixed["repo"])},
                    {"role": "user", "content": span.statement or NO_TASK}, *span.messages]
        self.out.write(json_line({
            "messages": messages, "tools": TOOLS, "model_patch": patch, "resolved": resolved,
            "resolved_signal": signal, "repo": fixed["repo"], "license": fixed["license"],
            "split": fixed["split"], "episode_id": fixed["episode_id"],
            "task_index": -1 if span.task_index is None else span.task_index,
            "first_step": span.first_step, "last_step": span.last_step}))
        return 1


def _act(span: Span, item: Burst | Single, texts: dict[str, str | None], workspace: Workspace,
         work: DiffWork) -> None:
    """The item as an action of the span (or nothing, for what is not one)."""
    if isinstance(item, Burst):
        span.base.setdefault(item.path, item.before)
        if not item.too_large and item.before == item.after:
            return  # (a burst that left its file as it was, `x` then `u`: no edit, no call)
        span.written = item.last
        span.call("edit_file", {"path": item.path, "diff": item.diff(headers=True)}, f"edited {item.path}")
        return
    step = item.step
    path = getattr(step, "path", None)
    if isinstance(path, str) and path not in span.base:  # a file never seen before: its text as opened,
        # or none before a write (the write made it, as far as the recording knows)
        span.base[path] = texts[path] if path in texts else \
            None if isinstance(step, FileChangeStep) else workspace.text(path)
    match step:
        case FileChangeStep():
            span.written = item.last
            before = item.before if item.before is not None else texts.get(step.path)
            after = _written(step, workspace)
            verb = "deleted" if after is None else "wrote"
            span.call("write_file", {"path": step.path, "diff": _diff(step.path, before, after, work)},
                      f"{verb} {step.path}")
        case CommandStep():
            command = step.command_line or (shlex.join(step.argv) if step.argv else "")
            result = (step.output_tail or "") + f"\n[exit code {step.exit_code}]"
            span.call("run_command", {"command": command, "cwd": step.cwd}, result.lstrip("\n"))
        case TestRunStep():
            assert span.window is not None
            span.window.tested(item.last, green(step))
            span.call("run_tests", {"framework": step.framework, "args": step.args}, _test_result(step))
        case GitStep():
            if step.op == "commit":
                assert span.window is not None
                span.window.commit = item.last
            span.call("git", {"op": step.op, "ref": step.ref, "message": step.message},
                      step.sha or step.new or step.detail or "done")
        case _:
            pass


def _seen(item: Burst | Single, texts: dict[str, str | None], workspace: Workspace) -> None:
    """Remember the text of the file the item touched, as it is after it."""
    if isinstance(item, Burst):
        texts[item.path] = item.after
        return
    path = getattr(item.step, "path", None)
    if isinstance(item.step, FileChangeStep):
        texts[item.step.path] = _written(item.step, workspace)  # (what the editor shows once it reads it in)
    elif isinstance(path, str):
        texts[path] = workspace.text(path)


def _written(step: FileChangeStep, workspace: Workspace) -> str | None:
    """The text a write left on disk at its path: what a buffer open over it reads in (the buffer keeps
    the text before until the editor does: a write's diff is never the buffer's)."""
    return None if step.change == "deleted" else workspace.disk.get(step.path)


def _test_result(step: TestRunStep) -> str:
    failing = [test for test in step.tests if test.outcome in FAILED]
    passed = sum(test.outcome == "passed" for test in step.tests)
    lines = [f"{passed} passed, {len(failing)} failed (exit status {step.exit_status})"]
    lines += [f"FAILED {test.nodeid}" + (f": {test.summary}" if test.summary else "")
              for test in failing[:MAX_FAILING]]
    return "\n".join(lines)


def _diff(path: str, before: str | None, after: str | None, work: DiffWork) -> str:
    if before == after:
        return ""
    old = "/dev/null" if before is None else f"a/{path}"
    new = "/dev/null" if after is None else f"b/{path}"
    hunks = "".join(line_diff(before or "", after or "", work=work).parts)
    return f"--- {old}\n+++ {new}\n{hunks}" if hunks else ""


def _licence(episode: Episode) -> str | None:
    if episode.consent is None:
        return None
    try:
        return parse_statement(unpack_payload(episode.consent)[1]).terms.licence
    except EpisodeError:
        return None
