"""codetape's pytest plugin: each test session in an opted-in workspace becomes one `test_run` step.

Per test: node id, outcome (passed, failed, skipped, error, xfailed, xpassed), duration over setup, call
and teardown, and for failures a bounded summary. A file that could not be collected is an entry of its
own (`kind` `collection`, outcome `error`), not a test. Per session: the arguments, the exit status and the
duration. Sent at the end of the session to the collector socket named by `CODETAPE_COLLECTOR_SOCKET`
(the collector's framing, a JSON body), as the source `pytest`; the collector decides whether the
workspace is recorded, and never is one started from here. Where nobody listens yet, the plugin waits
while a collector is being started (`starting`: whoever starts one holds `collector.starting` beside the
socket, collector/protocol/starting.py, and a live shell's spooled records are about to start one through
its recorder), up to `CODETAPE_COLLECTOR_WAIT_S` when `codetape run` is starting it, up to MAX_WAIT_S in
all. A run it could not hand over leaves a note in `lost/` beside the socket, which the collector turns
into a `gap` when it listens (collector/daemon/lost_runs.py); none after the user stopped recording.
Before it sends, it waits (5 s at most) for the records of its shell's earlier prompts to reach the
collector, as `codetape run` does (collector/sources/shell/delivered.py), so that a `git status` typed
before it comes first. The framing and the settings-root walk are collector/protocol/wire.py's, which the
agent hook uses too: this module loads those files by path, since only this folder is on `PYTHONPATH`,
not codetape's package.

It runs in whatever interpreter runs pytest: `codetape run`, the shell hook and the VS Code extension put
this folder on `PYTHONPATH` (pytest finds the plugin through the `pytest11` entry point beside it), and
codetape's own environment registers it as its `codetape` entry point (collector/sources/pytest_plugin.py).
So it imports only the standard library, and its syntax compiles on any Python (type comments, no
f-strings): an interpreter older than 3.8 (where wire.py is not loaded), a pytest older than 5.1 or
anything going wrong leaves it out of the way. It never prints, never changes the exit status, costs
loading wire.py and a few `stat` calls outside opted-in workspaces, and `-p no:codetape` disables it.
"""

import contextlib
import os
import socket
import sys
import time

import pytest

MYPY = False
if MYPY:  # typing is not imported at run time (an old interpreter may lack what is named here)
    from typing import Any, Callable, Dict, List, Mapping, Optional, TypeVar, Union  # noqa: F401 (type comments)

    Reply = Dict[str, Any]
    Report = Union[pytest.TestReport, pytest.CollectReport]
    Hook = TypeVar("Hook", bound=Callable[..., None])

SOCKET_ENV = "CODETAPE_COLLECTOR_SOCKET"  # sources/testruns/pytest_env.py's (this module imports no codetape)
WAIT_ENV = "CODETAPE_COLLECTOR_WAIT_S"  # set by `codetape run` while it starts the collector itself
STARTING_FILE = "collector.starting"  # collector/protocol/starting.py's (held while a collector starts)
STOPPED_FILE = "stopped"  # collector/protocol/stopped.py's MARKER: the user stopped recording
LOST_FOLDER = "lost"  # collector/daemon/lost_runs.py's: a note per test run not handed over
MAX_LOST_NOTES = 1000
MAX_WAIT_S = 30.0
CONNECT_TIMEOUT_S = 0.5
REQUEST_TIMEOUT_S = 2.0
SUMMARY_CHARS = 2048  # per failing test
SUMMARIES_CHARS = 256 * 1024  # per session; past it, only the crash line is kept
MAX_TESTS = 100000
MAX_ARG_CHARS = 4096


