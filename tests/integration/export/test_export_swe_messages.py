"""`codetape export --format swe-messages` through the real CLI: a signed session with a task, edits, a
failing then a passing test run, a command and a commit becomes one row of OpenAI-style messages with tool
calls; its model_patch, applied by `git apply` to the files as the session first saw them, gives the files
`codetape checkout` writes at its end; the rows pass TRL's own conversational check
(`trl.data_utils.is_conversational`) and load, with an episode without a task, in Hugging Face `datasets`.
Generated sessions in which Claude Code writes files, exported in both variants, loaded with
`datasets.load_dataset("json")` and prepared by TRL's own SFT preparation (tests/support/trl_sft.py) with
`assistant_only_loss`: the developer variant trains on no agent's call."""

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
from tests.support.dataset_helpers import contributor, session, sign
from tests.support.trl_sft import prepare, qwen_tokenizer, trained

COLUMNS = {"messages", "tools", "model_patch", "resolved", "resolved_signal", "repo", "license", "language",
           "split", "episode_id", "task_index", "first_step", "last_step"}


def export(home: Path, out: Path, *episodes: Path, fmt: str = "swe-messages") -> list[dict[str, Any]]:
    done = codetape(home, "export", *map(str, episodes), "--format", fmt, "-o", str(out))
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for episode in episodes
            for line in (out / f"{open_episode(episode).header.episode_id}.{fmt}.jsonl")
            .read_text(encoding="utf-8").splitlines()]


def test_a_task_is_a_row_of_tool_calls_whose_patch_gives_the_files_at_its_end(
        tmp_path: Path, secret_session: tuple[Path, Path], calc_session: tuple[Path, Path]) -> None:  # noqa: F811
    _home, unsigned = secret_session
    alice = contributor(tmp_path, "alice")
    (tmp_path / "signed").mkdir()
    episode = sign(alice, unsigned, target=tmp_path / "signed" / unsigned.name)
    [row] = export(alice.home.root, tmp_path / "out", episode)
    assert set(row) == COLUMNS and is_conversational(row)
    assert (row["license"], row["repo"], row["task_index"]) == ("CC-BY-4.0", "ws", 0)
    assert row["language"] == "python"
    assert row["split"] in ("train", "eval")
    # the last test run passed, but src/app.py was edited after it: the task's own outcome decides
    assert (row["resolved"], row["resolved_signal"]) == (1, "self-reported")

    messages, tools = row["messages"], {tool["function"]["name"] for tool in json.loads(row["tools"])}
    assert [m["role"] for m in messages[:2]] == ["system", "user"] and messages[1]["content"] == STATEMENT
    calls: list[tuple[str, dict[str, Any], str]] = []
    for call, result in zip(messages[2::2], messages[3::2], strict=True):
        assert call["role"] == "assistant" and call["content"] == "" and result["role"] == "tool"
        [made] = call["tool_calls"]
        assert made["type"] == "function" and made["function"]["name"] in tools
        assert result["tool_call_id"] == made["id"] and result["name"] == made["function"]["name"]
        calls.append((result["name"], json.loads(made["function"]["arguments"]), result["content"]))
    assert [name for name, _args, _result in calls] == [  # the failing run and `pytest -q`: one call
        "edit_file", "edit_file", "run_tests", "edit_file", "edit_file", "run_tests", "git", "edit_file"]
    assert calls[2][2] == ("0 passed, 1 failed (exit status 1)\n"
                           "FAILED tests/test_app.py::test_greet: AssertionError: assert 'hi' == 'hi x'\n"
                           "[exit code 1]")
    assert calls[2][1] == {"framework": "pytest", "args": ["-q"], "command": "pytest -q", "cwd": "."}
    assert calls[6][2] == COMMIT and calls[6][1]["message"] == "greet by name"
    assert {m["actor"] for m in messages if m["role"] == "assistant"} == {"developer"}
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


def test_trl_prepares_both_variants_and_the_developers_trains_on_no_agent_call(tmp_path: Path) -> None:
    """Issue 55, item 2: TRL masks only by role. Generated sessions in which Claude Code writes notes
    (tests/support/activity.py): in `swe-messages` its writes are assistant calls, `actor` agent; in
    `swe-messages-developer` they are user turns, and TRL's `assistant_only_loss` trains on none of them."""
    alice = contributor(tmp_path, "alice")
    episodes = [sign(alice, session(alice.home, seed, "training")) for seed in (51, 52)]
    tokenizer = qwen_tokenizer()
    trained_on: dict[str, list[str]] = {}
    for fmt in ("swe-messages", "swe-messages-developer"):
        rows = export(alice.home.root, tmp_path / fmt, *episodes, fmt=fmt)
        assert all(set(row) == COLUMNS and is_conversational(row) for row in rows)
        said = [m for row in rows for m in row["messages"]]
        agents = [m for m in said if m["actor"] == "agent"]
        # Claude Code's writes; the generator's accepted inline suggestions (ai_completion) name no agent
        assert {m["agent"] for m in agents} == {"claude-code", "unknown"}
        assert {m["role"] for m in agents} == ({"assistant"} if fmt == "swe-messages" else {"user"})
        names = [call["function"]["name"] for m in said for call in m.get("tool_calls") or ()]
        runs = [m["tool_calls"][0]["function"]["arguments"] for m in said
                if m.get("tool_calls") and m["tool_calls"][0]["function"]["name"] == "run_tests"]
        assert runs and all('"command": "python -m pytest -q"' in run for run in runs)  # one call each
        assert not any("pytest" in json.loads(m["tool_calls"][0]["function"]["arguments"]).get("command", "")
                       for m in said if m.get("tool_calls") and m["tool_calls"][0]["function"]["name"]
                       == "run_command")
        assert "edit_file" in names and {row["language"] for row in rows} == {"python"}

        files = sorted(str(path) for path in (tmp_path / fmt).iterdir())
        loaded = datasets.load_dataset("json", data_files=files, split="train",
                                       cache_dir=str(tmp_path / "hf"))
        assert loaded.num_rows == len(rows) and set(loaded.column_names) == COLUMNS
        prepared = prepare(loaded, tokenizer)
        trained_on[fmt] = [part for example in prepared for part in trained(tokenizer, example)]
    # the agent writes notes/agent_N.md; the developer edits the Python files
    assert any("notes/agent_" in part for part in trained_on["swe-messages"])
    assert not any("notes/agent_" in part for part in trained_on["swe-messages-developer"])
    assert all('"name": "' in part for part in trained_on["swe-messages-developer"])  # calls, all of them
