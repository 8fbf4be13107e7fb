"""Pushed work is found by its content whatever its id (issue 52, item 1): the commits of an episode that a
remote-tracking branch reaches, asked of a real repository with a real remote."""

from __future__ import annotations

import subprocess
from pathlib import Path

from collector.review.pushed import pushed_commits, pushed_warning


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args], cwd=root,
                          check=True, capture_output=True, text=True)
    return done.stdout.strip()


def test_a_commit_on_a_remote_branch_is_pushed_one_only_here_is_not(tmp_path: Path) -> None:
    remote, root = tmp_path / "remote.git", tmp_path / "ws"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "remote", "add", "origin", str(remote))
    (root / "a.py").write_text("a = 1\n")
    git(root, "add", "a.py")
    git(root, "commit", "-q", "-m", "pushed")
    pushed = git(root, "rev-parse", "HEAD")
    git(root, "push", "-q", "origin", "main")
    (root / "a.py").write_text("a = 2\n")
    git(root, "commit", "-q", "-am", "only here")
    mine = git(root, "rev-parse", "HEAD")
    assert pushed_commits(root, [pushed, mine]) == [pushed]
    assert pushed_commits(root, ["0" * 40]) == []  # a commit the repository does not have (rewritten)
    assert pushed_commits(tmp_path / "gone", [mine]) is None
    assert pushed_warning([pushed], 2).startswith("1 of this episode's 2 commit(s) are on a remote branch")
    assert "could not check" in pushed_warning(None, 1)
    # issue 68, item 1: with nothing pushed yet, or no commit, it says that work pushed later names you
    for line in (pushed_warning([], 2), pushed_warning(None, 0), pushed_warning([pushed], 2)):
        assert "pushed at any time later (its commits, its files' text) names you" in line
