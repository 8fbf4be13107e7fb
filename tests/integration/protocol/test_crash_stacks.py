"""A codetape process that dies of a native crash leaves the Python stack of its threads where its output
is read (collector/protocol/crashes.py): each real process is sent SIGSEGV or SIGABRT, as a crash in native
code would raise, once it is doing its work, and what it wrote is read back."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from collector.home import Home
from collector.journal import JournalWriter
from collector.platform.process import alive
from collector.seal.ahead import identity
from tests.cli import environment
from tests.fixtures.make_golden import FULL_HEADER
from tests.support.collector_harness import running
from tests.support.dataset_helpers import contributor, session, sign
from tests.support.upload_helpers import stalled_store
from tests.waiting import wait_for

STARTED = re.compile(r"background upload started \(pid (\d+)\)")  # collector/daemon/drain.py's log line
CRASHES = {signal.SIGSEGV: "Fatal Python error: Segmentation fault",
           signal.SIGABRT: "Fatal Python error: Aborted"}


def assert_stack(text: str, signum: int, *where: str) -> None:
    """`text` holds faulthandler's report of the crash by `signum`, with a frame in each file of `where`."""
    assert CRASHES[signum] in text, text
    frames = [line for line in text.splitlines() if 'File "' in line]
    for path in where:
        assert any(f"/{path}\"" in frame for frame in frames), (path, text)


@contextlib.contextmanager
def ended(proc: subprocess.Popen[bytes]) -> Iterator[subprocess.Popen[bytes]]:
    """`proc`, killed at the end if the test left it running."""
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)


def test_an_upload_that_crashes_leaves_its_stack_on_stderr(tmp_path: Path) -> None:
    """`codetape upload` crashing in the middle of a request to the store (issue 36: it died once with no
    output at all): every thread's stack on stderr, the upload thread's in the S3 store."""
    alice = contributor(tmp_path, "alice")
    sign(alice, session(alice.home, 7))
    env = {"AWS_ACCESS_KEY_ID": "crash-key", "AWS_SECRET_ACCESS_KEY": "crash-secret",
           "AWS_DEFAULT_REGION": "us-east-1"}
    with stalled_store() as store:
        (alice.home.root / "config.toml").write_text(
            f'[upload]\nto = "s3://crash/x"\nendpoint_url = "{store.url}"\nread_timeout_s = 300\n',
            encoding="utf-8")
        command = [sys.executable, "-m", "collector", "upload"]
        with ended(subprocess.Popen(command, env=environment(alice.home.root, env), stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)) as upload:
            wait_for(lambda: store.held, what="the upload's request to the store")
            os.kill(upload.pid, signal.SIGSEGV)
            _, err = upload.communicate(timeout=60)
    assert upload.returncode == -signal.SIGSEGV
    assert_stack(err.decode(errors="replace"), signal.SIGSEGV, "collector/upload/s3_store.py",
                 "collector/cli/commands/upload.py")


def test_a_background_upload_that_crashes_leaves_its_stack_in_the_collector_log(tmp_path: Path) -> None:
    """The collector's background upload (`codetape upload --quiet`, collector/daemon/drain.py): its stack
    in the collector's log, and the collector's status (the editors show its `upload_error`) saying it
    crashed rather than quoting the stack's last line."""
    alice = contributor(tmp_path, "alice")
    sign(alice, session(alice.home, 7))
    env = {"AWS_ACCESS_KEY_ID": "crash-key", "AWS_SECRET_ACCESS_KEY": "crash-secret",
           "AWS_DEFAULT_REGION": "us-east-1"}
    with stalled_store() as store:
        (alice.home.root / "config.toml").write_text(
            f'[upload]\nto = "s3://crash/x"\nendpoint_url = "{store.url}"\nread_timeout_s = 300\n',
            encoding="utf-8")
        with running(alice.home.root, env=env) as daemon:
            started = wait_for(lambda: STARTED.search(daemon.log_text()), timeout=120,
                               what="the background upload to start")
            wait_for(lambda: store.held, what="the background upload's request to the store")
            os.kill(int(started[1]), signal.SIGSEGV)
            wait_for(lambda: "background upload failed" in daemon.log_text(), what="the upload's end logged")
            with daemon.client() as client:
                status = client.request("status")
    assert_stack(daemon.log_text(), signal.SIGSEGV, "collector/upload/s3_store.py")
    assert status["upload_error"] == "codetape upload crashed (SIGSEGV); its stack is in the collector's log"


