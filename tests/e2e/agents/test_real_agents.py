"""The real Claude Code, Codex CLI and Gemini CLI (pinned npm versions) run one scripted
answer each through `codetape agent hook install` against a real collector and an opted-in git workspace:
the model edits a file and runs a shell command in one answer, then answers. Every hook the agent calls is
an `agent` step, in the order the agent called it, and the edit is recorded with `origin: agent`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli import codetape
from tests.support.collector_harness import (
    env_for,
    git,
    opt_in,
    running,
    wait_capturing,
    wait_recorded,
    written_to,
)
from tests.support.model_server import Action, Bash, Edit, Read, ScriptedModel, Text
from tests.support.real_agents import (
    codex_config,
    gemini_settings,
    opencode_config,
    opencode_env,
    ran,
    run_claude,
    run_codex,
    run_gemini,
    run_opencode,
)

APP = "def add(a, b):\n    return a - b\n"
FIXED = "def add(a, b):\n    return a + b\n"


def workspace(tmp_path: Path, text: str = APP, settings: str = "") -> tuple[Path, Path, Path]:
    """(CODETAPE_HOME, the user's HOME, an opted-in git workspace holding app.py, committed)."""
    home, user = tmp_path / "ct", tmp_path / "user"
    (user / ".codex").mkdir(parents=True)
    root = opt_in(tmp_path / "ws", settings, home=home)
    (root / "app.py").write_text(text)
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
    return {written_to(s) for s in steps if s["kind"] == "file_change"}


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
    written = {written_to(s): s for s in steps if s["kind"] == "file_change"}
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
            ("PostToolUse", "apply_patch"), ("PreToolUse", "Bash"), ("PostToolUse", "Bash"), ("Stop", None),
            ("SessionEnd", None)]
    with running(home) as daemon, daemon.client() as client, ScriptedModel(script) as model:
        (user / ".codex" / "config.toml").write_text(codex_config(model))
        install(home, user, root, "codex")
        wait_capturing(client, root)
        done = run_codex(model, user, root, "fix add")
        assert done.returncode == 0 and "Fixed add." in done.stdout, ran(done, model)
        assert (root / "app.py").read_text() == FIXED and (root / "out.txt").read_text() == "ran\n"
        steps = wait_recorded(daemon.home, root, lambda s: agent_steps(s) == want
                              and {"app.py", "out.txt"} <= written_paths(s),
                              "every hook of the turn and both writes")
    agent = [s for s in steps if s["kind"] == "agent"]
    assert {s["agent"] for s in agent} == {"codex"} and len({s["session"] for s in agent}) == 1
    assert agent[1]["event"] == "prompt" and agent[1]["prompt"] == "fix add"
    assert agent[2]["targets"] == ["app.py"] and agent[4]["command_line"] == "echo ran > out.txt"
    written = {written_to(s): s for s in steps if s["kind"] == "file_change"}
    assert written["app.py"]["origin"] == "agent"
    assert written["app.py"]["origin_detail"] in ("codex:PreToolUse apply_patch",
                                                  "codex:PostToolUse apply_patch")
    assert written["out.txt"]["origin"] == "agent"
    assert written["out.txt"]["origin_detail"] in ("codex:PreToolUse Bash", "codex:PostToolUse Bash")


