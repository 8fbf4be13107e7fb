"""The journal a session writes for the project's recorded steps, byte for byte (issue 101: the intake's
move into admit, hold and write must not change a byte). Each golden episode's steps
(tests/fixtures/episodes/*.cat.jsonl; keyframes has full's steps) and a turn of each real agent's hook
payloads (tests/fixtures/agents) with the watcher's views of its writes go through `Session.add` under a
fixed clock and a fixed episode id; the journal left at `detach` is hashed. A hash changes only when what
the daemon writes changes: then say why in the commit, and record the new one here."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from collector.daemon.session import Session
from collector.home import Home
from collector.sources.agents.payloads import from_payload, to_step
from collector.text.digest import sha256_text

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
EPOCH = 1_800_000_000_000
EPISODE = uuid.UUID("0b0e0a0d-0101-4101-8101-010101010101")
BASE = "def add(a, b):\n    return a - b\n"
FIX = "def add(a, b):\n    return a + b\n"

# name -> SHA-256 of the journal's bytes (recorded before the intake's move, issue 101)
JOURNALS = {
    "agents": "65a65f73ff256bc77cd7cc7564c7d54bbaf6ad8ce703918774820c24a92add2e",
    "claude-code-turn": "b3ad6aa29a60aa97c2225ca2c5cb5817996bf06a364659e62f1d1e76c5f3cd27",
    "codex-turn": "fb541bd27e1adad613d2518de8fd12a2e073c19a3c6e846d95c3979f6286786c",
    "full": "f8006b3a5f0bad089d4fc78aecd4a3264ffa0388cd9ec9e51f4504544d1bdc8b",
    "future": "ccee4e1162865fa9d428639ed024f64dcb2498f146d6064e389b84f14268c549",
    "minimal": "d526766099cb9eb2d574c5e68dfcb103cd88acdda31fb36762a13f982e4928e0",
    "offers": "7f247912969039c1041a8cba0e1383329b3f84a558ab200b4721502035a64257",
    "origins": "697a855ba6341ff4bfeb5d9f4931a823cb4089ab2bfe08d5046d3d977504a824",
    "unicode": "ef0fc38acfbfefb8258edb72159e62eb190e9040242ec9d42d1dba4fc3028351",
}


class Clock:
    def __init__(self) -> None:
        self.now = EPOCH

    def __call__(self) -> int:
        return self.now


class Editor:
    """A connection whose steps an editor sent (the owner `Session.add` takes)."""

    client = None


def golden(name: str) -> list[tuple[int, dict[str, Any]]]:
    """(t_ms, the step as a map without its time) of a golden episode's steps."""
    lines = (FIXTURES / "episodes" / f"{name}.cat.jsonl").read_text(encoding="utf-8").splitlines()
    steps = [json.loads(line) for line in lines if line.strip()]
    return [(step.pop("t_ms"), step) for step in steps]


def payload(agent: str, name: str, root: Path) -> dict[str, Any]:
    """The `agent` step the hook sends for a recorded payload, its scratch workspace renamed to `root`."""
    text = (FIXTURES / "agents" / agent / f"{name}.json").read_text(encoding="utf-8")
    return to_step(from_payload(agent, json.loads(text.replace("/home/dev/project", str(root)))))  # type: ignore[arg-type]


def watcher(path: str, change: str, text: str) -> dict[str, Any]:
    return {"kind": "file_change", "source": "watcher", "path": path, "change": change, "text": text,
            "sha256": sha256_text(text)}


def agent_turn(agent: str, root: Path) -> list[tuple[int, dict[str, Any]]]:
    """A real agent's turn (tests/fixtures/agents/README.md): it reads `app.py`, edits it, runs
    `echo ran > out.txt`; the watcher sees both writes between the tool call and its result."""
    tool = {"claude-code": "", "codex": "-apply_patch"}[agent]
    return [
        (0, {"kind": "open", "source": "bridge", "path": "app.py", "language_id": "python", "version": 1,
             "text": BASE}),
        (100, payload(agent, "SessionStart", root)),
        (400, payload(agent, "UserPromptSubmit", root)),
        (900, payload(agent, f"PreToolUse{tool}", root)),
        (950, watcher("app.py", "modified", FIX)),
        (1000, payload(agent, f"PostToolUse{tool}", root)),
        (1500, payload(agent, "PreToolUse-Bash", root)),
        (1560, watcher("out.txt", "created", "ran\n")),
        (1600, payload(agent, "PostToolUse-Bash", root)),
        (2200, payload(agent, "Stop", root)),
        (2300, payload(agent, "SessionEnd", root)),
        (2400, {"kind": "close", "source": "bridge", "path": "app.py"}),
    ]


def journal_of(tmp_path: Path, name: str) -> bytes:
    """The journal a session writes for the recorded steps `name` names, each at its time."""
    root = tmp_path / "project"
    root.mkdir()
    (root / ".codetape.toml").write_text("")
    (root / "app.py").write_text(BASE)
    clock = Clock()
    session = Session(root.resolve(), Home(tmp_path / "home"), clock=clock)
    session.next_episode_id = EPISODE
    editor = Editor()
    steps = agent_turn(name.removesuffix("-turn"), root.resolve()) if name.endswith("-turn") else golden(name)
    try:
        for t_ms, step in steps:
            clock.now = EPOCH + t_ms
            session.tick()
            source = str(step.get("source", "collector"))
            session.add(clock.now, step, source=source, owner=editor if source == "bridge" else None)
        clock.now += 10_000  # every hold is over: what is held goes in its order
        session.tick()
        journal = session.detach()
    finally:
        session.close()
    assert journal is not None
    return journal.read_bytes()


@pytest.mark.parametrize("name", sorted(JOURNALS))
def test_the_journal_of_the_recorded_steps_is_the_same_byte_for_byte(name: str, tmp_path: Path) -> None:
    written = journal_of(tmp_path, name)
    assert hashlib.sha256(written).hexdigest() == JOURNALS[name]
