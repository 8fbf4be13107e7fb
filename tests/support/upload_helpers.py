"""What the upload tests share: a session recorded by the real collector and signed by `codetape sign`,
the command line with an AWS configuration of the test's own, the episodes that must never leave
(unsigned, tampered, signed by someone else, against the policy), and a store that never answers."""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from collector.consent import init_keys, sign_episode
from collector.consent.verify import find_consent
from collector.episode import EpisodeWriter, open_episode
from collector.episode.container import CONSENT, OPTIONAL
from collector.home import Home
from collector.protocol.clock import now_ms
from schemas import step_from_dict
from tests.cli import codetape
from tests.support.collector_harness import opt_in, running

TEXT = "def add(a, b):\n    return a - b\n"
FIXED = TEXT.replace("a - b", "a + b")


@dataclass
class Stalled:
    """A store that accepts connections and never answers: its URL, and the connections it took."""

    url: str
    held: list[socket.socket] = field(default_factory=list)


@contextlib.contextmanager
def stalled_store() -> Iterator[Stalled]:
    """A TCP server on loopback that accepts every connection and never answers, as a hung store does.
    The connections stay open (unread) until the end."""
    server = socket.create_server(("127.0.0.1", 0))
    stalled = Stalled(f"http://127.0.0.1:{server.getsockname()[1]}")

    def accept() -> None:
        with contextlib.suppress(OSError):  # the listening socket was shut down: the end
            while True:
                stalled.held.append(server.accept()[0])

    thread = threading.Thread(target=accept, name="stalled-store", daemon=True)
    thread.start()
    try:
        yield stalled
    finally:
        server.shutdown(socket.SHUT_RDWR)  # wakes accept() on Linux
        thread.join(10)
        server.close()
        for connection in stalled.held:
            connection.close()


@contextlib.contextmanager
def unconnectable_store() -> Iterator[str]:
    """A loopback URL whose listener never accepts and whose queue is full: a connection to it is never
    made (the kernel drops the SYN, as a firewall does), so every attempt's connect times out."""
    server = socket.create_server(("127.0.0.1", 0), backlog=0)
    filler = socket.create_connection(server.getsockname(), timeout=10)  # the one place in the queue
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        filler.close()
        server.close()


def one_error_line(done: subprocess.CompletedProcess[str], code: int, *says: str) -> str:
    """The one `codetape:` line on stderr, checked to hold each of `says`."""
    lines = done.stderr.splitlines()
    assert done.returncode == code and len(lines) == 1, done
    assert lines[0].startswith("codetape: ") and all(part in lines[0] for part in says), lines[0]
    return lines[0]


def record_and_sign(base: Path) -> tuple[Path, str]:
    """Record a session with the real collector (an editor fixing add() through the protocol the bridge
    speaks, and `codetape run`), seal it, create a key and sign it with `codetape sign`.
    Returns (home, episode id)."""
    home, ws = base / "home", opt_in(base / "ws", home=base / "home")
    with running(home) as daemon:
        with daemon.client() as client:
            client.hello(ws, "bridge", client={"name": "test-editor", "version": "1.0"})
            at = now_ms()
            change = {"range": {"start": {"line": 1, "character": 13}, "end": {"line": 1, "character": 14}},
                      "text": "+"}
            client.send_steps([
                (at, {"kind": "open", "source": "bridge", "path": "calc.py", "language_id": "python",
                      "version": 1, "text": TEXT}),
                (at + 400, {"kind": "edit", "source": "bridge", "path": "calc.py", "version": 2,
                            "changes": [change]}),
                (at + 900, {"kind": "save", "source": "bridge", "path": "calc.py",
                            "sha256": hashlib.sha256(FIXED.encode()).hexdigest()}),
            ])
            client.request("status")  # everything sent before is admitted
        ran = codetape(home, "run", "--", sys.executable, "-c", "print('tests pass')", cwd=ws)
        assert ran.returncode == 0, ran.stderr
        sealed = codetape(home, "seal", str(ws), "--json")
        assert sealed.returncode == 0, sealed.stderr
    episode_id = json.loads(sealed.stdout)["episode"]
    assert codetape(home, "keys", "init", "--no-passphrase").returncode == 0
    signed = codetape(home, "sign", episode_id, "--yes")
    assert signed.returncode == 0, signed.stderr
    return home, episode_id


def unsigned_in_outbox(home: Home, source: Path) -> Path:
    """An unsigned episode put straight into the outbox, as if by hand."""
    episode = open_episode(source)
    target = home.ensure(home.outbox) / f"{episode.header.episode_id}.ctape"
    target.write_bytes(source.read_bytes())
    return target


def foreign_signed(home: Home, source: Path, scratch: Path) -> Path:
    """`source` signed by another person's key, then put into this home's outbox."""
    other = Home(scratch / "someone-else")
    init_keys(other)
    episode = open_episode(source)
    target = home.ensure(home.outbox) / f"{episode.header.episode_id}.ctape"
    sign_episode(source, target, other)
    return target


def tampered(signed: Path, target: Path) -> Path:
    """The signed episode with one step changed and its consent frame kept: an intact container (frames,
    CRCs, trailer) whose signature no longer matches."""
    episode = open_episode(signed)
    consent = find_consent(signed)
    assert consent is not None
    steps = list(episode.step_dicts())
    for step in steps:
        if step["kind"] == "command":
            step["output_tail"] = "something the signer never saw"
    with open(target, "wb") as out:
        writer = EpisodeWriter(out, episode.header, level=3)
        writer.extend(step_from_dict(step) for step in steps)
        writer.add_frame(CONSENT, consent.payload, OPTIONAL)
        writer.close()
    return target
