"""The collector's runtime directory: one instance per user (a lock), its pid file, its socket.

`run/` is 0700 and must belong to the user; the socket is created 0600 under a tight umask. Holding the
lock proves no other collector lives, so a socket file found then is stale and is removed. On loopback
TCP (collector/platform/loopback.py) the collector listens on 127.0.0.1 and `Home.socket` is the endpoint
file (0600) naming its port and the secret, new at each start.
"""

from __future__ import annotations

import contextlib
import os
import socket
import stat
from dataclasses import dataclass
from pathlib import Path

from collector.atomic import atomic_write
from collector.errors import CollectorError
from collector.home import Home
from collector.platform import loopback
from collector.platform.files import open_to_others, owned_by_me
from collector.platform.locks import try_lock
from collector.platform.sockets import loopback_socket, stream_socket
from collector.protocol.client import socket_address


class AlreadyRunning(CollectorError):
    """Another collector holds this home's lock."""


@dataclass
class Instance:
    """The lock, pid file and listening socket of the running collector."""

    home: Home
    lock_fd: int
    sock: socket.socket
    secret: bytes | None = None  # on loopback TCP: what each connection proves first

    def release(self) -> None:
        """Remove the socket and pid file, then drop the lock (the next collector may start)."""
        with contextlib.suppress(OSError):
            self.sock.close()
        for path in (self.home.socket, pid_path(self.home)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        os.close(self.lock_fd)


def pid_path(home: Home) -> Path:
    return home.run / "collector.pid"


def log_path(home: Home) -> Path:
    return home.log


def read_pid(home: Home) -> int | None:
    try:
        return int(pid_path(home).read_text().strip())
    except (OSError, ValueError):
        return None


def private_run_dir(home: Home) -> Path:
    """`run/`, created 0700 and checked: owned by this user, nobody else may enter it."""
    run = home.ensure(home.run)
    info = run.stat()
    if not owned_by_me(info):
        raise CollectorError(f"{run} belongs to another user; refusing to use it")
    if open_to_others(info.st_mode):
        os.chmod(run, 0o700)
    return run


def private_socket_dir(directory: Path) -> None:
    """The directory of a socket whose path in `run/` would not fit an address (/tmp/codetape-UID/):
    made 0700, refused when it is a link, not a directory, or another user's."""
    with contextlib.suppress(FileExistsError):
        directory.mkdir(mode=0o700)
    info = directory.lstat()
    if not stat.S_ISDIR(info.st_mode) or not owned_by_me(info):
        raise CollectorError(f"{directory} is not a directory of your own; refusing to put the socket there")
    if open_to_others(info.st_mode):
        os.chmod(directory, 0o700)


def claim(home: Home) -> Instance:
    """Become this home's collector: take the lock, clean a stale socket, listen (0600), write the pid."""
    run = private_run_dir(home)
    if home.socket.parent != run:
        private_socket_dir(home.socket.parent)
    lock_fd = os.open(run / "collector.lock", os.O_RDWR | os.O_CREAT, 0o600)
    if not try_lock(lock_fd):
        os.close(lock_fd)
        pid = read_pid(home)
        running = f"collector already running (pid {pid})" if pid else "collector already running"
        raise AlreadyRunning(running) from None
    try:
        secret, sock = _listen(home)
        atomic_write(pid_path(home), f"{os.getpid()}\n")
    except BaseException:
        os.close(lock_fd)
        raise
    return Instance(home, lock_fd, sock, secret)


def _listen(home: Home) -> tuple[bytes | None, socket.socket]:
    """The listening socket at `home.socket` (a stale one removed): a Unix socket, 0600; or on loopback
    TCP a port on 127.0.0.1 and the endpoint file, with the secret returned."""
    with contextlib.suppress(FileNotFoundError):
        home.socket.unlink()
    if loopback.is_endpoint(home.socket):
        sock = loopback_socket()
        secret = loopback.new_secret()
        try:
            sock.listen(128)
            sock.setblocking(False)
            loopback.write_endpoint(str(home.socket), sock.getsockname()[1], secret)
        except BaseException:
            sock.close()
            raise
        return secret, sock
    address = socket_address(home.socket)
    sock = stream_socket()
    old_umask = os.umask(0o177)
    try:
        sock.bind(address)
    finally:
        os.umask(old_umask)
    os.chmod(home.socket, 0o600)
    sock.listen(128)
    sock.setblocking(False)
    return None, sock

