"""End-to-end fixtures: a private CODETAPE_HOME, a real collector process, an opted-in git workspace."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from collector.episode import Episode, open_episode
from collector.home import Home
from collector.reconstruct.workspace import replay
from schemas.steps import SaveStep
from tests.cli import codetape
from tests.support.collector_harness import wait_recorded
from tests.support.dataset_helpers import duck
from tests.waiting import wait_for

CODETAPE = [sys.executable, "-m", "collector"]


def home_of(env: dict[str, str]) -> Path:
    """The CODETAPE_HOME of an environment made by `environment`."""
    return Path(env["CODETAPE_HOME"])


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return environment(tmp_path)


@pytest.fixture
def collector(env: dict[str, str], tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    with running_collector(env, tmp_path / "collector.log") as proc:
        yield proc


@pytest.fixture
def workspace(tmp_path: Path, env: dict[str, str]) -> Path:
    return opted_in_repository(tmp_path / "ws", env)


SCOPE = "'acme'"  # the managed policy's scope `scoped` installs, as the editors' status lines name it
SCOPED_POLICY = """\
[[scope]]
name = "acme"
remotes = ["git.acme.example/platform/*"]
mandatory_exclude = ["secrets/"]
"""


@pytest.fixture
def scoped(env: dict[str, str], tmp_path: Path) -> str:
    """A managed policy CODETAPE_POLICY adds (root's folder and file, as an administrator installs them),
    whose [[scope]] `acme` governs the repositories of git.acme.example/platform: set in `env` for the
    collector started after it (name it before `collector`). Give a workspace a remote there with
    `governed`. Its name as the status lines show it."""
    folder = tmp_path / "etc-codetape"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    path = folder / "policy.toml"
    path.write_text(SCOPED_POLICY, encoding="utf-8")
    path.chmod(0o644)
    os.chown(folder, 0, 0)
    os.chown(path, 0, 0)
    env["CODETAPE_POLICY"] = str(path)
    return SCOPE


def governed(workspace: Path) -> None:
    """The workspace's `origin` is a repository the `scoped` policy's scope governs."""
    subprocess.run(["git", "remote", "add", "origin", "https://git.acme.example/platform/app.git"],
                   cwd=workspace, check=True)


def environment(base: Path) -> dict[str, str]:
    """This process's environment with CODETAPE_HOME=`base`/home."""
    return os.environ | {"CODETAPE_HOME": str(base / "home")}


@contextlib.contextmanager
def running_collector(env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A real `codetape collector` for env's CODETAPE_HOME, its output in `log_path`, once it listens."""
    log = open(log_path, "wb")  # noqa: SIM115
    proc = subprocess.Popen([*CODETAPE, "collector"], env=env, stdout=log, stderr=subprocess.STDOUT)
    socket = Home(Path(env["CODETAPE_HOME"])).socket  # (a Unix socket, or loopback TCP's endpoint file)

    def listening() -> bool:
        assert proc.poll() is None, log_path.read_text()
        return socket.exists()

    try:
        wait_for(listening, what="the collector to create its socket")
        yield proc
    finally:
        proc.terminate()
        proc.wait(60)
        log.close()


def opted_in_repository(ws: Path, env: dict[str, str]) -> Path:
    """A new git repository at `ws`, opted in with `codetape init`."""
    ws.mkdir()
    for args in (["init", "-q", "-b", "main"], ["config", "user.email", "e2e@codetape.invalid"],
                 ["config", "user.name", "e2e"]):
        subprocess.run(["git", *args], cwd=ws, check=True)
    codetape(home_of(env), "init", str(ws), check=True)
    return ws


def seal(env: dict[str, str], workspace: Path, until: Callable[[list[dict[str, Any]]], object],
         what: str) -> Episode:
    """Seal the workspace's episode once its recorded steps satisfy `until`, and open it.

    The editor has exited, but the last steps its bridge sent may still be on their way to the collector:
    the test names what it needs recorded (the last save, say), and the seal waits for exactly that.
    """
    wait_recorded(Home(Path(env["CODETAPE_HOME"]).resolve()), workspace, until, what)
    out = json.loads(codetape(home_of(env), "seal", str(workspace), "--json", check=True).stdout)
    assert out and out.get("path"), f"nothing was sealed: {out}"
    return open_episode(Path(out["path"]))


def built_dataset(env: dict[str, str], episode: Episode, scratch: Path) -> duckdb.DuckDBPyConnection:
    """`episode` the whole way a developer's goes: signed (`codetape sign`), uploaded to a file://
    destination, built into a dataset with `codetape dataset build`; the dataset's tables as DuckDB
    reads them."""
    uploads, out = scratch / "uploads", scratch / "dataset"
    codetape(home_of(env), "keys", "init", "--no-passphrase", check=True)
    codetape(home_of(env), "sign", str(episode.header.episode_id), "--yes", check=True)
    codetape(home_of(env), "upload", "--to", uploads.as_uri(), "--quiet", check=True)
    codetape(home_of(env), "dataset", "build", uploads.as_uri(), "-o", str(out), "--quiet", check=True)
    return duck(out)


def saves_of(relpath: str, count: int) -> Callable[[list[dict[str, Any]]], bool]:
    """A condition on the recorded steps: `count` saves of `relpath` (an editor's last save is its last step
    that matters)."""
    return lambda steps: sum(s["kind"] == "save" and s.get("path") == relpath for s in steps) >= count


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
