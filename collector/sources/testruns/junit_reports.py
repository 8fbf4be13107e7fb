"""Which JUnit reports a recorded command wrote, and which test runner wrote them.

A command (from `codetape run`, the shell hook or an editor's terminal) is finished when the collector
hears of it; the reports it wrote are the XML files, inside the workspace and not excluded by its own
rules, modified since the command started, among:

- the files its command line names (`--junitxml=out.xml`, `--test-reporter-destination report.xml`,
  `--output-junit ctest.xml`, `--log-junit ...`: any argument, or `--opt=` value, ending in `.xml`);
- the places runners write to by default, below the command's folder and the workspace's (`BUILTIN`:
  jest-junit's `junit.xml`, Maven Surefire and Gradle `TEST-*.xml`, cargo nextest, dotnet `TestResults`);
- the workspace's `[tests] junit` globs and `codetape run --junit GLOB`, relative to the workspace.

Git's ignore files do not hide a report (build output usually is ignored); the workspace's exclude globs
do. At most `MAX_REPORTS` files are taken, newest first.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from collector.policy.recording import Policy
from collector.workspace.beneath import real_relpath, stat_beneath

BUILTIN = (
    "junit.xml", "junit-*.xml", "*.junit.xml", "TEST-*.xml", "test-results/**/*.xml", "test-reports/**/*.xml",
    "build/test-results/**/*.xml", "target/surefire-reports/*.xml", "target/failsafe-reports/*.xml",
    "target/nextest/*/junit.xml", "TestResults/*.xml", "reports/junit*.xml",
)
MAX_REPORTS = 50
MAX_CANDIDATES = 10_000  # paths looked at per command, however wide a glob is
CLOCK_SLACK_NS = 50_000_000  # the kernel stamps files from a coarse clock (a tick behind the real time)

RUNNERS = (  # (words that name the runner on the command line, the framework recorded)
    (("jest",), "jest"), (("vitest",), "vitest"), (("mocha",), "mocha"), (("node", "--test"), "node:test"),
    (("go", "test"), "go"), (("cargo", "nextest"), "nextest"), (("cargo", "test"), "cargo"),
    (("mvn",), "maven"), (("mvnw",), "maven"), (("gradle",), "gradle"), (("gradlew",), "gradle"),
    (("dotnet",), "dotnet"), (("phpunit",), "phpunit"), (("rspec",), "rspec"), (("ctest",), "ctest"),
    (("pytest",), "pytest"), (("tox",), "tox"), (("bazel",), "bazel"), (("playwright",), "playwright"),
)


def command_words(argv: Sequence[str] | None, command_line: str | None) -> list[str]:
    """The command's words: its argv, or its shell line split as a shell would (best effort)."""
    if argv:
        return list(argv)
    if not command_line:
        return []
    try:
        return shlex.split(command_line, comments=True)
    except ValueError:  # an unbalanced quote: words as typed
        return command_line.split()


def named_reports(words: Iterable[str]) -> list[str]:
    """The `.xml` files a command line names, as written (relative to the command's folder or absolute)."""
    named = []
    for word in words:
        value = word.split("=", 1)[1] if word.startswith("-") and "=" in word else word
        if value.lower().endswith(".xml") and "\0" not in value:
            named.append(value)
    return named


def written_reports(policy: Policy, cwd: Path, words: Sequence[str], since_ns: int,
                    globs: Sequence[str] = ()) -> list[Path]:
    """The report files the command most likely wrote (their real paths, inside the workspace): candidates
    modified since it started."""
    root = policy.root
    candidates: dict[Path, None] = {}
    for name in named_reports(words):
        candidates[Path(os.path.join(cwd, name))] = None
    bases = dict.fromkeys([cwd, root])
    for pattern in BUILTIN:
        for base in bases:
            _glob_into(candidates, base, pattern)
    for pattern in globs:
        _glob_into(candidates, root, pattern)
    found: list[tuple[int, Path]] = []
    for path in list(candidates)[:MAX_CANDIDATES]:
        relpath = real_relpath(root, path)
        if relpath is None:  # gone, or outside the workspace (through a link too)
            continue
        try:
            info = stat_beneath(root, relpath)
        except OSError:
            continue
        if info.st_mtime_ns + CLOCK_SLACK_NS < since_ns or not stat.S_ISREG(info.st_mode):
            continue
        if policy.excluded_by_workspace(relpath):
            continue
        found.append((info.st_mtime_ns, root / relpath))
    found.sort(key=lambda item: item[0], reverse=True)
    return [path for _, path in found[:MAX_REPORTS]]


def _glob_into(candidates: dict[Path, None], base: Path, pattern: str) -> None:
    if pattern.startswith("/") or ".." in pattern.split("/"):
        return
    with contextlib.suppress(OSError, ValueError, NotImplementedError):
        for count, path in enumerate(base.glob(pattern)):
            if count >= MAX_CANDIDATES:
                return
            candidates[path] = None


def framework(words: Sequence[str], report_name: str | None, suites: Sequence[str]) -> str:
    """The test runner: named by the report (pytest's suite is `pytest`, jest-junit's root `jest tests`),
    else by the command line, else `junit`."""
    names = " ".join(filter(None, [report_name, *suites[:5]])).lower()
    for runner in ("pytest", "jest", "vitest", "mocha", "phpunit", "nextest"):
        if runner in names.split() or names.startswith(runner):
            return runner
    bare = [os.path.basename(word) for word in words[:8]]
    for needle, name in RUNNERS:
        if all(word in bare for word in needle):
            return name
    return "junit"
