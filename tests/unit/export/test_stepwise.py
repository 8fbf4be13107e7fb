"""stepwise's rows (collector/export/preferences/stepwise.py) of hand-built episodes, written in this process:
from a failing test run to the next green one, each edit burst between labelled by whether what it inserted is
still there at the green run; checked through TRL's own PRM tokenization (tests/support/trl_prm.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from collector.episode import open_episode, write_episode_file
from collector.export.preferences.stepwise import StepwiseExporter
from collector.export.result import ExportResult
from schemas import EpisodeHeader, Step, step_from_dict

FAILED = [{"nodeid": "test_a.py::test_f", "outcome": "failed", "summary": "assert 1 == 2"},
          {"nodeid": "test_a.py::test_g", "outcome": "passed"}]
PASSED = [{"nodeid": "test_a.py::test_f", "outcome": "passed"},
          {"nodeid": "test_a.py::test_g", "outcome": "passed"}]


def step(kind: str, t_ms: int, **fields: Any) -> Step:
    return step_from_dict({"kind": kind, "t_ms": t_ms, "source": "test", **fields})


def edit(t_ms: int, line: int, start: int, end: int, text: str, end_line: int | None = None,
         origin: str = "typed") -> Step:
    return step("edit", t_ms, path="a.py", origin=origin, changes=[{"range": {
        "start": {"line": line, "character": start},
        "end": {"line": line if end_line is None else end_line, "character": end}}, "text": text}])


def run(t_ms: int, tests: list[dict[str, Any]]) -> Step:
    failed = any(test["outcome"] == "failed" for test in tests)
    return step("test_run", t_ms, args=["-q", "test_a.py"], exit_status=1 if failed else 0, tests=tests)


def export(tmp_path: Path, header: EpisodeHeader,
           steps: list[Step]) -> tuple[list[dict[str, Any]], ExportResult]:
    path = tmp_path / f"{header.episode_id}.ctape"
    write_episode_file(path, header, steps)
    result = ExportResult("stepwise", tmp_path)
    result.splits[str(header.episode_id)] = "eval"
    StepwiseExporter(tmp_path, result, ".stepwise.jsonl").add(open_episode(path))
    written = tmp_path / f"{header.episode_id}.stepwise.jsonl"
    return [json.loads(line) for line in written.read_text(encoding="utf-8").splitlines()], result


def last_lines(row: dict[str, Any]) -> list[str]:
    """Each step's last line added or removed."""
    return [[line for line in diff.splitlines()[2:] if line[:1] in "+-"][-1] for diff in row["completions"]]


def test_a_burst_reverted_before_the_green_run_is_false_one_that_stays_true(
        tmp_path: Path, episode_header: EpisodeHeader) -> None:
    steps = [step("open", 0, path="a.py", text="def f():\n    return 1\n"),
             edit(100, 1, 12, 12, "  # before"),  # before the failing run: no step of it
             run(1_000, FAILED),
             edit(10_000, 2, 0, 0, "x = 3\n"),  # a guess, taken back later
             step("save", 11_000, path="a.py"),
             edit(12_000, 1, 12, 12, "0"),  # 1 -> 10: another guess, written over later
             step("save", 13_000, path="a.py"),
             edit(20_000, 2, 0, 0, "", end_line=3),  # x = 3 removed: the first guess reverted
             edit(30_000, 1, 11, 13, "12"),  # the fix: 10 -> 12, the 0 replaced
             step("save", 31_000, path="a.py"),
             run(40_000, PASSED)]
    [row], result = export(tmp_path, episode_header, steps)
    assert row["prompt"] == ("The tests failed (pytest -q test_a.py):\n1 passed, 1 failed (exit status 1)\n"
                             "FAILED test_a.py::test_f: assert 1 == 2\n")
    assert last_lines(row) == ["+x = 3", "+    return 10  # before", "-x = 3", "+    return 12  # before"]
    assert row["labels"] == [False, False, True, True]  # (a deletion inserted nothing to revert)
    assert row["completion_steps"] == [[3, 3], [5, 5], [7, 7], [8, 8]]
    assert row["completions"][0].startswith("--- a/a.py\n+++ b/a.py\n@@")
    assert (row["name"], row["failing_step"], row["passing_step"], row["split"]) == (
        f"{episode_header.episode_id}:2-10", 2, 10, "eval")
    assert result.records == 1