def _by_path(name, folder, file):
    # type: (str, str, str) -> Any
    """A file of codetape's package (collector/FOLDER/FILE), loaded by path as `name` (only this folder is
    on `PYTHONPATH`, not codetape's package): protocol/wire.py, the collector socket's framing and the
    settings-root walk the agent hook uses too, and platform/loopback.py, which opens the collector's
    address (a Unix socket, or loopback TCP with the per-user secret). None where it cannot be loaded
    (below Python 3.8, which they need, nothing is recorded anyway)."""
    if sys.version_info < (3, 8):
        return None
    try:
        # only where the module is loaded: Python 2 and 3.3 have no importlib.util, and must not fail here
        import importlib.util

        here = os.path.dirname(os.path.abspath(__file__))
        spec = importlib.util.spec_from_file_location(
            name, os.path.join(os.path.dirname(os.path.dirname(here)), folder, file))
        if spec is None or spec.loader is None:  # (never, for a .py file)
            return None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    except Exception:  # recording must never disturb a test run, whatever goes wrong
        return None


wire = _by_path("codetape_wire", "protocol", "wire.py")
loopback = _by_path("codetape_loopback", "platform", "loopback.py")
delivered = _by_path("codetape_delivered", os.path.join("sources", "shell"), "delivered.py")


def pytest_configure(config):
    # type: (pytest.Config) -> None
    """Record this session when a launcher named the collector's socket."""
    configure(config, lambda: os.environ.get(SOCKET_ENV) or None)


def configure(config, socket_path):
    # type: (pytest.Config, Callable[[], Optional[str]]) -> None
    """Register a recorder for this session when its root lies in a workspace with settings; `socket_path`
    (asked then, not before) is where the collector listens, or None."""
    try:
        if wire is None or loopback is None:
            return
        if hasattr(config, "workerinput") or hasattr(config, "slaveinput"):
            return  # an xdist worker: the controller sees every report and records the session
        folder = getattr(config, "rootpath", None) or getattr(config, "rootdir", None)  # < 6.1: rootdir
        root = wire.settings_root(str(folder)) if folder is not None else None
        if root is None:
            return
        address = socket_path()
        if not address:
            return
        args = [str(a)[:MAX_ARG_CHARS] for a in config.invocation_params.args][:1000]
        config.pluginmanager.register(Recorder(address, root, args, wait_s(os.environ)), "codetape-recorder")
    except Exception:  # recording must never disturb a test run, whatever goes wrong
        return


def wait_s(environ):
    # type: (Mapping[str, str]) -> float
    """How long to wait for a collector that is being started (seconds, bounded); 0 unless told."""
    try:
        return min(MAX_WAIT_S, max(0.0, float(environ.get(WAIT_ENV) or 0)))
    except ValueError:
        return 0.0


def _hookimpl(**order):
    # type: (bool) -> Callable[[Hook], Hook]
    """`pytest.hookimpl(**order)`, or nothing on a pytest too old to have it (no recorder runs there)."""
    hookimpl = getattr(pytest, "hookimpl", None)
    if hookimpl is None:
        return lambda hook: hook
    marker = hookimpl(**order)  # type: Callable[[Hook], Hook]
    return marker


