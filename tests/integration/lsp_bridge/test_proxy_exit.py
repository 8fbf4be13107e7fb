"""The bridge's exit status in proxy mode when the server is slow to exit: after the editor's `exit`, a
server the bridge had to terminate was doing as asked (found in CI: under a load of 10 on 2 cores pylsp
took more than the 3 s grace to exit, and every proxy session ended with 143 instead of 0)."""

from __future__ import annotations

import os
import signal
import sys

from lsp_bridge.modes.proxy import Proxy
from tests.integration.lsp_bridge.test_proxy_finish import CountingTraffic

# Reads until its input ends, then exits with the status given, or (none) waits until it is signalled.
SERVER = """import sys, threading
while sys.stdin.buffer.read(65536):
    pass
if len(sys.argv) > 1:
    sys.exit(int(sys.argv[1]))
threading.Event().wait()
"""
EXIT = b'{"jsonrpc":"2.0","method":"exit"}'


def run(*status: str, say_exit: bool) -> int:
    """The bridge's status for a session whose editor says exit (or not) and goes away."""
    editor_in, to_proxy = os.pipe()
    from_proxy, editor_out = os.pipe()
    proxy = Proxy([sys.executable, "-c", SERVER, *status], CountingTraffic(),  # type: ignore[arg-type]
                  editor_in=editor_in, editor_out=editor_out, exit_grace_s=0.2)
    if say_exit:
        os.write(to_proxy, b"Content-Length: %d\r\n\r\n%s" % (len(EXIT), EXIT))
    os.close(to_proxy)
    try:
        return proxy.run()
    finally:
        os.close(from_proxy)


def test_a_server_stopped_after_the_editors_exit_is_a_clean_exit() -> None:
    assert run(say_exit=True) == 0


def test_a_server_stopped_when_the_editor_left_without_exit_reports_the_signal() -> None:
    assert run(say_exit=False) == 128 + signal.SIGTERM


def test_a_server_that_exits_by_itself_after_exit_keeps_its_status() -> None:
    assert run("4", say_exit=True) == 4