def test_gemini_cli_edits_runs_a_command_and_answers_and_uninstall_gives_its_settings_back(
        tmp_path: Path) -> None:
    """Gemini CLI's hooks (in the user's ~/.gemini/settings.json, next to the developer's own settings and
    hook) each become an `agent` step in order, the `replace` write is the agent's, and uninstall gives
    the settings file back byte for byte."""
    home, user, root = workspace(tmp_path)
    settings = user / ".gemini" / "settings.json"
    settings.parent.mkdir()
    own_hook = {"matcher": "run_shell_command", "hooks": [{"type": "command", "command": "true"}]}
    settings.write_text(json.dumps({**gemini_settings(), "hooks": {"BeforeTool": [own_hook]}}, indent=2)
                        + "\n")
    mine = settings.read_bytes()
    install(home, user, root, "gemini-cli")
    script: list[list[Action]] = [[Edit(root / "app.py", "a - b", "a + b"), Bash("echo ran > out.txt")],
                                  [Text("Fixed add.")]]
    want = [("SessionStart", None), ("BeforeAgent", None), ("BeforeTool", "replace"),
            ("AfterTool", "replace"), ("BeforeTool", "run_shell_command"), ("AfterTool", "run_shell_command"),
            ("AfterAgent", None), ("SessionEnd", None)]
    with running(home) as daemon, daemon.client() as client, ScriptedModel(script) as model:
        wait_capturing(client, root)
        done = run_gemini(model, user, root, "fix add")
        assert done.returncode == 0 and "Fixed add." in done.stdout, ran(done, model)
        assert (root / "app.py").read_text() == FIXED and (root / "out.txt").read_text() == "ran\n"
        steps = wait_recorded(daemon.home, root, lambda s: agent_steps(s) == want
                              and {"app.py", "out.txt"} <= written_paths(s),
                              "every hook of the turn and both writes")
    agent = [s for s in steps if s["kind"] == "agent"]
    assert {s["agent"] for s in agent} == {"gemini-cli"} and len({s["session"] for s in agent}) == 1
    assert agent[1]["event"] == "prompt" and agent[1]["prompt"] == "fix add"
    assert agent[2]["targets"] == ["app.py"] and agent[4]["command_line"] == "echo ran > out.txt"
    assert [s["event"] for s in agent] == ["session_start", "prompt", "tool_call", "tool_result", "tool_call",
                                          "tool_result", "stop", "session_end"]
    written = {written_to(s): s for s in steps if s["kind"] == "file_change"}
    assert written["app.py"]["origin"] == "agent"
    assert written["app.py"]["origin_detail"] in ("gemini-cli:BeforeTool replace",
                                                  "gemini-cli:AfterTool replace")
    assert written["out.txt"]["origin"] == "agent"
    assert written["out.txt"]["origin_detail"] in ("gemini-cli:BeforeTool run_shell_command",
                                                   "gemini-cli:AfterTool run_shell_command")
    removed = codetape(home, "agent", "hook", "uninstall", "--yes", "--agent", "gemini-cli",
                       "--dir", str(root), env=as_user(user))
    assert removed.returncode == 0, removed.stderr
    assert settings.read_bytes() == mine


def test_opencode_edits_runs_a_command_and_answers(tmp_path: Path) -> None:
    """opencode runs codetape's plugin (~/.config/opencode/plugin/codetape.js): each of its events is an
    `agent` step, the edit and the command's write are the agent's, and uninstall removes the plugin (and
    nothing else)."""
    home, user, root = workspace(tmp_path)
    config = user / ".config" / "opencode"
    config.mkdir(parents=True)
    script: list[list[Action]] = [[Edit(root / "app.py", "a - b", "a + b"), Bash("echo ran > out.txt")],
                                  [Text("Fixed add.")]]
    with running(home) as daemon, daemon.client() as client, ScriptedModel(script) as model:
        (config / "opencode.json").write_text(json.dumps(opencode_config(model), indent=2) + "\n")
        installed = codetape(home, "agent", "hook", "install", "--yes", "--agent",
                             "opencode", "--dir", str(root), env=opencode_env(user))
        assert installed.returncode == 0, installed.stderr
        assert (config / "plugin" / "codetape.js").is_file()
        wait_capturing(client, root)
        done = run_opencode(model, user, root, "fix add")
        assert done.returncode == 0 and "Fixed add." in done.stdout, ran(done, model)
        assert (root / "app.py").read_text() == FIXED and (root / "out.txt").read_text() == "ran\n"
        steps = wait_recorded(daemon.home, root, lambda s: ("session.idle", None) in agent_steps(s)
                              and {"app.py", "out.txt"} <= written_paths(s),
                              "every event of the turn and both writes")
    agent = [s for s in steps if s["kind"] == "agent"]
    assert {s["agent"] for s in agent} == {"opencode"} and len({s["session"] for s in agent}) == 1
    hooks = agent_steps(steps)
    # opencode runs the two tool calls of one answer side by side: each call before its result
    assert hooks[:2] == [("session.created", None), ("chat.message", None)]
    assert hooks[-1] == ("session.idle", None)
    assert sorted(hooks[2:6]) == sorted([("tool.execute.before", "edit"), ("tool.execute.after", "edit"),
                                         ("tool.execute.before", "bash"), ("tool.execute.after", "bash")])
    assert hooks.index(("tool.execute.before", "edit")) < hooks.index(("tool.execute.after", "edit"))
    assert hooks.index(("tool.execute.before", "bash")) < hooks.index(("tool.execute.after", "bash"))
    assert "fix add" in agent[1]["prompt"]
    edit = next(s for s in agent if s.get("tool") == "edit")
    bash = next(s for s in agent if s.get("tool") == "bash")
    assert edit["targets"] == ["app.py"] and bash["command_line"] == "echo ran > out.txt"
    written = {written_to(s): s for s in steps if s["kind"] == "file_change"}
    assert written["app.py"]["origin"] == "agent"
    assert written["app.py"]["origin_detail"] in ("opencode:tool.execute.before edit",
                                                  "opencode:tool.execute.after edit")
    assert written["out.txt"]["origin"] == "agent"
    removed = codetape(home, "agent", "hook", "uninstall", "--yes", "--agent",
                       "opencode", "--dir", str(root), env=opencode_env(user))
    assert removed.returncode == 0, removed.stderr
    assert not (config / "plugin" / "codetape.js").exists()


