"""A scoped managed policy binds a real repository by any of its remotes (issue 95, item 1), and nothing a
user does (an added policy, the workspace's settings) loosens it: git is asked for the remotes, so these
run here rather than with the unit tests (tests/unit/policy/test_scopes.py has the rest)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from collector.errors import PolicyError
from collector.home import Home
from collector.policy.effective import effective_settings
from collector.policy.managed import load_managed
from collector.workspace.identity import workspace_remotes
from collector.workspace.registry import Registry
from schemas.settings import SETTINGS_FILE
from tests.unit.policy.test_scopes import CLIENT_A, drop_in, system

__all__ = ["system"]  # the fixture


def test_an_added_policy_or_the_users_settings_never_loosen_a_scope(system: Path, tmp_path: Path) -> None:
    drop_in(system, "client-a.toml", CLIENT_A.replace('mandatory_exclude', 'max_file_bytes = 2000\n'
                                                      'mandatory_exclude'))
    repo = tmp_path / "app"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "remote", "add", "origin", "git@github.com:alice/app.git"],
                   check=True)
    subprocess.run(["git", "-C", str(repo), "remote", "add", "upstream", "GIT.client-a.example:platform/app"],
                   check=True)
    (repo / SETTINGS_FILE).write_text("max_file_bytes = 50000000\nexclude = []\n", encoding="utf-8")
    home = Home(tmp_path / "home")
    Registry(home).add(repo)
    Registry(home).accept(repo, (repo / SETTINGS_FILE).read_text(encoding="utf-8"))
    assert "GIT.client-a.example:platform/app" in workspace_remotes(repo)  # any remote of it, not only origin

    settings = effective_settings(repo, home).settings
    assert settings.max_file_bytes == 2000 and settings.policy.mandatory_exclude == ["secrets/"]

    added = tmp_path / "added"  # CODETAPE_POLICY can only add: a looser file changes nothing
    added.mkdir(mode=0o755)
    (added / "policy.toml").write_text('max_file_bytes = 60000000\n[[scope]]\n'
                                       'remotes = ["git.client-a.example/*"]\n'
                                       '[scope.consent]\nmode = "unlinkable"\n', encoding="utf-8")
    env = {"CODETAPE_POLICY": str(added / "policy.toml")}
    found = load_managed(env, remotes=workspace_remotes(repo))
    assert found is not None and found.policy.max_file_bytes == 2000
    assert found.policy.mandatory_exclude == ["secrets/"] and found.policy.consent.mode == "unlinkable"
    (added / "policy.toml").write_text('[[scope]]\nremotes = ["git.client-a.example/*"]\n'
                                       '[scope.consent]\nmode = "attributed"\n', encoding="utf-8")
    with pytest.raises(PolicyError, match="require different consent modes"):
        load_managed(env, remotes=workspace_remotes(repo))