class Recorder(object):
    """Collects one session's reports and sends them as a `test_run` step at the end."""

    def __init__(self, address, root, args, wait_s=0.0):
        # type: (str, str, List[str], float) -> None
        self.address = address
        self.wait_s = wait_s
        self.root = root
        self.args = args
        self.started = time.monotonic()
        self.waited = False  # for a collector being started
        self.tests = {}  # type: Dict[str, Dict[str, Any]]
        self.summaries = []  # type: List[Report]

    @_hookimpl(tryfirst=True)
    def pytest_collectreport(self, report):
        # type: (pytest.CollectReport) -> None
        try:
            if report.failed:  # a file that could not be collected: an entry of its own kind, not a test
                self._note(report.nodeid, "error", 0.0, report)
                noted = self.tests.get(report.nodeid)
                if noted is not None:
                    noted["kind"] = "collection"
        except Exception:  # an odd report (another plugin's) is not recorded; the run goes on untouched
            return

    @_hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report):
        # type: (pytest.TestReport) -> None
        try:
            self._note(report.nodeid, _outcome(report), report.duration, report)
        except Exception:  # an odd report (another plugin's) is not recorded; the run goes on untouched
            return

    def _note(self, nodeid, outcome, duration, report):
        # type: (str, Optional[str], float, Report) -> None
        test = self.tests.get(nodeid)
        if test is None:
            if len(self.tests) >= MAX_TESTS:
                return
            test = self.tests[nodeid] = {"nodeid": nodeid[:4096], "outcome": None, "seconds": 0.0}
        test["seconds"] += duration
        if outcome is None or (outcome == "error" and test["outcome"] == "failed"):
            return
        test["outcome"] = outcome
        test["report"] = report if outcome in ("failed", "error", "skipped", "xfailed") else None

    @_hookimpl(trylast=True)
    def pytest_sessionfinish(self, session, exitstatus):
        # type: (pytest.Session, int) -> None
        try:
            self._send(int(exitstatus))
        except Exception:  # no collector, a slow one, an odd report: the run itself is unaffected
            return

    def _send(self, exitstatus):
        # type: (int) -> None
        duration_ms = int((time.monotonic() - self.started) * 1000)
        self._after_the_shell()
        try:
            sock = self._connect()
        except OSError:
            _note_lost(os.path.dirname(self.address), self.root, len(self.tests))
            raise
        try:
            sock.settimeout(MAX_WAIT_S if self.waited else max(REQUEST_TIMEOUT_S, self.wait_s))
            wire.write(sock, {"op": "hello", "id": 1, "workspace": self.root, "source": "pytest",
                              "pid": os.getpid(), "client": None, "position_encoding": None})
            reply = wire.read(sock)  # type: Reply
            workspace = reply.get("workspace")
            if reply.get("id") != 1 or not reply.get("recording") or not isinstance(workspace, str):
                return
            step = {"kind": "test_run", "source": "pytest", "framework": "pytest", "args": self.args,
                    "exit_status": exitstatus, "duration_ms": duration_ms, "tests": self._tests(workspace)}
            wire.write(sock, {"op": "step", "at": int(time.time() * 1000), "step": step})
            sock.shutdown(socket.SHUT_WR)  # then read to the end: the collector has read everything sent
            deadline = time.monotonic() + REQUEST_TIMEOUT_S
            while sock.recv(65536) and time.monotonic() < deadline:
                pass
        finally:
            sock.close()

    def _after_the_shell(self):
        # type: () -> None
        """Wait until the commands of this shell's earlier prompts reached the collector (the shell hook's
        spool delivered, collector/sources/shell/delivered.py), so that this run comes after them."""
        try:
            if delivered is not None and sys.platform != "win32":
                pid = delivered.shell_pid(os.environ, os.getppid())
                delivered.wait_delivered(os.path.dirname(self.address), pid)
        except Exception:  # recording must never disturb a test run, whatever goes wrong
            return

    def _connect(self):
        # type: () -> socket.socket
        """A connection to the collector (its Unix socket, or loopback TCP with the secret proved:
        collector/platform/loopback.py); retried for `wait_s` (`codetape run` is starting it), and for as
        long as a collector is being started (`starting`), MAX_WAIT_S at most."""
        now = time.monotonic()
        told, limit = now + self.wait_s, now + MAX_WAIT_S
        while True:
            try:
                sock = loopback.connect(self.address, CONNECT_TIMEOUT_S, socket.socket)  # type: socket.socket
                return sock
            except (FileNotFoundError, ConnectionRefusedError):
                now = time.monotonic()
                if now >= told and (now >= limit or not starting(os.path.dirname(self.address))):
                    raise
                self.waited = True
            time.sleep(0.05)

    def _tests(self, workspace):
        # type: (str) -> List[Dict[str, Any]]
        prefix = workspace + os.sep
        budget = [SUMMARIES_CHARS]
        tests = []
        for test in self.tests.values():
            if test["outcome"] is None:
                continue
            entry = {"nodeid": test["nodeid"], "outcome": test["outcome"],
                     "duration_ms": int(test["seconds"] * 1000)}
            if "kind" in test:
                entry["kind"] = test["kind"]
            summary = _summary(test["report"], prefix, budget) if test.get("report") is not None else None
            if summary:
                entry["summary"] = summary
            tests.append(entry)
        return tests


