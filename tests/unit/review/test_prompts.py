"""The review leaves agent prompts out: the text goes, the step stays, nothing else changes."""

from __future__ import annotations

from collector.review.plan import TrimPlan
from collector.review.prompts import PromptsReport, leave_out_prompts
from schemas import step_from_dict

STEPS = [
    step_from_dict({"kind": "agent", "t_ms": 1, "source": "agent", "agent": "cursor",
                    "hook": "beforeSubmitPrompt", "event": "prompt", "prompt": "my private plan",
                    "session": "c"}),
    step_from_dict({"kind": "agent", "t_ms": 2, "source": "agent", "agent": "cursor",
                    "hook": "afterShellExecution", "event": "tool_result", "command_line": "make",
                    "session": "c"}),
    step_from_dict({"kind": "note", "t_ms": 3, "source": "cli", "text": "my private plan"}),
]


def test_prompts_lose_their_text_and_nothing_else_changes() -> None:
    report = PromptsReport()
    out = list(leave_out_prompts(STEPS, report))
    assert report.prompts == 1
    assert out[0].prompt is None and out[0].event == "prompt" and out[0].session == "c"  # type: ignore[union-attr]
    assert out[1:] == STEPS[1:]


def test_the_plan_says_it() -> None:
    plan = TrimPlan().without_prompts()
    assert not plan.empty and plan.describe() == ["leave out agent prompts"]
    assert TrimPlan().empty
