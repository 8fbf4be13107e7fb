"""Pushback on the real Claude Code and Codex (pinned npm versions, the scripted model, `codetape agent hook
install`, a real collector): the developer interrupts a turn, lets the next one fix the code and reverts the
fix in the editor (which had app.py open before), then lets a third add a docstring and keeps it. Each
turn's pushback (collector/reconstruct/turns.py) in the dataset's `agent_events`, the ATIF trajectory and
the swe-messages row equals what happened: interrupted or not, what its writes inserted, undone (after how
long) or kept.

Claude Code runs as its SDK runs it (`claude -p --input-format stream-json`), interrupted as the SDK
interrupts (a `control_request` of subtype `interrupt`: what Esc does in its terminal); Codex as `codex
exec`, interrupted with Ctrl-C (SIGINT) and taken up again with `codex exec resume --last`. The developer's
revert comes as the editor's steps (open, a typed edit, save, close) over the collector's socket, the file
written as the editor writes it."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path
from typing import Any

import duckdb
import pytest

from collector.protocol.clock import now_ms
from collector.text.digest import sha256_text
from tests.cli import codetape
from tests.e2e.agents.test_real_agents import APP, FIXED, install, workspace
from tests.support.collector_harness import Daemon, running, settle, wait_capturing, wait_recorded
from tests.support.model_server import Action, Bash, Edit, Read, ScriptedModel, Text
from tests.support.real_agents import (
    CLAUDE_MODEL,
    RUN_TIMEOUT_S,
    base_env,
    binary,
    claude_env,
    codex_config,
)

SLOW = Bash("python3 -c 'import time; time.sleep(60)'")  # the turn the developer interrupts
DOCUMENTED = FIXED.replace("def add(a, b):\n", 'def add(a, b):\n    """Add."""\n')
PROMPTS = ("fix add", "no, just change a - b to a + b", "add a docstring")


def steps_of(steps: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [(s["hook"], s.get("tool")) for s in steps if s["kind"] == "agent"]


def in_editor(daemon: Daemon, root: Path, steps: list[dict[str, Any]]) -> None:
    """The developer's editor sends `steps` over the collector's socket, as the bridge does."""
    with daemon.client() as editor:
        editor.hello(root, "bridge")
        at = now_ms()
        for offset, step in enumerate(steps):
            editor.send_step(at + offset, {"source": "bridge", **step})
        settle(editor)


def looked(daemon: Daemon, root: Path) -> None:
    """The developer opens app.py and closes it again: the episode knows its text before the agents write."""
    in_editor(daemon, root, [{"kind": "open", "path": "app.py", "language_id": "python", "version": 1,
                              "text": APP}, {"kind": "close", "path": "app.py"}])


def revert(daemon: Daemon, root: Path) -> None:
    """The developer opens app.py, types `-` over the agent's `+`, saves and closes it."""
    where, after = {"line": 1, "character": 13}, {"line": 1, "character": 14}
    (root / "app.py").write_text(APP)  # (what the editor writes at the save)
    in_editor(daemon, root, [
        {"kind": "open", "path": "app.py", "language_id": "python", "version": 1, "text": FIXED},
        {"kind": "edit", "path": "app.py", "version": 2, "origin": "typed", "origin_detail": "nvim:type",
         "changes": [{"range": {"start": where, "end": after}, "text": "-"}]},
        {"kind": "save", "path": "app.py", "sha256": sha256_text(APP)},
        {"kind": "close", "path": "app.py"}])


