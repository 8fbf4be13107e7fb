"""What each agent passes its hooks on stdin (one JSON object), as codetape's `agent` step.

The payloads, as the agents document them (fixtures: tests/fixtures/agents/):

- Claude Code (https://code.claude.com/docs/en/hooks, "Hook input"): every event carries `session_id`,
  `transcript_path`, `cwd`, `hook_event_name`; `UserPromptSubmit` adds `prompt`; `PreToolUse` and
  `PostToolUse` add `tool_name`, `tool_input` (`Write`: `file_path`, `content`; `Edit`: `file_path`,
  `old_string`, `new_string`; `MultiEdit`: `file_path`, `edits`; `NotebookEdit`: `notebook_path`; `Bash`:
  `command`) and `PostToolUse` `tool_response`; `SessionStart` adds `source` (`startup`, `resume`,
  `clear`, `compact`), `SessionEnd` `reason`; `Stop` adds `stop_hook_active`.
- Codex CLI (https://developers.openai.com/codex/hooks, and the generated input schemas in
  openai/codex codex-rs/hooks/schema/generated/*.command.input.schema.json): `session_id`, `turn_id`,
  `transcript_path`, `cwd`, `hook_event_name`, `model`, `permission_mode`; `UserPromptSubmit` adds
  `prompt`; `PreToolUse`/`PostToolUse` add `tool_name`, `tool_use_id`, `tool_input` (`Bash`: `command`;
  `apply_patch`: `command`, the patch text, whose `*** Add File:`, `*** Update File:`, `*** Delete File:`
  and `*** Move to:` lines name the files) and `tool_response`; `SessionStart` adds `source`, `SessionEnd`
  `reason`. Both agents' real payloads (Claude Code 2.1.332, Codex 0.169.0) are the fixtures now.
- Cursor (https://cursor.com/docs/agent/hooks): every event carries `conversation_id`, `generation_id`,
  `hook_event_name`, `workspace_roots`; `beforeSubmitPrompt` adds `prompt` and `attachments`;
  `afterFileEdit` `file_path` and `edits`; `beforeShellExecution`/`afterShellExecution` `command` and
  `cwd` (the latter `output` and `duration` too); `stop` adds `status`.

Only what the step needs is read: never a file's content, an edit's strings, a tool's output or the
transcript. A tool's targets are the paths as the agent named them, made absolute against its `cwd`; the
collector keeps those inside the workspace and not excluded by its policy, workspace-relative. JSON can
spell a lone UTF-16 surrogate (`"\\ud83d"`), which no UTF-8 text holds: each one in what is read becomes
U+FFFD, the replacement character, so the call is still recorded (and such a path names no file).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, replace
from typing import Any, Literal

from collector.errors import CodetapeError
from schemas.steps.agent import MAX_TARGETS
from schemas.steps.base import SHORT_TEXT_MAX

Agent = Literal["claude-code", "codex", "cursor"]
AGENTS: tuple[Agent, ...] = ("claude-code", "codex", "cursor")
MAX_PAYLOAD_BYTES = 16 << 20  # a Write's content and its response can make a payload a few MiB
LABEL_MAX = 200
_PATCH_FILE = re.compile(r"^\*\*\* (?:Add File|Update File|Delete File|Move to): (.+)$", re.MULTILINE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # left alone by json.loads when it has no pair

# the agent's event name -> codetape's
_EVENTS: dict[Agent, dict[str, str]] = {
    "claude-code": {"SessionStart": "session_start", "UserPromptSubmit": "prompt", "PreToolUse": "tool_call",
                    "PostToolUse": "tool_result", "Stop": "stop", "SessionEnd": "session_end"},
    "codex": {"SessionStart": "session_start", "UserPromptSubmit": "prompt", "PreToolUse": "tool_call",
              "PostToolUse": "tool_result", "Stop": "stop", "SessionEnd": "session_end"},
    "cursor": {"beforeSubmitPrompt": "prompt", "beforeShellExecution": "tool_call",
               "afterShellExecution": "tool_result", "afterFileEdit": "tool_result", "stop": "stop"},
}
# tool_input fields that name the file a tool works on (Claude Code's file tools)
_FILE_FIELDS = ("file_path", "notebook_path")


class PayloadError(CodetapeError):
    """A hook's input that is not what the agent documents; the message is one line."""


@dataclass(frozen=True)
class HookCall:
    """One hook call, as much as codetape records of it."""

    agent: Agent
    hook: str
    event: str
    cwd: str | None
    session: str | None = None
    prompt: str | None = None
    tool: str | None = None
    targets: tuple[str, ...] = ()
    command_line: str | None = None
    detail: str | None = None

    @property
    def origin_detail(self) -> str:
        """The evidence a write this call claims carries: `claude-code:PostToolUse Edit`."""
        return label(f"{self.agent}:{self.hook}" + (f" {self.tool}" if self.tool else ""))


def parse(agent: Agent, data: bytes) -> HookCall:
    """The hook call `data` (the payload the agent wrote to stdin) describes; PayloadError otherwise."""
    if len(data) > MAX_PAYLOAD_BYTES:
        raise PayloadError(f"the payload is {len(data):,} bytes; at most {MAX_PAYLOAD_BYTES:,} are read")
    try:
        payload = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise PayloadError(f"the payload is not JSON ({str(exc).splitlines()[0][:120]})") from None
    if not isinstance(payload, dict):
        raise PayloadError("the payload is not a JSON object")
    return from_payload(agent, payload)