DEVELOPER_S_HOOKS = ('\n[[hooks.Stop]]\n[[hooks.Stop.hooks]]\ntype = "command"\ncommand = "echo mine"\n\n'
                     '[[hooks.PreToolUse]]\nmatcher = "^Bash$"\n[[hooks.PreToolUse.hooks]]\n'
                     'type = "command"\ncommand = "true"  # my guard\n\n'
                     '[projects."/nowhere"]\ntrust_level = "untrusted"\n')


def as_user(user: Path) -> dict[str, str]:
    """The environment of a user whose home (and Codex's) is `user`."""
    return {"HOME": str(user), "CODEX_HOME": str(user / ".codex")}


def trust_as_the_user_would(config: Path) -> None:
    """What Codex's "Trust all and continue" writes: a trusted hash per hook (computed here the way Codex
    does; Codex running the hooks afterwards is what shows the hashes are right)."""
    import tomlkit

    from collector.sources.agents.codex_trust import codetape_hooks

    text = config.read_text()
    hooks = codetape_hooks(tomlkit.parse(text), config, lambda c: "agent hook run --agent codex" in str(c))
    assert hooks
    config.write_text(text + "".join(f'\n[hooks.state."{h.key}"]\ntrusted_hash = "{h.current_hash}"\n'
                                     for h in hooks))


