"""`codetape agent hook`: installed into real config files and taken out again, and the real hook command
against a real collector and an opted-in git workspace."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import tomlkit

from collector.home import Home
from collector.platform.loopback import TRANSPORT_ENV
from collector.sources.agents import payloads
from tests.cli import codetape
from tests.support.collector_harness import env_for, git, opt_in, running, wait_capturing, wait_recorded

CLAUDE = {"permissions": {"allow": ["Bash(npm run lint)"]}, "model": "opus",
          "hooks": {"PostToolUse": [{"matcher": "Write",
                                     "hooks": [{"type": "command", "command": "prettier -w"}]}],
                    "Stop": [{"hooks": [{"type": "command", "command": "say done"}]}]}}
CURSOR = {"version": 1, "hooks": {"afterFileEdit": [{"command": "./hooks/format.sh"}]}}
GEMINI = {"security": {"auth": {"selectedType": "gemini-api-key"}},
          "hooks": {"enabled": True, "AfterTool": [
              {"matcher": "write_file", "hooks": [{"type": "command", "command": "prettier -w"}]}]}}
CODEX = ('# my settings\nmodel = "gpt-5-codex"  # the default\n\n[features]\nhooks = true\n\n'
         '[[hooks.Stop]]\n[[hooks.Stop.hooks]]\ntype = "command"\ncommand = "notify-send done"\n')


def test_install_and_uninstall_keep_every_other_setting(tmp_path: Path) -> None:
    user, ws, home = tmp_path / "user", tmp_path / "ws", tmp_path / "ct"
    ws.mkdir()
    env = {"HOME": str(user)}
    claude, cursor = ws / ".claude/settings.local.json", user / ".cursor/hooks.json"
    codex, gemini = user / ".codex/config.toml", user / ".gemini/settings.json"
    for path, text in ((claude, json.dumps(CLAUDE, indent=2) + "\n"),
                       (cursor, json.dumps(CURSOR, indent=2) + "\n"), (codex, CODEX),
                       (gemini, json.dumps(GEMINI, indent=2) + "\n")):
        path.parent.mkdir(parents=True)
        path.write_text(text)
    before = {path: path.read_text() for path in (claude, cursor, codex, gemini)}

    refused = codetape(home, "agent", "hook", "install", "--dir", str(ws), env=env, stdin="")
    assert refused.returncode == 1 and "needs your yes" in refused.stderr  # a refusal, not a usage error
    assert {path: path.read_text() for path in before} == before  # asked, not answered: nothing written
    # the diff was shown
    assert "+" in refused.stdout and "agent hook run --agent claude-code" in refused.stdout

    done = codetape(home, "agent", "hook", "install", "--yes", "--dir", str(ws), env=env)
    assert done.returncode == 0, done.stderr
    installed_claude = json.loads(claude.read_text())
    kept = ("permissions", "model")
    assert {k: installed_claude[k] for k in kept} == {k: CLAUDE[k] for k in kept}
    assert installed_claude["hooks"]["PostToolUse"][0] == CLAUDE["hooks"]["PostToolUse"][0]
    ours = installed_claude["hooks"]["PostToolUse"][1]
    assert ours["matcher"] == "Edit|MultiEdit|Write|NotebookEdit|Bash"
    assert ours["hooks"][0]["command"].endswith("agent hook run --agent claude-code")
    assert set(installed_claude["hooks"]) == {"SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse",
                                              "Stop", "SessionEnd"}
    installed_cursor = json.loads(cursor.read_text())
    assert installed_cursor["hooks"]["afterFileEdit"][0] == {"command": "./hooks/format.sh"}
    assert set(installed_cursor["hooks"]) == {"beforeSubmitPrompt", "afterFileEdit", "afterShellExecution",
                                              "stop"}
    installed_codex = codex.read_text()
    assert installed_codex.startswith(CODEX.rstrip("\n"))  # comments and layout kept
    parsed = tomlkit.parse(installed_codex)
    assert parsed["hooks"]["Stop"][0]["hooks"][0]["command"] == "notify-send done"
    assert parsed["hooks"]["PostToolUse"][0]["matcher"] == "^(Bash|apply_patch)$"
    installed_gemini = json.loads(gemini.read_text())
    assert installed_gemini["security"] == GEMINI["security"] and installed_gemini["hooks"]["enabled"] is True
    assert installed_gemini["hooks"]["AfterTool"][0] == GEMINI["hooks"]["AfterTool"][0]
    assert installed_gemini["hooks"]["AfterTool"][1]["matcher"] == "^(replace|write_file|run_shell_command)$"
    gemini_hook = installed_gemini["hooks"]["AfterTool"][1]["hooks"][0]
    assert gemini_hook["command"].endswith("agent hook run --agent gemini-cli")
    assert gemini_hook["timeout"] == 10_000  # Gemini CLI's timeouts are in milliseconds
    assert set(installed_gemini["hooks"]) == {"enabled", "SessionStart", "BeforeAgent", "BeforeTool",
                                              "AfterTool", "AfterAgent", "SessionEnd"}

    again = codetape(home, "agent", "hook", "install", "--yes", "--dir", str(ws), env=env)
    plugin = user / ".config/opencode/plugin/codetape.js"
    assert plugin.read_text().startswith("// codetape's opencode plugin")
    assert "agent hook run --agent opencode" in plugin.read_text()
    assert again.returncode == 0 and again.stdout.count("already holds codetape's hook") == 5

    removed = codetape(home, "agent", "hook", "uninstall", "--yes", "--dir", str(ws), env=env)
    assert removed.returncode == 0, removed.stderr
    assert json.loads(claude.read_text()) == CLAUDE and json.loads(cursor.read_text()) == CURSOR
    assert codex.read_text() == CODEX
    assert gemini.read_text() == before[gemini]  # byte for byte
    assert not plugin.exists() and plugin.parent.is_dir()  # opencode's plugin folder stays


def test_an_opencode_plugin_not_codetape_s_is_left_alone(tmp_path: Path) -> None:
    user, home = tmp_path / "user", tmp_path / "ct"
    plugin = user / ".config/opencode/plugin/codetape.js"
    plugin.parent.mkdir(parents=True)
    plugin.write_text("export const Mine = async () => ({});\n")
    for action in ("install", "uninstall"):
        done = codetape(home, "agent", "hook", action, "--yes", "--agent", "opencode",
                        env={"HOME": str(user)})
        assert done.returncode == 1 and "is not codetape's plugin" in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1
    assert plugin.read_text() == "export const Mine = async () => ({});\n"


def test_files_codetape_created_are_removed_again(tmp_path: Path) -> None:
    user, ws, home = tmp_path / "user", tmp_path / "ws", tmp_path / "ct"
    ws.mkdir()
    env = {"HOME": str(user), "CODEX_HOME": str(tmp_path / "codex")}
    assert codetape(home, "agent", "hook", "install", "--yes", "--agent", "codex", "--agent", "cursor",
                    "--agent", "gemini-cli", env=env, cwd=ws).returncode == 0
    assert (tmp_path / "codex/config.toml").is_file() and (user / ".cursor/hooks.json").is_file()
    assert (user / ".gemini/settings.json").is_file()
    assert not (ws / ".claude").exists()
    assert codetape(home, "agent", "hook", "uninstall", "--yes", env=env, cwd=ws).returncode == 0
    assert not (tmp_path / "codex/config.toml").exists() and not (user / ".cursor/hooks.json").exists()
    assert not (user / ".gemini/settings.json").exists()


def test_a_broken_config_is_left_alone_with_one_line(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / ".claude").mkdir(parents=True)
    (ws / ".claude/settings.local.json").write_text("{ nope")
    done = codetape(tmp_path / "ct", "agent", "hook", "install", "--yes", "--agent", "claude-code", "--dir",
                    str(ws), env={"HOME": str(tmp_path)})
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert "is not valid JSON" in done.stderr
    assert (ws / ".claude/settings.local.json").read_text() == "{ nope"


def hook(home: Path, agent: str, payload: dict[str, Any] | bytes,
         cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """The command the installed hook runs, fed the agent's payload on stdin."""
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return subprocess.run([sys.executable, "-m", "collector", "agent", "hook", "run", "--agent", agent],
                          input=data, capture_output=True, env=env_for(home), cwd=cwd, timeout=30,
                          check=False)


