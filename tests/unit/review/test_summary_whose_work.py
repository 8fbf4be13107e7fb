"""The review's first screen says how much of what would be shared is whose work (issue 28)."""

from __future__ import annotations

from pathlib import Path

from collector.episode import open_episode
from collector.review.summary_view import build_summary
from tests.unit.report.test_data import at, step, write


def test_the_summary_gives_the_shares_of_what_was_written_overall_and_per_file(tmp_path: Path) -> None:
    steps = [step("open", 0, path="a.py", text=""),
             step("edit", 1, path="a.py", changes=[{"text": "x" * 60}], origin="paste",
                  origin_detail="emacs:yank"),
             step("edit", 2, path="a.py", changes=[{"range": {"start": at(0, 60), "end": at(0, 60)},
                                                    "text": "y" * 39}]),
             step("edit", 3, path="a.py", changes=[{"range": {"start": at(0, 0), "end": at(0, 0)},
                                                    "text": "z"}], origin="typed",
                  origin_detail="emacs:self-insert-command")]
    summary = build_summary(open_episode(write(tmp_path / "w.ctape", steps)))
    lines = summary.lines()
    assert "written     100 characters, whose: paste 60%, unknown 39%, typed 1%" in lines
    assert lines.index("written     100 characters, whose: paste 60%, unknown 39%, typed 1%") + 1 == \
        next(index for index, line in enumerate(lines) if line.startswith("files "))
    assert "  a.py  1 open, 3 edits  (paste 60%, unknown 39%, typed 1%)" in lines
    assert summary.to_json()["written"] == {"paste": 60, "typed": 1, "unknown": 39}
    quiet = build_summary(open_episode(write(tmp_path / "q.ctape", steps[:1]))).lines()
    assert not any(line.startswith("written") for line in quiet)


def test_the_summary_lists_what_agents_were_asked_and_did(tmp_path: Path) -> None:
    steps = [step("agent", 0, agent="claude-code", hook="UserPromptSubmit", event="prompt",
                  prompt="make the parser strict"),
             step("agent", 1, agent="claude-code", hook="PostToolUse", event="tool_result", tool="Edit",
                  targets=["a.py"]),
             step("agent", 2, agent="claude-code", hook="UserPromptSubmit", event="prompt")]  # left out
    lines = build_summary(open_episode(write(tmp_path / "a.ctape", steps))).lines()
    start = lines.index("agents      3 steps, 2 prompts (p in the review, or sign --leave-out-prompts, "
                        "leaves their text out)")
    assert lines[start + 1:start + 4] == ["  0:00:00.000  claude-code asked: make the parser strict",
                                          "  0:00:00.001  claude-code ran Edit on a.py",
                                          "  0:00:00.002  claude-code asked (left out)"]