def test_codex_s_untrusted_hooks_are_reported_and_run_once_trusted(tmp_path: Path) -> None:
    home, user, root = workspace(tmp_path)
    config = user / ".codex" / "config.toml"
    script: list[list[Action]] = [[Bash("echo ran > out.txt")], [Text("Done.")]]
    # the collector of this user (its HOME and CODEX_HOME): it reads Codex's trust and sessions there
    with running(home, env=as_user(user)) as daemon, daemon.client() as client, \
            ScriptedModel(script) as model:
        # the developer's own hooks in the tables codetape's go into, and a table after them
        config.write_text(codex_config(model) + DEVELOPER_S_HOOKS)
        mine = config.read_text()
        installed = codetape(home, "agent", "hook", "install", "--yes", "--agent", "codex",
                             "--dir", str(root), env=as_user(user))
        assert installed.returncode == 0, installed.stderr
        assert "6 hooks are not trusted by Codex" in installed.stdout
        assert "\"Trust all and continue\"" in installed.stdout and "/hooks" in installed.stdout
        assert "hooks.state" not in config.read_text()  # codetape never trusts them for the user
        wait_capturing(client, root)

        done = run_codex(model, user, root, "run it", bypass_hook_trust=False)  # as a user runs it
        assert done.returncode == 0 and "Done." in done.stdout, ran(done, model)
        steps = wait_recorded(daemon.home, root, lambda s: "out.txt" in written_paths(s),
                              "the command's write")
        assert agent_steps(steps) == []  # Codex skipped every hook, silently
        # ...and the episode says so: a gap before the write nobody claimed, which keeps no origin
        silent = [i for i, s in enumerate(steps) if s["kind"] == "gap" and s["detail"].startswith(
            "codex's hooks did not run: Codex worked in this workspace, but Codex does not run codetape's "
            "hooks until you trust them")]
        write = next(i for i, s in enumerate(steps) if s["kind"] == "file_change" and s["path"] == "out.txt")
        assert len(silent) == 1 and silent[0] < write, steps
        assert steps[write].get("origin") is None
        status = codetape(home, "status", env=as_user(user))
        assert "6 of codetape's 6 hooks are not trusted by Codex" in status.stdout, status.stdout
        assert "none of them has been called since" in status.stdout

        trust_as_the_user_would(config)
        again = codetape(home, "agent", "hook", "install", "--yes", "--agent", "codex",
                         "--dir", str(root), env=as_user(user))
        assert "already holds codetape's hook" in again.stdout
        assert "Codex trusts codetape's 6 hooks" in again.stdout
        done = run_codex(model, user, root, "run it", bypass_hook_trust=False)
        assert done.returncode == 0, ran(done, model)
        steps = wait_recorded(daemon.home, root, lambda s: ("Stop", None) in agent_steps(s),
                              "the trusted hooks' steps")
        assert sum(s["kind"] == "gap" and "hooks did not run" in s["detail"] for s in steps) == 1  # ran now
        status = codetape(home, "status", env=as_user(user))
        assert "codex:" not in status.stdout, status.stdout

        other = codetape(tmp_path / "other-home", "agent", "hook", "install", "--yes", "--agent",
                         "codex", "--dir", str(root), env=as_user(user))
        assert "trusted before with another command, untrusted again" in other.stdout, other.stdout
        back = codetape(home, "agent", "hook", "install", "--yes", "--agent", "codex",
                        "--dir", str(root), env=as_user(user))
        assert "Codex trusts codetape's 6 hooks" in back.stdout, back.stdout  # the same command: trusted

        removed = codetape(home, "agent", "hook", "uninstall", "--yes", "--agent", "codex",
                           "--dir", str(root), env=as_user(user))
        assert removed.returncode == 0, removed.stderr
        assert config.read_text() == mine  # codetape's hooks and Codex's trust in them gone, byte for byte


COMMIT = "git add -A && git -c user.name=T -c user.email=t@example.org commit -qm 'fix add'"


def seal_and_verify(home: Path, root: Path) -> tuple[list[dict[str, Any]], subprocess.CompletedProcess[str]]:
    """Seal the workspace's episode (by the running collector) and `codetape verify --against-git` it."""
    from collector.home import Home
    from tests.support.collector_harness import episode_steps

    sealed = codetape(home, "seal", str(root), env=as_user(home))
    assert sealed.returncode == 0, sealed.stderr
    episodes = sorted(Home(home.resolve()).episodes.glob("*.ctape"))
    assert len(episodes) == 1
    verified = codetape(home, "verify", str(episodes[0]), "--against-git", str(root), env=as_user(home))
    return episode_steps(episodes[0]), verified


SHELLS = ("Bash", "run_shell_command", "bash")


def in_order(steps: list[dict[str, Any]]) -> list[str]:
    """The agent's tool calls and results (`tool_call Edit`, `tool_result shell`), the app.py write and the
    commit, in the episode's order."""
    out = []
    for s in steps:
        if s["kind"] == "agent" and s.get("tool") in ("Edit", "apply_patch", "replace", "edit", *SHELLS):
            out.append(f"{s['event']} {'shell' if s['tool'] in SHELLS else s['tool']}")
        elif s["kind"] == "file_change" and written_to(s) == "app.py":
            out.append("write app.py")
        elif s["kind"] == "git" and s.get("op") == "commit":
            out.append("commit")
    return out


