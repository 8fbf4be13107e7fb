"""An agent at work in the workspace while codetape's hook for it does not run leaves a `gap` before the
first write nobody claimed (daemon/silent_hooks.py): Codex not trusting the hooks, or managed settings that
let only managed hooks run. Files only: a user's home, the agent's session records, a folder standing for
the file system's root."""

from __future__ import annotations

import json
import os
import re
import time
import tomllib
from pathlib import Path

from collector.daemon.silent_hooks import ACTIVE_MS, SilentHooks
from collector.home import Home
from collector.sources.agents import codex_trust
from collector.sources.agents.configs import hook_command, installed, is_ours


def now_ms() -> int:
    return int(time.time() * 1000)


def place(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """(the workspace, the user's home, the collector's environment)."""
    root, user = tmp_path / "ws", tmp_path / "user"
    root.mkdir()
    user.mkdir()
    return root.resolve(), user, {"HOME": str(user), "CODEX_HOME": str(user / ".codex")}


def codex_hooks(user: Path, tmp_path: Path, *, trusted: bool = False) -> Path:
    config = user / ".codex" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    text = installed("codex", None, hook_command("codex", Home(tmp_path / "ct")), config)
    if trusted:
        hooks = codex_trust.codetape_hooks(tomllib.loads(text), config,
                                           lambda c: is_ours(c, "codex"))
        text += "".join(f'\n[hooks.state."{h.key}"]\ntrusted_hash = "{h.current_hash}"\n' for h in hooks)
    config.write_text(text, encoding="utf-8")
    return config


def codex_session(user: Path, cwd: Path, *, name: str = "rollout-1.jsonl", age_s: float = 0) -> Path:
    path = user / ".codex" / "sessions" / "2026" / "05" / "01" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"timestamp": "2026-05-01T10:00:00.000Z", "type": "session_meta",
            "payload": {"id": "x", "cwd": str(cwd)}}
    path.write_text(json.dumps(meta) + "\n", encoding="utf-8")
    at = time.time() - age_s
    os.utime(path, (at, at))
    return path


def test_codex_at_work_with_its_hooks_untrusted_leaves_a_gap_per_session_and_episode(tmp_path: Path) -> None:
    root, user, env = place(tmp_path)
    codex_hooks(user, tmp_path)
    silent = SilentHooks(root, env, system=tmp_path / "system")
    assert silent.gaps(now_ms()) == []  # Codex has not worked here
    codex_session(user, root / "src")  # a session in a folder of the workspace
    (gap,) = silent.gaps(now_ms())
    assert gap.reason == "other" and gap.state is None
    assert gap.detail.startswith("codex's hooks did not run: Codex worked in this workspace, but Codex does "
                                 "not run codetape's hooks until you trust them")
    assert "its writes have no origin" in gap.detail
    assert str(user) not in gap.detail and "rollout" not in gap.detail  # no path, no session id
    assert silent.gaps(now_ms()) == []  # said once
    codex_session(user, root, name="rollout-2.jsonl")
    assert len(silent.gaps(now_ms())) == 1  # another session
    silent.episode_ended()
    assert len(silent.gaps(now_ms())) == 1  # said again in the next episode


def test_no_gap_when_codex_runs_the_hooks_works_elsewhere_or_long_ago(tmp_path: Path) -> None:
    root, user, env = place(tmp_path)
    config = codex_hooks(user, tmp_path, trusted=True)
    codex_session(user, root)
    assert SilentHooks(root, env, system=tmp_path / "system").gaps(now_ms()) == []  # trusted: it runs them
    config.unlink()
    codex_hooks(user, tmp_path)
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    codex_session(user, elsewhere)
    assert SilentHooks(root, env, system=tmp_path / "system").gaps(now_ms()) == []
    codex_session(user, root, age_s=ACTIVE_MS / 1000 + 60)
    assert SilentHooks(root, env, system=tmp_path / "system").gaps(now_ms()) == []
    (user / ".codex" / "config.toml").write_text('model = "x"\n', encoding="utf-8")  # no hook of codetape's
    codex_session(user, root)
    assert SilentHooks(root, env, system=tmp_path / "system").gaps(now_ms()) == []


def test_claude_code_at_work_under_managed_hooks_only(tmp_path: Path) -> None:
    root, user, env = place(tmp_path)
    settings = root / ".claude" / "settings.local.json"
    settings.parent.mkdir()
    settings.write_text(installed("claude-code", None, hook_command("claude-code", Home(tmp_path / "ct")),
                                  settings), encoding="utf-8")
    transcript = user / ".claude" / "projects" / re.sub(r"[^a-zA-Z0-9]", "-", str(root)) / "s.jsonl"
    transcript.parent.mkdir(parents=True)
    transcript.write_text("{}\n", encoding="utf-8")
    system = tmp_path / "system"
    assert SilentHooks(root, env, system=system, platform="linux").gaps(now_ms()) == []  # its hooks run
    managed = system / "etc" / "claude-code" / "managed-settings.json"
    managed.parent.mkdir(parents=True)
    managed.write_text(json.dumps({"allowManagedHooksOnly": True}), encoding="utf-8")
    (gap,) = SilentHooks(root, env, system=system, platform="linux").gaps(now_ms())
    assert gap.detail.startswith("claude-code's hooks did not run: Claude Code worked in this workspace, but "
                                 "its managed settings let only managed hooks run (allowManagedHooksOnly)")
    command = "/usr/local/bin/codetape agent hook run --agent claude-code"  # the managed form runs
    managed.write_text(json.dumps({"allowManagedHooksOnly": True, "hooks": {"Stop": [
        {"hooks": [{"type": "command", "command": command}]}]}}), encoding="utf-8")
    assert SilentHooks(root, env, system=system, platform="linux").gaps(now_ms()) == []


def test_codex_under_managed_hooks_only_even_when_trusted(tmp_path: Path) -> None:
    root, user, env = place(tmp_path)
    codex_hooks(user, tmp_path, trusted=True)
    codex_session(user, root)
    requirements = tmp_path / "system" / "etc" / "codex" / "requirements.toml"
    requirements.parent.mkdir(parents=True)
    requirements.write_text("allow_managed_hooks_only = true\n", encoding="utf-8")
    (gap,) = SilentHooks(root, env, system=tmp_path / "system").gaps(now_ms())
    assert "(allow_managed_hooks_only)" in gap.detail
