"""Exclusions whatever the case (collector/policy/recording.py): the mandatory patterns and codetape's
settings file match `.ENV` as `.env`; a workspace's own globs do where its file system ignores case, which
`ignores_case` finds out by looking the settings file up under its name with each letter's case swapped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from collector.policy.globs import Globs, glob_regex
from collector.policy.recording import Policy, ignores_case
from schemas.settings import WorkspaceSettings


@pytest.mark.parametrize("path", [
    ".ENV", ".Env.Local", "keys/ID_RSA", "keys/Id_Ed25519.pub", ".SSH/config", "x.PEM", "deploy/Server.KEY",
    ".AWS/Credentials", "Secrets.yaml", ".CODETAPE.TOML", ".codetape.toml", "sub/.Codetape.toml",
])
def test_the_mandatory_patterns_match_whatever_the_case(tmp_path: Path, path: str) -> None:
    policy = Policy(tmp_path, WorkspaceSettings())
    assert policy.is_excluded(path) and policy.excluded_by_workspace(path)
    walked = Policy(tmp_path, WorkspaceSettings())  # asked top-down, as a walk asks: the parent first
    if "/" in path:
        walked.is_excluded(path.rsplit("/", 1)[0])
    assert walked.is_excluded(path)


def test_gits_folder_is_dot_git_where_names_have_a_case(tmp_path: Path) -> None:
    assert not Policy(tmp_path, WorkspaceSettings()).is_excluded(".GIT/config")
    assert Policy(tmp_path, WorkspaceSettings(), ignore_case=True).is_excluded(".GIT/config")


def test_the_workspaces_globs_follow_the_file_system(tmp_path: Path) -> None:
    settings = WorkspaceSettings(exclude=["private/", "*.csv"])
    sensitive, insensitive = Policy(tmp_path, settings), Policy(tmp_path, settings, ignore_case=True)
    for path in ("PRIVATE/notes.md", "Private/x", "data/ROWS.CSV"):
        assert not sensitive.is_excluded(path) and insensitive.is_excluded(path)
        assert not sensitive.excluded_by_workspace(path) and insensitive.excluded_by_workspace(path)
    assert sensitive.is_excluded("private/notes.md") and not insensitive.is_excluded("public/notes.md")


def test_globs_ignore_case_only_when_asked() -> None:
    assert glob_regex("*.PEM", ignore_case=True).fullmatch("a.pem")
    assert not glob_regex("*.PEM").fullmatch("a.pem")
    assert Globs(["Build/"], ignore_case=True).match("build/out.o")
    assert not Globs(["Build/"]).match("build/out.o")


def test_a_case_sensitive_file_system_is_told_apart(tmp_path: Path) -> None:
    (tmp_path / ".codetape.toml").write_text("", encoding="utf-8")
    assert not ignores_case(tmp_path)  # Linux's file systems tell `.CODETAPE.TOML` apart
    (tmp_path / ".CODETAPE.TOML").write_text("", encoding="utf-8")
    assert not ignores_case(tmp_path)  # another file of that name is not the same file


def test_a_link_under_the_swapped_name_is_not_a_case_insensitive_file_system(tmp_path: Path) -> None:
    (tmp_path / ".codetape.toml").write_text("", encoding="utf-8")
    os.symlink(".codetape.toml", tmp_path / ".CODETAPE.TOML")
    assert not ignores_case(tmp_path)


def test_without_a_settings_file_the_folder_itself_is_looked_up(tmp_path: Path) -> None:
    folder = tmp_path / "Work"
    folder.mkdir()
    assert not ignores_case(folder)
    os.symlink(folder, tmp_path / "wORK")  # a link is not the same name on an insensitive file system
    assert not ignores_case(folder)
