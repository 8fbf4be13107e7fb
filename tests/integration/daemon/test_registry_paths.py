"""The opt-in registry holds any path (issue 9, item 10): a workspace whose path has a newline is still
watched after the collector restarts; a registry of an older version (one path per line) is still read."""

from __future__ import annotations

import json
from pathlib import Path

from collector.home import Home
from collector.workspace.registry import LEGACY_FILE, Registry
from tests.integration.daemon.test_collector_registry import commit_and_seal, watched
from tests.support.collector_harness import codetape, git, running
from tests.waiting import wait_for


def test_a_workspace_path_with_a_newline_is_watched_after_a_restart(tmp_path: Path) -> None:
    home, root = tmp_path / "home", (tmp_path / "two\nlines").resolve()
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    assert codetape(home, "init", str(root)).returncode == 0
    registry = Registry(Home(home.resolve()))
    assert registry.roots() == [root]
    assert [entry["root"] for entry in json.loads(registry.path.read_text())] == [str(root)]
    with running(home) as daemon, daemon.client() as client:  # a collector started after the init
        wait_for(lambda: watched(client, root), what="the workspace with a newline to be watched")
        steps = commit_and_seal(home, root, "newline")
    assert [(s["op"], s["message"]) for s in steps] == [("commit", "newline\n")]


def test_an_older_one_path_per_line_registry_is_read_and_rewritten(tmp_path: Path) -> None:
    home = Home((tmp_path / "home").resolve())
    home.ensure(home.root)
    first, second = (tmp_path / "a").resolve(), (tmp_path / "b").resolve()
    for root in (first, second):
        root.mkdir()
        (root / ".codetape.toml").write_text("")
    (home.root / LEGACY_FILE).write_text(f"{first}\n")
    registry = Registry(home)
    assert registry.roots() == [first]
    registry.add(second)
    assert json.loads(registry.path.read_text()) == [str(first), str(second)]
    assert not (home.root / LEGACY_FILE).exists()
