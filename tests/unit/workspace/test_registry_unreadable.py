"""A registry that exists but cannot be read decides nothing (issue 87): not "no workspace opted in"."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.errors import RegistryUnreadable
from collector.home import Home
from collector.workspace.find import find_workspace
from collector.workspace.registry import FILE, Registry


def test_an_unreadable_registry_is_no_empty_one(tmp_path: Path) -> None:
    home = Home(tmp_path / "h")
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / ".codetape.toml").write_text("")
    Registry(home).add(ws.resolve())
    assert find_workspace(ws, home) == ws.resolve()
    registry = home.root / FILE
    kept = registry.read_text()
    registry.unlink()
    registry.mkdir()  # read_text: IsADirectoryError, whatever the user's rights
    with pytest.raises(RegistryUnreadable, match=r"workspaces\.json could not be read \(EISDIR: "):
        find_workspace(ws, home)
    with pytest.raises(RegistryUnreadable):
        Registry(home).add(tmp_path / "other")  # never rewritten from what it could not read
    registry.rmdir()
    registry.write_text(kept)
    assert find_workspace(ws, home) == ws.resolve()


def test_a_missing_registry_is_an_empty_one(tmp_path: Path) -> None:
    home = Home(tmp_path / "h")
    assert Registry(home).roots() == []
