"""CODETAPE_HOME is the user's alone (issue 9, item 5): a home, or a folder in it, that another account
owns or may write is refused with one line before anything is read or written there; and everything
codetape writes under the home is private (0600 files, 0700 folders), the signed episode included."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from collector.daemon.rundir import pid_path
from collector.home import Home
from collector.protocol.client import Client
from tests.support.collector_harness import codetape, codetape_process, opt_in
from tests.waiting import wait_for

OTHER_UID = 4242


def one_error(done: subprocess.CompletedProcess[str], says: str) -> None:
    lines = done.stderr.splitlines()
    assert done.returncode == 1 and done.stdout == "", done
    assert len(lines) == 1 and lines[0].startswith("codetape: ") and says in lines[0], done.stderr


def test_a_home_writable_by_others_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    os.chmod(home, 0o777)
    for argv in (["status"], ["episodes"], ["keys", "init"]):
        one_error(codetape(home, *argv), f"CODETAPE_HOME {home} is writable by group or others")
    assert list(home.iterdir()) == []  # nothing was written there


def test_a_folder_in_the_home_writable_by_others_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "episodes").mkdir(parents=True)
    os.chmod(home, 0o700)
    os.chmod(home / "episodes", 0o733)
    one_error(codetape(home, "episodes"), "episodes/ in CODETAPE_HOME")


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another account needs root")
def test_a_home_owned_by_another_user_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    os.chown(home, OTHER_UID, OTHER_UID)
    one_error(codetape(home, "status"), f"belongs to another user (uid {OTHER_UID})")
    os.chown(home, os.geteuid(), os.getegid())
    (home / "outbox").mkdir(mode=0o700)
    os.chown(home / "outbox", OTHER_UID, OTHER_UID)
    one_error(codetape(home, "status"), f"outbox/ in CODETAPE_HOME {home / 'outbox'} belongs to another user")


def test_a_home_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.write_text("not a folder")
    one_error(codetape(home, "keys", "init"), "is not a directory")


def test_everything_written_under_the_home_is_private(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ws = opt_in(tmp_path / "ws", home=tmp_path / "home")
    assert codetape(home, "init", str(ws), "--force").returncode == 0
    assert codetape_process(home, "run", "--", "true", cwd=ws).returncode == 0
    assert codetape(home, "pause", cwd=ws).returncode == 0
    assert codetape(home, "resume", cwd=ws).returncode == 0
    sealed = codetape(home, "seal", cwd=ws)
    assert sealed.returncode == 0, sealed
    assert codetape(home, "keys", "init").returncode == 0
    rows = json.loads(codetape(home, "episodes", "--json").stdout)
    episodes = [row for row in rows if row["state"] == "sealed"]
    assert episodes, "the recording was sealed"
    signed = codetape(home, "sign", episodes[0]["id"], "--yes")
    assert signed.returncode == 0, signed
    with Client.connect(Home(home.resolve()), autostart=False) as client:
        client.request("shutdown")
    # the collector removes its socket, then its pid file, as it leaves: walk the home once it has gone
    wait_for(lambda: not pid_path(Home(home.resolve())).exists(), what="the collector to stop")
    assert any((home / "outbox").iterdir())
    loose = []
    for path in [home, *home.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_dir():
            if mode & 0o077:
                loose.append((path, oct(mode)))
        elif not path.is_socket() and mode & 0o077:
            loose.append((path, oct(mode)))
    assert loose == []
