"""`codetape export --format atif` through the real CLI, checked with the ATIF package's own pydantic models
(PyPI `atif`), and each edit_file diff applied by `git apply` to `codetape checkout` before the burst."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import timedelta
from pathlib import Path

import atif

from collector.episode import open_episode
from tests.fixtures.make_golden import DIRECTORY
from tests.integration.export.export_sessions import (  # noqa: F401 (fixtures)
    APP,
    COMMIT,
    PLACEHOLDER,
    STATEMENT,
    TOKEN,
    calc_session,
    checkout_text,
    codetape,
    secret_session,
)

GOLDEN = [DIRECTORY / f"{name}.ctape" for name in ("minimal", "full", "unicode", "future")]


def export(home: Path, out: Path, *episodes: Path) -> dict[Path, atif.Trajectory]:
    done = codetape(home, "export", *map(str, episodes), "--format", "atif", "-o", str(out))
    assert done.returncode == 0, done.stderr
    return {path: atif.Trajectory.model_validate_json(
        (out / f"{open_episode(path).header.episode_id}.atif.json").read_text(encoding="utf-8"))
        for path in episodes}


def calls(trajectory: atif.Trajectory) -> list[tuple[atif.Step, atif.ToolCall]]:
    return [(step, call) for step in trajectory.steps for call in step.tool_calls or []]


def test_every_trajectory_validates_and_is_ordered_on_the_episodes_clock(
        tmp_path: Path, secret_session: tuple[Path, Path], calc_session: tuple[Path, Path]) -> None:  # noqa: F811
    episodes = [*GOLDEN, secret_session[1], calc_session[1]]
    for path, trajectory in export(tmp_path, tmp_path / "out", *episodes).items():
        header = open_episode(path).header
        assert trajectory.schema_version == "ATIF-v1.8" and trajectory.session_id == str(header.episode_id)
        assert trajectory.agent.name == "codetape" and trajectory.agent.version == header.codetape_version
        assert trajectory.final_metrics is not None and trajectory.final_metrics.total_steps == len(
            trajectory.steps)
        assert trajectory.extra is not None and trajectory.extra["episode_id"] == str(header.episode_id)
        times = [step.extra["t_ms"] for step in trajectory.steps if step.extra]
        assert times == sorted(times) and len(times) == len(trajectory.steps)
        stamps = [step.timestamp or "" for step in trajectory.steps]
        assert stamps == sorted(stamps) and all(stamps)  # ISO UTC with Z: text order is time order
        # one format for every time in the file (issue 55, item 5: `datasets` refused the mix)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", trajectory.extra["started_at"]), \
            trajectory.extra["started_at"]
        ids = [call.tool_call_id for _, call in calls(trajectory)]
        assert len(ids) == len(set(ids))
        if path.name == "full.ctape":  # a trajectory file is one JSON document, nothing around it
            raw = (tmp_path / "out" / f"{header.episode_id}.atif.json").read_text(encoding="utf-8")
            assert json.loads(raw)["steps"][0]["source"] == "user"


def test_a_session_maps_to_a_task_tool_calls_observations_and_messages(
        tmp_path: Path, secret_session: tuple[Path, Path]) -> None:  # noqa: F811
    home, episode = secret_session
    trajectory = export(home, tmp_path / "out", episode)[episode]
    shape = [(s.source, s.tool_calls[0].function_name if s.tool_calls else s.message)
             for s in trajectory.steps]
    assert shape == [
        ("user", STATEMENT), ("agent", "read_file"), ("agent", "edit_file"), ("agent", "edit_file"),
        ("agent", "run_tests"), ("agent", "bash"), ("agent", "read_file"), ("agent", "edit_file"),
        ("agent", "read_file"), ("agent", "edit_file"), ("agent", "run_tests"), ("agent", "git"),
        ("agent", "remember to rotate the token"), ("agent", "edit_file"), ("system", "task done")]
    steps = trajectory.steps
    assert trajectory.agent.tool_definitions is not None
    declared = [tool["function"]["name"] for tool in trajectory.agent.tool_definitions]
    used = {call.function_name for _, call in calls(trajectory)}
    assert used <= set(declared) and set(declared) - used == {"agent_tool", "write_file"}  # (no agent here)
    opened = steps[1]  # the text the editor opened, then the diagnostics the server sent for it
    assert opened.tool_calls is not None and opened.tool_calls[0].arguments == {"path": "src/app.py"}
    assert opened.observation is not None
    assert [(r.source_call_id, r.content) for r in opened.observation.results] == [
        (opened.tool_calls[0].tool_call_id, APP), (opened.tool_calls[0].tool_call_id, "")]
    for step in steps:  # every result on a step with a call names it
        if step.tool_calls and step.observation:
            assert {r.source_call_id for r in step.observation.results} == {step.tool_calls[0].tool_call_id}
    first = steps[2]
    assert first.tool_calls is not None and first.extra is not None
    assert first.tool_calls[0].arguments == {"path": "src/app.py", "diff": (
        "--- a/src/app.py\n+++ b/src/app.py\n@@ -1,2 +1,2 @@\n-def greet():\n+def greet(name):\n"
        "     return 'hi'\n")}
    assert (first.extra["t_ms"], first.extra["end_t_ms"], first.extra["edit_steps"]) == (1000, 1450, 4)
    started = open_episode(episode).header.started_at
    assert first.timestamp == (started + timedelta(milliseconds=1000)).isoformat(
        timespec="milliseconds").replace("+00:00", "Z")
    # diagnostics reported while the second burst was typed: only the last set, on that burst's step
    second = steps[3]
    assert second.observation is not None
    assert [r.content for r in second.observation.results] == [
        "src/app.py:2:15: error: f-string: expecting '}' [E999]"]
    failing = steps[4]
    assert failing.observation is not None and failing.tool_calls is not None
    result = failing.observation.results[0]
    assert result.source_call_id == failing.tool_calls[0].tool_call_id
    assert result.content == ("1 failed\n"
                              "FAILED tests/test_app.py::test_greet: AssertionError: assert 'hi' == 'hi x'")
    assert result.extra == {"exit_status": 1}
    assert failing.extra is not None and (failing.extra["t_ms"], failing.extra["duration_ms"]) == (11000, 420)
    bash = steps[5]
    assert bash.tool_calls is not None
    assert bash.tool_calls[0].arguments == {"command": "pytest -q", "cwd": "."}
    assert bash.observation is not None and bash.observation.results[0].extra == {"exit_code": 1}
    git = steps[11]
    assert git.tool_calls is not None and git.tool_calls[0].arguments["sha"] == COMMIT
    assert git.observation is not None and git.observation.results[0].content == "M src/app.py +2 -2"
    assert steps[14].extra is not None and steps[14].extra["outcome"] == "pass"
    text = (tmp_path / "out" / f"{open_episode(episode).header.episode_id}.atif.json").read_text("utf-8")
    assert TOKEN not in text and PLACEHOLDER in text  # the token's burst shows its placeholder, as recorded


def test_each_edit_file_diff_turns_the_checkout_before_its_burst_into_the_one_after(
        tmp_path: Path, secret_session: tuple[Path, Path], calc_session: tuple[Path, Path]) -> None:  # noqa: F811
    checked = 0
    for home, episode in (secret_session, calc_session):
        trajectory = export(home, tmp_path / episode.stem, episode)[episode]
        for step, call in calls(trajectory):
            if call.function_name != "edit_file":
                continue
            assert step.extra is not None
            first, last = step.extra["steps"]
            path: str = call.arguments["path"]
            work = tmp_path / f"apply-{checked}"
            work.mkdir()
            before = checkout_text(home, episode, first - 1, path, tmp_path / "checkouts") or ""
            (work / path).parent.mkdir(parents=True, exist_ok=True)
            (work / path).write_text(before, encoding="utf-8")
            applied = subprocess.run(["git", "apply", "-"], cwd=work, input=call.arguments["diff"], text=True,
                                     capture_output=True, check=False)
            assert applied.returncode == 0, (applied.stderr, call.arguments["diff"])
            after = checkout_text(home, episode, last, path, tmp_path / "checkouts")
            assert (work / path).read_text(encoding="utf-8") == after, (episode, first, last)
            checked += 1
    assert checked >= 6