def test_prompt_edit_and_the_write_become_agent_steps_and_an_agent_s_file_change(tmp_path: Path) -> None:
    home = tmp_path / "ct"
    root = opt_in(tmp_path / "ws", 'exclude = ["private/"]\n', home=home)
    git(root, "init", "-q")
    (root / "app.py").write_text("def add(a, b):\n    return a - b\n")
    (root / "private").mkdir()
    with running(home) as daemon, daemon.client() as client:
        wait_capturing(client, root)
        base = {"session_id": "abc123", "transcript_path": "/t.jsonl", "cwd": str(root),
                "permission_mode": "default"}
        secret = "AKIAIOSFODNN7EXAMPLE"
        ran = [hook(home, "claude-code", {**base, "hook_event_name": "UserPromptSubmit",
                                          "prompt": f"fix add; the key is {secret}"}, root)]
        edit = {"tool_name": "Edit", "tool_input": {"file_path": str(root / "app.py"), "old_string": "a - b",
                                                    "new_string": "a + b"}, "tool_use_id": "toolu_1"}
        ran.append(hook(home, "claude-code", {**base, "hook_event_name": "PreToolUse", **edit}, root))
        (root / "app.py").write_text("def add(a, b):\n    return a + b\n")  # what the Edit tool writes
        response = {"filePath": str(root / "app.py"), "success": True}
        ran.append(hook(home, "claude-code", {**base, "hook_event_name": "PostToolUse", **edit,
                                              "tool_response": response}, root))
        ran.append(hook(home, "claude-code", {**base, "hook_event_name": "PostToolUse", "tool_name": "Write",
                                              "tool_input": {"file_path": str(root / "private/key.txt"),
                                                             "content": "x"}}, root))
        for done in ran:
            assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
        steps = wait_recorded(daemon.home, root, lambda s: any(x.get("path") == "app.py" for x in s)
                              and sum(x["kind"] == "agent" for x in s) == 4,
                              "the agent's steps and its write")
        journals = list(daemon.home.journals.glob("*"))
        assert journals
        for journal in journals:
            assert b"private/key.txt" not in journal.read_bytes() and b"key.txt" not in journal.read_bytes()
        sealed = seal(home, root)  # by this collector (after it stops, `codetape seal` would start another)
    agent = [s for s in steps if s["kind"] == "agent"]
    assert [(s["hook"], s["event"]) for s in agent] == [
        ("UserPromptSubmit", "prompt"), ("PreToolUse", "tool_call"), ("PostToolUse", "tool_result"),
        ("PostToolUse", "tool_result")]
    assert agent[1]["targets"] == ["app.py"] and agent[1]["tool"] == "Edit"
    assert "targets" not in agent[3]  # the excluded file is never written, not even its name
    change = next(s for s in steps if s["kind"] == "file_change" and s["path"] == "app.py")
    assert change["origin"] == "agent" and change["origin_detail"].startswith("claude-code:P")
    assert change["origin_detail"].endswith("ToolUse Edit")
    prompt = next(s for s in sealed if s["kind"] == "agent" and s["event"] == "prompt")
    assert secret not in prompt["prompt"] and "«redacted:" in prompt["prompt"]