def starting(folder):
    # type: (str) -> bool
    """Whether a collector is being started for the socket in `folder`: someone holds
    `collector.starting` there (a client autostarting it, `codetape collector --detach`, the shell hook's
    recorder sending its first records), or a live shell spooled records there that its recorder has not
    claimed yet (its first command in a workspace: the recorder starts the collector); never after the user
    stopped recording."""
    if os.path.exists(os.path.join(folder, STOPPED_FILE)):
        return False
    return _held(os.path.join(folder, STARTING_FILE)) or _spooled(folder)


def _held(path):
    # type: (str) -> bool
    """Whether another process holds a lock on the file at `path` (its starters hold it shared; on
    Windows msvcrt's lock, collector/platform/locks.py's, is exclusive). On Windows the probe's lock is
    dropped before the descriptor is closed: a lock left to the close is released "after a delay that
    depends on system resources" (LockFileEx), which a starter's try-lock could meet."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        if sys.platform == "win32":
            import msvcrt  # Windows only

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # (the position is still the first byte's)
        else:
            import fcntl  # POSIX only

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # (POSIX: the probe's own lock with it)
    return False


def _spooled(folder):
    # type: (str) -> bool
    """Whether a live shell's records wait in `folder` (`shell-PID.spool`, collector/sources/shell/)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return False
    for name in names:
        spool = name.startswith("shell-") and name.endswith(".spool")
        pid = name[len("shell-"):-len(".spool")] if spool else ""
        if pid.isdigit() and _alive(int(pid)):
            return True
    return False


def _alive(pid):
    # type: (int) -> bool
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's: alive
        return True
    return True


def _note_lost(folder, root, tests):
    # type: (str, str, int) -> None
    """Leave a note that a test run of the workspace `root` was not handed to the collector, which turns it
    into a `gap` when it listens (collector/daemon/lost_runs.py); none after the user stopped recording."""
    if os.path.exists(os.path.join(folder, STOPPED_FILE)):
        return
    lost = os.path.join(folder, LOST_FOLDER)
    for directory in (folder, lost):  # the home's `run/` (the collector's, 0700), when no collector ran yet
        with contextlib.suppress(FileExistsError):
            os.mkdir(directory, 0o700)
    if len(os.listdir(lost)) >= MAX_LOST_NOTES:
        return
    name = "pytest-%d-%d" % (os.getpid(), int(time.time() * 1000))
    note = {"workspace": root, "at": int(time.time() * 1000), "source": "pytest", "tests": tests}
    partial = os.path.join(lost, "." + name)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(wire.dumps(note))
    os.rename(partial, os.path.join(lost, name + ".json"))  # whole, or not there at all


def _summary(report, prefix, budget):
    # type: (Report, str, List[int]) -> Optional[str]
    """A failure's crash line and the end of its text, a skip's reason, paths relative to the workspace;
    `budget` is what is left of the session's characters."""
    if isinstance(report.longrepr, tuple):  # a skip: (path, line, reason)
        text = str(report.longrepr[2])
    elif getattr(report, "wasxfail", ""):
        text = "xfail: " + str(report.wasxfail)
    else:
        crash = getattr(report.longrepr, "reprcrash", None)
        head = "%s:%s: %s" % (crash.path, crash.lineno, crash.message) if crash is not None else ""
        head = head[:512]
        if head.startswith(prefix):
            head = head[len(prefix):]
        room = max(0, min(SUMMARY_CHARS, budget[0]) - len(head) - 1)
        tail = report.longreprtext[-room:] if room else ""
        text = head + "\n" + tail if head and tail else head or tail
    text = text.replace(prefix, "")[:SUMMARY_CHARS]
    budget[0] -= len(text)
    return text or None


def _outcome(report):
    # type: (pytest.TestReport) -> Optional[str]
    """The test's outcome as this phase shows it; None when the phase says nothing new (a passing setup)."""
    xfail = hasattr(report, "wasxfail")
    if report.when == "call":
        if report.passed:
            return "xpassed" if xfail else "passed"
        if report.skipped:
            return "xfailed" if xfail else "skipped"
        return "failed"
    if report.failed:
        return "error"
    if report.skipped:
        return "xfailed" if xfail else "skipped"
    return None
