"""The collector's socket: a Unix stream socket, 0600 in a 0700 directory, and who is at its other end.

Peer credentials: `SO_PEERCRED` (Linux: struct ucred, pid uid gid) or `LOCAL_PEERCRED` (macOS and the
BSDs: struct xucred, whose version and uid come first), whichever the running Python has. Where neither
answers, the uid is unknown (None) and the permissions of the socket and its directory, checked at each
connection, are what keeps other users out (`same_user`).
Address limits: sun_path holds 108 bytes on Linux and 104 on macOS, the terminating NUL included; a
home whose `run/collector.sock` would not fit has its socket in /tmp/codetape-UID/ (`short_socket`).
CPython has no AF_UNIX on Windows (the kernel has had it since Windows 10 1803): there `stream_socket`
raises OSError and the collector listens on loopback TCP instead (`loopback_socket`), each connection
admitted once it proves the per-user secret of the endpoint file (`admit`, loopback.py); a named pipe
with an ACL for the user and SYSTEM stays the plan (docs/platforms.md).
"""

from __future__ import annotations

import errno
import os
import struct
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from collector.platform import loopback
from collector.platform.files import open_to_others, owned_by_me

TYPE_CHECKING = False  # typing is not loaded at a command's start-up (~3 ms)
if TYPE_CHECKING:
    import asyncio
    import socket  # (the package, with enum and selectors: loaded by what makes or serves a socket, not
    # by a client's start-up, which home.py's paths bring here)

ADMIT_WAIT_S = 5.0  # how long a loopback connection has to prove the secret
MAX_SOCKET_PATH = 103 if sys.platform == "darwin" else 107  # bytes of a socket path, without the NUL
SOL_LOCAL = 0  # <sys/un.h>: the level of LOCAL_PEERCRED
LOCAL_PEERCRED = 1
_UCRED = struct.Struct("3i")  # Linux: pid, uid, gid
_XUCRED_SIZE = struct.calcsize("@IIh16I")  # macOS: cr_version, cr_uid, cr_ngroups, cr_groups[16]: 76
_XUCRED_VERSION = 0


def stream_socket() -> socket.socket:
    """A new Unix stream socket (OSError where there are none)."""
    import socket  # deferred: see TYPE_CHECKING above

    if sys.platform == "win32":
        raise OSError(errno.EAFNOSUPPORT, "Unix sockets are not available in Python on Windows")
    return socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)


def loopback_socket() -> socket.socket:
    """A new TCP socket bound to 127.0.0.1 at a port the system picks (not listening yet)."""
    import socket  # deferred: see TYPE_CHECKING above

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((loopback.HOST, 0))
    except BaseException:
        sock.close()
        raise
    return sock


def address_fits(path: Path | str) -> bool:
    """Whether `path` fits in a Unix socket address on this system."""
    return len(os.fsencode(path)) <= MAX_SOCKET_PATH


def short_socket(root: Path) -> Path:
    """Where the socket of the home `root` is when `root/run/collector.sock` would not fit in an address:
    /tmp/codetape-UID/, a directory the collector makes 0700 and checks, under a name hashed from `root`
    (46 bytes at most)."""
    # only for a home whose socket path is too long (rare): not on every start
    import hashlib

    digest = hashlib.sha256(os.fsencode(root)).hexdigest()[:16]
    return Path("/tmp", f"codetape-{current_uid()}", f"{digest}.sock")


def peer_uid(sock: socket.socket) -> int | None:
    """The uid of the process at the other end of a Unix socket, None when the system does not say."""
    import socket  # deferred: see TYPE_CHECKING above

    peercred = getattr(socket, "SO_PEERCRED", None)
    try:
        if peercred is not None:
            return int(_UCRED.unpack(sock.getsockopt(socket.SOL_SOCKET, peercred, _UCRED.size))[1])
        level = getattr(socket, "SOL_LOCAL", SOL_LOCAL)
        creds = sock.getsockopt(level, getattr(socket, "LOCAL_PEERCRED", LOCAL_PEERCRED), _XUCRED_SIZE)
    except OSError:
        return None
    return xucred_uid(creds)


def xucred_uid(creds: bytes) -> int | None:
    """The uid in a struct xucred as LOCAL_PEERCRED returns it, None when it is not one."""
    if len(creds) < 8:
        return None
    version, uid = struct.unpack_from("=II", creds)
    return int(uid) if version == _XUCRED_VERSION else None


def same_user(sock: socket.socket, path: Path) -> bool:
    """Whether the peer of the Unix socket `sock`, listening at `path`, is this process's user. When the
    system does not say, it is taken for this user's only while nobody else can have reached the socket:
    the socket and its directory this user's, and closed to group and others (0600 in 0700)."""
    uid = peer_uid(sock)
    if uid is not None:
        return uid == current_uid()
    try:
        reached = (path.parent.lstat(), path.lstat())
    except OSError:
        return False
    return all(owned_by_me(info) and not open_to_others(info.st_mode) for info in reached)


def current_uid() -> int | None:
    """This process's real uid, as the peer credentials report a peer's (None on Windows)."""
    if sys.platform == "win32":
        return None
    return os.getuid()


async def admit(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: Path,
                secret: bytes | None) -> bool:
    """Whether a new connection is this user's: on a Unix socket (`secret` None), by `same_user`; on
    loopback TCP, by its first bytes proving `secret` within ADMIT_WAIT_S (then answered with the
    collector's proof), and nothing else read before (loopback.py)."""
    if secret is None:
        sock = writer.get_extra_info("socket")
        return sock is not None and same_user(sock, path)
    import asyncio  # (~15 ms) only for the server, not for a client of the socket

    try:
        hello = await asyncio.wait_for(reader.readexactly(loopback.CLIENT_HELLO_BYTES), ADMIT_WAIT_S)
    except (asyncio.IncompleteReadError, TimeoutError, OSError):
        return False
    answer = loopback.admitted(secret, hello)
    if answer is None:
        return False
    writer.write(answer)
    return True


async def serve(handler: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
                sock: socket.socket) -> asyncio.Server:
    """An asyncio server accepting on the listening socket `sock`: loopback TCP or a Unix socket."""
    # asyncio (~15 ms) only for the server, not for a client of the socket
    import asyncio
    import socket  # deferred: see TYPE_CHECKING above

    if sock.family == socket.AF_INET:
        return await asyncio.start_server(handler, sock=sock)
    if sys.platform == "win32":
        raise OSError(errno.EAFNOSUPPORT, "Unix sockets are not available in Python on Windows")
    return await asyncio.start_unix_server(handler, sock=sock)
