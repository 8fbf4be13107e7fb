"""A scoped managed policy binds a real repository by any of its remotes (issue 95, item 1), and nothing a
user does (an added policy, the workspace's settings) loosens it: git is asked for the remotes, so these
run here rather than with the unit tests (tests/unit/policy/test_scopes.py has the rest)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from collector.consent import init_keys
from collector.consent.statement import unpack_payload
from collector.episode import open_episode
from collector.errors import PolicyError
from collector.home import Home
from collector.policy.effective import effective_settings
from collector.policy.managed import load_managed
from collector.workspace.identity import workspace_remotes
from collector.workspace.registry import Registry
from schemas.settings import SETTINGS_FILE
from tests.cli import codetape
from tests.fixtures.make_golden import DIRECTORY
from tests.integration.policy.test_managed_policy import install
from tests.support.linkage import episode_repository
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


SCOPE_B = """\
[[scope]]
name = "client B"
remotes = ["github.com/example/*"]
max_file_bytes = 100000
[scope.consent]
mode = "attributed"
"""


def test_status_doctor_the_review_and_the_statement_name_the_governing_scope(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 95, item 3: the file, scope and SHA-256 where a developer looks; the statement records the
    digest of the file whose scope governed (and the top-level file's), nothing of a scope that did not."""
    policy = install(tmp_path / "etc-codetape", 'allowed_purposes = ["training"]\n' + SCOPE_B)
    tmp_path.chmod(0o755)
    monkeypatch.setenv("CODETAPE_POLICY", str(policy))
    digest = hashlib.sha256(policy.read_bytes()).hexdigest()
    home = tmp_path / "home"
    init_keys(Home(home))
    (home / "policy.toml").write_text('purpose = "training"\n', encoding="utf-8")
    client = episode_repository(home, tmp_path, "client-app")
    subprocess.run(["git", "-C", str(client), "remote", "add", "origin", "git@github.com:example/app.git"],
                   check=True)
    own = episode_repository(home, tmp_path, "pager")  # the goldens' workspace: no remote of its own
    governed = f"{policy}, scope 'client B' (sha256 {digest})"

    status = codetape(home, "status", check=True).stdout.splitlines()
    assert f"{client}: governed by the managed policy {policy} (sha256 {digest}) and {governed}" in status
    assert f"{own}: governed by the managed policy {policy} (sha256 {digest})" in status
    assert (f"managed policy scopes: {policy} (sha256 {digest[:16]}...): 'client B' (github.com/example/*)"
            in status)
    found = json.loads(codetape(home, "status", "--json", check=True).stdout)["governing"]
    assert [(item["root"], item["scope_sha256"]) for item in found] == [(str(client), digest),
                                                                        (str(own), None)]
    doctor = codetape(home, "doctor").stdout
    assert f"workspace {client}: opted in, settings usable; governed by the managed policy" in doctor
    assert governed in doctor

    full, minimal = tmp_path / "full.ctape", tmp_path / "minimal.ctape"
    for golden in (full, minimal):
        shutil.copy(DIRECTORY / golden.name, golden)
    summary = codetape(home, "review", str(full), "--summary", check=True).stdout
    assert f"  governed by {governed}" in summary.splitlines()  # the header's remote: client B's
    review = json.loads(codetape(home, "review", str(full), "--summary", "--json", check=True).stdout)
    assert review["policy"]["managed_policy"]["governing"] == [f"{policy} (sha256 {digest})", governed]
    mine = codetape(home, "review", str(minimal), "--summary", check=True).stdout
    assert f"  governed by {policy} (sha256 {digest})" in mine.splitlines() and "client B" not in mine

    statements = {}
    for golden in (full, minimal):
        codetape(home, "sign", str(golden), "--yes", check=True)
        signed = Home(home).outbox / f"{open_episode(golden).header.episode_id}.ctape"
        consent = open_episode(signed).consent
        assert consent is not None
        statements[golden.name] = json.loads(unpack_payload(consent)[1])["terms"]
    assert statements["full.ctape"]["managed_policy_sha256"] == digest
    assert statements["full.ctape"]["managed_scope_sha256"] == digest
    assert statements["minimal.ctape"]["managed_policy_sha256"] == digest
    assert "managed_scope_sha256" not in statements["minimal.ctape"]  # no scope governed it: nothing said