def seal(home: Path, root: Path) -> list[dict[str, Any]]:
    from tests.support.collector_harness import episode_steps

    done = codetape(home, "seal", str(root))
    assert done.returncode == 0, done.stderr
    episodes = sorted(Home(home.resolve()).episodes.glob("*.ctape"))
    assert len(episodes) == 1
    return episode_steps(episodes[0])


def test_a_workspace_not_opted_in_records_nothing(tmp_path: Path) -> None:
    home = tmp_path / "ct"
    plain = tmp_path / "plain"
    plain.mkdir()
    other = opt_in(tmp_path / "ws", home=home)
    with running(home) as daemon, daemon.client() as client:
        wait_capturing(client, other)
        done = hook(home, "cursor", {"hook_event_name": "beforeSubmitPrompt", "conversation_id": "c",
                                     "generation_id": "g", "workspace_roots": [str(plain)],
                                     "prompt": "hello"},
                    plain)
        assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
        status = client.request("status")
    assert [Path(w["root"]) for w in status["workspaces"]] == [other]
    assert all(w["steps"] == 0 for w in status["workspaces"])


def test_a_collector_that_is_down_leaves_the_hook_exiting_0_fast(tmp_path: Path) -> None:
    home = tmp_path / "ct"
    root = opt_in(tmp_path / "ws", home=home)
    start = time.monotonic()
    done = hook(home, "codex", {"hook_event_name": "UserPromptSubmit", "session_id": "s", "turn_id": "1",
                                "transcript_path": None, "cwd": str(root), "model": "m",
                                "permission_mode": "default", "prompt": "hi"}, root)
    took = time.monotonic() - start
    assert done.returncode == 0 and done.stdout == b""
    assert done.stderr.decode().startswith("codetape: agent hook: not recorded: collector not running")
    assert done.stderr.count(b"\n") == 1 and took < 3.0
    assert not (Home(home.resolve()).root / "run" / "collector.pid").exists()  # not started by the hook


