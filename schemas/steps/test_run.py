"""`test_run`: one run of a test framework with the outcome of every test it ran.

An entry with `kind` `collection` is not a test: a file or module the framework could not collect (an
import error, a syntax error), its `nodeid` the collector's node (the file's path), its outcome `error`.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import msgspec

from schemas.compiled import compile_module
from schemas.steps.base import Millis, ShortText, StepBase, Struct

Outcome = Literal["passed", "failed", "skipped", "error", "xfailed", "xpassed"]


class TestOutcome(Struct, frozen=True, kw_only=True):
    nodeid: Annotated[str, msgspec.Meta(max_length=4096)]
    outcome: Outcome
    duration_ms: Millis = 0
    summary: ShortText | None = None
    kind: Literal["collection"] | None = None


class TestRunStep(StepBase, tag="test_run", frozen=True, kw_only=True):
    kind: ClassVar[Literal["test_run"]] = "test_run"
    framework: Annotated[str, msgspec.Meta(max_length=64)] = "pytest"
    args: Annotated[list[str], msgspec.Meta(max_length=1000)] = []
    exit_status: int | None = None
    duration_ms: Millis = 0
    tests: Annotated[list[TestOutcome], msgspec.Meta(max_length=1_000_000)] = []


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
