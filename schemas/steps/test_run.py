"""`test_run`: one run of a test framework with the outcome of every test it ran."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from schemas.common import Millis, Model, ShortText, StepBase

Outcome = Literal["passed", "failed", "skipped", "error", "xfailed", "xpassed"]


class TestOutcome(Model):
    nodeid: str = Field(max_length=4096)
    outcome: Outcome
    duration_ms: Millis = 0
    summary: ShortText | None = None


class TestRunStep(StepBase):
    kind: Literal["test_run"] = "test_run"
    framework: str = Field(default="pytest", max_length=64)
    args: Annotated[list[str], Field(max_length=1000)] = []
    exit_status: int | None = None
    duration_ms: Millis = 0
    tests: Annotated[list[TestOutcome], Field(max_length=1_000_000)] = []