def test_a_malformed_payload_is_a_gap_and_one_line(tmp_path: Path) -> None:
    home = tmp_path / "ct"
    root = opt_in(tmp_path / "ws", home=home)
    with running(home) as daemon:
        done = hook(home, "claude-code", b'{"hook_event_name": "UserPromptSubmit"', root)
        assert done.returncode == 0 and done.stdout == b""
        assert done.stderr.decode().startswith("codetape: agent hook: the payload is not JSON")
        steps = wait_recorded(daemon.home, root, lambda s: any(x["kind"] == "gap" for x in s), "the gap")
    gap = next(s for s in steps if s["kind"] == "gap")
    assert gap["reason"] == "malformed_input" and gap["detail"].startswith("a claude-code hook payload")


def test_a_link_in_the_workspace_is_never_written_through(tmp_path: Path) -> None:
    """A repository committing `.claude/settings.local.json` as a link to the user's own Claude settings
    (or `.claude` as a link to `~/.claude`): install and uninstall refuse, and nothing of those settings
    lands in the workspace."""
    user, ws, home = tmp_path / "user", tmp_path / "ws", tmp_path / "ct"
    token = "sk-ant-api03-" + "x" * 40
    mine = {"env": {"ANTHROPIC_API_KEY": token}, "permissions": {"allow": ["Bash(rm:*)"]}}
    (user / ".claude").mkdir(parents=True)
    (user / ".claude/settings.json").write_text(json.dumps(mine))
    env = {"HOME": str(user)}
    (ws / ".claude").mkdir(parents=True)
    (ws / ".claude/settings.local.json").symlink_to("../../user/.claude/settings.json")
    dotclaude = tmp_path / "ws2"
    dotclaude.mkdir()
    (dotclaude / ".claude").symlink_to("../user/.claude")
    (user / ".claude/settings.local.json").write_text(json.dumps(mine))
    for workspace in (ws, dotclaude):
        for action in ("install", "uninstall"):
            done = codetape(home, "agent", "hook", action, "--yes", "--agent", "cursor", "--agent",
                            "claude-code", "--dir", str(workspace), env=env)
            assert done.returncode == 1 and done.stderr.count("\n") == 1, done
            assert done.stderr.startswith("codetape: ") and "is a link" in done.stderr
    assert (ws / ".claude/settings.local.json").is_symlink() and (dotclaude / ".claude").is_symlink()
    assert json.loads((user / ".claude/settings.json").read_text()) == mine
    assert json.loads((user / ".claude/settings.local.json").read_text()) == mine
    assert not (user / ".cursor").exists()  # refused before anything was written
    for workspace in (ws, dotclaude):
        for path in workspace.rglob("*"):
            assert path.is_symlink() or path.is_dir() or token not in path.read_text()


