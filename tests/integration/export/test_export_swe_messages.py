"""`codetape export --format swe-messages` through the real CLI: a signed session with a task, edits, a
failing then a passing test run, a command and a commit becomes one row of OpenAI-style messages with tool
calls; its model_patch, applied by `git apply` to the files as the session first saw them, gives the files
`codetape checkout` writes at its end; the rows pass TRL's own conversational check
(`trl.data_utils.is_conversational`) and load, with an episode without a task, in Hugging Face `datasets`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import datasets
from trl.data_utils import is_conversational

from collector.episode import open_episode
from tests.integration.export.export_sessions import (  # noqa: F401 (fixtures)
    APP,
    COMMIT,
    PLACEHOLDER,
    STATEMENT,
    TEST,
    calc_session,
    checkout_text,
    codetape,
    secret_session,
)
from tests.support.dataset_helpers import contributor, sign

COLUMNS = {"messages", "tools", "model_patch", "resolved", "resolved_signal", "repo", "license", "split",
           "episode_id", "task_index", "first_step", "last_step"}


def export(home: Path, out: Path, episode: Path) -> list[dict[str, Any]]:
    done = codetape(home, "export", str(episode), "--format", "swe-messages", "-o", str(out))
    assert done.returncode == 0, done.stderr
    written = out / f"{open_episode(episode).header.episode_id}.swe-messages.jsonl"
    return [json.loads(line) for line in written.read_text(encoding="utf-8").splitlines()]


def test_a_task_is_a_row_of_tool_calls_whose_patch_gives_the_files_at_its_end(
        tmp_path: Path, secret_session: tuple[Path, Path], calc_session: tuple[Path, Path]) -> None:  # noqa: F811
    _home, unsigned = secret_session
    alice = contributor(tmp_path, "alice")
    (tmp_path / "signed").mkdir()
    episode = sign(alice, unsigned, target=tmp_path / "signed" / unsigned.name)
    [row] = export(alice.home.root, tmp_path / "out", episode)
    assert set(row) == COLUMNS and is_conversational(row)
    assert (row["license"], row["repo"], row["task_index"]) == ("CC-BY-4.0", "ws", 0)
    assert row["split"] in ("train", "eval")
    # the last test run passed, but src/app.py was edited after it: the task's own outcome decides
    assert (row["resolved"], row["resolved_signal"]) == (1, "self-reported")

    messages, tools = row["messages"], {tool["function"]["name"] for tool in row["tools"]}
    assert [m["role"] for m in messages[:2]] == ["system", "user"] and messages[1]["content"] == STATEMENT
    calls: list[tuple[str, dict[str, Any], str]] = []
    for call, result in zip(messages[2::2], messages[3::2], strict=True):
        assert call["role"] == "assistant" and call["content"] == "" and result["role"] == "tool"
        [made] = call["tool_calls"]
        assert made["type"] == "function" and made["function"]["name"] in tools
        assert result["tool_call_id"] == made["id"] and result["name"] == made["function"]["name"]
        calls.append((result["name"], json.loads(made["function"]["arguments"]), result["content"]))
    assert [name for name, _args, _result in calls] == [
        "edit_file", "edit_file", "run_tests", "run_command", "edit_file", "edit_file", "run_tests", "git",
        "edit_file"]
    assert calls[2][2] == ("0 passed, 1 failed (exit status 1)\n"
                           "FAILED tests/test_app.py::test_greet: AssertionError: assert 'hi' == 'hi x'")
    assert calls[3][1] == {"command": "pytest -q", "cwd": "."} and calls[3][2].endswith("[exit code 1]")
    assert calls[7][2] == COMMIT and calls[7][1]["message"] == "greet by name"
    assert calls[0][1]["diff"] == ("--- a/src/app.py\n+++ b/src/app.py\n@@ -1,2 +1,2 @@\n-def greet():\n"
                                   "+def greet(name):\n     return 'hi'\n")

    work = tmp_path / "apply"
    for path, text in {"src/app.py": APP, "tests/test_app.py": TEST, "src/settings.py": ""}.items():
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        (work / path).write_text(text, encoding="utf-8")
    applied = subprocess.run(["git", "apply", "-"], input=row["model_patch"].encode(), cwd=work,
                             capture_output=True, check=False)
    assert applied.returncode == 0, applied.stderr
    for path in ("src/app.py", "tests/test_app.py", "src/settings.py"):
        end = checkout_text(alice.home.root, episode, row["last_step"], path, tmp_path / "checkouts")
        assert (work / path).read_text(encoding="utf-8") == end
    assert PLACEHOLDER in row["model_patch"]  # the token typed, as it was signed: redacted

    calc_home, calc = calc_session
    [whole] = export(calc_home, tmp_path / "out2", calc)  # no task: one row for the episode
    assert whole["task_index"] == -1
    assert whole["messages"][1]["content"] == "(no task statement was recorded)"
    assert whole["license"] == "" and is_conversational(whole)  # an episode not signed: no licence
    # one type per column in every file, whichever comes first (issue 55, item 2: a column all null in the
    # first file and typed in the next made `datasets` refuse the folder)
    for order in (sorted, lambda files: sorted(files, reverse=True)):
        files = order(str(p) for p in [*(tmp_path / "out").iterdir(), *(tmp_path / "out2").iterdir()])
        loaded = datasets.load_dataset("json", data_files=files, split="train")
        assert loaded.num_rows == 2 and set(loaded.column_names) == COLUMNS
        assert sorted(loaded["task_index"]) == [-1, 0] and sorted(loaded["license"]) == ["", "CC-BY-4.0"]
    assert all(is_conversational(example) for example in loaded)
