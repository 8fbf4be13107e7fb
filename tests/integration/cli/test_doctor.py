"""`codetape doctor` (issue 39, item 6) in a fresh, container-like environment: a clean HOME, a root-owned
managed policy, real `python -m collector` processes, the real agent hook installer. It says what keeps
recording from working (exit 1) and, once nothing does, exits 0. Not run as a user other than root: this
machine's interpreter lives under /root, which only root may enter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from collector.sources.testruns.pytest_env import PLUGIN_DIR
from tests.cli import codetape_process
from tests.integration.policy.test_managed_policy import WITHOUT_CONSENT, install


@pytest.fixture
def machine(tmp_path: Path) -> dict[str, str]:
    """A clean HOME, codetape's interpreter first on PATH, and a root-owned managed policy."""
    tmp_path.chmod(0o755)
    user = tmp_path / "user"
    user.mkdir()
    policy = install(tmp_path / "etc-codetape", WITHOUT_CONSENT)
    return {"HOME": str(user), "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin{os.pathsep}/bin",
            "CODETAPE_POLICY": str(policy), "PYTHONPATH": ""}


def doctor(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return codetape_process(tmp_path / "user" / "codetape", "doctor", *args, env=env, cwd=tmp_path)


def line_of(done: subprocess.CompletedProcess[str], name: str) -> str:
    return next(line for line in done.stdout.splitlines() if line[8:].startswith(f"{name}:"))


def test_doctor_says_what_keeps_recording_from_working(machine: dict[str, str], tmp_path: Path) -> None:
    done = doctor(tmp_path, machine)
    assert done.returncode == 1, done.stderr
    assert line_of(done, "managed policy").startswith(f"ok      managed policy: {machine['CODETAPE_POLICY']}")
    # it only adds a policy to the system's, but an override in the environment is worth a look (issue 53)
    assert line_of(done, "policy override").startswith("PROBLEM policy override: CODETAPE_POLICY is set")
    assert line_of(done, "recording").startswith("PROBLEM recording: no editor plugin, agent hook or shell")
    assert line_of(done, "collector").startswith("--      collector: not running")
    assert done.stdout.splitlines()[-1] == "2 problems keep recording from working"

    home = tmp_path / "user" / "codetape"
    installed = codetape_process(home, "agent", "hook", "install", "--agent", "cursor", "--yes",
                                 env=machine, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    (tmp_path / "user" / ".bashrc").write_text('eval "$(codetape hook bash)"\n', encoding="utf-8")
    hooked = {**machine, "PYTHONPATH": str(PLUGIN_DIR)}
    del hooked["CODETAPE_POLICY"]  # as on a machine whose policy is in the system's location, or has none
    done = doctor(tmp_path, hooked)
    assert (done.returncode, done.stdout.splitlines()[-1]) == (0, "nothing keeps recording from working"), (
        done.stdout)
    hooks = tmp_path / "user" / ".cursor" / "hooks.json"
    assert line_of(done, "agent cursor") == f"ok      agent cursor: hooked in {hooks}"
    assert line_of(done, "shell hook") == "ok      shell hook: in ~/.bashrc"

    # PYTHONPATH reset after the shell hook: a pytest run here records no tests
    done = doctor(tmp_path, {**hooked, "PYTHONPATH": ""})
    assert done.returncode == 1
    assert "PYTHONPATH here does not reach the plugin although the shell hook" in line_of(done, "pytest")

    # an update of the agent rewrote its hooks and dropped one of codetape's entries
    config = json.loads(hooks.read_text(encoding="utf-8"))
    del config["hooks"]["stop"]
    hooks.write_text(json.dumps(config), encoding="utf-8")
    done = doctor(tmp_path, hooked, "--json")
    report = json.loads(done.stdout)
    assert done.returncode == 1 and report["ok"] is False
    cursor = next(check for check in report["checks"] if check["name"] == "agent cursor")
    assert cursor["state"] == "problem" and "incomplete" in cursor["detail"], cursor
    assert "codetape agent hook install --agent cursor" in cursor["detail"]

    # the policy made writable by others: refused, and nothing is recorded or signed
    Path(machine["CODETAPE_POLICY"]).chmod(0o666)
    hooked = {**hooked, "CODETAPE_POLICY": machine["CODETAPE_POLICY"]}
    done = doctor(tmp_path, hooked)
    assert done.returncode == 1
    assert line_of(done, "managed policy").startswith("PROBLEM managed policy: REFUSED: managed policy ")
    assert "is writable by group or others (mode 666)" in line_of(done, "managed policy")
    assert json.loads(doctor(tmp_path, hooked, "--json").stdout)["policy"]["state"] == "refused"