def test_a_dotfile_manager_s_links_in_home_stay_links(tmp_path: Path) -> None:
    """`~/.cursor/hooks.json` a link into a dotfiles repository, `~/.codex` a link to a folder of it: the
    files they point to get the hook and lose it again; the links stay links."""
    user, ws, home, dotfiles = tmp_path / "user", tmp_path / "ws", tmp_path / "ct", tmp_path / "dotfiles"
    ws.mkdir()
    (dotfiles / "cursor").mkdir(parents=True)
    (dotfiles / "codex").mkdir()
    (dotfiles / "cursor/hooks.json").write_text(json.dumps(CURSOR, indent=2) + "\n")
    (dotfiles / "codex/config.toml").write_text(CODEX)
    (user / ".cursor").mkdir(parents=True)
    (user / ".cursor/hooks.json").symlink_to(dotfiles / "cursor/hooks.json")
    (user / ".codex").symlink_to(dotfiles / "codex")
    env = {"HOME": str(user)}
    done = codetape(home, "agent", "hook", "install", "--yes", "--agent", "cursor", "--agent", "codex",
                    "--dir", str(ws), env=env)
    assert done.returncode == 0, done.stderr
    assert (user / ".cursor/hooks.json").is_symlink() and (user / ".codex").is_symlink()
    assert not (user / ".codex/config.toml").is_symlink()  # (a file in the linked folder)
    assert "agent hook run --agent cursor" in (dotfiles / "cursor/hooks.json").read_text()
    assert "agent hook run --agent codex" in (dotfiles / "codex/config.toml").read_text()
    assert "the link stays" in done.stdout
    done = codetape(home, "agent", "hook", "uninstall", "--yes", "--dir", str(ws), env=env)
    assert done.returncode == 0, done.stderr
    assert (user / ".cursor/hooks.json").is_symlink()
    assert json.loads((dotfiles / "cursor/hooks.json").read_text()) == CURSOR
    assert (dotfiles / "codex/config.toml").read_text() == CODEX

    # a link to a file not there yet: the install creates it; the uninstall empties it, the link stays
    (dotfiles / "cursor/hooks.json").unlink()
    assert codetape(home, "agent", "hook", "install", "--yes", "--agent", "cursor", env=env).returncode == 0
    assert "agent hook run --agent cursor" in (dotfiles / "cursor/hooks.json").read_text()
    assert codetape(home, "agent", "hook", "uninstall", "--yes", "--agent", "cursor", env=env).returncode == 0
    assert (user / ".cursor/hooks.json").is_symlink()
    assert json.loads((dotfiles / "cursor/hooks.json").read_text()) == {"version": 1}


def test_a_lone_surrogate_in_a_payload_is_recorded_as_the_replacement_character(tmp_path: Path) -> None:
    """JSON may spell half a UTF-16 pair (`"\\ud83d"`), which no UTF-8 text holds: the prompt is recorded
    with U+FFFD in its place, not lost."""
    home = tmp_path / "ct"
    root = opt_in(tmp_path / "ws", home=home)
    fields = {"hook_event_name": "UserPromptSubmit", "session_id": "s\ud83d", "cwd": str(root),
              "prompt": "ship it \ud83d now"}
    payload = json.dumps(fields).encode()  # (json.dumps writes the lone half as `\ud83d`)
    with running(home) as daemon:
        done = hook(home, "claude-code", payload, root)
        assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
        steps = wait_recorded(daemon.home, root, lambda s: any(x["kind"] == "agent" for x in s), "the prompt")
    prompt = next(s for s in steps if s["kind"] == "agent")
    assert prompt["prompt"] == "ship it \ufffd now" and prompt["session"] == "s\ufffd"


