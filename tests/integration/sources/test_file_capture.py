"""The file watcher on a real directory: what it records replays to exactly what is on disk."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from collector.policy.recording import Policy
from collector.protocol.client import Client
from collector.protocol.clock import now_ms
from collector.reconstruct.workspace import Workspace
from collector.sources.files.file_watcher import FileWatcher
from schemas.steps import step_from_dict
from tests.integration.sources.test_git_capture import Recorder
from tests.support.collector_harness import (
    SECRET,
    codetape,
    episode_steps,
    journal_bytes,
    outside_config,
    running,
    wait_capturing,
    wait_recorded,
)
from tests.waiting import TIMEOUT_S, wait_for


def replay(steps: list[dict[str, Any]]) -> Workspace:
    workspace = Workspace("utf-16")
    for index, step in enumerate(steps):
        workspace.apply(step_from_dict({**step, "t_ms": index}))
    return workspace


def on_disk(root: Path, names: list[str]) -> dict[str, str]:
    return {name: (root / name).read_bytes().decode() for name in names if (root / name).is_file()}


def changes(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in steps if s["kind"] == "file_change"]


def wait_replays_to(recorder: Recorder, expected: dict[str, str], what: str,
                    timeout: float = TIMEOUT_S) -> None:
    """Wait until the recorded steps replay to `expected` (the files on disk): the watcher caught up.

    The steps are replayed as they arrive, each once, so a poll costs only what came since the last.
    """
    workspace = Workspace("utf-16")
    applied = 0

    def caught_up() -> bool:
        nonlocal applied
        new = recorder.steps[applied:]
        for offset, step in enumerate(new):
            workspace.apply(step_from_dict({**step, "t_ms": applied + offset}))
        applied += len(new)
        return workspace.files() == expected

    def difference() -> str:
        files = workspace.files()
        wrong = sorted(p for p in files.keys() | expected.keys() if files.get(p) != expected.get(p))
        return f"{applied} steps replayed; {len(wrong)} files differ from the disk, e.g. {wrong[:5]}"

    wait_for(caught_up, timeout, what, detail=difference)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".codetape.toml").write_text('exclude = ["private/"]\nmax_file_bytes = 4096\n')
    (root / "old.txt").write_text("there before\n")
    return root.resolve()


@pytest.fixture
def watched(workspace: Path) -> Iterator[tuple[Path, Recorder]]:
    recorder = Recorder()
    watcher = FileWatcher(workspace, Policy.load(workspace), recorder, clock=now_ms)
    watcher.start()  # takes the baseline: what is on disk before the test's changes
    try:
        yield workspace, recorder
    finally:
        watcher.stop()


def test_changes_outside_the_editor_replay_to_the_disk(watched: tuple[Path, Recorder]) -> None:
    root, rec = watched
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text("print('héllo 🎉')\r\n")
    (root / "notes.md").write_text("one\n")
    (root / "old.txt").write_text("changed\n")
    wait_replays_to(rec, on_disk(root, ["src/app.py", "notes.md", "old.txt"]), "the first changes")
    (root / "notes.md").write_text("one\ntwo\n")
    os.rename(root / "src" / "app.py", root / "src" / "main.py")
    (root / "gone.txt").write_text("short-lived\n")
    wait_replays_to(rec, on_disk(root, ["src/main.py", "notes.md", "old.txt", "gone.txt"]), "the rename")
    (root / "gone.txt").unlink()
    os.rename(root / "src", root / "lib")
    wait_replays_to(rec, on_disk(root, ["lib/main.py", "notes.md", "old.txt"]), "the directory's rename")
    steps = rec.steps
    old = next(s for s in steps if s["path"] == "old.txt")
    assert (old["change"], old["text"]) == ("modified", "changed\n")
    renames = [(s["path"], s["new_path"]) for s in steps if s["change"] == "renamed"]
    assert renames == [("src/app.py", "src/main.py"), ("src/main.py", "lib/main.py")]
    state = replay(steps)
    assert state.files() == on_disk(root, ["lib/main.py", "notes.md", "old.txt"])
    assert "gone.txt" not in state.files()


def test_excluded_binary_large_swap_and_git_files(watched: tuple[Path, Recorder]) -> None:
    root, rec = watched
    (root / "private").mkdir()
    (root / "private" / "diary.txt").write_text("never recorded\n")
    (root / ".env").write_text("TOKEN=never-recorded\n")
    (root / "key.pem").write_text("-----BEGIN PRIVATE KEY-----\n")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00" * 10)
    (root / "big.log").write_text("x" * 5000)
    (root / ".main.py.swp").write_bytes(b"b0VIM")
    (root / "main.py~").write_text("backup\n")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / "main.py").write_text("ok\n")  # last: once it is recorded, every earlier event was handled
    wait_for(lambda: {"logo.png", "big.log", "main.py"} <= {s.get("path") for s in rec.steps},
             what="the recordable files", detail=lambda: f"recorded: {rec.steps}")
    by_path = {s["path"]: s for s in rec.steps}
    assert set(by_path) == {"logo.png", "big.log", "main.py"}
    assert by_path["logo.png"] == {"kind": "file_change", "source": "files", "path": "logo.png",
                                   "change": "created", "omitted": "binary", "size": 90}
    assert by_path["big.log"]["omitted"] == "too_large" and "text" not in by_path["big.log"]
    assert "never-recorded" not in repr(rec.steps)


def test_an_editor_style_atomic_save_is_a_modification(watched: tuple[Path, Recorder]) -> None:
    root, rec = watched
    (root / "a.py").write_text("v1\n")
    wait_replays_to(rec, {"a.py": "v1\n"}, "the first version")
    tmp = root / ".a.py.tmp1234"
    tmp.write_text("v2\n")
    os.replace(tmp, root / "a.py")  # write a temporary, rename it over the file
    os.rename(root / "a.py", root / "a.py~")  # vim: move the original aside, write anew, drop the backup
    (root / "a.py").write_text("v3\n")
    (root / "a.py~").unlink()
    wait_replays_to(rec, {"a.py": "v3\n"}, "the saves")
    assert replay(rec.steps).files() == {"a.py": "v3\n"}
    assert all(s["path"] == "a.py" or s.get("new_path") == "a.py" or s["path"].startswith(".a.py.tmp")
               for s in rec.steps)


def test_a_file_written_in_place_is_recorded_once_its_writer_closes_it(
        watched: tuple[Path, Recorder]) -> None:
    """Jupyter's save and a shell's `>` truncate, then write: a pass between the two read an empty or half
    file (CI recorded a notebook so, masked whole as unreadable). While the writer holds the file, a later
    file's change is recorded and the held one is not; its close records it whole, once."""
    root, rec = watched
    with open(root / "nb.ipynb", "w", encoding="utf-8") as writer:
        writer.write('{"cells": [')
        writer.flush()  # the first half on disk, the file still open
        (root / "marker.txt").write_text("after the first half\n")
        rec.wait(lambda s: s.get("path") == "marker.txt", "the later file")  # its pass saw the half
        assert not [s for s in rec.steps if s.get("path") == "nb.ipynb"]
        writer.write("]}\n")
    created = rec.wait(lambda s: s.get("path") == "nb.ipynb", "the notebook, once closed")
    assert (created["change"], created["text"]) == ("created", '{"cells": []}\n')
    (root / "end.txt").write_text("last\n")
    wait_replays_to(rec, on_disk(root, ["marker.txt", "nb.ipynb", "end.txt"]), "the last file")
    assert len([s for s in rec.steps if s.get("path") == "nb.ipynb"]) == 1


