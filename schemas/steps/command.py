"""`command`: a terminal command, from `codetape run` (argv, output tail) or the shell hook (line only).

`cwd` is relative to the workspace root ("." for the root itself).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import msgspec

from schemas.compiled import compile_module
from schemas.steps.base import Millis, ShortText, StepBase


class CommandStep(StepBase, tag="command", frozen=True, kw_only=True):
    kind: ClassVar[Literal["command"]] = "command"
    argv: Annotated[list[str], msgspec.Meta(max_length=10_000)] | None = None
    command_line: ShortText | None = None
    cwd: Annotated[str, msgspec.Meta(max_length=4096)] = "."
    exit_code: int | None = None
    duration_ms: Millis = 0
    output_tail: ShortText | None = None


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
