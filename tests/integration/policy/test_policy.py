"""The recording policy: opt-in file, secret-ish defaults, user globs, git's ignore rules, binary and size."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from collector.errors import SettingsError
from collector.policy.globs import glob_regex
from collector.policy.recording import Policy, is_binary


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".codetape.toml").write_text('exclude = ["generated/**", "*.bak", "/top-only.txt", "cache/"]\n'
                                         "max_file_bytes = 100\n")
    return root


def test_not_opted_in_and_invalid_settings_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="not opted in"):
        Policy.load(tmp_path)
    (tmp_path / ".codetape.toml").write_text("idle_timeout_s = 0\n")
    with pytest.raises(SettingsError, match="idle_timeout_s"):
        Policy.load(tmp_path)
    (tmp_path / ".codetape.toml").write_text('channels = ["edits", "telepathy"]\n')
    with pytest.raises(SettingsError, match="channels"):
        Policy.load(tmp_path)
    (tmp_path / ".codetape.toml").write_text("exclude = [\n")
    with pytest.raises(SettingsError, match=r"\.codetape\.toml"):
        Policy.load(tmp_path)


def test_an_empty_settings_file_gets_the_defaults(tmp_path: Path) -> None:
    (tmp_path / ".codetape.toml").write_text("")
    policy = Policy.load(tmp_path)
    assert policy.settings.idle_timeout_s == 1800
    assert policy.settings.max_file_bytes == 2 * 1024 * 1024
    assert "edits" in policy.settings.channels


@pytest.mark.parametrize("path", [
    ".env", ".env.local", "config/.env.production", "server.pem", "deploy/tls.key", "id_rsa",
    "id_ed25519.pub", "cert.p12", "cert.pfx", "vault.kdbx", "secrets.yaml", "app/secrets.json",
    ".netrc", ".npmrc", ".pypirc",
    ".aws/credentials", "home/.aws/credentials", ".ssh/known_hosts", ".git/config", ".git", "sub/.git/HEAD",
])
def test_secret_ish_files_and_git_internals_are_excluded(workspace: Path, path: str) -> None:
    policy = Policy.load(workspace)
    assert policy.is_excluded(path)
    assert policy.classify(path, size=1, head=b"x") == "excluded"


@pytest.mark.parametrize(("path", "excluded"), [
    ("generated/a.py", True), ("generated/deep/b.py", True), ("src/generated/a.py", False),
    ("notes.bak", True), ("deep/dir/notes.bak", True), ("top-only.txt", True), ("sub/top-only.txt", False),
    ("cache/x", True), ("a/cache/y/z", True), ("src/app.py", False), ("environment.md", False),
    ("keys.py", False), ("../outside.py", True), ("src/../../outside.py", True), ("./src/app.py", False),
])
def test_user_globs_follow_gitignore_semantics(workspace: Path, path: str, excluded: bool) -> None:
    assert Policy.load(workspace).is_excluded(path) is excluded


def test_absolute_paths_are_judged_relative_to_the_root(workspace: Path) -> None:
    policy = Policy.load(workspace)
    assert not policy.is_excluded(str(policy.root / "src" / "a.py"))
    assert policy.is_excluded(str(policy.root / ".env"))
    assert policy.is_excluded("/etc/passwd")


@pytest.mark.parametrize(("pattern", "path", "matches"), [
    ("**/foo", "foo", True), ("**/foo", "a/b/foo", True), ("a/**/b", "a/b", True),
    ("a/**/b", "a/x/y/b", True),
    ("a/**", "a/x/y", True), ("a/**", "a", False), ("*.py", "x.py", True), ("*.py", "d/x.py", True),
    ("d/*.py", "d/e/x.py", False), ("f?o", "foo", True), ("f[!a]o", "fao", False), ("f[a-c]o", "fbo", True),
])
def test_glob_regex(pattern: str, path: str, matches: bool) -> None:
    assert bool(glob_regex(pattern).fullmatch(path)) is matches


def test_git_ignored_files_are_excluded_and_tracked_ones_recorded(workspace: Path) -> None:
    _git(workspace, "init", "-q")
    (workspace / ".gitignore").write_text("build/\n*.log\n!keep.log\n")
    policy = Policy.load(workspace)
    try:
        assert policy.is_excluded("build/out.py")
        assert policy.is_excluded("debug.log")
        assert not policy.is_excluded("keep.log")
        assert not policy.is_excluded("src/app.py")
        assert policy.is_excluded("debug.log")  # cached answer, same verdict
    finally:
        policy.close()
    assert policy.is_excluded("other.log")  # the helper restarts after close


def test_outside_a_git_repository_only_the_other_rules_apply(workspace: Path) -> None:
    policy = Policy.load(workspace)
    assert not policy.is_excluded("debug.log")


def test_binary_and_too_large(workspace: Path) -> None:
    policy = Policy.load(workspace)
    assert policy.classify("a.py", size=101, head=b"text") == "too_large"
    assert policy.classify("a.py", size=100, head=b"text") == "record"
    assert policy.classify("a.bin", size=10, head=b"ab\0cd") == "binary"
    assert policy.classify("a.bin", size=10, head=b"\xff\xfe\x00") == "binary"
    assert policy.classify("a.txt", size=10, head="é😀".encode()[:-1]) == "record"  # cut mid-character
    assert policy.classify("a.txt") == "record"


def test_is_binary() -> None:
    assert not is_binary(b"")
    assert not is_binary("naïve".encode())
    assert is_binary(b"\x80abc")


def test_also_exclude_adds_globs_the_workspace_cannot_switch_off(workspace: Path) -> None:
    policy = Policy.load(workspace, also_exclude=("/.codetape-home/",))
    assert policy.is_excluded(".codetape-home/journals/x.journal")
    assert not policy.is_excluded("src/.codetape-home/x")


def test_compiled_and_cache_files_are_left_out_unless_git_tracks_them(workspace: Path) -> None:
    """No `.gitignore` (a scratch project): `__pycache__/`, `*.pyc`, `.pytest_cache/`, `node_modules/` are
    never recorded; a `node_modules/` committed on purpose is content (issue 97, item 5)."""
    _git(workspace, "init", "-q")
    (workspace / "vendor" / "node_modules" / "left").mkdir(parents=True)
    (workspace / "vendor" / "node_modules" / "left" / "index.js").write_text("module.exports = 1\n")
    _git(workspace, "add", "vendor")
    policy = Policy.load(workspace)
    try:
        for noise in ("__pycache__", "__pycache__/calc.cpython-312.pyc", "src/__pycache__/a.pyc", "old.pyc",
                      ".pytest_cache/v/cache/lastfailed", "node_modules", "web/node_modules/x/y.js",
                      ".mypy_cache/3.12/a.json"):
            assert policy.is_excluded(noise), noise
        for content in ("calc.py", "vendor/node_modules", "vendor/node_modules/left/index.js",
                        "pycache_notes.md", "src/pyc.txt"):
            assert not policy.is_excluded(content), content
    finally:
        policy.close()


def test_build_noise_outside_git_is_left_out_too(workspace: Path) -> None:
    policy = Policy.load(workspace)
    assert policy.is_excluded("__pycache__/calc.cpython-312.pyc") and policy.is_excluded("node_modules/a.js")
    assert not policy.is_excluded("calc.py")
