"""The collector socket's platform side: peer credentials on this system, macOS's struct xucred, limits."""

from __future__ import annotations

import os
import socket
import struct
from pathlib import Path

from collector.platform import sockets


def test_the_peer_of_a_socket_pair_is_this_user() -> None:
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with left, right:
        assert sockets.peer_uid(left) == os.getuid()
        assert sockets.same_user(left)


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
