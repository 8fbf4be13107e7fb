"""One developer session with real git (commits, a branch switch, a stash, a rebase) and real pytest
runs: the episode's git steps match `git log`, its test runs match pytest's own junit XML."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from tests.e2e.conftest import seal

TESTS = """\
def test_add():
    assert 1 + 1 == 2


def test_broken():
    assert 2 * 2 == 5, "arithmetic is hard"


def test_more():
    assert "codetape".upper() == "CODETAPE"
"""


def git(ws: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=ws, check=True, capture_output=True, text=True).stdout.strip()


def commit(ws: Path, name: str, text: str, message: str) -> None:
    (ws / name).write_text(text, encoding="utf-8")
    git(ws, "add", name)
    git(ws, "commit", "-q", "-m", message)


def junit(path: Path) -> dict[str, str]:
    """test name -> outcome, as pytest's junit XML reports them."""
    outcomes = {}
    for case in ET.parse(path).iter("testcase"):
        tags = {child.tag for child in case}
        outcomes[case.attrib["name"]] = ("failed" if "failure" in tags else "error" if "error" in tags
                                         else "skipped" if "skipped" in tags else "passed")
    return outcomes


def test_git_history_and_test_runs_are_recorded_faithfully(collector: object, workspace: Path,
                                                           env: dict[str, str], tmp_path: Path) -> None:
    ws = workspace
    (ws / ".gitignore").write_text("__pycache__/\n.pytest_cache/\n", encoding="utf-8")
    commit(ws, "test_calc.py", TESTS, "tests: three of them")
    commit(ws, "README", "calc\n", "readme")
    git(ws, "switch", "-q", "-c", "feature")
    commit(ws, "feature.txt", "one\n", "feature: one")
    commit(ws, "feature.txt", "one\ntwo\n", "feature: two")
    git(ws, "switch", "-q", "main")
    commit(ws, "README", "calc, the calculator\n", "readme: say what it is")
    (ws / "README").write_text("work in progress\n", encoding="utf-8")
    git(ws, "stash", "push", "-q", "-m", "wip")
    git(ws, "switch", "-q", "feature")
    git(ws, "rebase", "-q", "main")
    git(ws, "switch", "-q", "main")
    git(ws, "stash", "pop", "-q")
    junit_xml = tmp_path / "junit.xml"
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          f"--junitxml={junit_xml}"], cwd=ws, env=env, capture_output=True, text=True)
    assert run.returncode == 1, run.stdout

    made = git(ws, "log", "--all", "--reverse", "--format=%H").splitlines()

    def recorded(steps: list[dict[str, Any]]) -> bool:  # every commit made, and the test run
        shas = {s.get(key) for s in steps if s["kind"] == "git" for key in ("sha", "new")}
        return set(made) <= shas and any(s["kind"] == "test_run" for s in steps)

    episode = seal(env, ws, recorded, "every commit made and the test run")
    steps = list(episode.steps())
    git_steps = [s for s in steps if s.kind == "git"]
    recorded_commits = [s.sha for s in git_steps if s.op in ("commit", "rebase") and s.sha]
    assert set(made) <= set(recorded_commits) | {s.new for s in git_steps if s.new}, (made, git_steps)
    for step in git_steps:
        if step.op == "commit":
            assert git(ws, "log", "-1", "--format=%s", step.sha) == (step.message or "").strip()
    ops = {s.op for s in git_steps}
    assert {"commit", "checkout", "stash", "rebase"} <= ops, ops

    (test_run,) = [s for s in steps if s.kind == "test_run"]
    recorded = {t.nodeid.split("::")[-1]: t.outcome for t in test_run.tests}
    assert recorded == junit(junit_xml) == {"test_add": "passed", "test_broken": "failed",
                                            "test_more": "passed"}
    broken = next(t for t in test_run.tests if t.nodeid.endswith("test_broken"))
    assert broken.summary and "arithmetic is hard" in broken.summary
    assert test_run.exit_status == 1
