"""`codetape doctor` says when an agent will not run codetape's hook (issue 54, item 6): Codex has not
trusted it, or the agent's managed settings let only managed hooks run; and it recognises codetape's hook
in the managed form. The managed settings are read under a folder standing for the file system's root."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from collector.cli.commands.doctor import Check, diagnose
from collector.home import Home
from collector.sources.agents import codex_trust
from collector.sources.agents.configs import hook_command, installed, is_ours
from collector.workspace.registry import Registry


def machine(tmp_path: Path) -> tuple[dict[str, str], Home, Path]:
    """(the environment, codetape's home, an opted-in workspace)."""
    user = tmp_path / "user"
    user.mkdir()
    home = Home(tmp_path / "ct")
    root = (tmp_path / "ws").resolve()
    root.mkdir()
    (root / ".codetape.toml").write_text("", encoding="utf-8")
    Registry(home).accept(root, "")
    env = {"HOME": str(user), "CODEX_HOME": str(user / ".codex"), "CODETAPE_HOME": str(home.root),
           "PATH": "/usr/bin:/bin"}
    return env, home, root


def check(checks: list[Check], name: str) -> Check:
    (found,) = [c for c in checks if c.name == name]
    return found


def test_an_untrusted_codex_hook_is_a_problem(tmp_path: Path) -> None:
    env, home, _ = machine(tmp_path)
    config = Path(env["CODEX_HOME"]) / "config.toml"
    config.parent.mkdir()
    text = installed("codex", None, hook_command("codex", home), config)
    config.write_text(text, encoding="utf-8")
    said = check(diagnose(env, tmp_path / "system"), "agent codex")
    assert said.state == "problem", said  # it said `ok` before: only install and status told
    assert said.detail.startswith(f"{config}: 6 of codetape's 6 hooks are not trusted by Codex"), said
    assert "Trust all and continue" in said.detail

    import tomllib

    hooks = codex_trust.codetape_hooks(tomllib.loads(text), config, lambda c: is_ours(c, "codex"))
    config.write_text(text + "".join(f'\n[hooks.state."{h.key}"]\ntrusted_hash = "{h.current_hash}"\n'
                                     for h in hooks), encoding="utf-8")
    assert check(diagnose(env, tmp_path / "system"), "agent codex") == Check(
        "agent codex", "ok", f"hooked in {config}")


def test_managed_hooks_only_is_a_problem_for_codetape_s_user_hook(tmp_path: Path) -> None:
    env, home, root = machine(tmp_path)
    settings = root / ".claude" / "settings.local.json"
    settings.parent.mkdir()
    settings.write_text(installed("claude-code", None, hook_command("claude-code", home), settings),
                        encoding="utf-8")
    system = tmp_path / "system"
    assert check(diagnose(env, system), "agent claude-code").state == "ok"
    managed = system / ("Library/Application Support/ClaudeCode" if sys.platform == "darwin"
                        else "etc/claude-code") / "managed-settings.json"
    managed.parent.mkdir(parents=True)
    managed.write_text(json.dumps({"allowManagedHooksOnly": True}), encoding="utf-8")
    said = check(diagnose(env, system), "agent claude-code")
    assert said.state == "problem" and said.detail.startswith(
        f"{managed} sets allowManagedHooksOnly: the agent runs only managed hooks, so it ignores codetape's "
        f"hook in {settings}"), said
    assert "the managed form" in said.detail

    # codetape's hook in the managed form: recognised, and the user's is no longer a problem
    command = f"{sys.executable} -m collector agent hook run --agent claude-code"
    managed.write_text(json.dumps({"allowManagedHooksOnly": True, "hooks": {"Stop": [
        {"hooks": [{"type": "command", "command": command}]}]}}), encoding="utf-8")
    checks = [c for c in diagnose(env, system) if c.name == "agent claude-code"]
    assert checks[0] == Check("agent claude-code", "ok", f"managed hook in {managed} (every user's; it "
                              "records only in workspaces you opted in)")
    assert all(c.state == "ok" for c in checks), checks
    managed.write_text(json.dumps({"allowManagedHooksOnly": True, "hooks": {"Stop": [
        {"hooks": [{"type": "command", "command": "/gone/codetape agent hook run --agent claude-code"}]}]}}),
        encoding="utf-8")
    said = next(c for c in diagnose(env, system) if c.name == "agent claude-code")
    assert said.state == "problem" and "runs a program that is gone (/gone/codetape)" in said.detail


def test_codex_s_managed_requirements(tmp_path: Path) -> None:
    env, home, _ = machine(tmp_path)
    config = Path(env["CODEX_HOME"]) / "config.toml"
    config.parent.mkdir()
    config.write_text(installed("codex", None, hook_command("codex", home), config), encoding="utf-8")
    requirements = tmp_path / "system" / "etc" / "codex" / "requirements.toml"
    requirements.parent.mkdir(parents=True)
    requirements.write_text("allow_managed_hooks_only = true\n", encoding="utf-8")
    said = check(diagnose(env, tmp_path / "system"), "agent codex")
    assert said.state == "problem" and "sets allow_managed_hooks_only" in said.detail, said
