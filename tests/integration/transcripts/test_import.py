"""`codetape import` through the CLI, on real transcripts of the pinned Claude Code and Codex (the fixtures,
tests/support/transcripts.py): what the episode holds and what it never does, the workspace's exclusions,
a second import, a transcript of no opted-in workspace, hostile lines, and the review's manifest and a
signature afterwards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from collector.episode import open_episode
from collector.home import Home
from collector.review.session import ReviewSession
from collector.transcripts import lines
from schemas.common import plain
from tests.cli import codetape
from tests.integration.review.test_review_app import Recorded, text_of
from tests.support.transcripts import APP, FIXED, FIXED_APP, SECRET, fixture

AGENTS = ("claude-code", "codex")
VERSIONS = {"claude-code": "2.1.332", "codex": "0.169.0"}


def opted_in(base: Path, home: Path, agent: str) -> Path:
    """The fixture's transcript moved under `base`, its workspace opted in with private/ excluded."""
    transcript = fixture(agent, base)
    assert codetape(home, "init", str(base / "ws")).returncode == 0
    settings = base / "ws" / ".codetape.toml"
    settings.write_text(settings.read_text().replace('exclude = ["', 'exclude = ["private/", "'))
    assert codetape(home, "trust", str(base / "ws")).returncode == 0
    return transcript


def imported(home: Path, agent: str, *paths: Path) -> tuple[list[dict[str, Any]], dict[str, Any], str]:
    done = codetape(home, "import", agent, *map(str, paths))
    assert done.returncode == 0, done.stderr
    [path] = list((home / "episodes").glob("*.ctape"))
    episode = open_episode(path)
    steps = [plain(step) for step in episode.steps()]
    return steps, plain(episode.header), done.stdout


@pytest.mark.parametrize("agent", AGENTS)
def test_a_transcript_is_an_episode_of_the_agent_s_steps_and_nothing_else(tmp_path: Path, agent: str) -> None:
    home = tmp_path / "home"
    transcript = opted_in(tmp_path, home, agent)
    steps, header, said = imported(home, agent, transcript)
    assert said.startswith(f"imported {transcript} as episode ") and "review it: codetape review" in said
    listed = codetape(home, "episodes").stdout
    assert listed.rstrip().endswith(f"imported from {agent}") and "sealed" in listed, listed
    assert {step["kind"] for step in steps} == {"gap", "agent", "file_change", "redaction"}
    agent_steps = [step for step in steps if step["kind"] == "agent"]
    assert [step["event"] for step in agent_steps][:2] == ["session_start", "prompt"]
    assert agent_steps[-2:][0]["event"] == "stop" and agent_steps[-1]["event"] == "session_end"
    assert {step["agent"] for step in agent_steps} == {agent}
    assert all(step["hook"].startswith("transcript/") for step in agent_steps)
    assert [step["t_ms"] for step in steps] == sorted(step["t_ms"] for step in steps)
    # the fix's target, workspace-relative; the excluded file in no target
    targets = {target for step in agent_steps for target in step.get("targets", [])}
    assert targets == {"app.py"}
    assert header["imported"] == agent and header["client"] == {"name": agent, "version": VERSIONS[agent]}
    assert header["capture"]["channels"] == [] and header["workspace"]["head_at_start"] is None
    assert header["workspace"]["root_name"] == "ws"
    text = json.dumps(steps, ensure_ascii=False)
    for never in (SECRET, str(tmp_path), "/etc/hostname", "private/plan.md", "master", "todo.md"):
        assert never not in text, never
    assert "«redacted:anthropic-key:1»" in text and "«path left out»" in text
    # the agent's edit, from the transcript's own tool input: the file before it opens the episode (the
    # text Claude Code reported, the text of the commit the Codex session started at), then its write,
    # just before the tool's result, its secret redacted
    snapshot, *_ = steps
    assert snapshot["kind"] == "gap" and snapshot["reason"] == "snapshot" and snapshot["t_ms"] == 0
    assert snapshot["state"] == [{"path": "app.py", "text": APP}]
    [write] = [step for step in steps if step["kind"] == "file_change"]
    assert write["path"] == "app.py" and write["change"] == "modified" and write["origin"] == "agent"
    assert write["text"] == FIXED_APP.replace(SECRET, "«redacted:anthropic-key:1»")
    evidence = "transcript/tool_result Edit" if agent == "claude-code" else \
        "transcript/custom_tool_call_output apply_patch"
    assert write["origin_detail"] == f"{agent}:{evidence}"
    assert write["changed_lines"] == [[2, 1, 2, 1]]
    after = steps[steps.index(write) + 1]
    assert after["kind"] == "agent" and after["event"] == "tool_result" and after["t_ms"] == write["t_ms"]


def test_a_transcript_imported_once_is_refused_until_its_episode_is_gone(tmp_path: Path) -> None:
    home = tmp_path / "home"
    transcript = opted_in(tmp_path, home, "claude-code")
    imported(home, "claude-code", transcript)
    again = codetape(home, "import", "claude-code", str(transcript))
    assert again.returncode == 1
    assert again.stderr.startswith(f"codetape: import: {transcript}: imported already, as episode ")
    [path] = list((home / "episodes").glob("*.ctape"))
    assert codetape(home, "discard", path.stem, "--yes").returncode == 0
    assert codetape(home, "import", "claude-code", str(transcript)).returncode == 0


