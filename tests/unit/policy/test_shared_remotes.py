"""The managed policy's `shared_remotes` (issue 52, item 5): read and checked like its other keys, and matched
against a workspace's remote whatever form either URL takes (policy/remotes.py), as the split names
repositories."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.errors import PolicyError
from collector.export.split import repository_key
from collector.policy.managed import load_managed
from collector.policy.remotes import is_shared, remote_key
from schemas.header import WorkspaceIdentity
from tests.unit.policy.test_managed import write

SHARED = "https://git.acme.example/platform/app.git"
FORMS = ("git@git.acme.example:platform/app.git", "https://git.acme.example/platform/app",
         "ssh://git@git.acme.example:22/platform/app.git/", "https://GIT.acme.example/platform/app.git",
         "http://git.acme.example/platform/app/", SHARED)


def test_every_form_of_a_shared_remote_names_it_and_no_other_remote_does() -> None:
    for form in FORMS:
        assert remote_key(form) == "git.acme.example/platform/app" and is_shared(form, [SHARED])
    for other in ("git@github.com:alice/app.git", "https://git.acme.example/alice/app.git",
                  "https://git.acme.example/platform/app-fork", "/srv/git/platform/app.git", "", None):
        assert not is_shared(other, [SHARED])
    assert not is_shared(SHARED, [])


def test_it_names_repositories_as_the_split_does() -> None:
    for form in (*FORMS, "git@github.com:Alice/Attrs.git", "/srv/git/app.git", "file:///srv/git/app"):
        assert "git:" + remote_key(form) == repository_key(WorkspaceIdentity(root_name="x", git_remote=form))


def test_the_policy_reads_its_shared_remotes(tmp_path: Path) -> None:
    both = [SHARED, "git@git.acme.example:ml/data"]
    managed = load_managed(write(tmp_path, f'shared_remotes = ["{both[0]}", "{both[1]}"]\n'))
    assert managed is not None and managed.policy.shared_remotes == both
    assert managed.to_json()["settings"]["shared_remotes"] == both


@pytest.mark.parametrize("remote", [
    "https://alice:token@git.acme.example/platform/app.git", "git.acme.example/platform/app",
    "https://git.acme.example/", "https://git.acme.example/platform/app?ref=main", "git@git.acme.example:"])
def test_a_shared_remote_that_names_no_repository_or_holds_a_secret_is_refused(tmp_path: Path,
                                                                                remote: str) -> None:
    with pytest.raises(PolicyError) as refused:
        load_managed(write(tmp_path, f'shared_remotes = ["{remote}"]\n'))
    assert ":1: shared_remotes: shared remote " in str(refused.value)
    assert "is not a git remote URL naming a host and a path" in str(refused.value)
