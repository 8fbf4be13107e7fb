"""A bare `pytest` (no `codetape run`) ending while the shell hook's first command starts the collector:
the plugin waits for the collector being started (collector/protocol/starting.py) instead of losing the
run; and a run it could not hand over becomes a `gap` once a collector listens."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

from collector.errors import CodetapeError
from collector.home import Home
from collector.sources.shell.shell_hook import snippet, spool_dir
from collector.sources.testruns.pytest_env import pytest_env
from tests.cli import environment as env_for
from tests.integration.sources.test_run_hook_shell import interactive_bash, workspace
from tests.support.collector_harness import codetape, journal_steps, running, wait_recorded
from tests.waiting import wait_for

TESTS = "def test_passes():\n    assert True\n\n\ndef test_fails():\n    assert 1 == 2\n"
# the shell hook's recorder, on a machine so slow that it only starts once the test run below is over:
# the hook's interpreter waits for the `go` file that test writes, then is Python
SLOW_PYTHON = """#!/bin/sh
while [ ! -e {go} ]; do sleep 0.05; done
exec {python} "$@"
"""
GO_TESTS = TESTS.replace("    assert True", "    open({go!r}, 'w').close()")
PYTEST = Path(sys.executable).parent / "pytest"


def _steps(home: Home, ws: Path) -> list[dict[str, Any]]:
    try:
        return journal_steps(home, ws)
    except CodetapeError:  # not listening yet
        return []


def test_a_bare_pytest_while_the_hooks_collector_starts_is_a_test_run(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ws = workspace(tmp_path, home)
    go = tmp_path / "go"
    (ws / "test_two.py").write_text(GO_TESTS.format(go=str(go)))
    python = tmp_path / "slow-python"
    python.write_text(SLOW_PYTHON.format(go=shlex.quote(str(go)), python=shlex.quote(sys.executable)))
    python.chmod(0o755)
    rc = tmp_path / "rc"
    hook = snippet("bash", Home(home.resolve()), str(python))
    spool_dir(Home(home.resolve()))  # as `codetape hook bash` makes it
    rc.write_text(f"PS1='$ '\nHISTFILE={tmp_path / 'history'}\n{hook}")
    # a fresh home: no collector; the first command in the workspace (`true`) makes the hook's recorder start
    # one, and the pytest run typed next ends before it listens
    script = f"cd {ws}\ntrue\n{PYTEST} -q -p no:cacheprovider test_two.py; echo \"pytest: $?\"\n"
    try:
        done = interactive_bash(rc, home, script, tmp_path)
        assert "1 failed, 1 passed" in done.stdout and "pytest: 1" in done.stdout, done.stdout + done.stderr
        steps = wait_for(lambda: [s for s in _steps(Home(home.resolve()), ws) if s["kind"] == "test_run"],
                         what="the pytest run's test_run step",
                         detail=lambda: [s["kind"] for s in _steps(Home(home.resolve()), ws)])
    finally:
        codetape(home, "collector", "stop")
    (run,) = steps
    outcomes = {t["nodeid"]: t["outcome"] for t in run["tests"]}
    assert outcomes == {"test_two.py::test_passes": "passed", "test_two.py::test_fails": "failed"}
    assert run["exit_status"] == 1 and "assert 1 == 2" in next(
        t["summary"] for t in run["tests"] if t["outcome"] == "failed")


def test_a_run_not_handed_over_becomes_a_gap_once_a_collector_listens(tmp_path: Path) -> None:
    """Nobody listening and nobody starting a collector: the plugin does not wait, and its note becomes a
    `gap` in the workspace once a collector listens (as when its wait for one being started runs out)."""
    home = tmp_path / "home"
    ws = workspace(tmp_path, home)
    (ws / "test_two.py").write_text(TESTS)
    env = env_for(home, pytest_env(Home(home.resolve()), {}))
    done = subprocess.run([str(PYTEST), "-q", "-p", "no:cacheprovider", "test_two.py"], cwd=ws, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert len(list((Home(home.resolve()).socket.parent / "lost").glob("*.json"))) == 1
    with running(home) as daemon:
        steps = wait_recorded(daemon.home, ws, lambda steps: any(s["kind"] == "gap" for s in steps),
                              "the lost run's gap")
    (gap,) = [s for s in steps if s["kind"] == "gap"]
    assert gap["source"] == "pytest" and gap["reason"] == "collector_unreachable" and gap["lost_steps"] == 1
    assert "pytest run (2 tests)" in gap["detail"] and "not recorded" in gap["detail"]
    assert not list((Home(home.resolve()).socket.parent / "lost").glob("*.json")), "taken once"