def test_a_file_its_writer_holds_open_is_recorded_within_a_second_of_its_change(
        watched: tuple[Path, Recorder]) -> None:
    """A log a program keeps open reports no close: what it holds is read once WAIT_S has passed."""
    root, rec = watched
    with open(root / "server.log", "w", encoding="utf-8") as log:
        log.write("started\n")
        log.flush()
        step = rec.wait(lambda s: s.get("path") == "server.log", "the log still open")
        assert step["text"] == "started\n"


def test_what_changes_as_soon_as_the_watcher_started_is_recorded(workspace: Path) -> None:
    """start returns with the baseline taken: a file deleted at once was in it, so its deletion is a step
    (taken by the first pass, the baseline would already lack the file and nothing would be recorded)."""
    rec = Recorder()
    watcher = FileWatcher(workspace, Policy.load(workspace), rec, clock=now_ms, quiet=0.5)
    watcher.start()
    try:
        (workspace / "old.txt").unlink()
        (workspace / "new.txt").write_text("right away\n")
        rec.wait(lambda s: s.get("path") == "new.txt", "the new file")
        rec.wait(lambda s: s.get("path") == "old.txt", "the deleted file")
    finally:
        watcher.stop()
    assert [(s["path"], s["change"]) for s in changes(rec.steps)] == [("old.txt", "deleted"),
                                                                      ("new.txt", "created")]


