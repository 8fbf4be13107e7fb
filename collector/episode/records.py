"""An episode's steps for a reader that goes through them once, in order (the dataset build): every edit
step an `Edit` (collector/episode/edits.py), validated from its chunk's columns, every other step its model.

`records(episode)` reads what `episode.steps()` reads and refuses what it refuses, with the same error at
the same step: an edit whose values the columns check cannot take as they are is validated by the model,
and every other step too, one at a time. tests/unit/test_episode_records.py compares the two readers over
random valid and damaged chunks and the golden episodes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pydantic

from collector.episode.chunk import iter_chunk_with
from collector.episode.container import STEPS, decompress
from collector.episode.decoding import unpack
from collector.episode.edits import ColumnEdits, Edit, Record
from collector.episode.reader_v1 import Episode, first_error
from collector.errors import EpisodeError
from schemas import STEP_KINDS, step_from_dict
from schemas.steps import EditStep


def records(episode: Episode) -> Iterator[Record]:
    """Every step in order, as `Episode.steps()` yields it but for edits; unknown kinds are skipped and
    counted in `episode.skipped`; the trailer's step count is checked at the end."""
    encoding = episode.header.position_encoding
    episode.skipped.clear()
    number = last_t = 0
    for frame in episode.frames():
        if frame.type != STEPS:
            continue
        chunk = unpack(decompress(frame), f"steps frame at byte {frame.offset}")
        for item in iter_chunk_with(chunk, encoding, ColumnEdits()):
            t_ms = item.t_ms if isinstance(item, Edit) else item["t_ms"]
            if t_ms < last_t:
                raise EpisodeError(f"step times go backwards in the steps frame at byte {frame.offset}")
            last_t = t_ms
            record = item if isinstance(item, Edit) else _model(item, number, episode.skipped)
            if record is not None:
                yield record
            number += 1
    if number != episode.step_count:
        raise EpisodeError(f"episode holds {number} steps but its trailer says {episode.step_count}")


def _model(step: dict[str, Any], number: int, skipped: Counter[str]) -> Record | None:
    """A step dict validated by its model (None when its kind is unknown: counted in `skipped`)."""
    kind = step.get("kind")
    if kind not in STEP_KINDS:
        skipped[str(kind)] += 1
        return None
    try:
        model = step_from_dict(step)
    except pydantic.ValidationError as exc:
        raise EpisodeError(f"step {number} ({kind}) is invalid: {first_error(exc)}") from None
    return Edit.from_step(model) if type(model) is EditStep else model
