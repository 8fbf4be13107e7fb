"""The review's Summary counts test runs and the tests in them apart (issue 97, item 3)."""

from __future__ import annotations

from pathlib import Path

from collector.episode import open_episode
from collector.review.summary_view import build_summary
from schemas import Step
from tests.unit.report.test_data import step, write


def test_runs_and_tests_are_counted_apart(tmp_path: Path) -> None:
    def run(t_ms: int, *outcomes: str, exit_status: int | None = None) -> Step:
        tests = [{"nodeid": f"t.py::t{t_ms}_{n}", "outcome": outcome} for n, outcome in enumerate(outcomes)]
        return step("test_run", t_ms, tests=tests, exit_status=exit_status)

    steps = [run(0, "passed", "failed"), run(1, "passed"), run(2, "failed", "passed"), run(3, "passed"),
             run(4, exit_status=2)]  # pytest refused its arguments: no test, a failed run
    summary = build_summary(open_episode(write(tmp_path / "r.ctape", steps)))
    assert "test runs   5 (2 passed, 3 failed), 6 tests (4 passed, 2 failed)" in summary.lines()
    one = build_summary(open_episode(write(tmp_path / "one.ctape", steps[1:2])))
    assert "test runs   1 (1 passed), 1 test (1 passed)" in one.lines()
    none = build_summary(open_episode(write(tmp_path / "none.ctape", [step("note", 0, text="hi")])))
    assert "test runs   0" in none.lines()
