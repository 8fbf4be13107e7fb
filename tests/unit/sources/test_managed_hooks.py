"""Managed settings that let an agent run only managed hooks (sources/agents/managed_hooks.py), read under a
folder standing for the file system's root."""

from __future__ import annotations

import json
from pathlib import Path

from collector.sources.agents.managed_hooks import MANAGED_AGENTS, lines, managed, not_run

MANAGED_FORM = "/usr/local/bin/codetape agent hook run --agent {agent}"


def claude_settings(system: Path, data: dict[str, object], *, name: str = "managed-settings.json",
                    platform: str = "linux") -> Path:
    folder = system / ("Library/Application Support/ClaudeCode" if platform == "darwin"
                       else "etc/claude-code")
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def managed_hook(command: str) -> dict[str, object]:
    return {"PostToolUse": [{"matcher": "Edit", "hooks": [{"type": "command", "command": command}]}]}


def test_nothing_managed_lets_user_hooks_run(tmp_path: Path) -> None:
    for agent in MANAGED_AGENTS:
        found = managed(agent, tmp_path)
        assert (found.only, found.ours) == (None, ())
        assert not_run(found) is None
    assert lines(tmp_path) == []


def test_claude_code_s_allow_managed_hooks_only_in_the_file_or_a_drop_in(tmp_path: Path) -> None:
    for platform in ("linux", "darwin"):
        system = tmp_path / platform
        path = claude_settings(system, {"allowManagedHooksOnly": True}, platform=platform)
        found = managed("claude-code", system, platform)
        assert found.only == path and found.ours == ()
        said = not_run(found, "/ws/.claude/settings.local.json")
        assert said is not None and "allowManagedHooksOnly" in said and str(path) in said
        assert "ignores codetape's hook in /ws/.claude/settings.local.json" in said
        assert lines(system, platform) == [not_run(found)]
    drop_in = claude_settings(tmp_path / "d", {"allowManagedHooksOnly": True},
                              name="managed-settings.d/50-hooks.json")
    claude_settings(tmp_path / "d", {"allowManagedHooksOnly": False})
    assert managed("claude-code", tmp_path / "d", "linux").only == drop_in
    claude_settings(tmp_path / "e", {"allowManagedHooksOnly": True}, name="managed-settings.d/.hidden.json")
    claude_settings(tmp_path / "e", {"allowManagedHooksOnly": True}, name="managed-settings.d/x.txt")
    assert managed("claude-code", tmp_path / "e", "linux").only is None  # Claude Code reads neither


def test_codetape_s_hook_in_the_managed_form_runs(tmp_path: Path) -> None:
    command = MANAGED_FORM.format(agent="claude-code")
    path = claude_settings(tmp_path, {"allowManagedHooksOnly": True, "hooks": managed_hook(command)})
    found = managed("claude-code", tmp_path, "linux")
    assert found.ours == (path,) and found.commands == (command,)
    assert not_run(found) is None and lines(tmp_path, "linux") == []
    other = claude_settings(tmp_path / "o", {"allowManagedHooksOnly": True, "hooks": managed_hook("audit")})
    assert managed("claude-code", tmp_path / "o", "linux").ours == () and other.exists()


def test_codex_s_allow_managed_hooks_only_counts_in_requirements_toml_alone(tmp_path: Path) -> None:
    codex = tmp_path / "etc" / "codex"
    codex.mkdir(parents=True)
    (codex / "config.toml").write_text("allow_managed_hooks_only = true\n", encoding="utf-8")
    assert managed("codex", tmp_path).only is None  # Codex ignores the key in config.toml
    (codex / "requirements.toml").write_text("allow_managed_hooks_only = true\n", encoding="utf-8")
    found = managed("codex", tmp_path)
    assert found.only == codex / "requirements.toml"
    said = not_run(found)
    assert said is not None and "allow_managed_hooks_only" in said and "codex:" in said
    command = MANAGED_FORM.format(agent="codex")
    (codex / "config.toml").write_text(
        f'[[hooks.PostToolUse]]\nmatcher = "^apply_patch$"\n[[hooks.PostToolUse.hooks]]\ntype = "command"\n'
        f'command = "{command}"\n', encoding="utf-8")
    found = managed("codex", tmp_path)
    assert found.ours == (codex / "config.toml",) and not_run(found) is None


def test_an_unreadable_managed_file_sets_nothing(tmp_path: Path) -> None:
    path = claude_settings(tmp_path, {})
    path.write_text('{"allowManagedHooksOnly": true,', encoding="utf-8")
    assert managed("claude-code", tmp_path, "linux").only is None