def test_an_agent_s_shell_writes_are_its_own_and_a_refused_call_stops_claiming(tmp_path: Path) -> None:
    """Claude Code's Bash call (`cat > notes.md`): the file it writes is the agent's, the call its evidence.
    Then an Edit of app.py the developer refuses (a PreToolUse, no PostToolUse), the session's Stop, and
    the developer's own `sed -i` of app.py: that write is not the agent's."""
    home = tmp_path / "ct"
    root = opt_in(tmp_path / "ws", home=home)
    git(root, "init", "-q")
    (root / "app.py").write_text("def add(a, b):\n    return a - b\n")
    base = {"session_id": "s1", "transcript_path": "/t.jsonl", "cwd": str(root), "permission_mode": "default"}
    notes = "notes line\n" * 716 + "1234"
    shell = {"tool_name": "Bash", "tool_input": {"command": f"cat > notes.md <<'EOF'\n{notes}\nEOF"},
             "tool_use_id": "toolu_1"}
    with running(home) as daemon, daemon.client() as client:
        wait_capturing(client, root)
        ran = [hook(home, "claude-code", {**base, "hook_event_name": "PreToolUse", **shell}, root)]
        (root / "notes.md").write_text(notes)  # what the shell command writes
        ran.append(hook(home, "claude-code", {**base, "hook_event_name": "PostToolUse", **shell,
                                              "tool_response": {"stdout": "", "stderr": ""}}, root))
        edit = {"tool_name": "Edit", "tool_input": {"file_path": str(root / "app.py"), "old_string": "a - b",
                                                    "new_string": "a + b"}, "tool_use_id": "toolu_2"}
        ran.append(hook(home, "claude-code", {**base, "hook_event_name": "PreToolUse", **edit}, root))
        ran.append(hook(home, "claude-code", {**base, "hook_event_name": "Stop", "stop_hook_active": False},
                        root))
        for done in ran:
            assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
        wait_recorded(daemon.home, root, lambda s: any(x.get("hook") == "Stop" for x in s), "the Stop")
        subprocess.run(["sed", "-i", "s/a - b/a + b/", str(root / "app.py")], check=True)  # the developer
        steps = wait_recorded(daemon.home, root, lambda s: {"notes.md", "app.py"} <= {
            x.get("path") for x in s if x["kind"] == "file_change"}, "both writes")
    written = {s["path"]: s for s in steps if s["kind"] == "file_change"}
    assert written["notes.md"]["origin"] == "agent" and written["notes.md"]["text"] == notes
    assert written["notes.md"]["origin_detail"] in ("claude-code:PreToolUse Bash",
                                                    "claude-code:PostToolUse Bash")
    assert "origin" not in written["app.py"] and "origin_detail" not in written["app.py"]


def test_the_installed_hook_imports_nothing_of_codetape(tmp_path: Path) -> None:
    """A hook call pays for an interpreter and the standard library modules it needs, not for codetape's
    package (about 160 ms a call when it ran `-m collector`): the command `install` writes, run with
    `-X importtime` added, in an opted-in workspace, every module it imports listed by Python."""
    import shlex

    home = tmp_path / "ct"
    root = opt_in(tmp_path / "ws", home=home)
    (tmp_path / "user").mkdir()
    done = codetape(home, "agent", "hook", "install", "--yes", "--agent", "claude-code", "--dir", str(root),
                    env={"HOME": str(tmp_path / "user")})
    assert done.returncode == 0, done.stderr
    command = json.loads((root / ".claude/settings.local.json").read_text())["hooks"]["Stop"][0]["hooks"][0]
    assignment, python, *rest = shlex.split(command["command"])
    assert assignment == f"CODETAPE_HOME={Home(home.resolve()).root}" and rest[:2] == ["-P", "-S"]
    payload = {"hook_event_name": "UserPromptSubmit", "session_id": "s", "cwd": str(root), "prompt": "hi"}
    ran = subprocess.run([python, "-X", "importtime", *rest], input=json.dumps(payload).encode(),
                         capture_output=True, env=env_for(home), cwd=root, timeout=60, check=False)
    assert ran.returncode == 0 and b"agent hook: not recorded: collector not running" in ran.stderr
    imported = {line.split("|")[-1].strip() for line in ran.stderr.decode().splitlines()
                if line.startswith("import time:")}
    assert "_json" in imported  # (what -X importtime lists: json's C half, not the package)
    heavy = {"collector", "schemas", "pydantic", "tomlkit", "platformdirs", "typing", "dataclasses",
             "inspect", "socket", "selectors", "contextlib", "site", "asyncio", "subprocess", "threading",
             "json", "re", "enum", "signal"}
    assert not {name for name in imported if name.split(".")[0] in heavy}, sorted(imported)


