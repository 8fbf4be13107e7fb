"""Test runs from any runner: after a recorded command, the JUnit reports it wrote become one `test_run`.

The session hands every `command` step it records to `JUnitRuns.after`; a worker thread of the
session's own looks for the reports (sources/testruns/junit_reports.py), reads them
(sources/testruns/junit.py) and adds one `test_run` step (source `junit`) with every test of every report,
framework named, exit status and duration taken from the command. Never on the caller's thread: recording
never waits for a parse.

- A report already turned into steps (same file, size and mtime) is not read twice, so two commands
  that overlap do not both claim it.
- When the pytest plugin reported a run during the command, pytest's own JUnit report is skipped: one
  run, one `test_run` step (the plugin's, which sees more).
- A report that is refused (a DTD, too big, broken XML) is a `gap` (`unreadable_file`) saying so; tests
  beyond the cap a `gap` (`other`) with the count.
- Paths of the workspace in failure texts are made relative, as the pytest plugin does.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from collector.policy.recording import Policy
from collector.sources.testruns.junit import MAX_TESTS, BadReport, NotJUnit, read_junit
from collector.sources.testruns.junit_reports import command_words, framework, written_reports
from schemas.steps import CommandStep, TestRunStep

log = logging.getLogger("codetape.collector")
SEEN_REPORTS = 1024
PYTEST_RUNS = 64
MAX_ARGS = 1000
MAX_ARG_CHARS = 4096

Add = Callable[[int, dict[str, Any]], None]


class JUnitRuns:
    """Turns the reports recorded commands write into `test_run` steps, on a thread of its own."""

    def __init__(self, root: Path, policy: Callable[[], Policy], add: Add) -> None:
        self._root = root
        self._policy = policy
        self._add = add
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="codetape-test-reports")
        self._seen: OrderedDict[tuple[str, int, int], None] = OrderedDict()
        self._pytest_runs: deque[int] = deque(maxlen=PYTEST_RUNS)  # t (epoch ms) of the plugin's runs
        self._lock = threading.Lock()

    def saw_test_run(self, at_ms: int, step: TestRunStep) -> None:
        """Note a `test_run` recorded from another source (the pytest plugin's, to skip its JUnit twin)."""
        if step.framework == "pytest":
            with self._lock:
                self._pytest_runs.append(at_ms)

    def after(self, at_ms: int, command: CommandStep, globs: Sequence[str] = ()) -> None:
        """Look, on the worker thread, for the reports the command that ended at `at_ms` wrote."""
        try:
            self._pool.submit(self._look, at_ms, command, tuple(globs))
        except RuntimeError:  # shut down: the session is closing
            return

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)

    def settle(self) -> None:
        """Wait until every command handed over so far was looked at (for seal and tests)."""
        try:
            self._pool.submit(lambda: None).result()
        except RuntimeError:
            return

    def _look(self, at_ms: int, command: CommandStep, globs: tuple[str, ...]) -> None:
        try:
            self._turn_into_steps(at_ms, command, globs)
        except Exception:  # a bug here must not stop the worker: the command itself is recorded
            log.exception("%s: test reports of a command could not be read", self._root)

    def _turn_into_steps(self, at_ms: int, command: CommandStep, globs: tuple[str, ...]) -> None:
        policy = self._policy()
        started_ms = at_ms - command.duration_ms
        cwd = self._root / (command.cwd or ".")
        words = command_words(command.argv, command.command_line)
        paths = written_reports(policy, cwd, words, started_ms * 1_000_000,
                                [*policy.settings.tests.junit, *globs])
        tests: list[dict[str, Any]] = []
        names: list[str] = []
        dropped = 0
        for path in paths:
            if not self._first_time(path):
                continue
            try:
                report = read_junit(policy.root, path.relative_to(policy.root).as_posix(),
                                    max_tests=MAX_TESTS - len(tests))
            except NotJUnit:
                continue
            except BadReport as exc:
                self._add(at_ms, {"kind": "gap", "source": "junit", "reason": "unreadable_file",
                                  "detail": f"test report not read: {exc}"})
                continue
            name = framework(words, report.name, report.suites)
            if name == "pytest" and self._pytest_reported(started_ms, at_ms):
                continue
            names.append(name)
            tests.extend(self._relative(test) for test in report.tests)
            dropped += report.dropped
        if not names:
            return
        step: dict[str, Any] = {
            "kind": "test_run", "source": "junit", "framework": names[0],
            "args": [word[:MAX_ARG_CHARS] for word in words[:MAX_ARGS]], "tests": tests,
            "duration_ms": max(0, at_ms - started_ms)}
        if command.exit_code is not None:
            step["exit_status"] = command.exit_code
        self._add(at_ms, step)
        if dropped:
            self._add(at_ms, {"kind": "gap", "source": "junit", "reason": "other",
                              "detail": f"{dropped:,} more tests in the reports were not recorded "
                                        f"(at most {MAX_TESTS:,} per run)"})

    def _first_time(self, path: Path) -> bool:
        try:
            info = path.stat()
        except OSError:
            return False
        key = (str(path), info.st_size, info.st_mtime_ns)
        with self._lock:
            if key in self._seen:
                return False
            self._seen[key] = None
            while len(self._seen) > SEEN_REPORTS:
                self._seen.popitem(last=False)
        return True

    def _pytest_reported(self, started_ms: int, ended_ms: int) -> bool:
        with self._lock:
            return any(started_ms - 1000 <= t <= ended_ms + 1000 for t in self._pytest_runs)

    def _relative(self, test: dict[str, Any]) -> dict[str, Any]:
        summary = test.get("summary")
        if isinstance(summary, str):
            test["summary"] = summary.replace(f"{self._root}/", "")
        return test