def test_an_undo_of_a_burst_makes_it_false_though_its_text_is_typed_again(
        tmp_path: Path, episode_header: EpisodeHeader) -> None:
    """Survival is of the characters a burst inserted, not of its text: the same text typed again is
    another burst's (as the dataset's reverted_at_step counts it)."""
    steps = [step("open", 0, path="a.py", text="a = 1\n"),
             run(1_000, FAILED),
             edit(10_000, 0, 5, 5, "0"),
             edit(20_000, 0, 5, 6, "", origin="undo"),
             edit(30_000, 0, 5, 5, "0"),
             run(40_000, PASSED)]
    [row], _ = export(tmp_path, episode_header, steps)
    assert last_lines(row) == ["+a = 10", "+a = 1", "+a = 10"]
    assert row["labels"] == [False, True, True]


def test_an_agents_write_between_the_runs_is_a_step_of_its_own_with_its_actor(
        tmp_path: Path, episode_header: EpisodeHeader) -> None:
    """Issue 72, item 3: the developer half-fixes the test, an AI agent's write to disk does the rest: the
    write is a step of the row with its actor and diff, so the developer's step is not credited with it."""
    steps = [step("open", 0, path="a.py", text="def f():\n    return 1\n"),
             run(1_000, FAILED),
             edit(10_000, 0, 8, 8, "  # half"),  # the developer's step
             step("save", 11_000, path="a.py"),
             step("file_change", 20_000, path="a.py", change="modified", origin="agent",
                  text="def f():  # half\n    return 2\n"),  # the agent's fix, written to disk
             step("edit", 20_100, path="a.py", origin="unknown", changes=[{"range": {
                 "start": {"line": 1, "character": 11}, "end": {"line": 1, "character": 12}}, "text": "2"}]),
             run(30_000, PASSED)]
    [row], _ = export(tmp_path, episode_header, steps)
    assert last_lines(row) == ["+def f():  # half", "+    return 2"]
    assert row["completion_actors"] == ["developer", "agent"] and row["outside_writes"] is True
    assert row["labels"] == [True, True]
    assert row["completion_steps"] == [[2, 2], [4, 4]]
    # TRL 0.29's PRM preparation (issue 72): the agent's write a step of its own, its label on its last token
    # (TRL's side imports huggingface_hub, which Windows' simulation cannot: only this test skips there)
    from tests.support.trl_dpo import byte_tokenizer
    from tests.support.trl_prm import SEPARATOR, read_back, tokenized

    tokenizer = byte_tokenizer()
    prompt, found = read_back(tokenized(row, tokenizer), tokenizer, row["prompt"])
    assert prompt == row["prompt"]
    assert found == [(text + SEPARATOR, True) for text in row["completions"]]


def test_a_burst_an_agents_write_replaced_but_for_its_line_breaks_did_not_survive(
        tmp_path: Path, episode_header: EpisodeHeader) -> None:
    """Issue 72, item 2: the developer's burst inserted a line; the agent's write replaced it with its own,
    the two sharing the line breaks around it. Counting characters, the breaks survived; counting what is
    not whitespace, nothing of the burst did."""
    steps = [step("open", 0, path="a.py", text="def f():\n    return 1\n"),
             run(1_000, FAILED),
             edit(10_000, 1, 12, 12, "\n    x = 3\n"),  # the developer's guess, its own line
             step("save", 11_000, path="a.py"),
             step("file_change", 20_000, path="a.py", change="modified", origin="agent",
                  text="def f():\n    return 1\n    return 2\n\n"),  # the agent's, over it
             step("edit", 20_100, path="a.py", origin="unknown", changes=[{"range": {  # the editor reads
                 "start": {"line": 2, "character": 4}, "end": {"line": 2, "character": 9}},  # it in
                 "text": "return 2"}]),
             run(30_000, PASSED)]
    [row], _ = export(tmp_path, episode_header, steps)
    assert row["completion_actors"] == ["developer", "agent"]
    assert row["labels"] == [False, True] and row["surviving_shares"] == [0.0, 1.0]


