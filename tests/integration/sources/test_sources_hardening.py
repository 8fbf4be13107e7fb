"""Capture sources under hostile conditions (issue 9 items 4, 9, 11), against a real collector and real git:
a file git starts ignoring mid-session, a commit touching a name that is not UTF-8, a directory deeper
than Python's recursion limit, a watcher that stops."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

import pytest

from collector.daemon.session import Session
from collector.home import Home
from collector.journal import JournalScanner, unpack_payload
from collector.policy.recording import Policy
from collector.protocol.client import Client
from collector.protocol.clock import now_ms
from collector.sources.emit import Emit, Watcher
from tests.support.collector_harness import (
    Daemon,
    codetape,
    git,
    running,
    wait_capturing,
    wait_recorded,
)
from tests.waiting import wait_for

DEPTH = 1_100  # Python's recursion limit is 1,000


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / ".git" / "info" / "exclude").write_text(".codetape.toml\n")
    return root.resolve()


@pytest.fixture
def collector(tmp_path: Path, repo: Path) -> Iterator[tuple[Daemon, Client]]:
    home = tmp_path / "home"
    assert codetape(home, "init", str(repo)).returncode == 0
    with running(home) as daemon, daemon.client() as client:
        assert client.hello(repo, "test")["recording"]
        wait_capturing(client, repo)
        yield daemon, client


def changes_of(steps: list[dict[str, Any]], path: str) -> list[str]:
    return [s.get("text", "") for s in steps if s["kind"] == "file_change" and s["path"] == path]


# -- item 4: a file git starts ignoring is not recorded from its next change on ------------------------------

@pytest.mark.parametrize("rules", [".gitignore", "sub/.gitignore", ".git/info/exclude"])
def test_a_file_that_becomes_ignored_is_not_recorded_any_more(
        collector: tuple[Daemon, Client], repo: Path, rules: str) -> None:
    daemon, _client = collector
    (repo / "sub").mkdir()
    secret = "sub/secret.txt"
    (repo / secret).write_text("before\n")
    wait_recorded(daemon.home, repo, lambda steps: changes_of(steps, secret) == ["before\n"],
                  "the change before the file was ignored")
    with open(repo / rules, "a") as file:
        file.write("secret.txt\n")
    (repo / secret).write_text("after: must not be recorded\n")
    (repo / "sub" / "marker.txt").write_text("written after the ignored change\n")
    steps = wait_recorded(daemon.home, repo, lambda steps: changes_of(steps, "sub/marker.txt"),
                          "the change after the ignored one")
    assert changes_of(steps, secret) == ["before\n"]
    assert "must not be recorded" not in repr(steps)


# -- item 9: a name that is not UTF-8 does not cost the commit -----------------------------------------------

def test_a_commit_touching_a_name_that_is_not_utf8_is_recorded_with_the_name_escaped(
        collector: tuple[Daemon, Client], repo: Path) -> None:
    daemon, _client = collector
    names = [b"bad\xff\xfe.py", b"per%cent\xe9.txt", b"secrets.\xff", b"ok.py"]
    for name in names:
        with open(os.path.join(os.fsencode(repo), name), "wb") as file:
            file.write(b"x = 1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "odd names")
    sha = git(repo, "rev-parse", "HEAD")

    def commit(steps: list[dict[str, Any]]) -> dict[str, Any] | None:
        return next((s for s in steps if s["kind"] == "git" and s.get("sha") == sha), None)

    step = commit(wait_recorded(daemon.home, repo, commit, "the commit step"))
    assert step is not None
    assert step["message"] == "odd names\n" and step["op"] == "commit"
    files = {f["path"]: f for f in step["files"]}
    assert set(files) == {"bad%FF%FE.py", "per%25cent%E9.txt", "ok.py"}  # secrets.* stays out
    assert files["bad%FF%FE.py"]["escaped"] and files["per%25cent%E9.txt"]["escaped"]
    assert "escaped" not in files["ok.py"]
    recovered = {unquote_to_bytes(path) for path, entry in files.items() if entry.get("escaped")}
    assert recovered == {b"bad\xff\xfe.py", b"per%cent\xe9.txt"}


# -- item 11: no depth stops the file watcher, and a watcher that stops says so ------------------------------

def make_deep(top: Path, depth: int = DEPTH) -> Path:
    """`depth` nested directories under `top` (os.makedirs recurses, so one at a time); the deepest."""
    path = top
    for _ in range(depth):
        path = path / "d"
        path.mkdir(parents=True)
    return path


@pytest.fixture
def deep_workspace(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    root = tmp_path / "deep-ws"
    bottom = make_deep(root / "deep")
    try:
        yield root.resolve(), bottom.resolve()
    finally:  # shutil.rmtree (and pytest's own clean-up) would recurse too deep
        subprocess.run(["rm", "-rf", str(root), str(tmp_path / "outside")], check=True)


def test_a_directory_deeper_than_the_recursion_limit_is_watched_whole(
        tmp_path: Path, deep_workspace: tuple[Path, Path]) -> None:
    root, bottom = deep_workspace
    home = tmp_path / "home"
    assert codetape(home, "init", str(root)).returncode == 0
    with running(home) as daemon, daemon.client() as client:
        assert client.hello(root, "test")["recording"]
        wait_capturing(client, root, ("FileWatcher",))
        (root / "top.txt").write_text("elsewhere\n")
        (bottom / "bottom.txt").write_text("at the bottom\n")
        moved = make_deep(tmp_path / "outside" / "tree")  # moved in whole: watchdog walks it
        (moved / "moved.txt").write_text("moved in\n")
        os.rename(tmp_path / "outside" / "tree", root / "tree")
        (root / "after.txt").write_text("after the move\n")
        deep = "/".join(["d"] * DEPTH)
        wanted = {"top.txt", f"deep/{deep}/bottom.txt", f"tree/{deep}/moved.txt", "after.txt"}
        wait_recorded(daemon.home, root,
                      lambda steps: wanted <= {s["path"] for s in steps if s["kind"] == "file_change"},
                      "the changes next to, inside and below the deep directories")
        workspace = client.request("status")["workspaces"][0]
        assert "FileWatcher" in workspace["capture"] and workspace["capture_stopped"] == {}


def test_a_git_watcher_whose_repository_disappears_records_a_gap_and_says_so_in_the_status(
        collector: tuple[Daemon, Client], repo: Path, tmp_path: Path) -> None:
    daemon, client = collector
    subprocess.run(["rm", "-rf", str(repo / ".git")], check=True)

    def stopped() -> dict[str, str]:
        workspace = client.request("status")["workspaces"][0]
        return dict(workspace["capture_stopped"]) if "GitWatcher" not in workspace["capture"] else {}

    why = wait_for(stopped, 60, "the git watcher to be reported stopped")["GitWatcher"]
    assert why.startswith("the git watcher stopped (watching ") and "ended" in why
    steps = wait_recorded(daemon.home, repo, lambda steps: [s for s in steps if s["kind"] == "gap"],
                          "the gap")
    gap = next(s for s in steps if s["kind"] == "gap")
    assert (gap["source"], gap["reason"]) == ("git", "other") and gap["detail"].startswith(why)
    status = codetape(daemon.home.root, "status")
    assert status.returncode == 0 and f"  {why}; restart the collector" in status.stdout, status.stdout
    assert "FileWatcher" in client.request("status")["workspaces"][0]["capture"]


class BrokenAtStart:
    """A watcher failing as the file watcher did in a 1,100-deep tree."""

    source = "files"

    def start(self) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    def settle(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def failure(self) -> str | None:
        return None


class StopsLater:
    """A watcher that runs until `die` is set, then says why it stopped."""

    source = "git"

    def __init__(self) -> None:
        self.die = threading.Event()
        self.stopped = threading.Event()

    def start(self) -> None:
        pass

    def settle(self) -> None:
        pass

    def stop(self) -> None:
        self.stopped.set()

    def failure(self) -> str | None:
        return "its worker thread ended" if self.die.is_set() else None


def test_a_watcher_that_cannot_start_or_stops_is_a_gap_and_a_status_entry(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".codetape.toml").write_text("")
    later = StopsLater()

    def start_watchers(_root: Path, _policy: Policy, _emit: Emit) -> list[Watcher]:
        return [BrokenAtStart(), later]

    session = Session(root.resolve(), Home(tmp_path / "home"), clock=now_ms, start_watchers=start_watchers)
    try:
        assert session.wait_capture(60)
        status = session.status()
        assert status["capture"] == ["StopsLater"]
        why = "the files watcher could not start (RecursionError: maximum recursion depth exceeded)"
        assert status["capture_stopped"] == {"BrokenAtStart": why}
        later.die.set()
        wait_for(lambda: "StopsLater" in session.status()["capture_stopped"], 60, "the other one to stop")
        assert later.stopped.is_set() and session.status()["capture"] == []
        why = session.status()["capture_stopped"]["StopsLater"]
        assert why == "the git watcher stopped (its worker thread ended)"
    finally:
        journal = session.close()
    assert journal is not None
    gaps = [unpack_payload(frame) for frame in list(JournalScanner(journal).frames())[1:]]
    assert [(g["kind"], g["source"], g["reason"]) for g in gaps] == [("gap", "files", "other"),
                                                                     ("gap", "git", "other")]
    assert gaps[0]["detail"].startswith("the files watcher could not start (RecursionError")
    assert "not recorded until the collector restarts" in gaps[1]["detail"]
