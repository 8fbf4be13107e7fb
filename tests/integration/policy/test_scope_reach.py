"""A scope governs a repository wherever it goes (issue 106, item 1): real git repositories, a governed fork
(`git.acme.example/platform/app`) of a public upstream (`github.com/public/app`), whose remote is renamed,
removed, whose clone is moved, reached through a symlink, copied with its `.git`, re-cloned from a mirror;
a clone of the public upstream stays ungoverned. The remotes' URLs are set after cloning from local bare
repositories, so that git never reaches a network."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from collector.home import Home
from collector.policy.effective import effective_settings
from collector.policy.managed import load_managed
from collector.policy.reach import Reach
from collector.policy.scoped import governing_line, workspace_policy
from collector.policy.seen import recorded_for
from collector.policy.sharing import load_signing_policy
from collector.upload.governing import governing, keep_remotes
from schemas.settings import SETTINGS_FILE
from tests.unit.policy.test_scopes import drop_in, system

__all__ = ["system"]  # the fixture

ACME = """\
[[scope]]
name = "acme"
remotes = ["git.acme.example/platform/*"]
max_file_bytes = 1234
mandatory_exclude = ["secrets/"]
{roots}"""
FORK = "https://git.acme.example/platform/app"
PUBLIC = "https://github.com/public/app"


def git(where: Path, *args: str) -> str:
    """What git prints (stripped); fails the test when git does."""
    done = subprocess.run(["git", "-C", str(where), *args], capture_output=True, text=True, check=True,
                          env={**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.com",
                               "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@example.com"})
    return done.stdout.strip()


def commit(repo: Path, name: str) -> str:
    (repo / name).write_text(f"{name}\n", encoding="utf-8")
    git(repo, "add", name)
    git(repo, "commit", "-q", "-m", name)
    return git(repo, "rev-parse", "HEAD")


@dataclass
class World:
    """The repositories: the public upstream's and the fork's bare repositories, the developer's clone of
    the fork (`work`, its `upstream` remote fetched), the fork's own first commit, her home."""

    tmp: Path
    public: Path
    fork: Path
    work: Path
    own: str
    home: Home

    def governed(self, root: Path, home: Home | None = None) -> bool:
        found = workspace_policy(root, home=home or self.home)
        assert found["problem"] is None, found
        return any("scope 'acme'" in line for line in found["governing"])


@pytest.fixture
def world(system: Path, tmp_path: Path) -> World:
    drop_in(system, "acme.toml", ACME.format(roots=""))
    public = tmp_path / "public"
    public.mkdir()
    git(public, "init", "-q", "-b", "main")
    commit(public, "upstream-1")
    commit(public, "upstream-2")
    fork = tmp_path / "fork.git"
    git(tmp_path, "clone", "-q", "--bare", str(public), str(fork))
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(fork), str(work))
    git(work, "remote", "add", "upstream", str(public))
    git(work, "fetch", "-q", "upstream")
    own = commit(work, "acme-1")
    commit(work, "acme-2")
    git(work, "push", "-q", "origin", "main")
    git(work, "remote", "set-url", "origin", FORK)
    git(work, "remote", "set-url", "upstream", PUBLIC)
    (work / SETTINGS_FILE).write_text("", encoding="utf-8")  # opted in, the defaults
    world = World(tmp_path, public, fork, work, own, Home(tmp_path / "home"))
    assert world.governed(work)  # by its remote: first seen, recorded
    [record] = recorded_for(world.home, work)
    assert record.commit == own  # the fork's own first commit, none of the public upstream's
    return world


def renamed(world: World) -> Path:
    git(world.work, "remote", "rename", "origin", "company")
    return world.work


def removed(world: World) -> Path:
    git(world.work, "remote", "remove", "origin")
    assert not git(world.work, "branch", "-r", "--list", "origin/*")  # its tracking branches went too
    return world.work


def moved(world: World) -> Path:
    there = world.tmp / "elsewhere" / "app"
    there.parent.mkdir()
    shutil.move(world.work, there)
    return there


def symlinked(world: World) -> Path:
    link = world.tmp / "link"
    link.symlink_to(world.work)
    return link


