"""End-to-end fixtures: a private CODETAPE_HOME, a real collector process, an opted-in git workspace."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from collector.episode import Episode, open_episode
from collector.reconstruct.workspace import replay
from schemas.steps import SaveStep

CODETAPE = [sys.executable, "-m", "collector"]


def codetape(env: dict[str, str], *args: str, cwd: Path | None = None) -> str:
    proc = subprocess.run([*CODETAPE, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, f"codetape {' '.join(args)}: {proc.stderr}"
    return proc.stdout


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return os.environ | {"CODETAPE_HOME": str(tmp_path / "home")}


@pytest.fixture
def collector(env: dict[str, str], tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    log = open(tmp_path / "collector.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([*CODETAPE, "collector"], env=env, stdout=log, stderr=subprocess.STDOUT)
    socket = Path(env["CODETAPE_HOME"]) / "run" / "collector.sock"
    deadline = time.monotonic() + 15
    while not socket.exists():
        assert proc.poll() is None, (tmp_path / "collector.log").read_text()
        assert time.monotonic() < deadline, "collector did not create its socket"
        time.sleep(0.05)
    yield proc
    proc.terminate()
    proc.wait(20)
    log.close()


@pytest.fixture
def workspace(tmp_path: Path, env: dict[str, str]) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    for args in (["init", "-q", "-b", "main"], ["config", "user.email", "e2e@codetape.invalid"],
                 ["config", "user.name", "e2e"]):
        subprocess.run(["git", *args], cwd=ws, check=True)
    codetape(env, "init", str(ws))
    return ws


def seal(env: dict[str, str], workspace: Path) -> Episode:
    """Seal the workspace's episode and open it."""
    time.sleep(0.5)  # let in-flight steps from the editor's bridge land
    out = json.loads(codetape(env, "seal", str(workspace), "--json"))
    assert out and out.get("path"), f"nothing was sealed: {out}"
    return open_episode(Path(out["path"]))


def saved_texts(episode: Episode, relpath: str) -> list[bytes]:
    """The reconstructed bytes of `relpath` at each of its save steps, in order."""
    texts = []
    for _, step, workspace in replay(episode.header.position_encoding, episode.steps()):
        if isinstance(step, SaveStep) and step.path == relpath:
            assert workspace.save_mismatch(step) is None
            text = workspace.text(relpath)
            assert text is not None
            texts.append(text.encode("utf-8"))
    return texts
