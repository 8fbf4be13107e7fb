"""An episode of one long single-line document (a minified bundle, a large JSON line) edited many times.

The line is `size` characters of code-like text; the edits type and backspace at a caret that moves on as
it types and jumps elsewhere along the line now and then (2 % of edits), one character each, as a
developer patching a minified file would. Seeded: the same arguments give the same episode.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from collector.episode import write_episode_file
from schemas import EpisodeHeader, WorkspaceIdentity, step_from_dict

ALPHABET = "abcdefghijklmnopqrstuvwxyz{}();,=+ "
JUMP = 0.02  # share of edits that move the caret to a random place first
BACKSPACE = 0.2  # share of edits that delete the character before the caret
PATH = "dist/bundle.min.js"


def write_long_line(path: Path, size: int, edits: int, seed: int = 1) -> None:
    """Write the episode: an open of a `size`-character line, then `edits` one-character edits."""
    rng = random.Random(f"long-line:{size}:{edits}:{seed}")
    text = "".join(rng.choice(ALPHABET) for _ in range(size))
    length, caret = len(text), rng.randrange(len(text))
    steps: list[dict[str, Any]] = [
        {"kind": "open", "t_ms": 0, "source": "bridge", "path": PATH, "text": text}]
    for n in range(edits):
        if rng.random() < JUMP:
            caret = rng.randrange(length)
        start, inserted = caret, rng.choice(ALPHABET)
        if rng.random() < BACKSPACE and caret > 0:
            start, inserted = caret - 1, ""
        change = {"range": {"start": {"line": 0, "character": start}, "end": {"line": 0, "character": caret}},
                  "text": inserted}
        steps.append({"kind": "edit", "t_ms": 1 + 150 * n, "source": "bridge", "path": PATH,
                      "changes": [change]})
        length += len(inserted) - (caret - start)
        caret = start + len(inserted)
    header = EpisodeHeader(codetape_version="0.1.0", episode_id=uuid.UUID(int=size * 1_000_003 + edits),
                           started_at=datetime(2026, 1, 1, tzinfo=UTC),
                           workspace=WorkspaceIdentity(root_name="w"))
    write_episode_file(path, header, [step_from_dict(step) for step in steps], level=3)
