"""Opt-in is the user's own act (issue 9, item 1): a folder is a workspace only when `codetape init`
registered it in the user's registry and its `.codetape.toml` is a regular file the user owns that nobody
else can write. Anything else is ignored, the walk goes on upwards, and the reason can be shown."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from collector.home import Home
from collector.workspace.find import find_workspace, ignored_settings
from collector.workspace.registry import Registry, digest
from collector.workspace.trust import settings_problem

OTHER_UID = 4242


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "home")


def own(root: Path, home: Home | None = None) -> Path:
    """A settings file of this user's (0644), registered in `home` when given."""
    root.mkdir(parents=True, exist_ok=True)
    (root / ".codetape.toml").write_text("")
    (root / ".codetape.toml").chmod(0o644)
    if home is not None:
        Registry(home).add(root.resolve())
    return root.resolve()


def test_a_registered_workspace_of_ones_own_is_found_from_any_path_below(tmp_path: Path, home: Home) -> None:
    ws = own(tmp_path / "ws", home)
    (ws / "src" / "pkg").mkdir(parents=True)
    (ws / "src" / "pkg" / "a.py").write_text("x")
    assert find_workspace(ws / "src" / "pkg" / "a.py", home) == ws
    assert find_workspace(ws, home) == ws
    assert find_workspace(tmp_path, home) is None
    assert settings_problem(ws) is None and ignored_settings(ws / "src", home) == []


def test_a_settings_file_nobody_registered_is_ignored_and_the_walk_continues(tmp_path: Path,
                                                                              home: Home) -> None:
    outer = own(tmp_path / "ws", home)
    cloned = own(outer / "vendor" / "cloned")  # a repository that ships a .codetape.toml of its own
    assert find_workspace(cloned / "x.py", home) == outer
    stray = own(tmp_path / "elsewhere")
    assert find_workspace(stray, home) is None
    [reason] = ignored_settings(stray, home)
    assert f"{stray / '.codetape.toml'} is ignored: {stray} was not opted in by you" in reason


def test_a_settings_file_others_can_write_is_ignored_until_fixed(tmp_path: Path, home: Home) -> None:
    ws = own(tmp_path / "ws", home)
    (ws / ".codetape.toml").chmod(0o664)
    assert find_workspace(ws, home) is None
    assert Registry(home).roots() == []
    [reason] = Registry(home).ignored()
    assert reason.endswith(f"is writable by group or others; fix it with: chmod go-w {ws / '.codetape.toml'}"
                           "; it is ignored")
    assert ignored_settings(ws, home) == [reason]
    (ws / ".codetape.toml").chmod(0o644)
    assert find_workspace(ws, home) == ws and Registry(home).ignored() == []


def test_a_symlinked_or_non_regular_settings_file_is_ignored(tmp_path: Path, home: Home) -> None:
    target = tmp_path / "settings.toml"
    target.write_text("")
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / ".codetape.toml").symlink_to(target)
    Registry(home).add(ws.resolve())
    assert find_workspace(ws, home) is None
    assert "is a symbolic link" in (settings_problem(ws) or "")
    (ws / ".codetape.toml").unlink()
    (ws / ".codetape.toml").mkdir()
    assert find_workspace(ws, home) is None


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_settings_file_another_user_owns_is_ignored_even_when_registered(tmp_path: Path,
                                                                          home: Home) -> None:
    ws = own(tmp_path / "ws", home)
    os.chown(ws / ".codetape.toml", OTHER_UID, OTHER_UID)
    assert find_workspace(ws, home) is None
    assert f"belongs to another user (uid {OTHER_UID})" in (settings_problem(ws) or "")


def test_the_registry_keeps_the_content_accepted_for_each_workspace(tmp_path: Path, home: Home) -> None:
    ws, older = own(tmp_path / "ws"), own(tmp_path / "older", home)  # `older`: registered, nothing accepted
    registry = Registry(home)
    registry.accept(ws, 'exclude = ["x"]\n')
    registry.add(ws)  # opting in again keeps what was accepted
    assert registry.roots() == [older, ws]
    assert (registry.accepted(ws), registry.accepted(older)) == ('exclude = ["x"]\n', None)
    entries = json.loads(registry.path.read_text())
    assert entries[0] == str(older)
    assert entries[1] == {"root": str(ws), "accepted": {"sha256": digest('exclude = ["x"]\n'),
                                                        "text": 'exclude = ["x"]\n'}}
    entries[1]["accepted"]["text"] = "exclude = []\n"  # edited by hand: the hash no longer matches
    registry.path.write_text(json.dumps(entries))
    assert registry.accepted(ws) is None and registry.roots() == [older, ws]