def test_a_detached_collector_that_crashes_leaves_its_stack_in_its_log(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    started = subprocess.run([sys.executable, "-m", "collector", "collector", "--detach"],
                             env=environment(home.root), capture_output=True, text=True, timeout=120,
                             check=False)
    assert started.returncode == 0, started.stderr
    pid = int((home.run / "collector.pid").read_text())
    try:
        os.kill(pid, signal.SIGABRT)
        wait_for(lambda: not alive(pid), what="the collector to end")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert_stack(home.log.read_text(errors="replace"), signal.SIGABRT, "collector/daemon/server.py")


def test_a_shell_recorder_that_crashes_leaves_its_stack_in_the_collector_log(tmp_path: Path) -> None:
    """The shell hook starts its recorder with its output sent nowhere: the stack goes to the collector's
    log."""
    home = Home(tmp_path / "home")
    run = home.ensure(home.run)
    pidfile = run / "shell-1.pid"
    command = [sys.executable, "-m", "collector.sources.shell", str(run / "shell-1.spool"), str(os.getpid()),
               str(pidfile)]
    with ended(subprocess.Popen(command, env=environment(home.root), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)) as recorder:
        wait_for(lambda: pidfile.exists() and pidfile.read_text().strip() == str(recorder.pid),
                 what="the recorder to write its pid file")
        os.kill(recorder.pid, signal.SIGSEGV)
        assert recorder.wait(60) == -signal.SIGSEGV
    assert_stack(home.log.read_text(errors="replace"), signal.SIGSEGV, "collector/sources/shell/recorder.py")


def open_files(pid: int) -> set[str]:
    """What the process has open now (a descriptor closed while they are read is left out)."""
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(FileNotFoundError):
            found.add(os.readlink(fd))
    return found


def test_a_seal_ahead_that_crashes_leaves_its_stack_on_stderr(tmp_path: Path) -> None:
    """The seal-ahead process (collector/seal/ahead.py) writes on the collector's stderr, its log."""
    journal = tmp_path / "journals" / f"{FULL_HEADER.episode_id}.journal"
    journal.parent.mkdir()
    JournalWriter.create(journal, FULL_HEADER).close()
    workspace = tmp_path / "ws"
    workspace.mkdir()
    episodes = tmp_path / "home" / "episodes"
    episodes.mkdir(parents=True)
    command = [sys.executable, "-m", "collector.seal.ahead", str(journal), str(episodes), str(workspace),
               identity(), str(os.getpid())]

    def reading_the_journal() -> bool:  # past its start: it follows the journal, waiting for the daemon
        if ahead.poll() is not None:
            raise AssertionError(f"seal-ahead exited {ahead.returncode}")
        return str(journal) in open_files(ahead.pid)

    with ended(subprocess.Popen(command, env=environment(tmp_path / "home"), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)) as ahead:
        wait_for(reading_the_journal, what="seal-ahead to open the journal")
        os.kill(ahead.pid, signal.SIGABRT)
        out, err = ahead.communicate(timeout=60)
    assert ahead.returncode == -signal.SIGABRT, (out, err)
    assert_stack(err.decode(errors="replace"), signal.SIGABRT, "collector/seal/ahead.py")


def test_a_bridge_that_crashes_leaves_its_stack_in_its_log(tmp_path: Path) -> None:
    """`python -m lsp_bridge --log FILE` (what an editor starts): the stack goes to the log file, stdout
    being the editor's LSP channel."""
    log = tmp_path / "bridge.log"
    command = [sys.executable, "-m", "lsp_bridge", "--no-autostart", "--log", str(log)]
    initialize = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                             "params": {"processId": None, "rootUri": None, "capabilities": {}}}).encode()
    with ended(subprocess.Popen(command, env=environment(tmp_path / "home"), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)) as bridge:
        assert bridge.stdin is not None and bridge.stdout is not None
        bridge.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(initialize), initialize))
        bridge.stdin.flush()
        assert bridge.stdout.readline().startswith(b"Content-Length:")  # it answers: past its start
        os.kill(bridge.pid, signal.SIGSEGV)
        assert bridge.wait(60) == -signal.SIGSEGV
    assert_stack(log.read_text(errors="replace"), signal.SIGSEGV, "lsp_bridge/__main__.py")
