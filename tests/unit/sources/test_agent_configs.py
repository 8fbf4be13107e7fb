"""Which file `codetape agent hook install` may read and write (collector/sources/agents/configs.py
`writable`): never one in the workspace reached through a link or owned by someone else."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import pytest

from collector.home import Home
from collector.sources.agents.configs import ConfigError, hook_command, writable
from collector.sources.agents.places import config_path


def test_a_file_or_folder_of_another_user_in_the_workspace_is_refused(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    where = config_path("claude-code", ws, {"HOME": str(tmp_path)})
    where.parent.mkdir(parents=True)
    other = os.getuid() + 1  # (the files are this process's: to `writable` they are another user's)
    with pytest.raises(ConfigError, match=r"\.claude belongs to another user"):
        writable("claude-code", where, ws, uid=other)
    assert writable("claude-code", where, ws) == where  # no file yet: it is created in the folder
    where.write_text("{}")
    assert writable("claude-code", where, ws) == where


def test_a_file_with_other_names_or_not_a_file_is_refused(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    where = config_path("claude-code", ws, {"HOME": str(tmp_path)})
    where.parent.mkdir(parents=True)
    os.mkfifo(where)  # reading it would wait for a writer forever
    with pytest.raises(ConfigError, match="is not a regular file"):
        writable("claude-code", where, ws)
    where.unlink()
    (tmp_path / "settings.json").write_text("{}")
    os.link(tmp_path / "settings.json", where)
    with pytest.raises(ConfigError, match=r"1 other name\(s\) \(hard links\)"):
        writable("claude-code", where, ws)


def test_a_link_in_home_leads_to_its_target(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path / "home")}
    where = config_path("cursor", tmp_path / "ws", env)
    where.parent.mkdir(parents=True)
    (tmp_path / "dotfiles").mkdir()
    where.symlink_to(tmp_path / "dotfiles" / "hooks.json")  # (dangling until the install writes it)
    assert writable("cursor", where, tmp_path / "ws") == tmp_path / "dotfiles" / "hooks.json"


@pytest.mark.parametrize("agent", ["claude-code", "codex", "cursor", "gemini-cli"])
def test_the_hook_command_is_the_one_installed_so_far(agent: str) -> None:
    """Codex trusts a hook by its exact command line (and every agent's installed hook keeps running): the
    hook file's path in the package, `-P -S` and the arguments stay as installed, byte for byte."""
    package = Path(__file__).resolve().parents[3] / "collector"
    hook = shlex.quote(str(package / "sources" / "agents" / "payloads.py"))
    assert hook_command(agent, Home(Path("/h/ct")), "/usr/bin/python3") == (  # type: ignore[arg-type]
        f"CODETAPE_HOME=/h/ct /usr/bin/python3 -P -S {hook} agent hook run --agent {agent}")