def test_no_row_when_the_tests_never_pass_again(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    steps = [step("open", 0, path="a.py", text="a = 1\n"),
             run(1_000, FAILED), edit(10_000, 0, 5, 5, "0"), run(20_000, FAILED), edit(30_000, 0, 5, 6, "2"),
             step("test_run", 40_000, tests=[])]  # nothing ran: neither failing nor green
    rows, result = export(tmp_path, episode_header, steps)
    assert rows == [] and result.records == 0


def test_two_segments_each_from_its_first_failing_run_the_task_in_the_prompt(
        tmp_path: Path, episode_header: EpisodeHeader) -> None:
    steps = [step("open", 0, path="a.py", text="a = 1\n"),
             run(1_000, FAILED), edit(10_000, 0, 5, 5, "0"), run(15_000, FAILED),  # still the same mistake
             edit(20_000, 0, 5, 6, "2"), run(25_000, PASSED),
             step("task", 26_000, action="start", statement="make b 3"),
             edit(27_000, 1, 0, 0, "b = 2\n"), run(30_000, FAILED),
             edit(40_000, 1, 4, 5, "3"), run(50_000, PASSED), run(60_000, PASSED)]
    first, second = export(tmp_path, episode_header, steps)[0]
    assert (first["failing_step"], first["passing_step"]) == (1, 5)
    assert last_lines(first) == ["+a = 10", "+a = 12"] and first["labels"] == [False, True]
    assert not first["prompt"].startswith("The task")
    assert (second["failing_step"], second["passing_step"]) == (8, 10)
    assert second["prompt"].startswith("The task:\nmake b 3\n\nThe tests failed")
    assert last_lines(second) == ["+b = 3"] and second["labels"] == [True]


def test_a_segment_holding_a_redaction_placeholder_is_left_out_counted(
        tmp_path: Path, episode_header: EpisodeHeader) -> None:
    steps = [step("open", 0, path="a.py", text="a = 1\n"),
             run(1_000, FAILED), edit(10_000, 0, 5, 5, "  # «redacted:secret:1»"), run(20_000, PASSED)]
    rows, result = export(tmp_path, episode_header, steps)
    assert rows == [] and result.skipped == {"segments with a redaction placeholder": 1}


def test_prm_tokenizes_each_step_with_its_label_on_its_last_token(
        tmp_path: Path, episode_header: EpisodeHeader) -> None:
    steps = [step("open", 0, path="a.py", text="def f():\n    return 1\n"),
             run(1_000, FAILED),
             edit(10_000, 2, 0, 0, "x = 3\n"), edit(20_000, 2, 0, 0, "", end_line=3),
             edit(30_000, 1, 11, 12, "2"), run(40_000, PASSED)]
    [row], _ = export(tmp_path, episode_header, steps)
    assert row["labels"] == [False, True, True]
    # (TRL's side imports huggingface_hub, which Windows' simulation cannot: only this test skips there)
    from tests.support.trl_dpo import byte_tokenizer
    from tests.support.trl_prm import SEPARATOR, read_back, tokenized

    tokenizer = byte_tokenizer()
    prompt, found = read_back(tokenized(row, tokenizer), tokenizer, row["prompt"])
    assert prompt == row["prompt"]
    assert found == [(text + SEPARATOR, label) for text, label in zip(row["completions"], row["labels"],
                                                                     strict=True)]
