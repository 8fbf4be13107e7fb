"""The Oblivious HTTP road for tests, every piece a real process on a loopback address of its own: nginx
from Debian's packages as the relay (configured as docs/administrators.md shows), `codetape gateway
serve`, and recording hops (`Hop`: a TCP forwarder in the test process) in front of the gateway, the store
and the issuer, which keep the bytes each connection sent and the process that opened it.

Every program here connects from 127.0.0.1 whatever address it listens on (the kernel's choice for
loopback; botocore offers no source address to bind), so a hop tells who connected by the process that
owns the connection's other end (psutil), not by its address."""

from __future__ import annotations

import contextlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from tests.cli import environment
from tests.waiting import wait_for

NGINX = "/usr/sbin/nginx"
_GATEWAY_URL = re.compile(r"listening on http://([0-9.]+):(\d+)")


@dataclass
class Connection:
    pid: int | None  # the process that opened it (None: gone before it was looked up)
    sent: bytearray = field(default_factory=bytearray)  # what it sent towards the upstream


class Hop:
    """Listens on `host` (a port of its own), forwards each connection to `upstream`, records it."""

    def __init__(self, host: str, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.server = socket.create_server((host, 0))
        self.address: tuple[str, int] = self.server.getsockname()[:2]
        self.connections: list[Connection] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.address[0]}:{self.address[1]}"

    def _accept(self) -> None:
        while True:
            try:
                client, peer = self.server.accept()
            except OSError:
                return
            record = Connection(owner(peer))
            with self._lock:
                self.connections.append(record)
            upstream = socket.create_connection(self.upstream)
            threading.Thread(target=self._pipe, args=(client, upstream, record.sent), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, None), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket, kept: bytearray | None) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                if kept is not None:
                    kept += chunk
                target.sendall(chunk)
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)

    def pids(self) -> set[int | None]:
        with self._lock:
            return {c.pid for c in self.connections}

    def sent(self) -> bytes:
        with self._lock:
            return b"".join(bytes(c.sent) for c in self.connections)

    def count(self) -> int:
        with self._lock:
            return len(self.connections)

    def close(self) -> None:
        self.server.close()


def owner(peer: tuple[str, int]) -> int | None:
    """The process whose socket is the other end of a loopback connection from `peer`."""
    for conn in psutil.net_connections(kind="tcp4"):
        if conn.laddr and (conn.laddr.ip, conn.laddr.port) == tuple(peer[:2]) and conn.pid is not None:
            return int(conn.pid)
    return None


def free_port(host: str) -> int:
    with socket.create_server((host, 0)) as probe:
        return int(probe.getsockname()[1])


RELAY_CONF = """\
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen {host}:{port};
        client_max_body_size 65m;
        location = /gateway {{
            proxy_pass {gateway}/;
            proxy_http_version 1.1;
            proxy_pass_request_headers off;
            proxy_set_header Content-Type $content_type;
            proxy_set_header Content-Length $content_length;
{extra}        }}
    }}
}}
"""
FORWARDED = """\
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header Forwarded "for=$remote_addr";
"""


class Relay:
    """nginx forwarding POSTs to /gateway on `host` to `gateway` (a URL), reading nothing of them."""

    def __init__(self, directory: Path, host: str, gateway: str, *, forwarded: bool = False) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.host, self.port = host, free_port(host)
        conf = directory / "nginx.conf"
        conf.write_text(RELAY_CONF.format(dir=directory, host=host, port=self.port, gateway=gateway,
                                          extra=FORWARDED if forwarded else ""), encoding="utf-8")
        self.proc = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(directory), "-e",
                                      str(directory / "error.log")], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for(self._listening, what="nginx listening", detail=self._log)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/gateway"

    def pids(self) -> set[int]:
        parent = psutil.Process(self.proc.pid)
        return {parent.pid, *(child.pid for child in parent.children(recursive=True))}

    def _listening(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"nginx exited {self.proc.returncode}: {self._log()}")
        with contextlib.suppress(OSError), socket.create_connection((self.host, self.port), timeout=1):
            return True
        return False

    def _log(self) -> str:
        log = self.directory / "error.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            self.proc.wait(timeout=30)


def have_nginx() -> bool:
    return Path(NGINX).exists() or shutil.which("nginx") is not None


class Gateway:
    """`codetape gateway serve` as a process of its own, on `host`, with the store's credential `env`."""

    def __init__(self, home: Path, host: str, store: str, endpoint: str, issuer: str,
                 env: dict[str, str]) -> None:
        self.home = home
        self.out = home / "gateway.out"
        home.mkdir(parents=True, exist_ok=True)
        keygen = subprocess.run([sys.executable, "-m", "collector", "gateway", "keygen"],
                                env=environment(home), capture_output=True, text=True, check=False)
        assert keygen.returncode == 0, keygen.stderr
        self.key_config = keygen.stdout.splitlines()[-1]
        with open(self.out, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "collector", "gateway", "serve", "--to", store, "--endpoint-url",
                 endpoint, "--issuer", issuer, "--listen", f"{host}:0"], env=environment(home, env),
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        host_port = wait_for(self._bound, what="the gateway's listening line", detail=self._output)
        self.address = (host_port[0], int(host_port[1]))

    @property
    def log(self) -> Path:
        return self.home / "gateway" / "gateway.log"

    def _bound(self) -> tuple[str, str] | None:
        if self.proc.poll() is not None:
            raise AssertionError(f"codetape gateway serve exited {self.proc.returncode}: {self._output()}")
        match = _GATEWAY_URL.search(self._output())
        return (match.group(1), match.group(2)) if match else None

    def _output(self) -> str:
        return self.out.read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
