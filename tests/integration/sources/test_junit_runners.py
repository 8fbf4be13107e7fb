"""Test runs from real runners other than pytest's plugin (issue 15): Node's built-in runner with its
JUnit reporter, jest with jest-junit, `go test -json`, pytest's `--junitxml`. Each runs a suite with one
passing, one failing and one skipped test, through `codetape run` and through the bash hook, in an
opted-in workspace with a real collector; the recorded `test_run` says what the runner said."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from collector.daemon.rundir import pid_path
from collector.home import Home
from collector.protocol.client import Client
from collector.sources.testruns.junit_reports import CLOCK_SLACK_NS
from tests.integration.sources.test_run_hook_shell import interactive_bash, rcfile, recorder_gone
from tests.support.collector_harness import (
    codetape,
    episode_steps,
    journal_steps,
    opt_in,
    running,
    wait_recorded,
)
from tests.waiting import wait_for

RUNNERS = Path(__file__).parents[2] / "fixtures" / "runners"
SUITES = RUNNERS / "suites"
JEST = RUNNERS / "jest" / "node_modules"
OUTCOMES = {"adds": "passed", "fails": "failed", "skipped": "skipped"}


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "home"
    root = opt_in(tmp_path / "ws", home=home)
    with running(home):
        yield root


def home_of(ws: Path) -> Path:
    return ws.parent / "home"


def run(ws: Path, *argv: str, env: dict[str, str] | None = None) -> None:
    """`codetape run -- ARGV` in the workspace, then wait until its command step is recorded."""
    before = commands_recorded(ws)
    done = codetape(home_of(ws), "run", "--", *argv, cwd=ws, env=env, timeout=180)
    assert done.returncode in (0, 1), done.stderr
    wait_recorded(Home(home_of(ws).resolve()), ws, lambda steps: count(steps, "command") > before,
                  f"the command step of {argv[0]}")


def commands_recorded(ws: Path) -> int:
    return count(journal_steps(Home(home_of(ws).resolve()), ws), "command")


def count(steps: list[dict[str, Any]], kind: str) -> int:
    return sum(step["kind"] == kind for step in steps)


def seal(ws: Path) -> Path | None:
    """Seal (which waits for the test reports of every recorded command to be read): the episode."""
    done = codetape(home_of(ws), "seal", "--json", str(ws))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    return None if result is None else Path(result["path"])


def sealed(ws: Path) -> list[dict[str, Any]]:
    episode = seal(ws)
    return [] if episode is None else episode_steps(episode)


def outcomes(step: dict[str, Any]) -> dict[str, str]:
    """Each test's outcome by its last name (the ids carry suite and class before it)."""
    return {test["nodeid"].split("::")[-1].split(" ")[-1]: test["outcome"] for test in step["tests"]}


def the_test_run(steps: list[dict[str, Any]]) -> dict[str, Any]:
    runs = [step for step in steps if step["kind"] == "test_run"]
    assert len(runs) == 1, [(s["kind"], s.get("source"), s.get("detail")) for s in steps]
    return runs[0]


def test_node_builtin_runner_with_its_junit_reporter(ws: Path) -> None:
    shutil.copy(SUITES / "calc.test.mjs", ws / "calc.test.mjs")
    run(ws, "node", "--test", "--test-reporter=junit", "--test-reporter-destination=report.xml",
        "calc.test.mjs")
    episode = seal(ws)
    assert episode is not None
    step = the_test_run(episode_steps(episode))
    assert (step["source"], step.get("framework", "pytest"), step["exit_status"]) == ("junit", "node:test", 1)
    assert outcomes(step) == OUTCOMES
    failing = next(t for t in step["tests"] if t["outcome"] == "failed")
    assert "one and one is not three" in failing["summary"] and str(ws) not in failing["summary"]
    # replay, the review summary and the report see it as they see pytest's runs
    plain = codetape(home_of(ws), "replay", "--plain", str(episode)).stdout
    said = re.compile(r"failed: \S*fails \(1 of 3\)")  # the failing test named, without its file
    assert any("test_run" in line and said.search(line) for line in plain.splitlines())
    summary = json.loads(codetape(home_of(ws), "review", "--summary", "--json", str(episode)).stdout)
    assert summary["test_outcomes"] == {"failed": 1, "passed": 1, "skipped": 1}
    assert [run["failed"] for run in summary["test_runs"]] == [True]
    report = ws.parent / "report.html"
    assert codetape(home_of(ws), "report", str(episode), "-o", str(report)).returncode == 0
    assert said.search(report.read_text())


