"""A bare `pytest` in a shell with the hook is recorded, and in its place (issue 87).

- In a fresh home whose workspace was opted in earlier (no collector running, as after a reboot), a new
  shell's first command line `cd ws; pytest -q` is a `test_run` with its failure: the hook saw the
  directory change before pytest ran (bash's DEBUG trap, zsh's chpwd) and had its recorder start the
  collector (shell_hook.py's wake), which the plugin waits for. Three shells here (bash twice, zsh), 20
  as an evaluation.
- `git status --short` at one prompt, `pytest -q` at the next, beside two busy loops: the command comes
  first, since the plugin waits for its shell's earlier records to be delivered (sources/shell/delivered.py),
  as `codetape run` does. Three shells here, 20 as an evaluation.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from collector.home import Home
from tests.integration.sources.test_run_hook_shell import interactive_bash, rcfile, recorder_gone, workspace
from tests.support.busy import busy_loops
from tests.support.collector_harness import codetape, env_for, episode_steps, git, running, wait_recorded
from tests.waiting import wait_for

TESTS = "def test_passes():\n    assert True\n\n\ndef test_fails():\n    assert 1 == 2\n"
PYTEST = Path(sys.executable).parent / "pytest"


def _sealed(home: Path, ws: Path) -> list[dict[str, Any]]:
    sealed = codetape(home, "seal", "--json", str(ws))
    assert sealed.returncode == 0, sealed.stderr
    result = json.loads(sealed.stdout)
    return [] if result is None else episode_steps(Path(result["path"]))


def interactive_zsh(tmp_path: Path, home: Path, script: str) -> subprocess.CompletedProcess[str]:
    """Run `script` in an interactive zsh with the hook in its .zshrc."""
    hook = codetape(home, "hook", "zsh")
    assert hook.returncode == 0, hook.stderr
    zdot = tmp_path / "zdot"
    zdot.mkdir()
    (zdot / ".zshrc").write_text(f"PS1='%% '\nHISTFILE={tmp_path / 'zhistory'}\n{hook.stdout}")
    return subprocess.run(["zsh", "-i"], input=script + "exit\n", capture_output=True, text=True,
                          cwd=tmp_path, env=env_for(home, {"ZDOTDIR": str(zdot)}), timeout=60, check=False)


def first_command_run(tmp_path: Path, shell: str = "bash") -> None:
    home = tmp_path / "home"
    ws = workspace(tmp_path, home)  # `codetape init`: opted in, no collector started
    (ws / "test_two.py").write_text(TESTS)
    assert not Home(home.resolve()).socket.exists()
    line = f"cd {ws}; {PYTEST} -q -p no:cacheprovider test_two.py\n"
    try:
        if shell == "bash":
            done = interactive_bash(rcfile(tmp_path, home, hooked=True), home, line, tmp_path)
        else:
            done = interactive_zsh(tmp_path, home, line)
        assert "1 failed, 1 passed" in done.stdout, done.stdout + done.stderr
        runs = wait_recorded(Home(home.resolve()), ws,
                             lambda steps: any(s["kind"] == "test_run" for s in steps), "the first test_run")
    finally:
        codetape(home, "collector", "stop")
    (run,) = [s for s in runs if s["kind"] == "test_run"]
    assert not [s for s in runs if s["kind"] == "gap"], runs
    outcomes = {t["nodeid"]: t["outcome"] for t in run["tests"]}
    assert outcomes == {"test_two.py::test_passes": "passed", "test_two.py::test_fails": "failed"}
    assert "assert 1 == 2" in next(t["summary"] for t in run["tests"] if t["outcome"] == "failed")


@pytest.mark.parametrize("shell", ["bash", "bash", "zsh"])
def test_a_new_shells_first_line_cd_then_pytest_is_a_test_run(tmp_path: Path, shell: str) -> None:
    first_command_run(tmp_path, shell)


@pytest.mark.eval
@pytest.mark.alone  # how soon a fresh shell's collector starts
@pytest.mark.parametrize("shell", range(20))
def test_a_new_shells_first_pytest_is_recorded_in_20_shells(tmp_path: Path, shell: int) -> None:
    first_command_run(tmp_path)


@pytest.fixture(name="busy_loops")
def loaded() -> Iterator[None]:
    """Two processes spinning, one a core on a two-core machine: the recorder and pytest race for the rest."""
    with busy_loops():
        yield


def order_runs(tmp_path: Path, shells: int) -> None:
    home = tmp_path / "home"
    ws = workspace(tmp_path, home)
    git(ws, "init", "-q")
    (ws / "test_one.py").write_text("def test_one():\n    assert True\n")
    rc = rcfile(tmp_path, home, hooked=True)
    with running(home) as daemon:
        for i in range(shells):
            status = f"git status --short > /dev/null; : {i}"
            script = f"cd {ws}\n{status}\n{PYTEST} -q -p no:cacheprovider test_one.py\n"
            done = interactive_bash(rc, home, script, tmp_path)
            assert "1 passed" in done.stdout, done.stdout + done.stderr
        wait_for(lambda: recorder_gone(home), what="the shells' recorders to exit")
        wait_recorded(daemon.home, ws, lambda steps: sum(s["kind"] == "test_run" for s in steps) >= shells and
                      sum(s["kind"] == "command" for s in steps) >= 2 * shells, f"{shells} shells' steps")
        steps = _sealed(home, ws)
    said = [s["command_line"] if s["kind"] == "command" else "test_run" for s in steps
            if s["kind"] in ("command", "test_run") and s.get("source") in ("shell", "pytest")]
    after = [said[said.index(f"git status --short > /dev/null; : {i}") + 1] for i in range(shells)]
    assert after == ["test_run"] * shells, said


@pytest.mark.usefixtures("busy_loops")
def test_git_status_then_pytest_keep_their_order_beside_two_busy_loops(tmp_path: Path) -> None:
    order_runs(tmp_path, 3)


@pytest.mark.eval
@pytest.mark.alone  # beside its own two busy loops
@pytest.mark.timeout(1800)  # 20 shells beside two busy loops: 15 to 30 s each on a loaded two-core machine
@pytest.mark.usefixtures("busy_loops")
def test_git_status_then_pytest_keep_their_order_in_20_shells(tmp_path: Path) -> None:
    order_runs(tmp_path, 20)
