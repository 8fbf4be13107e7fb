"""Sockets the tests' processes bind outside loopback: the project's tests keep to 127.0.0.0/8 (and ::1), so
a test that listens on the machine's own address, or on every address (0.0.0.0, ::), exposes a port for
its run and fails the session (tests/conftest.py).

A thread reads the kernel's socket tables (/proc/net/tcp, tcp6, udp, udp6) every SWEEP_S: a listening
TCP socket or a bound UDP socket whose local address is not loopback is looked up (its inode among the
processes' open files, psutil) and counted when the process is this session's (its environment carries
the session's mark, tests/support/leftovers.py, or it is this pytest process). A socket that lives less
than SWEEP_S can be missed; a server a test starts lives longer. Linux only: elsewhere nothing is read.

No process is set apart, Ray's included: its nodes and drivers keep to loopback when told to (the cluster
test, tests/integration/dataset/test_dataset_ray_cluster.py, says how; `LocalRay` does it for a build)."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import threading
from dataclasses import dataclass
from pathlib import Path

SWEEP_S = 0.5
TABLES = {"tcp": 4, "tcp6": 6, "udp": 4, "udp6": 6}
LISTEN, UDP_BOUND = "0A", "07"  # the state columns of a listening TCP socket, a UDP socket (unconnected)


@dataclass(frozen=True)
class Bind:
    """A socket of the session bound outside loopback."""

    pid: int
    command: str
    address: str
    test: str

    def __str__(self) -> str:
        return f"{self.address} by pid {self.pid} ({self.command}) during {self.test or 'no test'}"


def _address(hex_address: str, family: int) -> str:
    """`0100007F:1F90` → `127.0.0.1:8080` (the table's addresses are in the host's byte order, per word)."""
    ip_hex, port_hex = hex_address.split(":")
    raw = bytes.fromhex(ip_hex)
    ip = ipaddress.ip_address(b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4)))
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    shown = f"[{ip}]" if family == 6 and isinstance(ip, ipaddress.IPv6Address) else str(ip)
    return f"{shown}:{int(port_hex, 16)}"


def bound(proc_net: Path = Path("/proc/net")) -> dict[int, str]:
    """The inodes of listening TCP and bound UDP sockets, each with its table and local address."""
    found: dict[int, str] = {}
    for table, family in TABLES.items():
        try:
            lines = (proc_net / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) >= 10 and fields[3] == (LISTEN if table.startswith("tcp") else UDP_BOUND) \
                    and fields[9] != "0":
                found[int(fields[9])] = f"{table} {_address(fields[1], family)}"
    return found


def outside_loopback(proc_net: Path = Path("/proc/net")) -> dict[int, str]:
    """`bound`'s sockets whose local address is not loopback."""
    return {inode: where for inode, where in bound(proc_net).items()
            if not ipaddress.ip_address(where.split()[1].rsplit(":", 1)[0].strip("[]")).is_loopback}


class BindWatch:
    """Sweeps the socket tables while the session runs; `binds` are the session's found so far."""

    def __init__(self, session_env: str) -> None:
        self.session_env = session_env
        self.test = ""  # the test running now (tests/conftest.py sets it)
        self.binds: list[Bind] = []
        self._foreign: set[int] = set()  # inodes already found to be no process of this session's
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bind-watch", daemon=True)

    def start(self) -> None:
        if Path("/proc/net/tcp").exists():
            self._thread.start()

    def stop(self) -> list[Bind]:
        """Stop sweeping, after a last sweep; the binds found."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)
        self.sweep()
        return self.binds

    def _run(self) -> None:
        while not self._stop.wait(SWEEP_S):
            self.sweep()

    def sweep(self) -> None:
        if not Path("/proc/net/tcp").exists():
            return
        seen = {b.address for b in self.binds}
        fresh = {inode: where for inode, where in outside_loopback().items()
                 if inode not in self._foreign and where not in seen}
        if fresh:
            self._owners(fresh)

    def _owners(self, inodes: dict[int, str]) -> None:
        import psutil  # (only when a socket outside loopback is found: rare)

        mark = os.environ.get(self.session_env)
        owned: set[int] = set()
        for proc in psutil.process_iter():
            with contextlib.suppress(psutil.Error, OSError):
                mine = proc.pid == os.getpid() or (mark is not None
                                                   and proc.environ().get(self.session_env) == mark)
                for conn in proc.net_connections(kind="inet"):
                    inode = _inode_of(proc.pid, conn.fd)
                    if inode not in inodes:
                        continue
                    owned.add(inode)
                    if mine:
                        found = Bind(proc.pid, " ".join(proc.cmdline()[:3]), inodes[inode], self.test)
                        self.binds.append(found)
                    else:
                        self._foreign.add(inode)
        self._foreign.update(inode for inode in inodes if inode not in owned)


def _inode_of(pid: int, fd: int) -> int | None:
    """The socket inode behind a process's file descriptor (`socket:[12345]`)."""
    with contextlib.suppress(OSError, ValueError):
        link = os.readlink(f"/proc/{pid}/fd/{fd}")
        if link.startswith("socket:["):
            return int(link[8:-1])
    return None
