"""Finding a workspace's repository as git does, never through a link (collector.sources.git.gitdir)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from collector.errors import GitDirRefused
from collector.sources.git.gitdir import GitDir, find_git_dir

ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_AUTHOR_NAME": "A",
       "GIT_AUTHOR_EMAIL": "a@example.org", "GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@example.org"}


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=ENV, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path.resolve() / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "commit", "-q", "--allow-empty", "-m", "first")
    return root


def test_the_workspace_own_git_directory_and_a_parent_one(repo: Path) -> None:
    (repo / "pkg" / "sub").mkdir(parents=True)
    found = GitDir(repo / ".git", repo / ".git", repo)
    assert find_git_dir(repo) == found
    assert find_git_dir(repo / "pkg" / "sub") == found


def test_no_repository(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    assert find_git_dir(tmp_path.resolve() / "plain") is None


def test_a_dot_git_link_is_refused_in_the_workspace_and_above_it(repo: Path, tmp_path: Path) -> None:
    root = tmp_path.resolve() / "ws"
    (root / "pkg").mkdir(parents=True)
    (root / ".git").symlink_to("../repo/.git")
    with pytest.raises(GitDirRefused, match=r"^\.git is a link \(to \.\./repo/\.git\), which codetape never"):
        find_git_dir(root)
    with pytest.raises(GitDirRefused, match=f"^{re.escape(str(root))}/\\.git is a link"):
        find_git_dir(root / "pkg")


def test_a_worktree_gitfile_is_followed_to_its_real_path(repo: Path, tmp_path: Path) -> None:
    git(repo, "worktree", "add", "-q", str(tmp_path.resolve() / "wt"))
    wt = tmp_path.resolve() / "wt"
    assert find_git_dir(wt) == GitDir(repo / ".git" / "worktrees" / "wt", repo / ".git", wt)


def test_a_gitfile_naming_a_path_through_a_link_is_refused(repo: Path, tmp_path: Path) -> None:
    root = tmp_path.resolve() / "ws"
    root.mkdir()
    (tmp_path / "via").symlink_to(repo)
    (root / ".git").write_text("gitdir: ../via/.git\n")
    with pytest.raises(GitDirRefused, match=r"^\.git names \.\./via/\.git, a path through a link"):
        find_git_dir(root)
    (root / ".git").write_text("gitdir: ../repo/.git\n")  # the same repository at its real path
    assert find_git_dir(root) == GitDir(repo / ".git", repo / ".git", root)


def test_a_commondir_through_a_link_is_refused(repo: Path, tmp_path: Path) -> None:
    git(repo, "worktree", "add", "-q", str(tmp_path.resolve() / "wt"))
    (tmp_path / "via").symlink_to(repo / ".git")
    (repo / ".git" / "worktrees" / "wt" / "commondir").write_text(f"{tmp_path.resolve()}/via\n")
    with pytest.raises(GitDirRefused, match=r"commondir names .*/via, a path through a link"):
        find_git_dir(tmp_path.resolve() / "wt")
