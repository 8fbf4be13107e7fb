"""The pytest plugin every interpreter runs: syntax any Python compiles, only the standard library, the
entry point beside it, and what launchers add to a command's environment."""

from __future__ import annotations

import ast
import configparser
import os
import sys
import tomllib
from pathlib import Path

import pytest

from collector.home import Home
from collector.sources import pytest_plugin
from collector.sources.pytest_path import codetape_pytest
from collector.sources.testruns.pytest_env import PLUGIN_DIR, pytest_env, python_path

SOURCE = (PLUGIN_DIR / "codetape_pytest.py").read_text()
PYPROJECT = Path(__file__).resolve().parents[3] / "pyproject.toml"


@pytest.mark.parametrize("version", [(3, 4), (3, 8)])
def test_python_3_8_and_older_parse_it(version: tuple[int, int]) -> None:
    ast.parse(SOURCE, feature_version=version)


def test_it_has_no_syntax_newer_than_any_python_3_and_2_7_compile() -> None:
    tree = ast.parse(SOURCE)
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.JoinedStr)], "f-strings: 3.6+"
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.NamedExpr)], "walrus: 3.8+"
    assert not [n for n in ast.walk(tree) if isinstance(n, (ast.AnnAssign,))], "annotations: 3.6+"
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    annotated = [f.name for f in functions if f.returns or any(a.annotation for a in f.args.args)]
    assert functions and not annotated, "annotations: Python 3 only (type comments instead)"
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module == "__future__"]
    SOURCE.encode("ascii")  # Python 2 needs a coding line for anything else


def test_it_imports_only_the_standard_library_and_pytest() -> None:
    imported = set()
    for node in ast.walk(ast.parse(SOURCE)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported - sys.stdlib_module_names == {"pytest"}


def test_its_entry_point_has_the_name_codetapes_own_entry_point_has() -> None:
    """One name: pytest loads one of the two, and `-p no:codetape` disables either."""
    entry_points = configparser.ConfigParser()
    entry_points.read(PLUGIN_DIR / "codetape_pytest-1.dist-info" / "entry_points.txt")
    assert dict(entry_points["pytest11"]) == {"codetape": "codetape_pytest"}
    project = tomllib.loads(PYPROJECT.read_text())
    assert project["project"]["entry-points"]["pytest11"] == {"codetape": pytest_plugin.__name__}
    assert "codetape_pytest-1.dist-info/*" in project["tool"]["setuptools"]["package-data"][
        "collector.sources.pytest_path"]


def test_the_plugin_folder_goes_first_on_pythonpath_once_and_the_rest_is_kept() -> None:
    folder = str(PLUGIN_DIR)
    assert python_path(None) == python_path("") == folder
    assert python_path(f"/a{os.pathsep}{os.pathsep}/b") == f"{folder}{os.pathsep}/a{os.pathsep}{os.pathsep}/b"
    assert python_path(python_path("/a")) == python_path("/a")
    assert python_path(folder) == folder


def test_what_a_launcher_sets(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    env = pytest_env(home, {"PYTHONPATH": "/mine"})
    assert env == {"PYTHONPATH": f"{PLUGIN_DIR}{os.pathsep}/mine",
                   "CODETAPE_COLLECTOR_SOCKET": str(home.socket)}
    assert pytest_env(home, {}, starting_s=15.0)["CODETAPE_COLLECTOR_WAIT_S"] == "15"


@pytest.mark.parametrize(("value", "wait"),
                         [(None, 0.0), ("15", 15.0), ("1e9", 30.0), ("-1", 0.0), ("x", 0.0)])
def test_the_wait_for_a_starting_collector_is_bounded(value: str | None, wait: float) -> None:
    environ = {} if value is None else {codetape_pytest.WAIT_ENV: value}
    assert codetape_pytest.wait_s(environ) == wait


def test_the_launchers_and_the_plugin_name_the_same_variables() -> None:
    """pytest_env keeps its own copies (codetape's commands must not import pytest through the plugin)."""
    from collector.sources.pytest_path import codetape_pytest
    from collector.sources.testruns import pytest_env

    assert pytest_env.SOCKET_ENV == codetape_pytest.SOCKET_ENV
    assert pytest_env.WAIT_ENV == codetape_pytest.WAIT_ENV


def test_the_plugin_names_the_files_of_the_runtime_folder_as_codetape_does() -> None:
    """The plugin imports no codetape: its copies of the starting lock's, the stop marker's and the lost
    notes' names must be codetape's."""
    from collector.daemon.lost_runs import LOST_FOLDER
    from collector.protocol.starting import STARTING_FILE
    from collector.protocol.stopped import MARKER

    assert codetape_pytest.STARTING_FILE == STARTING_FILE
    assert codetape_pytest.STOPPED_FILE == MARKER
    assert codetape_pytest.LOST_FOLDER == LOST_FOLDER


def test_a_collector_is_starting_while_its_lock_is_held_or_a_live_shell_spooled(tmp_path: Path) -> None:
    """What the plugin waits for (unit: this process's own descriptor holds the lock, no process starts)."""
    from collector.protocol.starting import starting

    home = Home(tmp_path)
    folder = str(home.socket.parent)
    assert not codetape_pytest.starting(folder)
    with starting(home):
        assert codetape_pytest.starting(folder)
    assert not codetape_pytest.starting(folder)
    (home.run / f"shell-{os.getpid()}.spool").write_bytes(b"")  # a live shell's records: its recorder starts
    assert codetape_pytest.starting(folder)
    (home.run / "stopped").touch()  # the user stopped recording: nothing starts it
    assert not codetape_pytest.starting(folder)
