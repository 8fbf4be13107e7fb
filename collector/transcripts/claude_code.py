"""Claude Code's transcript (`~/.claude/projects/<folder>/<session id>.jsonl`) as what its hooks say.

Every line is a JSON object with a `type`. Read here, as Claude Code 2.1.332 writes them (the fixtures
in tests/fixtures/transcripts/ are real ones):

- `user` lines: `message.content` is the developer's prompt (a string, or a list of `text` blocks), or a
  list of `tool_result` blocks, each naming the `tool_use_id` it answers; a line answering one call
  carries the tool's result as `toolUseResult` (a file tool's: what it wrote, writes.py). Lines marked
  `isMeta` (what Claude Code adds itself: a slash command's caveat), a compacted conversation's summary
  (`isCompactSummary`), a subagent's own conversation (`isSidechain`: its prompt is the agent's, not the
  developer's) and a local command's output (`<local-command-stdout>`) are no prompt;
- `assistant` lines: `message.content` blocks; each `tool_use` (`id`, `name`, `input`) is a tool call, and
  a message whose `stop_reason` is `end_turn` ends the answer (the Stop hook's moment);
- every line of those two carries `timestamp`, `sessionId` and `cwd` (and `version`, `gitBranch`: never
  read).

Everything else (attachments, the system prompt, API requests, costs, queue operations) is not read.
The session starts at the first line with a time and ends at the last.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from collector.transcripts import writes
from collector.transcripts.said import Said, text_of, tool_input, when

AGENT = "claude-code"
MAX_PENDING = 10_000  # tool calls waiting for their result (a result with none: tool `?`)
_NOT_PROMPTS = ("<local-command-stdout>", "<local-command-stderr>", "<system-reminder>")


def version_of(entry: dict[str, Any]) -> str | None:
    """The Claude Code version a line was written by."""
    return text_of(entry.get("version"))


def said(entries: Iterable[dict[str, Any]]) -> Iterator[Said]:
    """What the transcript's lines say, as Claude Code's hooks would have said it."""
    calls: dict[str, tuple[str, dict[str, str]]] = {}  # tool_use id -> (tool, what is read of its input)
    last: Said | None = None
    for entry in entries:
        at = when(entry.get("timestamp"))
        kind = entry.get("type")
        if at is None or kind not in ("user", "assistant"):
            continue
        base = {"session_id": text_of(entry.get("sessionId")), "cwd": text_of(entry.get("cwd"))}
        if last is None:
            yield Said(at, {**base, "hook_event_name": "SessionStart"}, "transcript/start")
        message = entry.get("message")
        content = message.get("content") if isinstance(message, dict) else None
        if kind == "user":
            yield from _user(entry, content, base, at, calls)
        else:
            yield from _assistant(message, content, base, at, calls)
        last = Said(at, {**base, "hook_event_name": "SessionEnd"}, "transcript/end")
    if last is not None:
        yield last


def _user(entry: dict[str, Any], content: object, base: dict[str, Any], at: Any,
          calls: dict[str, tuple[str, dict[str, str]]]) -> Iterator[Said]:
    blocks = content if isinstance(content, list) else []
    results = [block for block in blocks if isinstance(block, dict) and block.get("type") == "tool_result"]
    for block in results:
        tool, read = calls.pop(str(block.get("tool_use_id")), ("?", {}))
        wrote = writes.claude_code(tool, entry.get("toolUseResult")) if len(results) == 1 else ()
        yield Said(at, {**base, "hook_event_name": "PostToolUse", "tool_name": tool, "tool_input": read},
                   "transcript/tool_result", wrote)
    if entry.get("isMeta") or entry.get("isCompactSummary") or entry.get("isSidechain"):
        return
    prompt = content if isinstance(content, str) else "\n".join(
        block["text"] for block in blocks
        if isinstance(block, dict) and block.get("type") == "text" and isinstance(block.get("text"), str))
    if prompt.strip() and not prompt.lstrip().startswith(_NOT_PROMPTS):
        yield Said(at, {**base, "hook_event_name": "UserPromptSubmit", "prompt": prompt}, "transcript/user")


def _assistant(message: object, content: object, base: dict[str, Any], at: Any,
               calls: dict[str, tuple[str, dict[str, str]]]) -> Iterator[Said]:
    for block in content if isinstance(content, list) else []:
        if isinstance(block, dict) and block.get("type") == "tool_use" and isinstance(block.get("name"), str):
            read = tool_input(block.get("input"))
            if len(calls) < MAX_PENDING:
                calls[str(block.get("id"))] = (block["name"], read)
            yield Said(at, {**base, "hook_event_name": "PreToolUse", "tool_name": block["name"],
                            "tool_input": read}, "transcript/tool_use")
    if isinstance(message, dict) and message.get("stop_reason") == "end_turn":
        yield Said(at, {**base, "hook_event_name": "Stop"}, "transcript/assistant")
