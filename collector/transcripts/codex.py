"""Codex's transcript (`~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<session id>.jsonl`) as what its hooks
say.

Every line is `{"timestamp", "type", "payload"}`. Read here, as Codex 0.169.0 writes them (the fixtures in
tests/fixtures/transcripts/ are real ones):

- `session_meta`: the session's `id`, `cwd` and the commit it started at (`git.commit_hash`: where the
  text a patch changed comes from, writes.py), and `cli_version` (its `originator` and the rest of `git`,
  never read); `turn_context` says each turn's `cwd`;
- `event_msg` whose `payload.type` is `item_completed` with an `item` of type `UserMessage` (its `text`
  parts: the developer's prompt), or `user_message` (`message`: the same, as Codex wrote it before), and
  `task_complete` (the answer ended: the Stop hook's moment);
- `response_item` whose `payload.type` is `function_call` (`name`, `arguments`: a JSON text; the shell
  tools `exec_command`'s `cmd`, `shell_command`'s `command` and `shell`'s argument list are the Bash
  hook's command),
  `custom_tool_call` (`apply_patch`'s `input` is the patch), `local_shell_call` (`action.command`), and
  their `*_output`, naming the `call_id` they answer (an `apply_patch`'s `output` says whether it applied
  the patch: what it wrote, writes.py).

The developer's prompt is written twice by the Codex that writes both forms; the second copy within a
second of the first is the same prompt. Everything else (instructions, reasoning, token counts, the
model's own messages) is not read. The session starts at `session_meta` (or the first line with a time)
and ends at the last.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from collector.transcripts import writes
from collector.transcripts.said import Said, text_of, tool_input, when

AGENT = "codex"
MAX_PENDING = 10_000  # tool calls waiting for their output (an output with none: tool `?`)
_SHELLS = ("exec_command", "shell_command", "shell", "container.exec", "local_shell")
_SAME_PROMPT = timedelta(seconds=1)


def version_of(entry: dict[str, Any]) -> str | None:
    """The Codex version a line was written by (the session's first line says it)."""
    payload = entry.get("payload")
    return text_of(payload.get("cli_version")) if entry.get("type") == "session_meta" and \
        isinstance(payload, dict) else None


class _Session:
    def __init__(self) -> None:
        self.base: dict[str, Any] = {"session_id": None, "cwd": None}
        self.calls: dict[str, tuple[str, dict[str, str]]] = {}  # call_id -> (tool, what is read of it)
        self.prompt: tuple[str, datetime] | None = None  # the last prompt, to know its second copy
        self.commit: str | None = None  # the commit the session started at (session_meta's git)


def said(entries: Iterable[dict[str, Any]]) -> Iterator[Said]:
    """What the transcript's lines say, as Codex's hooks would have said it."""
    session = _Session()
    last: Said | None = None
    for entry in entries:
        at, payload = when(entry.get("timestamp")), entry.get("payload")
        if at is None or not isinstance(payload, dict):
            continue
        kind = entry.get("type")
        if kind in ("session_meta", "turn_context"):
            if kind == "session_meta":
                session.base["session_id"] = text_of(payload.get("id")) or session.base["session_id"]
                git = payload.get("git")
                session.commit = text_of(git.get("commit_hash")) if isinstance(git, dict) else None
            session.base["cwd"] = text_of(payload.get("cwd")) or session.base["cwd"]
        found = list(_event(session, payload, at)) if kind == "event_msg" else \
            list(_item(session, payload, at)) if kind == "response_item" else []
        if last is None and (found or kind == "session_meta"):
            yield Said(at, {**session.base, "hook_event_name": "SessionStart"}, "transcript/session_meta")
        yield from found
        if last is not None or found or kind == "session_meta":
            last = Said(at, {**session.base, "hook_event_name": "SessionEnd"}, "transcript/end")
    if last is not None:
        yield last


def _event(session: _Session, payload: dict[str, Any], at: datetime) -> Iterator[Said]:
    kind = payload.get("type")
    prompt = None
    if kind == "user_message":
        prompt = text_of(payload.get("message"))
    elif kind == "item_completed":
        item = payload.get("item")
        parts = item.get("content") if isinstance(item, dict) and item.get("type") == "UserMessage" else None
        if isinstance(parts, list):
            prompt = "\n".join(part["text"] for part in parts
                               if isinstance(part, dict) and isinstance(part.get("text"), str))
    elif kind == "task_complete":
        yield Said(at, {**session.base, "hook_event_name": "Stop"}, "transcript/task_complete")
    if prompt is None or not prompt.strip():
        return
    before = session.prompt
    again = before is not None and before[0] == prompt and at - before[1] <= _SAME_PROMPT
    session.prompt = (prompt, at)
    if not again:
        yield Said(at, {**session.base, "hook_event_name": "UserPromptSubmit", "prompt": prompt},
                   f"transcript/{kind}")


def _item(session: _Session, payload: dict[str, Any], at: datetime) -> Iterator[Said]:
    kind = payload.get("type")
    call_id = str(payload.get("call_id"))
    if kind in ("function_call_output", "custom_tool_call_output", "local_shell_call_output"):
        tool, read = session.calls.pop(call_id, ("?", {}))
        patch = read.get("command") if tool == "apply_patch" else None
        wrote = writes.codex(patch, _output(payload.get("output")), session.base["cwd"], session.commit) \
            if patch is not None else ()
        yield Said(at, {**session.base, "hook_event_name": "PostToolUse", "tool_name": tool,
                        "tool_input": read}, f"transcript/{kind}", wrote)
        return
    if kind == "function_call":
        call = _function(text_of(payload.get("name")) or "?", payload.get("arguments"))
    elif kind == "custom_tool_call":
        name = text_of(payload.get("name")) or "?"
        patch = text_of(payload.get("input"))
        call = (name, {"command": patch} if name == "apply_patch" and patch is not None else {})
    elif kind == "local_shell_call":
        action = payload.get("action")
        call = ("Bash", _shell(action.get("command") if isinstance(action, dict) else None))
    else:
        return
    if len(session.calls) < MAX_PENDING:
        session.calls[call_id] = call
    yield Said(at, {**session.base, "hook_event_name": "PreToolUse", "tool_name": call[0],
                    "tool_input": call[1]}, f"transcript/{kind}")


def _function(name: str, arguments: object) -> tuple[str, dict[str, str]]:
    """A function call as Codex's hooks name it: a shell tool is `Bash` with its `command`, `apply_patch`
    its patch as `command`; any other tool is named, and nothing of its arguments read."""
    try:
        parsed = json.loads(arguments) if isinstance(arguments, str) else arguments
    except (ValueError, RecursionError):
        parsed = None
    parsed = parsed if isinstance(parsed, dict) else {}
    if name in _SHELLS:
        return "Bash", _shell(parsed.get("cmd", parsed.get("command")))
    if name == "apply_patch":
        return name, tool_input({"command": parsed.get("input", parsed.get("patch"))})
    return name, {}


def _shell(command: object) -> dict[str, str]:
    """A shell tool's command as one line: `bash -lc LINE`'s LINE, an argument list joined."""
    if isinstance(command, list) and all(isinstance(part, str) for part in command):
        if len(command) == 3 and command[0].rsplit("/", 1)[-1] in ("bash", "sh", "zsh") and \
                command[1] in ("-lc", "-c"):
            return {"command": command[2]}
        return {"command": " ".join(command)}
    return {"command": command} if isinstance(command, str) else {}


def _output(output: object) -> str | None:
    """A tool call's output as text: a `function_call_output`'s may be a JSON text whose `output` it is."""
    if isinstance(output, dict):
        output = output.get("output")
    return output if isinstance(output, str) else None