def at_the_tool_s_end(order: list[str], tool: str) -> bool:
    """The write between its tool's call and the next call (before or after the tool's result: the file
    watcher may see it after the result came), the commit after the next call (git's watcher may see it
    after that call's result)."""
    head, tail = order[:4], order[4:]
    return (head[0] == f"tool_call {tool}" and head[3] == "tool_call shell"
            and sorted(head[1:3]) == sorted(["write app.py", f"tool_result {tool}"])
            and sorted(tail) == ["commit", "tool_result shell"])


def test_claude_code_s_edit_and_commit_in_one_answer_verify_against_git(tmp_path: Path) -> None:
    """The write the Edit tool made lands at the tool's end, before the command that commits it: the
    episode's commit holds it and `verify --against-git` agrees with the repository."""
    home, user, root = workspace(tmp_path)
    install(home, user, root, "claude-code")
    script: list[list[Action]] = [[Read(root / "app.py")], [Edit(root / "app.py", "a - b", "a + b"),
                                                             Bash(COMMIT)], [Text("Committed.")]]
    with running(home) as daemon, daemon.client() as client, ScriptedModel(script) as model:
        wait_capturing(client, root)
        done = run_claude(model, user, root, "fix add and commit")
        assert done.returncode == 0 and "Committed." in done.stdout, ran(done, model)
        assert git(root, "status", "--porcelain") == ""
        wait_recorded(daemon.home, root, lambda s: ("SessionEnd", None) in agent_steps(s) and "commit" in
                      in_order(s) and "write app.py" in in_order(s), "the turn, its write and its commit")
        steps, verified = seal_and_verify(home, root)
    assert at_the_tool_s_end(in_order(steps), "Edit"), in_order(steps)
    assert verified.returncode == 0 and verified.stdout.startswith("ok"), verified.stdout + verified.stderr


def test_codex_s_patch_and_commit_in_one_answer_verify_against_git(tmp_path: Path) -> None:
    home, user, root = workspace(tmp_path)
    script: list[list[Action]] = [[Edit(root / "app.py", "    return a - b", "    return a + b"),
                                   Bash(COMMIT)], [Text("Committed.")]]
    with running(home) as daemon, daemon.client() as client, ScriptedModel(script) as model:
        (user / ".codex" / "config.toml").write_text(codex_config(model))
        install(home, user, root, "codex")
        wait_capturing(client, root)
        done = run_codex(model, user, root, "fix add and commit")
        assert done.returncode == 0 and "Committed." in done.stdout, ran(done, model)
        assert git(root, "status", "--porcelain") == ""
        wait_recorded(daemon.home, root, lambda s: ("SessionEnd", None) in agent_steps(s) and "commit" in
                      in_order(s) and "write app.py" in in_order(s), "the turn, its write and its commit")
        steps, verified = seal_and_verify(home, root)
    assert at_the_tool_s_end(in_order(steps), "apply_patch"), in_order(steps)
    assert verified.returncode == 0 and verified.stdout.startswith("ok"), verified.stdout + verified.stderr


def test_gemini_cli_s_replace_and_commit_in_one_answer_verify_against_git(tmp_path: Path) -> None:
    home, user, root = workspace(tmp_path)
    (user / ".gemini").mkdir()
    (user / ".gemini" / "settings.json").write_text(json.dumps(gemini_settings(), indent=2) + "\n")
    install(home, user, root, "gemini-cli")
    script: list[list[Action]] = [[Edit(root / "app.py", "a - b", "a + b"), Bash(COMMIT)],
                                  [Text("Committed.")]]
    with running(home) as daemon, daemon.client() as client, ScriptedModel(script) as model:
        wait_capturing(client, root)
        done = run_gemini(model, user, root, "fix add and commit")
        assert done.returncode == 0 and "Committed." in done.stdout, ran(done, model)
        assert git(root, "status", "--porcelain") == ""
        wait_recorded(daemon.home, root, lambda s: ("SessionEnd", None) in agent_steps(s) and "commit" in
                      in_order(s) and "write app.py" in in_order(s), "the turn, its write and its commit")
        steps, verified = seal_and_verify(home, root)
    assert at_the_tool_s_end(in_order(steps), "replace"), in_order(steps)
    assert verified.returncode == 0 and verified.stdout.startswith("ok"), verified.stdout + verified.stderr


