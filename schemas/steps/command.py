"""`command`: a terminal command, from `codetape run` (argv, output tail) or the shell hook (line only).

`cwd` is relative to the workspace root ("." for the root itself).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from schemas.common import Millis, ShortText, StepBase


class CommandStep(StepBase):
    kind: Literal["command"] = "command"
    argv: Annotated[list[str], Field(max_length=10_000)] | None = None
    command_line: ShortText | None = None
    cwd: str = Field(default=".", max_length=4096)
    exit_code: int | None = None
    duration_ms: Millis = 0
    output_tail: ShortText | None = None
