"""One JUnit XML report as `test_run` outcomes: the lingua franca most test runners write.

Parsed with junitparser's element classes over defusedxml's streaming parser: a report may not carry a
DTD (so no entity expansion and no external entities, whatever the XML says), a file above `max_bytes`
is refused before it is opened, and each `<testcase>` is read and dropped as the parser passes it, so
memory stays flat however many tests a report holds; past `max_tests` the rest is counted, not kept.
A file that is not a JUnit report (another XML file a command happened to write) is `NotJUnit`; one that
is hostile, broken or too big is `BadReport`, whose message says why in one line.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from junitparser import Error, Failure, Skipped, TestCase

from collector.errors import CodetapeError
from collector.platform.files import NONBLOCK
from collector.workspace.beneath import open_beneath

MAX_REPORT_BYTES = 64 * 1024 * 1024
MAX_TESTS = 100_000
SUMMARY_CHARS = 2048
_ROOTS = {"testsuites", "testsuite"}


class NotJUnit(CodetapeError):
    """An XML (or other) file that is not a JUnit report: nothing to say about it."""


class BadReport(CodetapeError):
    """A JUnit report that cannot be read as it is (hostile, truncated, too large)."""


@dataclass
class Report:
    """What one report says: its name, and each test as a `test_run` outcome (a dict of its fields)."""

    name: str | None = None
    suites: list[str] = field(default_factory=list)
    tests: list[dict[str, Any]] = field(default_factory=list)
    dropped: int = 0  # tests past the cap, counted only


def read_junit(root: Path, relpath: str, *, max_bytes: int = MAX_REPORT_BYTES,
               max_tests: int = MAX_TESTS) -> Report:
    """The outcomes in the JUnit XML file `relpath` of the workspace `root` (its real path), read through
    collector.workspace.beneath: a report that is a link, or lies behind one, is not read."""
    path = Path(relpath)
    try:
        with open(open_beneath(root, relpath, os.O_RDONLY | NONBLOCK), "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            if size > max_bytes:
                raise BadReport(f"{path.name} is {size:,} bytes, above the {max_bytes:,} a report may have")
            return _read(stream, max_tests)
    except DefusedXmlException as exc:
        raise BadReport(f"{path.name} was refused: {type(exc).__name__} (a DTD or entity in a test "
                        "report is never expanded)") from None
    except ET.ParseError as exc:
        raise BadReport(f"{path.name} is not well-formed XML ({exc})") from None
    except OSError as exc:
        raise BadReport(f"{path.name} cannot be read ({exc.strerror})") from None


def _read(stream: Any, max_tests: int) -> Report:
    report = Report()
    suites: list[str] = []
    open_elements: list[Any] = []
    for event, elem in SafeET.iterparse(stream, events=("start", "end"), forbid_dtd=True):
        if event == "start":
            if not open_elements:
                if elem.tag not in _ROOTS:
                    raise NotJUnit(f"root element <{elem.tag}>")
                report.name = elem.get("name") or None
            open_elements.append(elem)
            if elem.tag == "testsuite":
                suites.append(elem.get("name") or "")
                if suites[-1] and suites[-1] not in report.suites and len(report.suites) < 100:
                    report.suites.append(suites[-1])
            continue
        open_elements.pop()
        if elem.tag == "testcase":
            if len(report.tests) < max_tests:
                case = TestCase.fromelem(elem)  # type: ignore[no-untyped-call]
                report.tests.append(_outcome(case, suites[-1] if suites else ""))
            else:
                report.dropped += 1
        elif elem.tag == "testsuite":
            suites.pop()
        if open_elements and open_elements[-1].tag in _ROOTS:  # read: let go of it, memory stays flat
            open_elements[-1].remove(elem)
    return report


def _outcome(case: TestCase, suite: str) -> dict[str, Any]:
    """One test: a stable id (suite, class, name), the outcome in test_run's vocabulary, the time spent
    and for anything but a pass the runner's message and text, bounded."""
    classname, name = case.classname or "", case.name or ""
    parts = list(dict.fromkeys(part for part in (suite, classname, name) if part))  # jest repeats names
    outcome, summary = "passed", None
    for result in case.result:
        kind = ("error" if isinstance(result, Error) else "failed" if isinstance(result, Failure)
                else "skipped" if isinstance(result, Skipped) else None)
        if kind is None:
            continue
        if outcome == "passed" or kind == "error":
            outcome = kind
        text = "\n".join(part for part in (result.message, result.text) if part)
        summary = (text or summary or "")[:SUMMARY_CHARS] or None
    try:
        seconds = max(0.0, float(case.time or 0))
    except (TypeError, ValueError):
        seconds = 0.0
    test: dict[str, Any] = {"nodeid": "::".join(parts)[:4096] or "(unnamed)", "outcome": outcome,
                            "duration_ms": min(int(seconds * 1000), 2**53)}
    if summary:
        test["summary"] = summary
    return test
