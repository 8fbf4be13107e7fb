"""A full file table is no deletion and no silence (issue 87): the collector runs with a low open-file
limit, this user's own connections take every file it may open, and three files of the workspace change.
The file watcher cannot open them (EMFILE): it tries again, then records a `gap` (`unreadable_file`,
naming the kind of path and the error) for each change it could not read, never a deletion; once the
connections close, it reads them and records what they hold."""

from __future__ import annotations

import contextlib
import json
import os
import socket
from pathlib import Path

from collector.platform.loopback import connect
from tests.support.collector_harness import codetape_process, episode_steps, opt_in, running, wait_recorded
from tests.waiting import wait_for

LIMIT = 256
CHANGED = 3


def _open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _sockets(pid: int) -> int:
    folder = f"/proc/{pid}/fd"
    count = 0
    for fd in os.listdir(folder):
        with contextlib.suppress(OSError):  # (closed since it was listed)
            count += os.readlink(f"{folder}/{fd}").startswith("socket:")
    return count


def test_a_change_the_full_file_table_kept_from_being_read_is_a_gap_then_recorded(tmp_path: Path) -> None:
    home = tmp_path / "h"
    ws = opt_in(tmp_path / "ws", home=home)
    for i in range(CHANGED):
        (ws / f"f{i}.py").write_text(f"before = {i}\n")
    held: list[socket.socket] = []
    with running(home, prefix=["prlimit", f"--nofile={LIMIT}:{LIMIT}", "--"]) as daemon:
        pid = daemon.proc.pid
        with daemon.client() as client:  # answered once the workspace's watchers run
            client.request("watch", workspace=str(ws))
        (ws / "first.py").write_text("opened = True\n")  # the episode open before the table fills
        wait_recorded(daemon.home, ws, lambda steps: any(s.get("path") == "first.py" for s in steps),
                      "the first change")
        try:
            while _open_files(pid) < LIMIT:
                before = _sockets(pid)  # (its sockets: a file it has open a moment would blur the count)
                # either transport: a Unix socket, or loopback TCP with the secret proved (its proof waits
                # for an accept the full table may put off), which the collector keeps open as a client's
                held.append(connect(str(daemon.home.socket), 30, socket.socket))
                wait_for(lambda before=before: _sockets(pid) > before, what="the connection accepted")
            for i in range(CHANGED):
                (ws / f"f{i}.py").write_text(f"after = {i}\n")
            wait_for(lambda: daemon.log_text().count("could not be read (EMFILE") >= CHANGED,
                     what="a gap for each change not read", detail=lambda: daemon.log_text()[-2000:])
        finally:
            for sock in held:
                sock.close()
        wait_recorded(daemon.home, ws, lambda steps: sum(s["kind"] == "file_change" for s in steps) > CHANGED,
                      "the changes read once files were free")
        sealed = codetape_process(home, "seal", "--json", str(ws))
        assert sealed.returncode == 0, sealed.stderr
    steps = [s for s in episode_steps(Path(json.loads(sealed.stdout)["path"])) if s.get("source") == "files"]
    gaps = [s for s in steps if s["kind"] == "gap"]
    assert len(gaps) == CHANGED, gaps
    assert all(g["reason"] == "unreadable_file" and "a change of a workspace file could not be read (EMFILE"
               in g["detail"] and "f0.py" not in g["detail"] for g in gaps), gaps
    changes = {s["path"]: s for s in steps if s["kind"] == "file_change"}
    for i in range(CHANGED):
        change = changes[f"f{i}.py"]
        assert (change["change"], change["text"]) == ("modified", f"after = {i}\n")
    assert not [s for s in steps if s["kind"] == "file_change" and s["change"] == "deleted"]
    last_gap = max(steps.index(g) for g in gaps)
    assert all(steps.index(changes[f"f{i}.py"]) > last_gap for i in range(CHANGED))
