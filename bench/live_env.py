"""A live codetape for the benchmarks: a temporary CODETAPE_HOME, an opted-in workspace, a collector.

    with live_codetape() as live:
        ...                       # live.env for child processes, live.client() for the socket
        summary = live.seal()     # the episode's path and step count
    # the collector got `shutdown` and exited; the temporary directory is gone

Also the small helpers every live benchmark shares: percentiles, the load average, RSS, binaries.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from collector.errors import CollectorError
from collector.home import Home
from collector.protocol.client import Client

BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """A console script of the running virtualenv (pylsp, lsp-devtools, codetape)."""
    path = BIN / name
    if not path.exists():
        raise SystemExit(f"{path} is missing: .venv/bin/pip install -e '.[bench,test]'")
    return str(path)


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100), linear between the closest ranks (numpy's default)."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def code_state() -> str:
    """The commit measured, and which of the measured packages differ from it in the working tree."""
    repo = Path(__file__).resolve().parents[1]
    git = ["git", "--no-optional-locks", "-C", str(repo)]
    try:
        head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run([*git, "status", "--porcelain", "--", "lsp_bridge", "collector", "schemas"],
                               capture_output=True, text=True, check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "code state unknown (no git)"
    if not dirty:
        return f"code at {head}"
    files = ", ".join(line[3:] for line in dirty)
    return f"code at {head} plus uncommitted changes to {files}"


def code_during(start: str) -> str:
    """`start` (a code_state() taken before the run), noting it if the code changed during the run."""
    end = code_state()
    if end == start:
        return start
    return f"{start}, loaded when the processes started; by the end the tree had moved on to {end}"


def rss_mib(pid: int) -> float:
    rss: int = psutil.Process(pid).memory_info().rss
    return rss / 2**20


@dataclass
class Live:
    root: Path
    home: Path
    workspace: Path
    env: dict[str, str]
    collector: subprocess.Popen[bytes]

    def client(self) -> Client:
        return Client.connect(Home(self.home), autostart=False)

    def request(self, op: str, **args: Any) -> Any:
        with self.client() as client:
            return client.request(op, **args)

    def steps_recorded(self, client: Client | None = None) -> int:
        """Steps in the workspace's open episode, as the collector counts them (asked over `client`, a
        connection kept for polling, or a new one)."""
        status = self.request("status") if client is None else client.request("status")
        for workspace in status["workspaces"]:
            if Path(workspace["root"]) == self.workspace:
                return int(workspace["steps"])
        return 0

    def seal(self) -> dict[str, Any] | None:
        result: dict[str, Any] | None = self.request("seal", workspace=str(self.workspace))
        return result


def _wait_listening(live: Live, deadline: float) -> None:
    while True:
        if live.collector.poll() is not None:
            code = live.collector.returncode
            raise SystemExit(f"the collector exited ({code}); see {live.home}/collector.out")
        try:
            live.request("status")
            return
        except (CollectorError, OSError):
            if time.monotonic() > deadline:
                raise SystemExit("the collector did not start listening") from None
            time.sleep(0.05)


@contextlib.contextmanager
def live_codetape(prefix: str = "ct-bench-") -> Iterator[Live]:
    """A temp home and an opted-in workspace, a collector started in the foreground and stopped after."""
    root = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    home, workspace = root / "home", root / "ws"
    workspace.mkdir()
    env = {**os.environ, "CODETAPE_HOME": str(home)}
    # as a developer's machine runs codetape: modules compiled once and cached (a sandbox may set this,
    # and every process would then compile each module it imports from source)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "collector", "init", str(workspace)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    home.mkdir(exist_ok=True)
    with open(home / "collector.out", "wb") as out:
        collector = subprocess.Popen([sys.executable, "-m", "collector", "collector"], env=env,
                                     stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    live = Live(root, home, workspace.resolve(), env, collector)
    try:
        _wait_listening(live, time.monotonic() + 30)
        yield live
    finally:
        with contextlib.suppress(CollectorError, OSError):
            live.request("shutdown")
        try:
            collector.wait(120)
        except subprocess.TimeoutExpired:
            collector.terminate()
            collector.wait(10)
        shutil.rmtree(root, ignore_errors=True)
