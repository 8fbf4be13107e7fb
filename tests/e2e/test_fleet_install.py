"""The README's fleet install (For administrators), run as an administrator runs it: a wheel built from this
checkout, `uv tool install` of it with the system's Python into folders every user can read, a root-owned
managed policy; then `codetape doctor` and `codetape status --json` as a user who is not root (nobody), in
a clean HOME: the installed codetape runs for them and reports the policy in force, and refuses it once
the file is theirs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOBODY = 65534
SYSTEM_PYTHON = Path("/usr/bin/python3")


@pytest.fixture
def machine() -> Iterator[Path]:
    """A folder every user may enter (pytest's own tmp_path sits in one only root may)."""
    with tempfile.TemporaryDirectory(prefix="codetape-fleet-") as made:
        Path(made).chmod(0o755)
        yield Path(made)


@pytest.mark.eval
def test_a_fleet_install_runs_for_a_user_who_is_not_root(machine: Path) -> None:
    uv = shutil.which("uv", path=str(Path(sys.executable).parent))
    assert uv and SYSTEM_PYTHON.is_file(), "run scripts/setup (uv); the system's python3 is needed"
    assert os.geteuid() == 0, "an administrator's install: run as root"
    tmp_path = machine
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "CODETAPE"))}
    dist, tools, bin_dir = tmp_path / "dist", tmp_path / "opt-codetape", tmp_path / "bin"
    built = subprocess.run([uv, "build", "--wheel", "-o", str(dist), str(REPO)], env=env, capture_output=True,
                           text=True, timeout=600, check=False)
    assert built.returncode == 0, built.stderr
    wheel = next(dist.glob("codetape-*.whl"))
    env |= {"UV_TOOL_DIR": str(tools), "UV_TOOL_BIN_DIR": str(bin_dir)}
    done = subprocess.run([uv, "tool", "install", "--python", str(SYSTEM_PYTHON), str(wheel)], env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    for folder in (tools, bin_dir):
        folder.chmod(0o755)

    etc = tmp_path / "etc-codetape"
    etc.mkdir(mode=0o755)
    policy = etc / "policy.toml"
    policy.write_text('mandatory_exclude = ["docs/private/"]\nallowed_purposes = ["model-training"]\n',
                      encoding="utf-8")
    policy.chmod(0o644)
    user = tmp_path / "user"
    user.mkdir()
    os.chown(user, NOBODY, NOBODY)
    clean = {"HOME": str(user), "PATH": f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin",
             "CODETAPE_POLICY": str(policy)}

    def as_nobody(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["codetape", *args], env=clean, cwd=user, user=NOBODY, group=NOBODY,
                              extra_groups=[], capture_output=True, text=True, timeout=120, check=False)

    doctor = as_nobody("doctor")
    assert doctor.returncode == 1, doctor.stderr  # nothing hooked in a clean HOME
    lines = doctor.stdout.splitlines()
    assert lines[0] == f"ok      codetape: {bin_dir / 'codetape'}"
    assert lines[1].startswith(f"ok      managed policy: {policy} (added by CODETAPE_POLICY)")
    assert lines[2].startswith("PROBLEM policy override: CODETAPE_POLICY is set")
    status = json.loads(as_nobody("status", "--json").stdout)
    assert status["managed_policy"]["state"] == "in force"
    assert status["managed_policy"]["settings"]["allowed_purposes"] == ["model-training"]

    os.chown(policy, NOBODY, NOBODY)  # the user's own file is not the organisation's
    doctor = as_nobody("doctor")
    assert doctor.stdout.splitlines()[1].startswith("PROBLEM managed policy: REFUSED: managed policy ")
    assert "is owned by uid 65534, not root" in doctor.stdout
