"""Leaving out agent prompts: what the developer typed to an AI agent stays on this machine.

Each `agent` step that carries a prompt keeps its place (the agent was asked something, then) without the
prompt's text; nothing else carries it (a prompt reaches an episode only through its `agent` step).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from msgspec.structs import replace

from schemas import Step
from schemas.steps import AgentStep


@dataclass
class PromptsReport:
    """How many prompts were left out."""

    prompts: int = 0


def leave_out_prompts(steps: Iterable[Step], report: PromptsReport) -> Iterator[Step]:
    """`steps` with every agent prompt's text removed; `report` counts them as they go by."""
    for step in steps:
        if isinstance(step, AgentStep) and step.prompt is not None:
            report.prompts += 1
            yield replace(step, prompt=None, truncated=False if step.command_line is None else step.truncated)
        else:
            yield step