def claude_session(daemon: Daemon, model: ScriptedModel, user: Path, root: Path) -> None:
    argv = [str(binary("claude-code")), "-p", "--input-format", "stream-json", "--output-format",
            "stream-json", "--verbose", "--dangerously-skip-permissions", "--model", CLAUDE_MODEL]
    agent = subprocess.Popen(argv, cwd=root, env=claude_env(model, user), stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    assert agent.stdin is not None

    def say(message: dict[str, Any]) -> None:
        assert agent.stdin is not None
        agent.stdin.write(json.dumps(message) + "\n")
        agent.stdin.flush()

    def prompt(text: str) -> None:
        say({"type": "user", "message": {"role": "user", "content": text}})

    try:
        prompt(PROMPTS[0])
        wait_recorded(daemon.home, root, lambda s: ("PreToolUse", "Bash") in steps_of(s), "the slow call")
        say({"type": "control_request", "request_id": "interrupt_1", "request": {"subtype": "interrupt"}})
        prompt(PROMPTS[1])
        wait_recorded(daemon.home, root, lambda s: steps_of(s).count(("Stop", None)) == 1, "the fix's end")
        revert(daemon, root)
        prompt(PROMPTS[2])
        wait_recorded(daemon.home, root, lambda s: steps_of(s).count(("Stop", None)) == 2, "the docstring")
    finally:
        agent.stdin.close()
        agent.wait(timeout=RUN_TIMEOUT_S)


def codex_session(daemon: Daemon, model: ScriptedModel, user: Path, root: Path) -> None:
    env = {**base_env(user), "SCRIPTED_MODEL_KEY": "sk-scripted"}
    argv = [str(binary("codex")), "exec", "--dangerously-bypass-approvals-and-sandbox",
            "--skip-git-repo-check", "--dangerously-bypass-hook-trust"]

    def resume(text: str) -> None:
        done = subprocess.run([*argv, "resume", "--last", text], cwd=root, env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False)
        assert done.returncode == 0, done.stderr[-2000:]

    first = subprocess.Popen([*argv, PROMPTS[0]], cwd=root, env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_recorded(daemon.home, root, lambda s: ("PreToolUse", "Bash") in steps_of(s), "the slow call")
        first.send_signal(signal.SIGINT)
    finally:
        first.wait(timeout=RUN_TIMEOUT_S)
    resume(PROMPTS[1])
    revert(daemon, root)
    resume(PROMPTS[2])


SCRIPTS: dict[str, list[list[Action]]] = {
    # (Claude Code's Edit takes a file it has read since it last changed: it reads it first)
    "claude-code": [[SLOW], [Read(Path("app.py"))], [Edit(Path("app.py"), "a - b", "a + b")],
                    [Text("Fixed add.", numbered=True)], [Read(Path("app.py"))],
                    [Edit(Path("app.py"), "def add(a, b):\n", 'def add(a, b):\n    """Add."""\n')],
                    [Text("Documented.", numbered=True)]],
    "codex": [[SLOW], [Edit(Path("app.py"), "    return a - b", "    return a + b")],
              [Text("Fixed add.", numbered=True)],
              [Edit(Path("app.py"), "def add(a, b):", 'def add(a, b):\n    """Add."""')],
              [Text("Documented.", numbered=True)]],
}


def in_root(script: list[list[Action]], root: Path) -> list[list[Action]]:
    """The script with its paths in the workspace."""
    def placed(action: Action) -> Action:
        if isinstance(action, Read):
            return Read(root / action.path)
        if isinstance(action, Edit):
            return Edit(root / action.path, action.old, action.new)
        return action
    return [[placed(action) for action in answer] for answer in script]


@pytest.mark.parametrize("agent", ["claude-code", "codex"])
def test_each_turn_s_pushback_is_what_the_developer_did(tmp_path: Path, agent: str) -> None:
    home, user, root = workspace(tmp_path)
    with running(home) as daemon, daemon.client() as client, \
            ScriptedModel(in_root(SCRIPTS[agent], root)) as model:
        (user / ".codex" / "config.toml").write_text(codex_config(model))
        install(home, user, root, agent)
        wait_capturing(client, root)
        looked(daemon, root)
        (claude_session if agent == "claude-code" else codex_session)(daemon, model, user, root)
        assert (root / "app.py").read_text() == DOCUMENTED.replace("a + b", "a - b"), model.errors
        sealed = client.request("seal", workspace=str(root))
    episode = Path(sealed["path"])
    assert codetape(home, "keys", "init", "--no-passphrase").returncode == 0
    signed = codetape(home, "sign", episode.stem[:8], "--yes")
    assert signed.returncode == 0, signed.stderr
    key = tmp_path / "key.pub"
    key.write_text(codetape(home, "keys", "show").stdout)
    bucket, out = tmp_path / "bucket", tmp_path / "dataset"
    uploaded = codetape(home, "upload", "--to", f"file://{bucket}")
    assert uploaded.returncode == 0, uploaded.stderr
    built = codetape(home, "dataset", "build", str(bucket), "-o", str(out), "--trust", str(key),
                     "--exports", "atif,swe-messages")
    assert built.returncode == 0, built.stderr

    rows = duckdb.sql(f"SELECT t_ms, interrupted, wrote_chars, undone_within_ms, survived_to_end FROM "
                      f"read_parquet('{out}/agent_events/**/*.parquet') WHERE event = 'prompt' "
                      "ORDER BY step").fetchall()
    steps = duckdb.sql(f"SELECT step, t_ms, kind, data FROM read_parquet('{out}/steps/**/*.parquet') "
                       "ORDER BY step").fetchall()
    typed = [t_ms for _, t_ms, kind, data in steps if kind == "edit"]
    stops = [t_ms for _, t_ms, kind, data in steps if kind == "agent" and '"event":"stop"' in data]
    assert len(rows) == 3 and len(typed) == 1 and len(stops) == 2, (rows, stops)
    interrupted, fixed, documented = rows
    assert interrupted[1:] == (True, 0, None, None)
    assert fixed[1:3] == (False, 1) and fixed[4] == 0.0 and fixed[3] == typed[0] - stops[0]
    assert documented[1:] == (False, len('"""Add."""'), None, 1.0)  # its code: not its indentation or break

    [atif] = list((out / "exports" / "atif").rglob("*.atif.json"))
    trajectory = json.loads(atif.read_text())
    turns = json.loads(trajectory["extra"]["turns"])
    prompts = {step["step_id"]: step["message"] for step in trajectory["steps"] if step["source"] == "user"}
    assert [prompts[turn["step_id"]] for turn in turns] == list(PROMPTS)
    pushback = [(t["interrupted"], t["wrote_chars"], t["undone_within_ms"], t["survived_to_end"])
                for t in turns]
    assert pushback == [row[1:] for row in rows]

    [swe] = list((out / "exports" / "swe-messages").rglob("*.swe-messages.jsonl"))
    [row] = [json.loads(line) for line in swe.open()]
    said = [(m["content"], m["interrupted"], m["wrote_chars"], m["undone_within_ms"], m["survived_to_end"])
            for m in row["messages"] if m["role"] == "user" and "interrupted" in m]
    assert said == [(PROMPTS[0], 1, 0, -1, -1.0), (PROMPTS[1], 0, 1, fixed[3], 0.0),
                    (PROMPTS[2], 0, documented[2], -1, 1.0)]