def test_a_change_no_event_reports_is_found_by_the_audit(tmp_path: Path, workspace: Path) -> None:
    """Writing through a hard link outside the watched tree raises no inotify event in it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (workspace / "linked.txt").write_text("before\n")
    os.link(workspace / "linked.txt", outside / "linked.txt")
    rec = Recorder()
    watcher = FileWatcher(workspace, Policy.load(workspace), rec, clock=now_ms, audit_interval=1.0)
    watcher.start()
    try:
        old = os.stat(workspace / "linked.txt").st_mtime_ns
        with open(outside / "linked.txt", "r+") as file:
            file.write("after!\n")
        os.utime(outside / "linked.txt", ns=(old - 5_000_000_000, old - 5_000_000_000))  # settled
        gap = rec.wait(lambda s: s["kind"] == "gap", "audit gap")
        change = rec.wait(lambda s: s["kind"] == "file_change", "audited change")
    finally:
        watcher.stop()
    assert gap["reason"] == "watcher_overflow" and gap["detail"].startswith("1 file changes reached no")
    assert (change["path"], change["change"], change["text"]) == ("linked.txt", "modified", "after!\n")
    assert rec.steps.index(gap) < rec.steps.index(change)


@pytest.mark.eval
def test_a_50k_file_burst_overflows_into_a_gap_and_a_reconciliation_equal_to_the_disk(
        watched: tuple[Path, Recorder]) -> None:
    root, rec = watched
    names = []
    for d in range(50):
        (root / f"d{d:02}").mkdir()
        for f in range(1000):
            name = f"d{d:02}/f{f:04}.txt"
            (root / name).write_text(f"{d} {f}\n")
            names.append(name)
    (root / "old.txt").unlink()
    (root / "d00" / "f0000.txt").write_text("rewritten during the burst\n")
    wait_replays_to(rec, on_disk(root, names), "the reconciliation after the burst", timeout=180)
    gaps = [s for s in rec.steps if s["kind"] == "gap"]
    assert len(gaps) >= 1 and {g["reason"] for g in gaps} == {"watcher_overflow"}
    state = replay(rec.steps)
    assert state.files() == on_disk(root, names)
    assert len(state.files()) == 50_000


def test_the_collector_records_file_changes_into_the_episode(tmp_path: Path) -> None:
    """The real daemon starts the watchers for a workspace's session; the sealed episode replays to disk."""
    root = tmp_path / "ws"
    root.mkdir()
    home = tmp_path / "home"
    assert codetape(home, "init", str(root)).returncode == 0
    with running(home) as daemon, Client.connect(daemon.home, autostart=False) as client:
        assert client.hello(root, "test")["recording"]
        wait_capturing(client, root, ("FileWatcher",))
        subprocess.run(["sh", "-c", "printf 'a\\n' > a.txt && mkdir -p pkg && printf 'b\\n' > pkg/b.txt"
                        " && mv a.txt c.txt && printf 'SECRET=1\\n' > .env"], cwd=root, check=True)
        disk = on_disk(root, ["c.txt", "pkg/b.txt"])
        wait_recorded(daemon.home, root, lambda steps: replay(changes(steps)).files() == disk,
                      "the file changes to be recorded")
        sealed = codetape(home, "seal", "--json", str(root))
        assert sealed.returncode == 0, sealed.stderr
    steps = changes(episode_steps(Path(json.loads(sealed.stdout)["path"])))
    assert {s["source"] for s in steps} == {"files"}
    assert replay(steps).files() == on_disk(root, ["c.txt", "pkg/b.txt"])
    assert ".env" not in repr(steps)


# -- links: recorded as links, never followed out of the workspace ------------------------------------


def test_a_directory_swapped_for_a_link_out_is_recorded_as_a_link_never_followed(tmp_path: Path) -> None:
    """A branch checkout turns `cfg/` into `cfg -> ../dotdocker` during a real collector session, and a
    file link to the secret appears: the journal and the sealed episode hold the links' target strings,
    never a byte read through them."""
    outside_config(tmp_path)
    root = tmp_path / "ws"
    (root / "cfg").mkdir(parents=True)
    (root / "cfg" / "config.json").write_text('{"auths": {}}\n')
    home = tmp_path / "home"
    assert codetape(home, "init", str(root)).returncode == 0
    with running(home) as daemon, Client.connect(daemon.home, autostart=False) as client:
        assert client.hello(root, "test")["recording"]
        wait_capturing(client, root, ("FileWatcher",))
        subprocess.run(["sh", "-c", "rm -r cfg && ln -s ../dotdocker cfg && ln -s ../dotdocker/config.json "
                        "token.json && printf 'after\\n' > after.txt"], cwd=root, check=True)
        wait_recorded(daemon.home, root, lambda steps: any(s.get("path") == "after.txt" for s in steps),
                      "the change after the swap")
        sealed = codetape(home, "seal", "--json", str(root))
        assert sealed.returncode == 0, sealed.stderr
        journal = journal_bytes(home)
    episode = Path(json.loads(sealed.stdout)["path"])
    cat = codetape(home, "cat", str(episode))
    assert cat.returncode == 0, cat.stderr
    assert SECRET not in cat.stdout and SECRET.encode() not in episode.read_bytes()
    assert SECRET.encode() not in journal
    steps = changes([json.loads(line) for line in cat.stdout.splitlines()])
    links = {s["path"]: s["link"] for s in steps if "link" in s}
    assert links == {"cfg": "../dotdocker", "token.json": "../dotdocker/config.json"}
    assert ("cfg/config.json", "deleted") in [(s["path"], s["change"]) for s in steps]


