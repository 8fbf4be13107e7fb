"""A resync (the bridge's copy of a document drifted from the editor's; issue 27, item 2) is the new state
of its file everywhere: `verify` accepts and names it, `checkout` writes the resynced text, and every
export reads the episode; zeta's next-edit events never reach back across it."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

from collector.episode import write_episode_file
from collector.export import FORMATS
from schemas import step_from_dict
from tests.cli import codetape
from tests.fixtures.make_golden import FULL_HEADER
from tests.integration.export.export_sessions import checkout_text


def at(line: int, character: int) -> dict[str, int]:
    return {"line": line, "character": character}


def typed(t_ms: int, line: int, character: int, text: str) -> dict[str, Any]:
    return {"kind": "edit", "t_ms": t_ms, "path": "calc.py",
            "changes": [{"range": {"start": at(line, character), "end": at(line, character)}, "text": text}]}


def caret(t_ms: int, line: int, character: int) -> dict[str, Any]:
    return {"kind": "cursor", "t_ms": t_ms, "path": "calc.py",
            "selections": [{"anchor": at(line, character), "active": at(line, character)}]}


BEFORE = "def add(a, b):\n    return a\n"
TRUE = "def add(a, b):\n    return a + b  # é中😀\n"
STEPS = [
    {"kind": "open", "t_ms": 0, "path": "calc.py", "text": BEFORE},
    caret(500, 1, 12),  # (zeta needs the caret the editor reported)
    typed(1000, 1, 12, " +"), typed(1100, 1, 14, " b"),  # a burst: zeta's first example
    {"kind": "gap", "t_ms": 5000, "reason": "resync", "state": [{"path": "calc.py", "text": TRUE}],
     "detail": "calc.py: the editor's save text is the true text; the edits the editor sent do not make it "
               "(version 4 never arrived)"},
    {"kind": "save", "t_ms": 5000, "path": "calc.py", "sha256": hashlib.sha256(TRUE.encode()).hexdigest()},
    caret(8900, 2, 0), typed(9000, 2, 0, "\n"), typed(9100, 3, 0, "x = add(1, 2)\n"),  # after the resync
    {"kind": "save", "t_ms": 9500, "path": "calc.py",
     "sha256": hashlib.sha256((TRUE + "\nx = add(1, 2)\n").encode()).hexdigest()},
]


def test_a_resync_is_the_new_state_of_its_file_everywhere(tmp_path: Path) -> None:
    episode = tmp_path / f"{uuid.uuid4()}.ctape"
    write_episode_file(episode, FULL_HEADER, [step_from_dict({"source": "bridge", **s}) for s in STEPS])
    home = tmp_path / "home"
    done = codetape(home, "verify", str(episode))
    assert done.returncode == 0 and "1 resync" in done.stdout and "calc.py at 5 s" in done.stdout, done
    assert checkout_text(home, episode, 3, "calc.py", tmp_path / "co") == "def add(a, b):\n    return a + b\n"
    assert checkout_text(home, episode, 4, "calc.py", tmp_path / "co") == TRUE
    last = len(STEPS) - 1
    assert checkout_text(home, episode, last, "calc.py", tmp_path / "co") == TRUE + "\nx = add(1, 2)\n"
    for name in FORMATS:
        out = tmp_path / name
        done = codetape(home, "export", str(episode), "--format", name, "-o", str(out))
        assert done.returncode == 0, (name, done.stderr)
        assert any(out.iterdir()), name
    zeta = tmp_path / "zeta" / f"{FULL_HEADER.episode_id}.zeta.jsonl"
    examples = [json.loads(line) for line in zeta.read_text(encoding="utf-8").splitlines()]
    assert len(examples) == 2, examples
    first, after = examples
    assert "return a + b" in first["output"] and first["events"] == ""
    assert "x = add(1, 2)" in after["output"] and "é中😀" in after["input"]
    assert after["events"] == ""  # the first burst's diff does not lead to the resynced text
