"""The `codetape` pytest plugin (entry point `pytest11`): each test session becomes one `test_run` step.

Per test: node id, outcome (passed, failed, skipped, error, xfailed, xpassed), duration over setup, call
and teardown, and for failures a bounded summary. Per session: the arguments, the exit status and the
duration. It is silent and costs a few `stat` calls unless pytest's rootdir lies in an opted-in workspace
and a collector is already running there; it never prints, never changes the exit status, and
`-p no:codetape` disables it. Nothing heavier than the standard library is imported until both hold.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collector.protocol.client import Client

SETTINGS_FILE = ".codetape.toml"  # schemas.settings.SETTINGS_FILE, not imported: pydantic costs 0.1-0.2 s
CONNECT_TIMEOUT_S = 0.5
REQUEST_TIMEOUT_S = 2.0
SUMMARY_CHARS = 2048  # per failing test
SUMMARIES_CHARS = 256 * 1024  # per session; past it, only the crash line is kept
MAX_TESTS = 100_000
MAX_ARG_CHARS = 4096


def opted_in_root(path: Path) -> Path | None:
    """The nearest ancestor of `path` holding the workspace settings file (stat calls only): a cheap
    pre-filter; the collector decides which workspace, if any, is opted in (registered, settings the
    user's own) and answers with its root."""
    current = path.absolute()
    for candidate in (current, *current.parents):
        if os.path.isfile(candidate / SETTINGS_FILE):
            return candidate
    return None


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return  # an xdist worker: the controller sees every report and records the session
    root = opted_in_root(config.rootpath)
    if root is None:
        return
    try:
        recorder = Recorder.connect(root, [str(a)[:MAX_ARG_CHARS] for a in config.invocation_params.args])
    except Exception:  # recording must never disturb a test run, whatever goes wrong
        return
    if recorder is not None:
        config.pluginmanager.register(recorder, "codetape-recorder")


class Recorder:
    """Collects one session's reports and sends them as a `test_run` step at the end."""

    def __init__(self, client: Client, root: Path, args: list[str]) -> None:
        from collector.protocol.clock import monotonic_ms

        self.client = client
        self.root = f"{root}{os.sep}"
        self.args = args[:1000]
        self.started = monotonic_ms()
        self.tests: dict[str, dict[str, Any]] = {}
        self.summary_budget = SUMMARIES_CHARS

    @classmethod
    def connect(cls, root: Path, args: list[str]) -> Recorder | None:
        """A recorder when a running collector records this workspace; None otherwise (never autostart)."""
        from collector.errors import CollectorError
        from collector.home import Home
        from collector.protocol.client import Client

        try:
            client = Client.connect(Home.from_env(), autostart=False, timeout=CONNECT_TIMEOUT_S)
        except CollectorError:
            return None
        client.request_timeout = REQUEST_TIMEOUT_S
        try:
            reply = client.hello(root, "pytest")
        except CollectorError:
            reply = {}
        if not reply.get("recording") or not isinstance(reply.get("workspace"), str):
            client.close()
            return None
        return cls(client, Path(reply["workspace"]), args)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        try:
            if report.failed:
                self._note(report.nodeid, "error", 0.0, report)
        except Exception:  # an odd report (another plugin's) is not recorded; the run goes on untouched
            return

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        try:
            self._note(report.nodeid, _outcome(report), report.duration, report)
        except Exception:  # an odd report (another plugin's) is not recorded; the run goes on untouched
            return

    def _note(self, nodeid: str, outcome: str | None, duration: float,
              report: pytest.TestReport | pytest.CollectReport) -> None:
        test = self.tests.get(nodeid)
        if test is None:
            if len(self.tests) >= MAX_TESTS:
                return
            test = self.tests[nodeid] = {"nodeid": nodeid[:4096], "outcome": None, "seconds": 0.0}
        test["seconds"] += duration
        if outcome is None or (outcome == "error" and test["outcome"] == "failed"):
            return
        test["outcome"] = outcome
        if outcome in {"failed", "error", "skipped", "xfailed"}:
            test["summary"] = self._summary(report)

    def _summary(self, report: pytest.TestReport | pytest.CollectReport) -> str | None:
        if isinstance(report.longrepr, tuple):  # a skip: (path, line, reason)
            text = str(report.longrepr[2])
        elif getattr(report, "wasxfail", ""):
            text = f"xfail: {report.wasxfail}"
        else:
            crash = getattr(report.longrepr, "reprcrash", None)
            head = f"{crash.path}:{crash.lineno}: {crash.message}"[:512] if crash is not None else ""
            head = head.removeprefix(self.root)
            room = max(0, min(SUMMARY_CHARS, self.summary_budget) - len(head) - 1)
            tail = report.longreprtext[-room:] if room else ""
            text = f"{head}\n{tail}" if head and tail else head or tail
        text = text.replace(self.root, "")[:SUMMARY_CHARS]  # paths relative to the workspace, as everywhere
        self.summary_budget -= len(text)
        return text or None

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        try:
            self._send(int(exitstatus))
        except Exception:  # the collector went away, or a report was odd: the run itself is unaffected
            return

    def _send(self, exitstatus: int) -> None:
        from collector.protocol.clock import monotonic_ms, now_ms

        tests = [{"nodeid": t["nodeid"], "outcome": t["outcome"], "duration_ms": int(t["seconds"] * 1000),
                  **({"summary": t["summary"]} if t.get("summary") else {})}
                 for t in self.tests.values() if t["outcome"] is not None]
        step = {"kind": "test_run", "source": "pytest", "framework": "pytest", "args": self.args,
                "exit_status": exitstatus, "duration_ms": monotonic_ms() - self.started,
                "tests": tests}
        self.client.send_step(now_ms(), step)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        try:
            self.client.close()
        except Exception:  # closing a dead connection must not surface in the test run
            return


def _outcome(report: pytest.TestReport) -> str | None:
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
