"""How an episode and each task in it ended (collector/episode/outcome.py), judged by every signal, on
hand-built step sequences replayed as the build replays them (rows.StepRows)."""

from __future__ import annotations

from typing import Any

from collector.dataset.rows.rows import StepRows
from collector.reconstruct.workspace import Workspace
from schemas import step_from_dict
from tests.unit.dataset.test_survival import commit, edit, opened, saved


def run(t_ms: int, *outcomes: str, exit_status: int | None = None) -> dict[str, Any]:
    return {"kind": "test_run", "t_ms": t_ms, "source": "pytest", "exit_status": exit_status,
            "tests": [{"nodeid": f"t.py::test_{n}", "outcome": outcome}
                      for n, outcome in enumerate(outcomes)]}


def task(t_ms: int, action: str, *, statement: str | None = None, outcome: str | None = None
         ) -> dict[str, Any]:
    step: dict[str, Any] = {"kind": "task", "t_ms": t_ms, "source": "cli", "action": action}
    if statement is not None:
        step["statement"] = statement
    if outcome is not None:
        step["outcome"] = outcome
    return step


def judged(steps: list[dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(the episode's outcome columns, the rows of `tasks`)."""
    rows = StepRows("e", "k", "2026-01")
    workspace = Workspace("utf-16")
    for index, data in enumerate(steps):
        step = step_from_dict(data)
        rows.before(index, step, workspace)
        workspace.apply(step)
        rows.observe(index, step, workspace)
    tasks = rows.finish()["tasks"].to_pylist()
    return rows.judged, tasks


def verdicts(columns: dict[str, Any]) -> list[tuple[str, str]]:
    return [(one["signal"], one["verdict"]) for one in columns["outcome_signals"]]


def test_red_then_green_with_nothing_after_is_a_tests_pass_the_developer_may_contradict() -> None:
    episode, tasks = judged([
        task(0, "start", statement="fix it"), opened(1, "x\n"), run(10, "failed"), edit(20, 0, 1, "y"),
        saved(30), run(40, "passed", exit_status=0), task(50, "done", outcome="abandoned")])
    assert (episode["outcome"], episode["outcome_signal"], episode["outcome_confidence"]) == \
        ("pass", "tests", 0.45)
    assert verdicts(episode) == [("tests", "pass"), ("self-reported", "abandoned")]
    assert [(row["statement"], row["outcome"], row["first_step"], row["done_step"]) for row in tasks] == \
        [("fix it", "pass", 0, 6)]


def test_an_edit_after_the_last_run_leaves_the_tests_silent() -> None:
    episode, _tasks = judged([opened(0, "x\n"), run(10, "passed", exit_status=0), edit(20, 0, 0, "a"),
                              saved(30), commit(40, "a.py")])
    assert verdicts(episode) == [("commit", "pass")]
    assert (episode["outcome"], episode["outcome_confidence"]) == ("pass", 0.6)


def test_a_green_run_with_no_red_before_is_trusted_less_and_a_red_last_run_is_a_fail() -> None:
    episode, _ = judged([run(0, "passed", "skipped")])
    assert (episode["outcome"], episode["outcome_confidence"]) == ("pass", 0.7)
    episode, _ = judged([run(0, "passed"), run(10, "passed", "error")])
    assert (episode["outcome"], episode["outcome_confidence"]) == ("fail", 0.8)
    episode, _ = judged([run(0, exit_status=5)])  # no tests collected: not green
    assert episode["outcome"] == "fail"


def test_nothing_said_is_abandoned_with_low_confidence() -> None:
    episode, tasks = judged([opened(0, "x\n"), edit(10, 0, 0, "a")])
    assert (episode["outcome"], episode["outcome_signal"], episode["outcome_confidence"]) == \
        ("abandoned", "abandoned", 0.3)
    assert tasks == []


def test_each_task_is_judged_on_its_own_steps() -> None:
    episode, tasks = judged([
        task(0, "start", statement="one"), opened(1, "x\n"), run(10, "failed"),
        task(20, "start", statement="two"), edit(30, 0, 0, "a"), saved(40), commit(50, "a.py"),
        task(60, "done", outcome="pass")])
    assert [(row["task"], row["statement"], row["first_step"], row["last_step"], row["outcome"],
             row["outcome_signal"]) for row in tasks] == [
        (0, "one", 0, 2, "fail", "tests"),  # its red run, nothing written after it in the task
        (1, "two", 3, 7, "pass", "self-reported"),
    ]
    assert verdicts(episode) == [("self-reported", "pass"), ("commit", "pass")]  # the run is stale


def test_a_task_done_whose_start_is_in_an_earlier_episode_is_the_episode_so_far() -> None:
    _episode, tasks = judged([opened(0, "x\n"), run(10, "passed", exit_status=0), task(20, "done")])
    assert [(row["statement"], row["first_step"], row["done_step"], row["outcome"]) for row in tasks] == \
        [(None, 0, 2, "pass")]