def from_payload(agent: Agent, payload: dict[str, Any]) -> HookCall:
    hook = payload.get("hook_event_name")
    if not isinstance(hook, str):
        raise PayloadError("the payload has no hook_event_name")
    event = _EVENTS[agent].get(hook)
    if event is None:
        raise PayloadError(f"{agent} hook {label(hook)!r} is not one codetape records")
    call = _cursor(hook, event, payload) if agent == "cursor" else _tool_agent(agent, hook, event, payload)
    return _with(call, **{name: _whole(value) for name, value in vars(call).items()
                          if isinstance(value, str)}, targets=tuple(map(_whole, call.targets)))


def _tool_agent(agent: Agent, hook: str, event: str, payload: dict[str, Any]) -> HookCall:
    """Claude Code's and Codex's calls (their payloads are alike)."""
    cwd = _text(payload, "cwd")
    call = HookCall(agent, hook, event, cwd, session=_text(payload, "session_id"))
    match event:
        case "session_start":
            return _with(call, detail=_text(payload, "source"))
        case "session_end":
            return _with(call, detail=_text(payload, "reason"))
        case "prompt":
            return _with(call, prompt=_required(payload, "prompt"))
        case "tool_call" | "tool_result":
            tool = _required(payload, "tool_name")
            tool_input = payload.get("tool_input")
            tool_input = tool_input if isinstance(tool_input, dict) else {}
            command = tool_input.get("command")
            if tool == "apply_patch" and isinstance(command, str):  # Codex: the patch names its files
                return _with(call, tool=tool, targets=_absolute(_PATCH_FILE.findall(command), cwd))
            targets = [tool_input[name] for name in _FILE_FIELDS if isinstance(tool_input.get(name), str)]
            line = command if isinstance(command, str) and not targets else None
            return _with(call, tool=tool, targets=_absolute(targets, cwd), command_line=line)
        case _:
            return call


def _cursor(hook: str, event: str, payload: dict[str, Any]) -> HookCall:
    roots = payload.get("workspace_roots")
    root = roots[0] if isinstance(roots, list) and roots and isinstance(roots[0], str) else None
    cwd = _text(payload, "cwd") or root
    call = HookCall("cursor", hook, event, cwd, session=_text(payload, "conversation_id"))
    match hook:
        case "beforeSubmitPrompt":
            return _with(call, prompt=_required(payload, "prompt"))
        case "afterFileEdit":
            return _with(call, targets=_absolute([_required(payload, "file_path")], root or cwd))
        case "beforeShellExecution" | "afterShellExecution":
            return _with(call, command_line=_required(payload, "command"))
        case _:
            return _with(call, detail=_text(payload, "status"))


def to_step(call: HookCall) -> dict[str, Any]:
    """The `agent` step of `call`, its texts cut at a space to what a step holds (`truncated` says so)."""
    step: dict[str, Any] = {"kind": "agent", "agent": call.agent, "hook": call.hook, "event": call.event}
    truncated = False
    for name in ("prompt", "command_line"):
        value = getattr(call, name)
        if value is not None:
            step[name], cut = cut_at_space(value, SHORT_TEXT_MAX)
            truncated = truncated or cut
    for name in ("session", "tool", "detail"):
        value = getattr(call, name)
        if value:
            step[name] = label(value)
    if call.targets:
        step["targets"] = list(call.targets[:MAX_TARGETS])
    if truncated:
        step["truncated"] = True
    return step


def cut_at_space(text: str, limit: int) -> tuple[str, bool]:
    """`text`, or its first `limit` characters cut back to the last space or line break (so no word, and
    no secret, is cut in two: a half secret would no longer look like one to the redaction)."""
    if len(text) <= limit:
        return text, False
    head = text[:limit + 1]
    at = max(head.rfind(" "), head.rfind("\n"), head.rfind("\t"))
    return (head[:at] if at > 0 else ""), True


def label(text: str) -> str:
    """A short one-line label: control characters as spaces, at most LABEL_MAX characters."""
    one = _CONTROL.sub(" ", _whole(text)).strip() or "?"
    return one[:LABEL_MAX]


def _whole(text: str) -> str:
    """`text` with each lone surrogate as U+FFFD (a text UTF-8 can encode, and a path that names nothing)."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def _with(call: HookCall, **changes: Any) -> HookCall:
    return replace(call, **changes)


def _text(payload: dict[str, Any], key: str) -> str | None:
    value = payload.get(key)
    return value if isinstance(value, str) and value else None


def _required(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    if not isinstance(value, str):
        raise PayloadError(f"the {payload.get('hook_event_name')} payload has no {key} string")
    return value


def _absolute(paths: list[str], cwd: str | None) -> tuple[str, ...]:
    """Each path made absolute against `cwd` (a relative one without `cwd` is left out: it names nothing
    codetape can place), in order, without repeats."""
    out: dict[str, None] = {}
    for path in paths:
        path = path.strip()
        if not path or "\x00" in path:
            continue
        if os.path.isabs(path):
            out[path] = None
        elif cwd is not None and os.path.isabs(cwd):
            out[os.path.join(cwd, path)] = None
    return tuple(out)
