"""Where the collector's socket is: in run/, or in /tmp/codetape-UID/ when that path cannot be an address."""

from __future__ import annotations

import os
from pathlib import Path

from collector.home import Home
from collector.platform.sockets import MAX_SOCKET_PATH, address_fits


def test_a_home_with_a_short_path_keeps_its_socket_in_run() -> None:
    home = Home(Path("/home/dev/.local/share/codetape"))
    assert home.socket == home.run / "collector.sock"


def test_a_deep_home_has_its_socket_in_a_short_private_directory() -> None:
    deep = Home(Path("/Users/developer/Library/Application Support/codetape/" + "n" * 40))
    other = Home(deep.root.with_name("m" * 40))
    assert not address_fits(deep.run / "collector.sock")
    assert address_fits(deep.socket) and len(os.fsencode(deep.socket)) <= MAX_SOCKET_PATH
    assert deep.socket.parent == Path("/tmp", f"codetape-{os.getuid()}")
    assert deep.socket != other.socket  # one per home
    assert Home(deep.root).socket == deep.socket  # the same every time: clients find it
