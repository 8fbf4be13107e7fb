"""`go test -json`: the Go toolchain's own event stream, read from the command's output as it passes.

Each line of `go test -json` (test2json) is an event: `{"Action": "run|pass|fail|skip|output|...",
"Package": ..., "Test": ..., "Elapsed": seconds, "Output": ...}`. A test's outcome is its last
pass/fail/skip; a failing test keeps the tail of its output as the summary. A package that fails without
any test failing (it did not build, or TestMain failed) is one `error` outcome named after the package.
Lines that are not events (a build error printed by `go vet`, say) are skipped. Memory is bounded: at
most `max_tests` tests, `SUMMARY_CHARS` of output per failing test (`SUMMARIES_CHARS` in all), and a
line longer than `MAX_LINE_BYTES` is dropped unread.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

TYPE_CHECKING = False  # typing is not loaded at a command's start-up (~3 ms)
if TYPE_CHECKING:
    from typing import Any

MAX_TESTS = 100_000
SUMMARY_CHARS = 2048  # per test
SUMMARIES_CHARS = 256 * 1024  # per run; past it, outcomes only
MAX_LINE_BYTES = 1024 * 1024
_OUTCOMES = {"pass": "passed", "fail": "failed", "skip": "skipped"}


def is_go_test_json(argv: Sequence[str]) -> bool:
    """Whether the command is `go test` with `-json` (before any `-args`)."""
    if len(argv) < 2 or os.path.basename(argv[0]) != "go" or argv[1] != "test":
        return False
    flags = argv[2:argv.index("-args")] if "-args" in argv else argv[2:]
    return any(flag in ("-json", "--json", "-json=true", "--json=true") for flag in flags)


class GoTestStream:
    """Feed it the command's output bytes; `tests()` gives the outcomes seen so far."""

    def __init__(self, max_tests: int = MAX_TESTS) -> None:
        self.max_tests = max_tests
        self.dropped = 0
        self._partial = bytearray()
        self._skipping_line = False
        self._tests: dict[str, dict[str, Any]] = {}
        self._output: dict[str, str] = {}
        self._failed_packages: dict[str, float] = {}
        self._summaries = 0

    def feed(self, chunk: bytes) -> None:
        lines = (bytes(self._partial) + chunk).split(b"\n")
        self._partial = bytearray()
        tail = lines.pop()
        for line in lines:
            if self._skipping_line:  # the rest of a line too long to keep
                self._skipping_line = False
                continue
            self._line(line)
        if len(tail) > MAX_LINE_BYTES:
            self._skipping_line = True
        else:
            self._partial += tail

    def tests(self) -> list[dict[str, Any]]:
        """Every test's outcome, in the order the tests started; failing packages without a failing test
        as one `error` each."""
        out = [dict(test) for test in self._tests.values() if test.get("outcome")]
        failing = {test["nodeid"].split("::", 1)[0] for test in out if test["outcome"] == "failed"}
        for package, elapsed in self._failed_packages.items():
            if package not in failing:
                out.append({"nodeid": package, "outcome": "error", "duration_ms": int(elapsed * 1000),
                            **({"summary": self._output[package]} if self._output.get(package) else {})})
        return out

    def _line(self, line: bytes) -> None:
        line = line.strip()
        if not line.startswith(b"{"):
            return
        try:
            event = json.loads(line)
        except ValueError:
            return
        if not isinstance(event, dict):
            return
        action, package, test = event.get("Action"), event.get("Package"), event.get("Test")
        if not isinstance(action, str) or not isinstance(package, str):
            return
        key = f"{package}::{test}" if isinstance(test, str) and test else package
        if action == "output" and isinstance(event.get("Output"), str):
            self._keep_output(key, event["Output"])
            return
        outcome = _OUTCOMES.get(action)
        if outcome is None:
            return
        elapsed = event.get("Elapsed")
        seconds = float(elapsed) if isinstance(elapsed, int | float) and elapsed >= 0 else 0.0
        if key == package:
            if outcome == "failed":
                self._failed_packages[package] = seconds
            return
        entry = self._tests.get(key)
        if entry is None:
            if len(self._tests) >= self.max_tests:
                self.dropped += 1
                return
            entry = self._tests[key] = {"nodeid": key[:4096]}
        entry.update(outcome=outcome, duration_ms=min(int(seconds * 1000), 2**53))
        said = self._output.pop(key, "")  # a finished test's output is kept only as its summary
        if outcome != "passed" and said and self._summaries < SUMMARIES_CHARS:
            entry["summary"] = said
            self._summaries += len(said)

    def _keep_output(self, key: str, text: str) -> None:
        if key not in self._output and len(self._output) >= self.max_tests:
            return
        self._output[key] = (self._output.get(key, "") + text)[-SUMMARY_CHARS:]
