"""collector.home.Home is a frozen value, as the frozen dataclass it was (it is written out so that a
command's start-up loads no dataclasses): equal and hashed by its root, unchangeable, copied and pickled
whole."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest

from collector.home import Home


def test_a_home_is_a_frozen_value_of_its_root(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    same, other = Home(tmp_path / "home"), Home(tmp_path / "other")
    assert home == same and hash(home) == hash(same) and home != other and home != tmp_path / "home"
    assert {home: 1}[same] == 1 and len({home, same, other}) == 2
    assert repr(home) == f"Home(root={tmp_path / 'home'!r})"
    assert pickle.loads(pickle.dumps(home)) == home and copy.deepcopy(home) == home
    with pytest.raises(AttributeError, match="cannot assign to field 'root'"):
        home.root = other.root  # type: ignore[misc]
    with pytest.raises(AttributeError, match="cannot delete field 'root'"):
        del home.root
    assert home.root == tmp_path / "home" and home.socket.parent == home.run
