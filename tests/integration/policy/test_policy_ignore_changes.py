"""The recording policy follows git's ignore files as they change, and answers deep paths in linear time."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from collector.policy.recording import Policy


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def nested(tmp_path: Path) -> tuple[Path, Path]:
    """A repository whose workspace is a subdirectory of it."""
    repo = tmp_path / "repo"
    root = repo / "ws"
    root.mkdir(parents=True)
    _git(repo, "init", "-q")
    (root / ".codetape.toml").write_text("")
    return repo.resolve(), root.resolve()


@pytest.mark.parametrize("rules", [".git/info/exclude", ".gitignore", "ws/.gitignore"])
def test_refresh_sees_the_ignore_files_git_reads_outside_the_workspace_tree(
        nested: tuple[Path, Path], rules: str) -> None:
    repo, root = nested
    policy = Policy.load(root)
    try:
        assert not policy.is_excluded("secret.txt")
        with open(repo / rules, "a") as file:
            file.write("secret.txt\n")
        assert not policy.is_excluded("secret.txt")  # cached, as git's helper caches the file it read
        policy.refresh()
        assert policy.is_excluded("secret.txt")
        (repo / rules).write_text("")
        policy.refresh()
        assert not policy.is_excluded("secret.txt")
    finally:
        policy.close()


def test_a_nested_gitignore_is_the_watchers_to_report(nested: tuple[Path, Path]) -> None:
    repo, root = nested
    policy = Policy.load(root)
    try:
        (root / "pkg").mkdir()
        assert not policy.is_excluded("pkg/secret.txt")
        (root / "pkg" / ".gitignore").write_text("secret.txt\n")
        assert policy.changes_ignores(str(root / "pkg" / ".gitignore"))
        assert policy.changes_ignores(str(repo / ".git" / "info" / "exclude"))
        assert not policy.changes_ignores(str(root / "pkg" / "secret.txt"))
        policy.invalidate()
        assert policy.is_excluded("pkg/secret.txt")
    finally:
        policy.close()


def test_asking_top_down_gives_the_answers_of_asking_each_path_alone(tmp_path: Path) -> None:
    """A walk asks each directory before what is in it; the answer for a path then reuses its parent's."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".codetape.toml").write_text('exclude = ["cache/", "/top-only.txt", "gen/**/*.py"]\n')
    paths = ["src", "src/a.py", "src/.env", "cache", "cache/x", "cache/x/y.txt", "top-only.txt",
             "src/top-only.txt", "gen", "gen/deep", "gen/deep/m.py", "gen/deep/m.txt", ".aws",
             ".aws/credentials", "a/.git", "a/.git/config", "keys", "keys/id_rsa.pub"]
    walked = Policy.load(root)
    top_down = {path: walked.is_excluded(path) for path in paths}
    alone = {path: Policy.load(root).is_excluded(path) for path in paths}
    assert top_down == alone
    assert {p for p, excluded in alone.items() if excluded} == {
        "src/.env", "cache", "cache/x", "cache/x/y.txt", "top-only.txt", "gen/deep/m.py", ".aws/credentials",
        "a/.git", "a/.git/config", "keys/id_rsa.pub"}
