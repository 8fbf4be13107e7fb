"""The collector socket's platform side: peer credentials on this system, macOS's struct xucred, limits."""

from __future__ import annotations

import os
import socket
import struct
import sys
from pathlib import Path

from collector.platform import sockets
from tests.support.windows import POSIX_ONLY_SKIP


@POSIX_ONLY_SKIP
def test_the_peer_of_a_socket_pair_is_this_user(tmp_path: Path) -> None:
    """SO_PEERCRED on Linux, LOCAL_PEERCRED on macOS. Under the macOS simulation on Linux the getsockopt
    with macOS's numbers fails: the peer is unknown, and taken for this user's only while the socket's
    place is private."""
    place = tmp_path / "run"
    place.mkdir(mode=0o700)
    (place / "s").write_bytes(b"")
    os.chmod(place / "s", 0o600)
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with left, right:
        known = hasattr(socket, "SO_PEERCRED") or sys.platform == "darwin"
        assert sockets.peer_uid(left) == (os.getuid() if known else None)
        assert sockets.same_user(left, place / "s")
        os.chmod(place, 0o755)
        assert sockets.same_user(left, place / "s") == known  # opened: only the credentials vouch
        assert sockets.same_user(left, place / "gone") == known


def test_xucred_as_macos_returns_it_gives_its_uid() -> None:
    # <sys/ucred.h>: u_int cr_version (XUCRED_VERSION 0); uid_t cr_uid; short cr_ngroups; gid_t cr_groups[16]
    creds = struct.pack("@IIh16I", 0, 501, 2, 20, 12, *([0] * 14))
    assert len(creds) == 76
    assert sockets.xucred_uid(creds) == 501


def test_an_xucred_of_another_version_or_too_short_says_nothing() -> None:
    assert sockets.xucred_uid(struct.pack("@IIh16I", 1, 501, 0, *([0] * 16))) is None
    assert sockets.xucred_uid(b"\0\0\0") is None


def test_the_address_limit_counts_bytes() -> None:
    fits = "/" + "x" * (sockets.MAX_SOCKET_PATH - 1)
    assert sockets.address_fits(fits)
    assert not sockets.address_fits(fits + "x")
    assert not sockets.address_fits(Path("/" + "é" * sockets.MAX_SOCKET_PATH))