def test_jest_with_jest_junit(ws: Path) -> None:
    shutil.copy(SUITES / "calc.test.js", ws / "calc.test.js")
    (ws / "jest.config.json").write_text(json.dumps({"reporters": ["default", str(JEST / "jest-junit")]}))
    run(ws, str(JEST / ".bin" / "jest"), "--ci")  # jest-junit writes junit.xml where jest runs
    step = the_test_run(sealed(ws))
    assert (step.get("framework", "pytest"), step["exit_status"]) == ("jest", 1)
    assert outcomes(step) == OUTCOMES
    assert sorted(test["nodeid"] for test in step["tests"]) == ["calc::calc adds", "calc::calc fails",
                                                                 "calc::calc skipped"]


def go_env(ws: Path) -> dict[str, str]:
    cache = ws.parent / "go"
    return {"GOCACHE": str(cache / "cache"), "GOPATH": str(cache / "path"), "GOFLAGS": "-mod=mod",
            "GOTOOLCHAIN": "local", "GO111MODULE": "on"}


def test_go_test_json_is_read_from_the_output(ws: Path) -> None:
    shutil.copy(SUITES / "calc_test.go", ws / "calc_test.go")
    (ws / "go.mod").write_text("module example.org/calc\n\ngo 1.19\n")
    run(ws, "go", "test", "-json", "./...", env=go_env(ws))
    step = the_test_run(sealed(ws))
    assert (step["source"], step.get("framework", "pytest"), step["exit_status"]) == ("run", "go", 1)
    assert {t["nodeid"]: t["outcome"] for t in step["tests"]} == {
        "example.org/calc::TestAdds": "passed", "example.org/calc::TestFails": "failed",
        "example.org/calc::TestSkipped": "skipped"}
    failing = next(t for t in step["tests"] if t["outcome"] == "failed")
    assert "one and one is not 3" in failing["summary"]


def test_pytest_junitxml_without_the_plugin_and_with_it_one_run_each(ws: Path) -> None:
    shutil.copy(SUITES / "calc_suite.py", ws / "test_calc.py")
    run(ws, sys.executable, "-m", "pytest", "-q", "-p", "no:codetape", "-p", "no:cacheprovider",
        "--junitxml=out/junit.xml", "test_calc.py")
    step = the_test_run(sealed(ws))
    assert (step["source"], step.get("framework", "pytest")) == ("junit", "pytest")
    assert outcomes(step) == {"test_adds": "passed", "test_fails": "failed", "test_skipped": "skipped"}
    run(ws, sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml=out/junit.xml",
        "test_calc.py")
    step = the_test_run(sealed(ws))  # the plugin's and the report's: one run, one step (the plugin's)
    assert (step["source"], step.get("framework", "pytest")) == ("pytest", "pytest")


def test_a_report_written_through_the_bash_hook(ws: Path, tmp_path: Path) -> None:
    shutil.copy(SUITES / "calc.test.mjs", ws / "calc.test.mjs")
    home = home_of(ws)
    script = (f"cd {ws}\nnode --test --test-reporter=junit --test-reporter-destination=hooked.xml "
              "calc.test.mjs >/dev/null\n")
    interactive_bash(rcfile(tmp_path, home, hooked=True), home, script, tmp_path)
    wait_for(lambda: recorder_gone(home), what="the shell's recorder to finish and exit")
    wait_recorded(Home(home.resolve()), ws, lambda steps: count(steps, "command") >= 1, "the node command")
    step = the_test_run(sealed(ws))
    assert (step["source"], step.get("framework", "pytest"), step["exit_status"]) == ("junit", "node:test", 1)
    assert outcomes(step) == OUTCOMES


def test_reports_of_commands_not_recorded_produce_nothing(ws: Path, tmp_path: Path) -> None:
    shutil.copy(SUITES / "calc.test.mjs", ws / "calc.test.mjs")
    node = ["node", "--test", "--test-reporter=junit", "--test-reporter-destination=junit.xml",
            "calc.test.mjs"]

    subprocess.run(node, cwd=ws, capture_output=True, check=False)  # not through codetape: not recorded
    # a report written within the clock's slack before a command starts is taken for the command's; a person
    # does not type the next command that fast, and `codetape run` starts in less (~40 ms): older, as typed
    older = time.time_ns() - 20 * CLOCK_SLACK_NS
    os.utime(ws / "junit.xml", ns=(older, older))
    run(ws, "true")  # a recorded command that wrote no report: the older junit.xml is not its
    assert count(sealed(ws), "test_run") == 0
    assert codetape(home_of(ws), "pause", str(ws)).returncode == 0
    done = codetape(home_of(ws), "run", "--", *node, cwd=ws, timeout=180)  # paused: nothing
    assert done.returncode == 1
    assert codetape(home_of(ws), "resume", str(ws)).returncode == 0
    assert count(sealed(ws), "test_run") == 0
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(SUITES / "calc.test.mjs", outside / "calc.test.mjs")
    assert codetape(home_of(ws), "run", "--", *node, cwd=outside, timeout=180).returncode == 1
    assert count(sealed(ws), "test_run") == 0


