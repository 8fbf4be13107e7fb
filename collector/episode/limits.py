"""What reading one episode may take, as one value a reader is opened with (schemas/EPISODE_FORMAT.md,
"Limits a reader enforces").

`READER` is what every command reads with. A dataset build opens the episodes it is sent with tighter
limits (collector/dataset/engines/transform.py), so that a worker stays within its memory whatever it is sent.
Each cap is checked on a size the episode declares before what it describes is read, decompressed,
decoded or rebuilt: a frame's length, a zstd frame's content size, a msgpack payload's lengths and counts
(collector/episode/budget.py), the texts a step adds to the files (collector/reconstruct/workspace.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from collector.episode.budget import MAX_DECODED
from collector.episode.container import MAX_DECOMPRESSED, MAX_PAYLOAD

MAX_FILES = 512 * 1024 * 1024
MAX_FRAMES = 1 << 24  # steps frames and keyframes: an episode of 8,192-step chunks holds 1,000 in a day


@dataclass(frozen=True)
class Limits:
    payload: int = MAX_PAYLOAD  # a frame's payload, as its head declares it
    decompressed: int = MAX_DECOMPRESSED  # a frame once decompressed, as its zstd frame declares it
    decoded: int = MAX_DECODED  # a msgpack payload once decoded, estimated from its encoding
    files: int = MAX_FILES  # the files reconstructed in memory, estimated from the steps' texts
    frames: int = MAX_FRAMES  # steps frames and keyframes, whose places are kept while it is open


READER = Limits()