def test_codex_s_config_with_the_developer_s_own_hooks_comes_back_byte_for_byte(tmp_path: Path) -> None:
    """The developer's own hooks in the very tables codetape's go into, a table after them: install and
    uninstall, three times over (and once more with another CODETAPE_HOME in between), give the file back
    byte for byte."""
    user, ws = tmp_path / "user", tmp_path / "ws"
    ws.mkdir()
    codex = user / ".codex/config.toml"
    codex.parent.mkdir(parents=True)
    mine = (CODEX + '\n[[hooks.PreToolUse]]\nmatcher = "^Bash$"\n[[hooks.PreToolUse.hooks]]\n'
            'type = "command"\ncommand = "guard.sh"  # mine\n\n[tui]\nnotifications = true\n')
    codex.write_text(mine)
    env = {"HOME": str(user)}
    for home in ("ct", "ct", "other", "ct"):
        done = codetape(tmp_path / home, "agent", "hook", "install", "--yes", "--agent", "codex", "--dir",
                        str(ws), env=env)
        assert done.returncode == 0, done.stderr
        assert codex.read_text().startswith(mine)  # appended: nothing of the developer's moves
        parsed = tomlkit.parse(codex.read_text())
        assert parsed["hooks"]["PreToolUse"][0]["hooks"][0]["command"] == "guard.sh"
    removed = codetape(tmp_path / "ct", "agent", "hook", "uninstall", "--yes", "--agent", "codex", "--dir",
                       str(ws), env=env)
    assert removed.returncode == 0, removed.stderr
    assert codex.read_text() == mine
    for _ in range(3):
        for action in ("install", "uninstall"):
            done = codetape(tmp_path / "ct", "agent", "hook", action, "--yes", "--agent", "codex", "--dir",
                            str(ws), env=env)
            assert done.returncode == 0, done.stderr
        assert codex.read_text() == mine


def test_a_write_through_a_temporary_file_keeps_its_order_when_the_rename_is_claimed(tmp_path: Path) -> None:
    """An agent's tool that saves through a temporary file (`app.py.tmp.PID.MS`, renamed over app.py, as
    Claude Code's Write does) whose creation the file watcher saw before the rename: the claimed rename
    leaves its hold at once, and takes the temporary file's creation, still held, with it. Codex's
    apply_patch call carries its patch, so its claim settles when the watcher sees the write; its patch
    also adds notes.py, written just after the temporary file: once notes.py is recorded, the watcher has
    seen the temporary file too (one inotify stream, in order), and the rename comes after that."""
    home = tmp_path / "ct"
    root = opt_in(tmp_path / "ws", home=home)
    git(root, "init", "-q")
    (root / "app.py").write_text("def add(a, b):\n    return a - b\n")
    patch = (f"*** Begin Patch\n*** Update File: {root / 'app.py'}\n@@\n-    return a - b\n"
             "+    return a + b\n"
             f"*** Add File: {root / 'notes.py'}\n+NOTE = 1\n*** End Patch")
    call = {"session_id": "s1", "turn_id": "t1", "transcript_path": "/t.jsonl", "cwd": str(root),
            "hook_event_name": "PreToolUse", "model": "gpt-5.5", "permission_mode": "bypassPermissions",
            "tool_name": "apply_patch", "tool_input": {"command": patch}, "tool_use_id": "call_1"}
    temporary = root / "app.py.tmp.4242.1764086400000"
    with running(home) as daemon, daemon.client() as client:
        wait_capturing(client, root)
        done = hook(home, "codex", call, root)
        assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
        wait_recorded(daemon.home, root, lambda s: any(x.get("hook") == "PreToolUse" for x in s), "the call")
        temporary.write_text("def add(a, b):\n    return a + b\n")
        (root / "notes.py").write_text("NOTE = 1\n")
        wait_recorded(daemon.home, root, lambda s: any(x.get("path") == "notes.py" for x in s), "notes.py")
        os.replace(temporary, root / "app.py")
        steps = wait_recorded(daemon.home, root, lambda s: {"created", "renamed"} <= {
            x["change"] for x in s if x.get("path") == temporary.name}, "the temporary file and its rename")
    written = [(s["change"], s["path"]) for s in steps
               if s["kind"] == "file_change" and s["path"] != "notes.py"]
    assert written == [("created", temporary.name), ("renamed", temporary.name)]
    renamed = next(s for s in steps if s.get("change") == "renamed")
    assert renamed["new_path"] == "app.py" and renamed["origin"] == "agent"
    assert renamed["origin_detail"] == "codex:PreToolUse apply_patch"
    created = next(s for s in steps if s.get("change") == "created" and s["path"] == temporary.name)
    assert "origin" not in created  # no call claims the temporary file's path (README says so)