def test_a_transcript_of_no_opted_in_workspace_is_refused_and_the_others_are_imported(tmp_path: Path) -> None:
    home = tmp_path / "home"
    mine = opted_in(tmp_path / "mine", home, "codex")
    elsewhere = fixture("codex", tmp_path / "elsewhere")
    done = codetape(home, "import", "codex", str(elsewhere), str(mine), str(tmp_path / "missing.jsonl"))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"codetape: import: {elsewhere}: the session ran in {tmp_path / 'elsewhere' / 'ws'}, which is in no "
        "opted-in workspace; opt it in first (codetape init DIR), or name its workspace with --dir DIR",
        f"codetape: import: cannot read {tmp_path / 'missing.jsonl'}: No such file or directory"]
    assert done.stdout.startswith(f"imported {mine} as episode ")
    assert len(list((home / "episodes").glob("*.ctape"))) == 1


def test_lines_that_cannot_be_read_are_a_gap_and_a_file_of_none_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    transcript = opted_in(tmp_path, home, "claude-code")
    with transcript.open("a") as out:
        out.write("{not json\n" + json.dumps({"type": "user", "padding": "x" * 300_000}) + "\n")
    monkeypatch.setattr(lines, "MAX_LINE_BYTES", 200_000)  # (the fixture's lines are shorter)
    steps, _, said = imported(home, "claude-code", transcript)
    [gap] = [step for step in steps if step["kind"] == "gap" and step["reason"] != "snapshot"]
    assert gap["reason"] == "malformed_input" and gap["detail"].startswith("2 lines of the transcript")
    assert "(2 lines unread)" in said
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_bytes(b"\x00\xff binary\n" * 100)
    done = codetape(home, "import", "claude-code", str(garbage))
    assert done.returncode == 1
    assert done.stderr == (f"codetape: import: {garbage}: not a claude-code transcript (none of its 100 "
                           "lines says a prompt, a tool call or an answer of a session)\n")


def test_the_review_lists_what_leaves_and_the_episode_signs_and_verifies(tmp_path: Path) -> None:
    home = tmp_path / "home"
    transcript = opted_in(tmp_path, home, "codex")
    imported(home, "codex", transcript)
    [path] = list((home / "episodes").glob("*.ctape"))
    dry = codetape(home, "sign", path.stem[:8], "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "1 prompt to agents will be shared" in dry.stdout
    assert "prompts to agents (1):\n  fix add in app.py as «path left out» says; the key is " \
           "«redacted:anthropic-key:1»" in dry.stdout
    assert "commands agents ran (" in dry.stdout
    shown = codetape(home, "inspect", path.stem[:8]).stdout
    assert "imported   made from a codex transcript (codetape import)" in shown
    assert codetape(home, "keys", "init", "--no-passphrase").returncode == 0
    signed = codetape(home, "sign", path.stem[:8], "--yes")
    assert signed.returncode == 0, signed.stderr
    checked = codetape(home, "verify", str(home / "outbox" / path.name))
    assert checked.returncode == 0, checked.stderr + checked.stdout


async def test_the_review_shows_an_imported_episode_and_what_of_it_leaves(tmp_path: Path) -> None:
    home = tmp_path / "home"
    transcript = opted_in(tmp_path, home, "claude-code")
    imported(home, "claude-code", transcript)
    [path] = list((home / "episodes").glob("*.ctape"))
    session = ReviewSession(path, Home(home))
    app = Recorded(session)
    async with app.run_test(size=(150, 45)) as pilot:
        summary = text_of(app, "#summary-text")
        assert "imported    made from a claude-code transcript (codetape import)" in summary
        await pilot.press("5")
        assert text_of(app, "#shared-footer").startswith(
            "this is what would be shared: 1 of 1 file, 0 commands, 0 test runs, 1 prompt to agents")
        rest = text_of(app, "#shared-rest-text")
        assert "prompts to agents (1):\n  fix add in app.py as «path left out» says; the key is «redacted:" \
               "anthropic-key:1»" in rest
        assert "commands agents ran (1):\n  cat «path left out» > «path left out»; echo ran > out.txt" in rest
    session.close()


@pytest.mark.parametrize("agent", AGENTS)
def test_an_imported_session_gives_swe_messages_rows_holding_the_agent_s_edits(tmp_path: Path,
                                                                              agent: str) -> None:
    home = tmp_path / "home"
    transcript = opted_in(tmp_path, home, agent)
    imported(home, agent, transcript)
    [path] = list((home / "episodes").glob("*.ctape"))
    done = codetape(home, "export", str(path), "--format", "swe-messages", "-o", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    [row] = [json.loads(line) for line in (tmp_path / "out" / f"{path.stem}.swe-messages.jsonl").open()]
    calls = [call for message in row["messages"] for call in message.get("tool_calls", [])]
    [write] = [json.loads(call["function"]["arguments"]) for call in calls
               if call["function"]["name"] == "write_file"]
    redacted = FIXED.replace(SECRET, "«redacted:anthropic-key:1»")
    diff = "--- a/app.py\n+++ b/app.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n" \
        f"-    return a - b\n+    return {redacted}\n"
    assert write == {"path": "app.py", "diff": diff}
    [caller] = [message for message in row["messages"] if message.get("tool_calls")
                and message["tool_calls"][0]["function"]["name"] == "write_file"]
    assert caller["actor"] == "agent" and caller["agent"] == agent
    assert row["model_patch"] == write["diff"]
    assert SECRET not in json.dumps(row)
