"""docs/datasets.md's multi-node recipe, on one machine: a Ray head and two worker nodes started by `ray
start` with token authentication, and `codetape dataset build --engine ray --ray-address HOST:PORT` run
against them from a source in an S3-compatible store (the `seaweed` fixture), builds the rows the local
engine builds from the same source. The head offers no CPU, so every task runs on a worker node, whose
own environment holds the store's credentials (the recipe's step 4). Three raylets on one machine share a
disk and a network card, so this proves the recipe's commands and that tasks and their rows move between
nodes' object stores, not anything about a real network (slow: under the `eval` marker).

On loopback only, as the project's tests are (the session's check, tests/support/binds.py, fails a process
listening elsewhere): every node is started with `--node-ip-address 127.0.0.1` and the head's address is on
loopback. Ray's `ray start` replaces a loopback node address with the machine's network address, and its
servers then listen on every address, unless the instance is for this machine alone
(RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0), which refuses worker nodes: the nodes are started by `ray start`'s
own entry point with that one replacement left out (RAY_START), and the drivers (the builds, the probe)
run with RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0, so that they take 127.0.0.1 as their own address too. The
probe checks that every node's address is loopback."""

from __future__ import annotations

import functools
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pyarrow.fs as pafs
import pytest

from tests.cli import codetape
from tests.integration.dataset.test_dataset_s3 import configure
from tests.support.dataset_helpers import TABLES, contributor, rows, session, sign, upload
from tests.support.seaweed import SeaweedFS
from tests.waiting import wait_for

# (beside the other evaluations, not alone: CI's minutes are short; in this stop's rehearsal a worker node
# did not start within 300 s while more tests than CI's ran beside it, and it passed in CI's runs before)
pytestmark = pytest.mark.eval
WORKERS = 2  # worker nodes, one CPU each; the head has none
LOOPBACK = "127.0.0.1"
# `ray start`, but a loopback --node-ip-address stays loopback (the module's docstring says why)
RAY_START = """
import sys
from ray._private import services
services.resolve_ip_for_localhost = lambda host: host
from ray.scripts.scripts import main
sys.argv[0] = "ray"
main()
"""


def listening(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, port)) == 0


def answers(probe: Callable[[], str], expected: str) -> bool:
    return probe() == expected


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def cluster(tmp_path: Path, seaweed: SeaweedFS) -> Iterator[tuple[str, dict[str, str]]]:
    """A head (no CPU) and WORKERS worker nodes (one CPU each), token authentication on, the S3 store's
    credentials in every node's environment: (address, the environment a client needs). Stopped by the ids
    of the processes started here (never `ray stop`, which stops every Ray on the machine)."""
    address = f"{LOOPBACK}:{free_port()}"
    env = {**os.environ, **seaweed.env(), "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32),
           "HOME": str(tmp_path / "home")}
    folder = tempfile.mkdtemp(prefix="ct-ray-")  # short: Ray's sockets are in it (108 bytes a path at most)
    common = ["--block", "--temp-dir", folder, "--node-ip-address", LOOPBACK]
    ray = [sys.executable, "-c", RAY_START, "start"]
    started = [subprocess.Popen([*ray, "--head", "--port", address.split(":")[1], "--num-cpus", "0",
                                 "--include-dashboard", "false", *common], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        host, port = address.split(":")
        wait_for(lambda: listening(host, int(port)) or started[0].poll() is not None, 120, "the head's GCS")
        assert started[0].poll() is None, "the head node exited"
        worker = [*ray, "--address", address, "--num-cpus", "1", *common]
        driver = env | {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
        count = (f"import ray; ray.init(address={address!r}, logging_level='ERROR'); "
                 "alive = [node for node in ray.nodes() if node['Alive']]; "
                 "print(len(alive), int(ray.cluster_resources()['CPU']), "
                 "*sorted({node['NodeManagerAddress'] for node in alive}))")

        def nodes() -> str:
            try:  # a client that cannot connect yet (or, on a loaded machine, not within the minute) waits
                return subprocess.run([sys.executable, "-c", count], env=driver, capture_output=True,
                                      text=True, check=False, timeout=60).stdout.strip()
            except subprocess.TimeoutExpired:
                return "no answer within 60 s"
        for joined in range(1, WORKERS + 1):  # one at a time: raylets starting together can pick one port
            started.append(subprocess.Popen(worker, env=env, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL))
            alive = f"{joined + 1} {joined} {LOOPBACK}"  # nodes alive (the head too), CPUs, their address
            wait_for(functools.partial(answers, nodes, alive), 300, f"worker node {joined} alive",
                     detail=nodes)
        yield address, driver
    finally:
        processes = [psutil.Process(process.pid) for process in started if process.poll() is None]
        family = [child for process in processes for child in process.children(recursive=True)]
        for process in [*processes, *family]:
            process.terminate()
        psutil.wait_procs([*processes, *family], timeout=30)
        for process in [*processes, *family]:
            if process.is_running():
                process.kill()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.timeout(1200)  # three raylets and three builds: over 300 s on a busy 2-core machine
def test_a_build_on_two_worker_nodes_from_an_s3_source_has_the_local_engines_rows(
        cluster: tuple[str, dict[str, str]], seaweed: SeaweedFS, tmp_path: Path) -> None:
    address, env = cluster
    source = f"s3://{seaweed.bucket('dataset-cluster')}/team/codetape"
    alice = contributor(tmp_path, "alice")
    configure(alice.home.root, seaweed)
    for seed in (51, 52, 53, 54, 55, 56):
        sign(alice, session(alice.home, seed, "edit-heavy" if seed % 2 else "mixed"))
    upload(alice, source, env=seaweed.env())
    team = tmp_path / "team"
    configure(team, seaweed)
    local = codetape(team, "dataset", "build", source, "-o", str(tmp_path / "local"), "--workers", "2",
                     "--quiet", env=seaweed.env())
    assert local.returncode == 0, local.stderr[-3000:]

    def build(out: Path, environment: dict[str, str], *flags: str) -> subprocess.CompletedProcess[str]:
        command = ["dataset", "build", source, "-o", str(out), "--engine", "ray", "--ray-address", address]
        return subprocess.run([sys.executable, "-m", "collector", *command, *flags],
                              env={**environment, "CODETAPE_HOME": str(team)},
                              capture_output=True, text=True, check=False, timeout=600)

    done = build(tmp_path / "ray", env)
    assert done.returncode == 0, done.stderr[-3000:]
    # the 6 episodes went out as 6 check tasks, spread: each worker node ran some (the head has no CPU)
    assert f"6 check tasks on {WORKERS} nodes, " in done.stdout, done.stdout
    filesystem = pafs.LocalFileSystem()
    for table in TABLES:
        found = rows(filesystem, str(tmp_path / "ray"), table)
        assert found == rows(filesystem, str(tmp_path / "local"), table), table
    assert len(rows(filesystem, str(tmp_path / "ray"), "episodes")) == 6
    without = {name: value for name, value in env.items() if name != "RAY_AUTH_TOKEN"}
    stranger = build(tmp_path / "stranger", without, "--quiet")  # the cluster's address without its token
    assert stranger.returncode == 1, stranger.stderr[-3000:]
    assert stranger.stderr.startswith(f"codetape: cannot start or reach {address}: Token authentication is "
                                      "enabled but no authentication token was found"), stranger.stderr
    assert len(stranger.stderr.splitlines()) == 1, stranger.stderr
