"""What one line of an agent's transcript said, in the shape the agent's hook would have passed it.

A transcript and a hook describe the same session: the prompt submitted, each tool called and its result,
the end of an answer. A file tool's result also carries what it wrote (`writes`, writes.py). Each reader
(claude_code.py, codex.py) turns its agent's lines into `Said`s whose `payload` is the hook input the agent
documents (`hook_event_name`, `session_id`, `cwd`, `prompt`, `tool_name`, `tool_input`), so that the hooks'
own reading (collector/sources/agents/payloads.py) makes the `agent` step, with the same targets, command
line and cuts, and nothing else in a transcript line is read. `evidence` is where in the transcript it was
found (the transcript's own record type): the step's `hook`, since no hook was called.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from collector.transcripts.writes import FileWrite

# the tool_input fields the hooks' reading looks at (payloads.py: a file tool's path, a shell's command,
# a Codex patch): all a tool call is kept as until its result comes, so a Write's content is never held
READ_FIELDS = ("file_path", "notebook_path", "filePath", "command")


@dataclass(frozen=True)
class Said:
    at: datetime  # when the transcript says it happened (aware, UTC)
    payload: dict[str, Any]
    evidence: str  # `transcript/<record type>`
    writes: tuple[FileWrite, ...] = ()  # a file tool's result: what it wrote (writes.py)


def when(value: object) -> datetime | None:
    """A transcript's ISO 8601 time (`2026-11-26T22:23:37.884Z`) as an aware UTC time; None when it is
    not one."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def text_of(value: object) -> str | None:
    """A string field's value, or None."""
    return value if isinstance(value, str) else None


def tool_input(value: object) -> dict[str, str]:
    """What the hooks' reading looks at of a tool's input (READ_FIELDS)."""
    if not isinstance(value, dict):
        return {}
    return {name: value[name] for name in READ_FIELDS if isinstance(value.get(name), str)}
