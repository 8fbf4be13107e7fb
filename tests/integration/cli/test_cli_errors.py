"""One `codetape:` line and an exit code of 1 or 2 for every mistake a clumsy user makes, never a traceback
(issue 9, item 12); a failed `init` leaves nothing behind; `run` exits as a shell would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from collector.home import Home
from collector.protocol.client import Client
from tests.fixtures.make_golden import DIRECTORY
from tests.support.collector_harness import codetape, codetape_process, opt_in


def one_line(done: subprocess.CompletedProcess[str], code: int, says: str) -> str:
    lines = done.stderr.splitlines()
    assert done.returncode == code, done
    assert len(lines) == 1 and lines[0].startswith("codetape: "), done.stderr
    assert lines[0].count("codetape:") == 1 and "Traceback" not in done.stderr, done.stderr
    assert says in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(("argv", "says"), [
    (["verify"], "verify: the following arguments are required: EPISODE"),
    (["no-such-command"], "invalid choice: 'no-such-command'"),
    (["checkout", "x", "y", "--step", "many"], "--step: invalid int value: 'many'"),
])
def test_usage_errors_are_one_line(argv: list[str], says: str, tmp_path: Path) -> None:
    one_line(codetape(tmp_path / "home", *argv), 2, says)


def test_an_episode_argument_too_long_for_a_file_name(tmp_path: Path) -> None:
    one_line(codetape(tmp_path / "home", "inspect", "a" * 300), 1, "File name too long")


def test_a_missing_key_file_is_named(tmp_path: Path) -> None:
    done = codetape(tmp_path / "home", "verify", str(DIRECTORY / "full.ctape"), "--key", "/nonexistent.pub")
    one_line(done, 2, "--key /nonexistent.pub: no such file")


def test_a_home_that_is_a_file_fails_init_and_leaves_the_workspace_as_it_was(tmp_path: Path) -> None:
    home, ws = tmp_path / "home", tmp_path / "ws"
    home.write_text("")
    ws.mkdir()
    one_line(codetape(home, "init", str(ws)), 1, "is not a directory")
    one_line(codetape(home, "keys", "init"), 1, "is not a directory")
    assert list(ws.iterdir()) == []  # not opted in after a failed init


def test_init_of_a_path_deeper_than_path_max(tmp_path: Path) -> None:
    deep = tmp_path / "/".join(["d" * 200] * 25)
    one_line(codetape(tmp_path / "home", "init", str(deep)), 1, "File name too long")


def test_a_note_or_task_too_long_is_refused(tmp_path: Path) -> None:
    home, ws = tmp_path / "home", opt_in(tmp_path / "ws", home=tmp_path / "home")
    assert codetape(home, "init", str(ws), "--force").returncode == 0
    try:
        one_line(codetape(home, "note", "n" * 70_000, cwd=ws), 1, "the note is 70,000 characters long")
        one_line(codetape(home, "task", "start", "t" * 70_000, cwd=ws), 1, "the task statement is 70,000")
        assert codetape(home, "seal", cwd=ws).stdout.strip().endswith("nothing recorded")
    finally:
        with Client.connect(Home(home.resolve()), autostart=False) as client:
            client.request("shutdown")


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_run_exits_as_a_shell_would_when_the_command_is_killed(signum: int, tmp_path: Path) -> None:
    done = codetape_process(tmp_path / "home", "run", "--", "sh", "-c", f"kill -{int(signum)} $$",
                            cwd=tmp_path)
    assert done.returncode == -signum, done  # died of the same signal: a shell shows 128 + signal
    assert "Traceback" not in done.stderr and done.stdout == ""
    shell = subprocess.run(["sh", "-c", f'"$0" run -- sh -c "kill -{int(signum)} \\$\\$"; echo $?',
                            os.path.join(os.path.dirname(sys.executable), "codetape")],
                           cwd=tmp_path, capture_output=True, text=True,
                           env={**os.environ, "CODETAPE_HOME": str(tmp_path / "home")}, check=False)
    assert shell.stdout.strip() == str(128 + signum), shell
