"""The real Claude Code and Codex CLI (pinned npm versions, their own native binaries) run one scripted
answer each through `codetape agent hook install` against a real collector and an opted-in git workspace:
the model edits a file and runs a shell command in one answer, then answers. Every hook the agent calls is
an `agent` step, in the order the agent called it, and the edit is recorded with `origin: agent`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.integration.collector_harness import env_for, git, opt_in, running, wait_capturing, wait_recorded
from tests.support.model_server import Action, Bash, Edit, Read, ScriptedModel, Text
from tests.support.real_agents import codex_config, ran, run_claude, run_codex

APP = "def add(a, b):\n    return a - b\n"
FIXED = "def add(a, b):\n    return a + b\n"


def workspace(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(CODETAPE_HOME, the user's HOME, an opted-in git workspace holding app.py, committed)."""
    home, user = tmp_path / "ct", tmp_path / "user"
    (user / ".codex").mkdir(parents=True)
    root = opt_in(tmp_path / "ws", home=home)
    (root / "app.py").write_text(APP)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    return home, user, root


def install(home: Path, user: Path, root: Path, agent: str) -> None:
    env = env_for(home, {"HOME": str(user), "CODEX_HOME": str(user / ".codex")})
    done = subprocess.run([sys.executable, "-m", "collector", "agent", "hook", "install", "--yes", "--agent",
                           agent, "--dir", str(root)], env=env, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr


def written_paths(steps: list[dict[str, Any]]) -> set[str]:
    return {s["path"] for s in steps if s["kind"] == "file_change"}


def agent_steps(steps: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [(s["hook"], s.get("tool")) for s in steps if s["kind"] == "agent"]


def test_claude_code_edits_runs_a_command_and_answers(tmp_path: Path) -> None:
    home, user, root = workspace(tmp_path)
    install(home, user, root, "claude-code")
    # Claude Code's Edit refuses a file it has not read: the model reads it first
    script: list[list[Action]] = [[Read(root / "app.py")],
                                  [Edit(root / "app.py", "a - b", "a + b"), Bash("echo ran > out.txt")],
                                  [Text("Fixed add.")]]
    want = [("SessionStart", None), ("UserPromptSubmit", None), ("PreToolUse", "Edit"),
            ("PostToolUse", "Edit"), ("PreToolUse", "Bash"), ("PostToolUse", "Bash"), ("Stop", None),
            ("SessionEnd", None)]
    with running(home) as daemon, daemon.client() as client, ScriptedModel(script) as model:
        wait_capturing(client, root)
        done = run_claude(model, user, root, "fix add")
        assert done.returncode == 0 and "Fixed add." in done.stdout, ran(done, model)
        assert (root / "app.py").read_text() == FIXED and (root / "out.txt").read_text() == "ran\n"
        steps = wait_recorded(daemon.home, root, lambda s: agent_steps(s) == want
                              and {"app.py", "out.txt"} <= written_paths(s),
                              "every hook of the turn and both writes")
    agent = [s for s in steps if s["kind"] == "agent"]
    assert {s["agent"] for s in agent} == {"claude-code"} and len({s["session"] for s in agent}) == 1
    assert agent[1]["event"] == "prompt" and agent[1]["prompt"] == "fix add"
    assert agent[2]["targets"] == ["app.py"] and agent[4]["command_line"] == "echo ran > out.txt"
    written = {s["path"]: s for s in steps if s["kind"] == "file_change"}
    assert written["app.py"]["origin"] == "agent"
    assert written["app.py"]["origin_detail"] in ("claude-code:PreToolUse Edit",
                                                  "claude-code:PostToolUse Edit")
    assert written["out.txt"]["origin"] == "agent"
    assert written["out.txt"]["origin_detail"] in ("claude-code:PreToolUse Bash",
                                                   "claude-code:PostToolUse Bash")


def test_codex_edits_runs_a_command_and_answers(tmp_path: Path) -> None:
    home, user, root = workspace(tmp_path)
    script: list[list[Action]] = [[Edit(root / "app.py", "    return a - b", "    return a + b"),
                                   Bash("echo ran > out.txt")], [Text("Fixed add.")]]
    want = [("SessionStart", None), ("UserPromptSubmit", None), ("PreToolUse", "apply_patch"),
            ("PostToolUse", "apply_patch"), ("PreToolUse", "Bash"), ("PostToolUse", "Bash"), ("Stop", None)]
    with running(home) as daemon, daemon.client() as client, ScriptedModel(script) as model:
        (user / ".codex" / "config.toml").write_text(codex_config(model))
        install(home, user, root, "codex")
        wait_capturing(client, root)
        done = run_codex(model, user, root, "fix add")
        assert done.returncode == 0 and "Fixed add." in done.stdout, ran(done, model)
        assert (root / "app.py").read_text() == FIXED and (root / "out.txt").read_text() == "ran\n"
        steps = wait_recorded(daemon.home, root, lambda s: agent_steps(s)[:len(want)] == want
                              and {"app.py", "out.txt"} <= written_paths(s),
                              "every hook of the turn and both writes")
    agent = [s for s in steps if s["kind"] == "agent"]
    assert {s["agent"] for s in agent} == {"codex"} and len({s["session"] for s in agent}) == 1
    assert agent[1]["event"] == "prompt" and agent[1]["prompt"] == "fix add"
    assert agent[2]["targets"] == ["app.py"] and agent[4]["command_line"] == "echo ran > out.txt"
    written = {s["path"]: s for s in steps if s["kind"] == "file_change"}
    assert written["app.py"]["origin"] == "agent"
    assert written["app.py"]["origin_detail"] in ("codex:PreToolUse apply_patch",
                                                  "codex:PostToolUse apply_patch")
    assert written["out.txt"]["origin"] == "agent"
    assert written["out.txt"]["origin_detail"] in ("codex:PreToolUse Bash", "codex:PostToolUse Bash")