HOSTILE = {
    "bomb": ('<?xml version="1.0"?>\n<!DOCTYPE t [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>\n'
             '<testsuites><testcase name="&b;"/></testsuites>\n'),
    "external": ('<?xml version="1.0"?>\n<!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
                 '<testsuites><testcase name="&x;"/></testsuites>\n'),
    "broken": '<testsuites><testcase name="a">',
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_report_is_a_gap_and_recording_goes_on(ws: Path, name: str) -> None:
    writer = f"import pathlib; pathlib.Path('junit.xml').write_text({HOSTILE[name]!r})"
    run(ws, sys.executable, "-c", writer)
    run(ws, "echo", "still recording")
    steps = sealed(ws)
    assert count(steps, "test_run") == 0 and count(steps, "command") == 2
    [gap] = [step for step in steps if step["kind"] == "gap" and step["source"] == "junit"]
    assert gap["reason"] == "unreadable_file" and "junit.xml" in gap["detail"]
    assert "root:" not in json.dumps(steps)  # /etc/passwd was never read into the episode


@pytest.mark.eval  # stress: scripts/test --all runs it
def test_a_huge_report_is_refused_and_a_million_tests_are_capped(ws: Path) -> None:
    huge = ("import os\nwith open('TEST-huge.xml', 'wb') as f:\n"
            "    f.write(b'<testsuites>'); f.truncate(65 * 1024 * 1024)\n")
    run(ws, sys.executable, "-c", huge)
    [gap] = [s for s in sealed(ws) if s["kind"] == "gap" and s["source"] == "junit"]
    assert "above the" in gap["detail"] and "TEST-huge.xml" in gap["detail"]
    many = ("with open('junit.xml', 'w') as f:\n    f.write('<testsuites><testsuite name=\"s\">')\n"
            "    f.writelines(f'<testcase classname=\"c\" name=\"t{i}\"/>' for i in range(1_000_000))\n"
            "    f.write('</testsuite></testsuites>')\n")
    os.remove(ws / "TEST-huge.xml")
    run(ws, sys.executable, "-c", many)
    steps = sealed(ws)
    assert len(the_test_run(steps)["tests"]) == 100_000
    [capped] = [s for s in steps if s["kind"] == "gap" and s["source"] == "junit"]
    assert capped["detail"].startswith("900,000 more tests")


def test_the_run_that_starts_the_collector_keeps_its_report(tmp_path: Path) -> None:
    """Issue 27, item 11: the first `codetape run` of a session starts the collector while its command
    runs; the report the command wrote is still read. It was dropped when the command ended before the
    collector was up: the step said it ended when the connection was ready, and the report looked older
    than the command. Here the command only writes a report node made beforehand, in milliseconds."""
    home = tmp_path / "home"
    ws = opt_in(tmp_path / "ws", home=home)
    shutil.copy(SUITES / "calc.test.mjs", ws / "calc.test.mjs")
    made = subprocess.run(["node", "--test", "--test-reporter=junit", "--test-reporter-destination=made.xml",
                           "calc.test.mjs"], cwd=ws, capture_output=True, check=False, timeout=120)
    assert made.returncode == 1 and (ws / "made.xml").exists(), made.stderr
    try:
        done = codetape(home, "run", "--junit", "report.xml", "--", "cp", "made.xml", "report.xml", cwd=ws,
                        timeout=180)
        assert done.returncode == 0, done.stderr
        step = the_test_run(sealed(ws))
        assert (step["source"], step["exit_status"]) == ("junit", 0)
        assert outcomes(step) == OUTCOMES
    finally:
        with Client.connect(Home(home.resolve()), autostart=False) as client:
            client.request("shutdown")
        wait_for(lambda: not pid_path(Home(home.resolve())).exists(), what="the collector to stop")