def test_links_out_in_place_before_the_session_are_never_followed(tmp_path: Path) -> None:
    """A folder link and a file link out of the workspace, and one deeper down, are there before `codetape
    init` and the session's first walk; then what they lead to changes, outside, and the file link is
    pointed elsewhere. The journal, the sealed episode and `cat` hold the link's target string, never a
    byte read through a link."""
    outside = outside_config(tmp_path)
    root = tmp_path / "ws"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("app = 1\n")
    (root / "cfg").symlink_to("../dotdocker", target_is_directory=True)
    (root / "token.json").symlink_to("../dotdocker/config.json")
    (root / "src" / "deep").symlink_to("../../dotdocker", target_is_directory=True)
    home = tmp_path / "home"
    assert codetape(home, "init", str(root)).returncode == 0
    with running(home) as daemon, Client.connect(daemon.home, autostart=False) as client:
        assert client.hello(root, "test")["recording"]
        wait_capturing(client, root, ("FileWatcher",))
        (outside / "config.json").write_text(f'{{"auths": {{"registry.example": "{SECRET}-changed"}}}}\n')
        (outside / "new.json").write_text(f"{SECRET}-new\n")
        (outside / "nested").mkdir()
        (outside / "nested" / "more.json").write_text(f"{SECRET}-nested\n")
        subprocess.run(["ln", "-sfn", "../dotdocker/new.json", "token.json"], cwd=root, check=True)
        (root / "after.txt").write_text("after\n")
        journal = wait_recorded(daemon.home, root, lambda steps: any(s.get("path") == "after.txt"
                                                                     for s in steps), "the change after")
        raw = journal_bytes(home)
        sealed = codetape(home, "seal", "--json", str(root))
        assert sealed.returncode == 0, sealed.stderr
    episode = Path(json.loads(sealed.stdout)["path"])
    cat = codetape(home, "cat", str(episode))
    assert cat.returncode == 0, cat.stderr
    for text in (repr(journal), raw.decode("utf-8", "replace"), repr(episode_steps(episode)), cat.stdout):
        assert SECRET not in text and "registry.example" not in text
    steps = changes([json.loads(line) for line in cat.stdout.splitlines()])
    assert {s["path"] for s in steps} == {"token.json", "after.txt"}, steps
    assert [{**s, "t_ms": 0} for s in steps if s["path"] == "token.json"] == [
        {"kind": "file_change", "source": "files", "path": "token.json", "change": "modified",
         "link": "../dotdocker/new.json", "t_ms": 0}]


def test_the_reconcile_pass_after_lost_events_never_reads_through_a_link(tmp_path: Path,
                                                                        workspace: Path) -> None:
    """Events lost in a burst: the pass that compares every known file with the disk finds
    `cfg/config.json` known, and `cfg` now a link to a folder holding a config.json of its own."""
    outside_config(tmp_path)
    (workspace / "cfg").mkdir()
    (workspace / "cfg" / "config.json").write_text('{"auths": {}}\n')
    rec = Recorder()
    watcher = FileWatcher(workspace, Policy.load(workspace), rec, clock=now_ms, burst_limit=4,
                          overflow_quiet=0.2)
    watcher.start()
    try:
        (workspace / "cfg" / "config.json").unlink()
        (workspace / "cfg").rmdir()
        (workspace / "cfg").symlink_to("../dotdocker", target_is_directory=True)
        for n in range(10):
            (workspace / f"burst{n}.txt").write_text(f"{n}\n")
        rec.wait(lambda s: s["kind"] == "gap", "overflow gap")
        rec.wait(lambda s: s.get("path") == "cfg/config.json", "the known file's fate")
        assert SECRET not in repr(rec.steps)
        rec.wait(lambda s: s.get("path") == "cfg", "the link")
    finally:
        watcher.stop()
    assert SECRET not in repr(rec.steps)
    by_path = {s["path"]: s for s in changes(rec.steps)}
    assert by_path["cfg/config.json"]["change"] == "deleted"
    assert by_path["cfg"] == {"kind": "file_change", "source": "files", "path": "cfg", "change": "created",
                              "link": "../dotdocker"}
