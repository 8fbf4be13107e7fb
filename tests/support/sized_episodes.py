"""Episodes of a size asked for: files opened with random base64 text (which zstd cannot shrink below that
size) and closed again; unsigned, or signed into a home's outbox by the real signing path. For the upload
tests and bench/upload.py.
"""

from __future__ import annotations

import base64
import random
import uuid
from datetime import UTC, datetime
from pathlib import Path

from collector.episode import write_episode_file
from collector.home import Home
from collector.review.choices import sign_and_queue
from schemas import EpisodeHeader, Step, WorkspaceIdentity, step_from_dict

BLOCK = 3 * 1024 * 1024  # characters per opened file (below the writer's 4 MiB chunk of text)
RATIO = 0.76  # bytes of episode per character of base64 text at zstd level 1 (measured)


def synthetic_episode(path: Path, size: int, *, seed: int, episode_id: uuid.UUID | None = None) -> Path:
    """An unsigned episode of about `size` bytes: files opened with random text and closed again."""
    rng = random.Random(seed)
    eid = episode_id or uuid.UUID(int=rng.getrandbits(128), version=4)
    header = EpisodeHeader(codetape_version="0.1.0", episode_id=eid,
                           started_at=datetime(2026, 5, 1, 9, 0, 0, tzinfo=UTC),
                           workspace=WorkspaceIdentity(root_name="bench-upload"))

    def steps() -> list[Step]:
        left, out, t_ms = max(1, int(size / RATIO)), [], 0
        for n in range(1 + int(size / RATIO) // BLOCK):
            count = min(left, BLOCK)
            text = base64.b64encode(rng.randbytes(count * 3 // 4 + 3)).decode("ascii")[:count]
            left -= count
            out.append(step_from_dict({"kind": "open", "t_ms": t_ms, "source": "bridge",
                                       "path": f"blob{n}.txt", "language_id": "plaintext", "version": 1,
                                       "text": text}))
            out.append(step_from_dict({"kind": "close", "t_ms": t_ms + 500, "source": "bridge",
                                       "path": f"blob{n}.txt"}))
            t_ms += 1000
        return out

    write_episode_file(path, header, steps(), level=1)
    return path


def signed_episode(home: Home, size: int, *, seed: int) -> Path:
    """A synthetic episode signed with the home's key into its outbox (the key must exist)."""
    sealed = synthetic_episode(home.ensure(home.episodes) / f"bench-{seed}.ctape", size, seed=seed)
    return sign_and_queue(sealed, home).path
