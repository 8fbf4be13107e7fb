"""scripts/setup's phases say what they do while they run (issue 74): `busy` repeats the phase's name
within 2 s of its start and on, and hands on its command's exit status. Driven through bash for real, the
command waiting for a file the test makes only once it has heard the phase."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def _busy(tmp_path: Path, code: int) -> tuple[list[str], int]:
    flag = tmp_path / "go"
    waits = f"while [ ! -e {flag} ]; do sleep 0.1; done; exit {code}"
    script = f'. scripts/lib/progress.sh; busy "waiting for the test" bash -c "{waits}" 2>/dev/null'
    proc = subprocess.Popen(["bash", "-c", script], cwd=REPO, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    heard = [proc.stderr.readline().rstrip("\n")]  # blocks until busy speaks (or bash ends: "")
    flag.touch()
    heard += proc.stderr.read().splitlines()
    return heard, proc.wait(timeout=60)


def test_a_phase_that_runs_on_says_so_within_2_s_even_when_its_command_is_silenced(tmp_path: Path) -> None:
    heard, code = _busy(tmp_path, 0)
    assert heard[0] == "setup: still waiting for the test (2 s)", heard
    assert code == 0


def test_busy_hands_on_its_command_s_failure(tmp_path: Path) -> None:
    heard, code = _busy(tmp_path, 3)
    assert heard[0].startswith("setup: still waiting for the test"), heard
    assert code == 3


def test_every_long_command_of_setup_runs_under_busy() -> None:
    """The commands that take seconds to minutes on a fresh machine (apt-get, venv, pip, npm, Helix's
    download, the extension's packaging) each run under `busy`, so none is a silent wait."""
    setup = (REPO / "scripts/setup").read_text()
    for command in ("update -q", "install -y -q", "-m venv .venv", "pip install -q uv",
                    "install -q\n", "trl==1.16.0", "trl==0.29.0", "npm ci --prefix", "npm install --prefix",
                    "scripts/helix", "-s package", "e2e/install.sh"):
        lines = [line for line in setup.splitlines() if command.strip() in line and "busy" not in line
                 and not line.lstrip().startswith("#")]
        assert not lines, (command, lines)
