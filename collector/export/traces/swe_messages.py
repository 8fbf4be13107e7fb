"""`swe-messages` and `swe-messages-developer`: a row of tool-call messages per task, for agent fine-tuning
(docs/exports.md says what a row holds, and how `datasets` and TRL load it).

`SweMessagesExporter` follows the replay's items (follow.py): `Rows` cuts them into spans, one per task
(`Messages` writes an episode as if it had none, one row, until its first `task start`), each action a
call (traces/base/swe_calls.py) and each prompt to an AI agent a `user` message with what became of its
turn (collector/reconstruct/turns.py), which is known only at the episode's end: the rows from the first
that holds a prompt on are kept until then, in their order. `SweMessagesDeveloperExporter` writes an
agent's calls as `user` messages. Every column has one type in every row, no null; a row with no
`assistant` call is left out, counted (NO_CALL); a row that would hold a redaction placeholder is written
with it (a trajectory is not cut around one, as zeta's examples are).
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from collector.consent.statement import parse_statement, signed_unlinkably, unpack_payload
from collector.episode import Episode
from collector.episode.lines import json_line
from collector.episode.outcome import Window, green, judged
from collector.errors import EpisodeError
from collector.export.allowance import Allowance, Capped, Writes
from collector.export.edits.base.bursts import Burst, Item, Single, landed
from collector.export.follow import Items
from collector.export.per_episode import Following
from collector.export.traces.base.swe_calls import (
    Pending,
    Prompt,
    Turn,
    Whose,
    act,
    file_writes,
    main_language,
    unified,
)
from collector.reconstruct.turns import NONE as NO_PUSHBACK
from collector.reconstruct.turns import Followed, Pushback
from collector.reconstruct.workspace import Workspace
from collector.text.linediff import DiffWork
from schemas import Step
from schemas.contract import Contract, fields
from schemas.steps import FileChangeStep, GapStep, GitStep, TaskStep, TestRunStep

NO_TASK = "(no task statement was recorded)"
NO_CALL = "rows with no assistant call"  # the result's `skipped` reason

# the task's outcome and the signal it rests on (a prompt message's survived_* and pushback fields, inside
# `messages`, say what became of an agent's turn: labels too, docs/exports.md)
LABELS = frozenset({"resolved", "resolved_signal"})
_SWE = (
    *fields(("edits", "files", "commands", "tests", "git", "agents", "notes"),
            ("messages", "list[message]", "the task as chat messages: a system prompt, the developer's "
                                          "prompts "
             "to agents (with what became of each turn: survived_30s, survived_5min, survived_to_commit, "
             "survived_to_end, interrupted, wrote_chars, undone_within_ms), each action a tool call and its "
             "result", "free_text")),
    *fields(("build",), ("tools", "string", "the tools the calls name, as JSON function definitions")),
    *fields(("edits", "files"),
            ("model_patch", "string", "the unified diff of the task's changes", "file_text")),
    *fields(("tests", "notes", "git", "edits", "files"),
            ("resolved", "int", "1 when the task's outcome signal says it passed, 0 failed or abandoned, -1 "
             "when no signal says anything"),
            ("resolved_signal", "string", "the signal resolved rests on: tests, self-reported, commit or "
             "abandoned")),
    *fields(("header",),
            ("repo", "string", "the repository's remote URL, else the workspace folder's name", "remote"),
            ("license", "string", "the SPDX licence expression the episode was shared under; empty: none")),
    *fields(("edits", "files"),
            ("language", "string", "the main language of the files the task changed")),
    *fields(("build",), ("split", "string", "train or eval: the episode's side of the split")),
    *fields(("header",), ("episode_id", "string", "the episode's id (a UUID)")),
    *fields(("notes",),
            ("task_index", "int", "the task's number in the episode, from 0; -1: the episode has no task"),
            ("first_step", "int", "the task's first step"),
            ("last_step", "int", "its last step")),
)
CONTRACTS = {
    "swe-messages": Contract("a row of tool-call messages per task, for agent fine-tuning", _SWE, LABELS),
    "swe-messages-developer": Contract("swe-messages with an AI agent's calls as user turns", _SWE, LABELS),
}
# the one line that turns each tool call's `arguments` into an object before a chat template renders it
# (docs/exports.md's; the tests run it)
PARSE_ARGUMENTS = ('ds = ds.map(lambda row: {"messages": [m | {"tool_calls": [c | {"function": '
                   'c["function"] | {"arguments": json.loads(c["function"]["arguments"])}} '
                   'for c in m["tool_calls"]]} if m.get("tool_calls") else m for m in row["messages"]]})')
# loaded by name from a dataset's Parquet twins (a message one struct of every field, null where it has
# none), the line before it: each message a JSON value again, so that the map above gives each call's
# arguments as written, not one struct of every tool's fields (docs/exports.md's; the tests run it)
AS_JSON = 'ds = ds.cast_column("messages", datasets.List(datasets.Json()))'


def _tool(name: str, description: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, "description": description, "parameters": {
        "type": "object", "properties": properties, "required": required}}}


_TEXT = {"type": "string"}
TOOLS = [
    _tool("edit_file", "Edit a file in the editor.", {"path": _TEXT, "diff": _TEXT}, ["path", "diff"]),
    _tool("write_file", "Write a file on disk outside the editor.", {"path": _TEXT, "diff": _TEXT},
          ["path", "diff"]),
    _tool("run_command", "Run a command in a terminal.", {"command": _TEXT, "cwd": _TEXT}, ["command"]),
    _tool("run_tests", "Run the tests (by a command, when one ran them).",
          {"framework": _TEXT, "args": {"type": "array", "items": _TEXT}, "command": _TEXT, "cwd": _TEXT},
          ["framework"]),
    _tool("git", "Run a git operation.", {"op": _TEXT, "ref": _TEXT, "message": _TEXT}, ["op"]),
]
TOOLS_JSON = json.dumps(TOOLS, ensure_ascii=False)


def system_prompt(repo: str, *, developer: bool = False) -> str:
    said = (f"You are a software developer working in the repository {repo}. You act through the tools "
            "edit_file, write_file, run_command, run_tests and git; each tool's result follows its call.")
    return said + (" What an AI agent you prompted did comes as a user message." if developer else "")


@dataclass
class Span:
    """One row being gathered: a task, or the whole episode."""

    task_index: int | None
    statement: str | None
    first_step: int
    last_step: int = 0
    turns: list[Turn] = field(default_factory=list)
    pending: Pending = field(default_factory=Pending)
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


def messages(turns: list[Turn], *, developer: bool,
             pushback: Mapping[int, Pushback] | None = None) -> list[dict[str, Any]]:
    """The turns as chat messages, each with its `actor` (and `agent`, which AI), a prompt with what became
    of the agent's turn (`pushback`, by the prompt's step: PUSHBACK_COLUMNS); `developer`: an agent's calls
    as user messages, so that the assistant's are the developer's alone."""
    out: list[dict[str, Any]] = []
    calls = 0
    for turn in turns:
        if isinstance(turn, Prompt):
            out.append({"role": "user", "content": turn.text, "actor": "developer", "agent": turn.agent,
                        **pushed((pushback or {}).get(turn.index, NO_PUSHBACK))})
            continue
        arguments = json.dumps(turn.arguments, ensure_ascii=False)
        whose = {"actor": turn.actor, **({"agent": turn.agent} if turn.actor == "agent" else {})}
        if developer and turn.actor == "agent":
            said = f"{turn.agent} (an AI agent) called {turn.name} {arguments}\n{turn.result}"
            out.append({"role": "user", "content": said, **whose})
            continue
        call_id = f"call_{calls}"
        calls += 1
        out.append({"role": "assistant", "content": "", "tool_calls": [
            {"id": call_id, "type": "function", "function": {"name": turn.name, "arguments": arguments}}],
            **whose})
        out.append({"role": "tool", "tool_call_id": call_id, "name": turn.name, "content": turn.result,
                    "actor": "environment"})
    return out


def pushed(turn: Pushback) -> dict[str, Any]:
    """A turn's pushback as a prompt message's fields, -1 (false) where the dataset's column is null or
    has none (each field of one type in every file, as `resolved`)."""
    return {"interrupted": -1 if turn.interrupted is None else int(turn.interrupted),
            "wrote_chars": turn.wrote_chars,
            "undone_within_ms": -1 if turn.undone_within_ms is None else turn.undone_within_ms,
            "survived_to_end": -1.0 if turn.survived_to_end is None else turn.survived_to_end,
            "survived_to_commit": -1.0 if turn.survived_to_commit is None else turn.survived_to_commit,
            "survived_30s": bool(turn.survived_30s), "survived_5min": bool(turn.survived_5min)}


class SweMessagesExporter(Following):
    developer = False  # (swe-messages-developer: an agent's calls as user messages)

    def follower(self, out: Writes, episode: Episode, allowance: Allowance) -> Messages:
        return Messages(out, episode, self.result.splits[str(episode.header.episode_id)], allowance,
                        developer=self.developer, skipped=self.result.skipped)


class SweMessagesDeveloperExporter(SweMessagesExporter):
    developer = True


class Messages:
    """The rows of an episode whose tasks are not known before its end: written as if it had none (into a
    temporary file, the whole episode one row) and as if it had some (into `out`, a row per task), until
    the first `task start` ends the first; at the end, the first's file is copied into `out` when no task
    started."""

    def __init__(self, out: Writes, episode: Episode, split: str, allowance: Allowance, *,
                 developer: bool = False, skipped: Counter[str] | None = None) -> None:
        self.out = out
        self.skipped = Counter[str]() if skipped is None else skipped
        self.followed = Followed()  # what became of each AI agent's turn, for both
        self.tasked = Rows(out, episode, split, allowance, whole=False, developer=developer,
                           followed=self.followed)
        own = Allowance(allowance.episode_bytes)  # (what the row of the whole episode may take and spend)
        spare = tempfile.TemporaryFile(prefix="codetape-swe-messages-")  # noqa: SIM115 (closed by _drop)
        self.spare: IO[bytes] | None = spare
        self.whole: Rows | None = Rows(Capped(spare, own), episode, split, own, whole=True,
                                       developer=developer, followed=self.followed)

    def before(self, index: int, step: Step, workspace: Workspace) -> None:
        if self.whole is not None and isinstance(step, TaskStep) and step.action == "start":
            self._drop()
        self.followed.before(index, step, workspace)
        for rows in self._rows():
            rows.before(index, step, workspace)

    def after(self, index: int, step: Step, workspace: Workspace) -> None:
        self.followed.after(index, step, workspace)
        for rows in self._rows():
            rows.after(index, step, workspace)

    def finish(self, workspace: Workspace) -> int:
        if self.whole is None:
            written = self.tasked.finish(workspace)
            self._count(self.tasked)
            return written
        written = self.whole.finish(workspace)
        self._count(self.whole)
        assert self.spare is not None
        self.spare.seek(0)
        while chunk := self.spare.read(1 << 20):
            self.out.write(chunk)
        self._drop()
        return written

    def _count(self, rows: Rows) -> None:
        if rows.uncalled:
            self.skipped[NO_CALL] += rows.uncalled

    def _rows(self) -> tuple[Rows, ...]:
        return (self.tasked,) if self.whole is None else (self.tasked, self.whole)

    def _drop(self) -> None:
        if self.spare is not None:
            self.spare.close()
        self.whole, self.spare = None, None


class Rows(Items):
    """A row per task (`whole`: one row of the whole episode, which has no task)."""

    def __init__(self, out: Writes, episode: Episode, split: str, allowance: Allowance, *,
                 whole: bool, developer: bool = False, followed: Followed | None = None) -> None:
        header = episode.header
        super().__init__(header.position_encoding, allowance.diffs)
        self.out, self.work, self.developer = out, allowance.diffs, developer
        episode_id = str(header.episode_id)
        self.fixed: dict[str, Any] = {"repo": header.workspace.git_remote or header.workspace.root_name,
                      "license": _licence(episode) or "", "split": split, "episode_id": episode_id}
        self.whose = Whose(signed_unlinkably(episode.consent))
        self.texts: dict[str, str | None] = {}  # each file's text after the item before
        self.span: Span | None = Span(None, None, 0) if whole else None
        self.tasks, self.rows, self.uncalled = 0, 0, 0
        self.followed = followed  # the turns' pushback, known at the end (None: followed by no one)
        # rows from the first that holds a prompt on, kept until the end, when their turns' pushback is
        # known (their order kept): each row's columns and the turns its messages are made of
        self.held: list[tuple[dict[str, Any], list[dict[str, Any]], list[Turn]]] = []

    def before(self, index: int, step: Step, workspace: Workspace) -> None:
        self.whose.see(index, step)
        super().before(index, step, workspace)

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
            _act(span, item, self.texts, workspace, self.work, self.whose)
            span.last_step = item.last
        elif isinstance(item, Burst):
            self.whose.burst(item)  # (its edits' origins are of no row)
        _seen(item, self.texts, workspace)

    def end(self, workspace: Workspace) -> int:
        if self.span is not None:
            self.rows += self._finish(self.span, workspace)
        pushback = self.followed.pushback() if self.followed is not None and self.held else {}
        for row, head, turns in self.held:
            said = messages(turns, developer=self.developer, pushback=pushback)
            self.out.write(json_line({"messages": [*head, *said], **row}))
        self.held = []
        return self.rows

    def _finish(self, span: Span, workspace: Workspace) -> int:
        fixed = self.fixed
        outcome = span.judged()
        said = outcome["outcome_signal"] != "abandoned"  # (the signal of none)
        resolved = (1 if outcome["outcome"] == "pass" else 0) if said else -1
        signal = outcome["outcome_signal"] if said else ""
        patch = "".join(unified(path, span.base[path], workspace.text(path), self.work)
                        for path in sorted(span.base))
        said = messages(span.turns, developer=self.developer)
        if not any(message["role"] == "assistant" for message in said):
            self.uncalled += 1
            return 0
        head = [{"role": "system", "content": system_prompt(fixed["repo"], developer=self.developer),
                 "actor": "environment"},
                {"role": "user", "content": span.statement or NO_TASK, "actor": "developer"}]
        row = {"tools": TOOLS_JSON, "model_patch": patch, "resolved": resolved, "resolved_signal": signal,
               "repo": fixed["repo"], "license": fixed["license"],
               "language": main_language(span.pending.changed), "split": fixed["split"],
               "episode_id": fixed["episode_id"], "task_index": -1 if span.task_index is None else
               span.task_index, "first_step": span.first_step, "last_step": span.last_step}
        if self.held or any(isinstance(turn, Prompt) for turn in span.turns):
            self.held.append((row, head, span.turns))
        else:
            self.out.write(json_line({"messages": [*head, *said], **row}))
        return 1


def _act(span: Span, item: Burst | Single, texts: dict[str, str | None], workspace: Workspace,
         work: DiffWork, whose: Whose) -> None:
    """The item as the span's turns (or nothing, for what is not an action), its outcome noted."""
    assert span.window is not None
    if isinstance(item, Burst):
        span.base.setdefault(item.path, item.before)
    step = item.step if isinstance(item, Single) else None
    for path in _touched(step):
        if path not in span.base:  # a file never seen before: its text as opened, or none before a
            # write (the write made it, as far as the recording knows)
            span.base[path] = texts[path] if path in texts else \
                None if isinstance(step, FileChangeStep) else workspace.text(path)
    replaced = item.before if isinstance(item, Single) else None
    landed_on = landed(step) if isinstance(step, FileChangeStep) else None

    def before(path: str) -> str | None:
        return replaced if replaced is not None and path == landed_on else texts.get(path)

    if act(span.turns, span.pending, whose, item, before, workspace, work):
        span.written = item.last
    if isinstance(step, TestRunStep):
        span.window.tested(item.last, green(step))
    elif isinstance(step, GitStep) and step.op == "commit":
        span.window.commit = item.last


def _seen(item: Burst | Single, texts: dict[str, str | None], workspace: Workspace) -> None:
    """Remember the text of the file the item touched, as it is after it."""
    if isinstance(item, Burst):
        texts[item.path] = item.after
        return
    step = item.step
    if isinstance(step, FileChangeStep):  # (what the editor shows once it reads it in)
        for path, _, after in file_writes(step, texts.get, workspace):
            texts[path] = after
        return
    if isinstance(step, GapStep) and step.state:  # a snapshot (a write's text before), a resync, a hole
        for file in step.state:
            texts[file.path] = workspace.text(file.path)
        return
    for path in _touched(step):
        texts[path] = workspace.text(path)


def _touched(step: Step | None) -> list[str]:
    """The paths a step is about (a rename's two)."""
    path = getattr(step, "path", None)
    if not isinstance(path, str):
        return []
    return [path, step.new_path] if isinstance(step, FileChangeStep) and step.new_path is not None else [path]


def _licence(episode: Episode) -> str | None:
    if episode.consent is None:
        return None
    try:
        return parse_statement(unpack_payload(episode.consent)[1]).terms.licence
    except EpisodeError:
        return None