NINE = "import os\n\n\ndef five():\n    return 5\n\n\ndef nine():\n    return 9\n"
LINE_5 = ("    return 5", "    return 5 * 11")  # the agent's change: line 5 of 9, 5 characters inserted


def exported(home: Path, episode: Path, fmt: str) -> list[dict[str, Any]]:
    out = home.parent / f"export-{fmt}"
    done = codetape(home, "export", str(episode), "--format", fmt, "-o", str(out), env=as_user(home))
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for path in sorted(out.iterdir()) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("snapshot", [False, True], ids=["no-snapshot", "snapshot"])
@pytest.mark.parametrize("agent", ["claude-code", "codex", "gemini-cli", "opencode"])
def test_agent_trace_and_stats_give_the_agent_only_the_line_it_changed(tmp_path: Path, agent: str,
                                                                        snapshot: bool) -> None:
    """The agent changes line 5 of a 9-line file and commits it: the commit's Agent Trace record gives `ai`
    exactly line 5 and nothing else, whether the episode knew the file before (a snapshot) or not (the
    tool's own report of its change says which line), and `codetape stats` counts the 5 characters it
    inserted, not the file's 68."""
    from collector.home import Home

    # (Claude Code rewrites its .claude/settings.local.json, which holds the hook, during the turn)
    settings = 'exclude = [".claude/"]\n' + ('snapshot = "tracked"\n' if snapshot else "")
    home, user, root = workspace(tmp_path, NINE, settings)
    old, new = LINE_5
    edit: list[Action] = [Edit(root / "app.py", old, new), Bash(COMMIT.replace("add -A", "add app.py"))]
    script: list[list[Action]] = [[Read(root / "app.py")], edit, [Text("Done.")]] if agent == "claude-code" \
        else [edit, [Text("Done.")]]
    if agent == "opencode":  # it runs an answer's tool calls side by side: the commit in an answer of its own
        script = [edit[:1], edit[1:], [Text("Done.")]]
    with running(home) as daemon, daemon.client() as client, ScriptedModel(script) as model:
        if agent == "codex":
            (user / ".codex" / "config.toml").write_text(codex_config(model))
        if agent == "gemini-cli":
            (user / ".gemini").mkdir()
            (user / ".gemini" / "settings.json").write_text(json.dumps(gemini_settings()))
        if agent == "opencode":
            (user / ".config" / "opencode").mkdir(parents=True)
            (user / ".config" / "opencode" / "opencode.json").write_text(json.dumps(opencode_config(model)))
        install(home, user, root, agent)
        wait_capturing(client, root)
        run = {"claude-code": run_claude, "codex": run_codex, "gemini-cli": run_gemini,
               "opencode": run_opencode}[agent]
        last = ("session.idle", None) if agent == "opencode" else ("SessionEnd", None)
        done = run(model, user, root, "multiply five and commit")
        assert done.returncode == 0 and "Done." in done.stdout, ran(done, model)
        assert (root / "app.py").read_text() == NINE.replace(old, new)
        assert git(root, "log", "-1", "--format=%s") == "fix add"
        wait_recorded(daemon.home, root, lambda s: last in agent_steps(s) and "commit" in
                      in_order(s) and "write app.py" in in_order(s), "the turn, its write and its commit")
        steps, verified = seal_and_verify(home, root)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert any(s["kind"] == "gap" and s.get("reason") == "snapshot" for s in steps) == snapshot
    write = next(s for s in steps if s["kind"] == "file_change" and written_to(s) == "app.py")
    assert write["origin"] == "agent"
    assert write.get("changed_lines") == [[5, 1, 5, 1]] and write.get("changed_chars") == 5, write
    episode = next(Home(home.resolve()).episodes.glob("*.ctape"))
    [record] = exported(home, episode, "agent-trace")
    assert record["files"] == [{"path": "app.py", "conversations": [
        {"contributor": {"type": "ai"}, "ranges": [{"start_line": 5, "end_line": 5}]}]}], record["files"]
    stats = codetape(home, "stats", "--json", env=as_user(home))
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["written"] == {"agent": 5}, stats.stdout