def test_a_hook_whose_wire_module_is_missing_says_one_line_and_exits_0(tmp_path: Path) -> None:
    """A half-installed codetape (the hook's file without collector/protocol/wire.py beside it): the agent
    still gets exit status 0 and one line, never a traceback, and its payload is read whole."""
    hook = tmp_path / "collector" / "sources" / "agents" / "payloads.py"
    hook.parent.mkdir(parents=True)
    hook.write_bytes(Path(payloads.__file__).read_bytes())
    payload = json.dumps({"hook_event_name": "Stop", "session_id": "s", "cwd": str(tmp_path),
                          "padding": "x" * (1 << 20)}).encode()
    ran = subprocess.run([sys.executable, "-P", "-S", str(hook), "agent", "hook", "run", "--agent", "codex"],
                         input=payload, capture_output=True, env={"CODETAPE_HOME": str(tmp_path / "ct")},
                         timeout=60, check=False)
    assert ran.returncode == 0
    assert ran.stderr.decode().splitlines() == [
        f"codetape: agent hook: cannot load {tmp_path}/collector/protocol/wire.py (FileNotFoundError); "
        "reinstall codetape"]


def test_the_installed_hook_reaches_a_collector_on_loopback_tcp(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows' transport, selected here (collector/platform/loopback.py): the command `install` writes
    reads the endpoint file, proves the secret, and its step is recorded; still without codetape's
    package, nor hmac or hashlib, among what it imports."""
    import shlex

    monkeypatch.setenv(TRANSPORT_ENV, "tcp")
    home = tmp_path / "ct"
    root = opt_in(tmp_path / "ws", home=home)
    (tmp_path / "user").mkdir()
    done = codetape(home, "agent", "hook", "install", "--yes", "--agent", "claude-code", "--dir", str(root),
                    env={"HOME": str(tmp_path / "user")})
    assert done.returncode == 0, done.stderr
    command = json.loads((root / ".claude/settings.local.json").read_text())["hooks"]["Stop"][0]["hooks"][0]
    _assignment, python, *rest = shlex.split(command["command"])
    payload = {"hook_event_name": "UserPromptSubmit", "session_id": "s", "cwd": str(root),
               "prompt": "over tcp"}
    with running(home) as daemon:
        assert daemon.home.socket.name == "collector.tcp"
        ran = subprocess.run([python, "-X", "importtime", *rest], input=json.dumps(payload).encode(),
                             capture_output=True, env=env_for(home), cwd=root, timeout=60, check=False)
        assert ran.returncode == 0 and b"codetape:" not in ran.stderr, ran.stderr
        steps = wait_recorded(daemon.home, root, lambda s: any(x["kind"] == "agent" for x in s),
                              "the hook's step over TCP")
    assert [s["prompt"] for s in steps if s["kind"] == "agent"] == ["over tcp"]
    imported = {line.split("|")[-1].strip() for line in ran.stderr.decode().splitlines()
                if line.startswith("import time:")}
    heavy = {"collector", "schemas", "socket", "hmac", "hashlib", "json"}
    assert not {name for name in imported if name.split(".")[0] in heavy}, sorted(imported)