def copied(world: World) -> Path:
    copy = world.tmp / "copy"
    subprocess.run(["cp", "-a", str(world.work), str(copy)], check=True)
    return copy


@pytest.mark.parametrize("dodge", [renamed, removed, moved, symlinked, copied])
def test_a_governed_repository_stays_governed(world: World, dodge: Callable[[World], Path]) -> None:
    root = dodge(world)
    assert world.governed(root)
    for name in git(root, "remote").splitlines():  # and with no remote left at all
        git(root, "remote", "remove", name)
    assert world.governed(root)
    settings = effective_settings(root, world.home).settings  # what recording is bound by
    assert settings.max_file_bytes == 1234 and "secrets/" in settings.policy.mandatory_exclude
    policy = load_signing_policy(world.home, root)  # and signing
    assert policy.managed is not None and [ref.name for ref in policy.managed.scopes] == ["'acme'"]


def test_a_re_clone_from_a_mirror_is_governed_by_the_scopes_roots(world: World, system: Path) -> None:
    mirror = world.tmp / "mirror.git"
    git(world.tmp, "clone", "-q", "--mirror", str(world.fork), str(mirror))
    reclone = world.tmp / "reclone"
    git(world.tmp, "clone", "-q", f"file://{mirror}", str(reclone))
    fresh = Home(world.tmp / "fresh-home")  # nothing recorded: only the administrator's roots tell it
    assert not world.governed(reclone, fresh)
    drop_in(system, "acme.toml", ACME.format(roots=f'roots = ["{world.own}"]\n'))
    assert world.governed(reclone, fresh)
    assert world.governed(reclone)  # and by what the developer's home recorded, roots or not


def test_a_clone_of_the_public_upstream_is_not_governed(world: World, system: Path) -> None:
    drop_in(system, "acme.toml", ACME.format(roots=f'roots = ["{world.own}"]\n'))
    clone = world.tmp / "public-clone"
    git(world.tmp, "clone", "-q", str(world.public), str(clone))
    assert not world.governed(clone)
    git(clone, "remote", "set-url", "origin", PUBLIC)
    assert not world.governed(clone)
    assert "no managed policy governs it" in governing_line(workspace_policy(clone, home=world.home))


def test_a_workspace_no_longer_matching_is_reported_and_its_episodes_keep_the_scope(world: World) -> None:
    head = git(world.work, "rev-parse", "HEAD")
    shutil.rmtree(world.work / ".git")  # history rewritten: a new repository in the same folder
    git(world.work, "init", "-q", "-b", "main")
    commit(world.work, "fresh")
    found = workspace_policy(world.work, home=world.home)
    assert not found["governing"] and len(found["lifted"]) == 1 and "scope 'acme'" in found["lifted"][0]
    assert "NO LONGER MATCHES" in governing_line(found)
    # an episode recorded while it matched (its HEAD at start, seen then), signed without its workspace
    episode = load_managed(reach=Reach(None, world.home, head=head))
    assert episode is not None and episode.policy.max_file_bytes == 1234
    unknown = load_managed(reach=Reach(None, world.home, head=git(world.work, "rev-parse", "HEAD")))
    assert unknown is None


def test_an_upload_keeps_the_scopes_that_governed_the_episode_when_it_was_signed(world: World,
                                                                                system: Path) -> None:
    """What signing keeps beside an episode (upload/governing.py): a scope that governed it then still
    governs its upload, though nothing of its remotes names the scope (here it kept none)."""
    policy = load_signing_policy(world.home, world.work)  # what signing reads, its scopes kept
    assert policy.managed is not None
    scopes = [(str(ref.path), ref.name) for ref in policy.managed.scopes]
    assert scopes == [(str(system / "policy.d" / "acme.toml"), "'acme'")]
    keep_remotes(world.home, "signed-governed", [], scopes)
    keep_remotes(world.home, "signed-own", [])
    found = governing(world.home, "signed-governed", None, unlinkable=False)
    assert found is not None and found.policy.max_file_bytes == 1234
    assert governing(world.home, "signed-own", None, unlinkable=False) is None
