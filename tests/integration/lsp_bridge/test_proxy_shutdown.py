"""The editor's `shutdown` is answered only once what it sent before is with the collector: Helix kills its
language servers as soon as they answer it, and its last keystrokes and save before `:q`, still in the
bridge's translator and spool, were lost with the bridge (issue 86: 1 or 2 sessions of 5 saving while
typing fast lost their last save)."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import Any

from lsp_bridge.modes.proxy import Proxy
from lsp_bridge.wire.framing import Framer, LspFrame

CHANGES = 50
ANSWERING_SERVER = r"""
import json, sys
out = sys.stdout.buffer
while True:
    header = sys.stdin.buffer.readline()
    if not header:
        break
    length = int(header.split(b":")[1])
    sys.stdin.buffer.readline()
    message = json.loads(sys.stdin.buffer.read(length))
    if "id" in message:  # requests only: its answer at once, as pylsp answers shutdown
        body = json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": None}).encode()
        out.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        out.flush()
"""


class SlowRecording:
    """Stands in for Traffic, its capture and its recorder: each message takes 5 ms to translate, and handing
    the steps to the collector takes 0.3 s."""

    def __init__(self) -> None:
        self.capture = self
        self.recorder = self
        self.offers = self
        self.translated = 0
        self.handed: list[tuple[int, float]] = []  # (messages translated by then, when the hand-over ended)

    def received(self, side: str, at: int, body: bytes | None, error: str | None) -> None:
        if side == "editor":
            time.sleep(0.005)  # the cost being modelled: translation slower than forwarding
            self.translated += 1

    def hand_over(self) -> bool:
        translated = self.translated
        time.sleep(0.3)
        self.handed.append((translated, time.monotonic()))
        return True

    holding = False  # (EditorCapture: no change waits for a predecessor)

    def release(self, uri: str | None, at: int) -> None:
        pass

    def lost_messages(self, at: int, count: int) -> None:
        raise AssertionError(f"{count} messages lost")

    def finish(self, at: int) -> None:  # (Offers.finish)
        pass

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(name)


def framed(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def test_the_answer_to_shutdown_waits_until_the_steps_before_it_are_handed_over() -> None:
    editor_in, to_proxy = os.pipe()
    from_proxy, editor_out = os.pipe()
    recording = SlowRecording()
    proxy = Proxy([sys.executable, "-c", ANSWERING_SERVER], recording,  # type: ignore[arg-type]
                  editor_in=editor_in, editor_out=editor_out)
    codes: list[int] = []
    running = threading.Thread(target=lambda: codes.append(proxy.run()), daemon=True)
    running.start()
    changes = [framed({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"n": n}})
               for n in range(CHANGES)]
    os.write(to_proxy, b"".join(changes) + framed({"jsonrpc": "2.0", "id": 7, "method": "shutdown"}))
    framer, answers = Framer(), list[LspFrame]()
    while not answers:
        answers = [frame for frame in framer.feed(os.read(from_proxy, 65536)) if frame.body is not None]
    answered = time.monotonic()
    os.write(to_proxy, framed({"jsonrpc": "2.0", "method": "exit"}))
    os.close(to_proxy)
    running.join(60)
    os.close(from_proxy)
    assert codes == [0]
    assert json.loads(answers[0].body or b"") == {"jsonrpc": "2.0", "id": 7, "result": None}
    [(translated, handed)] = recording.handed
    assert translated == CHANGES + 1, "the hand-over came before every message the editor sent was translated"
    assert answered >= handed, "the editor had shutdown's answer before the steps were handed over"
