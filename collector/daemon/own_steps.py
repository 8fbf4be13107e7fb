"""The steps the collector makes of its own: a `gap` it records, and the step a plain map is (or the
`malformed_input` gap naming the first field the schema refused).
"""

from __future__ import annotations

from typing import Any

from collector.text.validation import first_error
from schemas import steps as kinds
from schemas.limits import SHORT_TEXT_MAX


def converted(data: dict[str, Any]) -> kinds.Step:
    """The step a plain map (with its `t_ms`) is, or a `malformed_input` gap naming the first field the
    schema refused."""
    try:
        return kinds.step_from_dict(data)
    except kinds.StepError as exc:
        detail = f"invalid {kind_name(data)} step ({first_error(exc, values=False)})"
        return gap("collector", "malformed_input", detail)


def gap(source: str, reason: kinds.GapReason, detail: str, *, lost: int | None = None) -> kinds.GapStep:
    """A `gap` step the collector makes (`t_ms` 0, placed when written), of values it chose: a struct's
    constructor checks no constraint, so `detail` is cut to the step's bound here."""
    return kinds.GapStep(t_ms=0, source=source, reason=reason, detail=detail[:SHORT_TEXT_MAX],
                         lost_steps=lost)


def kind_name(step: dict[str, Any]) -> str:
    """The kind a plain step names, quoted and cut, for a message about it."""
    kind = step.get("kind")
    return repr(kind[:32]) if isinstance(kind, str) else "kind-less"
