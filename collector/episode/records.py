"""An episode's steps for a reader that goes through them once, in order (the dataset build): every edit
step an `Edit` (collector/episode/edits.py), validated from its chunk's columns, a diagnostics step that
the schema takes as it is `PlainDiagnostics` (plain_steps.py), every other step its model.

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
from collector.episode.edits import ColumnEdits, Edit, EditRun, Record
from collector.episode.plain_steps import plain_diagnostics
from collector.episode.reader_v1 import Episode, first_error
from collector.errors import EpisodeError
from schemas import STEP_KINDS, step_from_dict
from schemas.steps import EditStep


def records(episode: Episode, *, runs: bool = False) -> Iterator[Record | EditRun]:
    """Every step in order, as `Episode.steps()` yields it but for edits; unknown kinds are skipped and
    counted in `episode.skipped`; the trailer's step count is checked at the end. With `runs`, a run of
    typed characters a chunk's columns hold comes as one EditRun (collector/episode/chunk_runs.py), its
    edits' values column by column (`EditRun.edits()` are the Edits it stands for)."""
    encoding = episode.header.position_encoding
    episode.skipped.clear()
    number = last_t = 0
    for frame in episode.frames():
        if frame.type != STEPS:
            continue
        offset, limits = frame.offset, episode.limits
        data = decompress(frame, limit=limits.decompressed)
        del frame  # its payload: the chunk's objects are what the steps need
        chunk = unpack(data, f"steps frame at byte {offset}", limits.decoded)
        del data
        maker = ColumnEdits()
        for item in iter_chunk_with(chunk, encoding, maker, maker.run if runs else None):
            if isinstance(item, EditRun):  # its times ascend from the first
                if item.times[0] < last_t:
                    raise EpisodeError(f"step times go backwards in the steps frame at byte {offset}")
                last_t = item.times[-1]
                number += len(item)
                yield item
                continue
            t_ms = item.t_ms if isinstance(item, Edit) else item["t_ms"]
            if t_ms < last_t:
                raise EpisodeError(f"step times go backwards in the steps frame at byte {offset}")
            last_t = t_ms
            record = item if isinstance(item, Edit) else _model(item, number, episode.skipped, maker)
            if record is not None:
                yield record
            number += 1
    if number != episode.step_count:
        raise EpisodeError(f"episode holds {number} steps but its trailer says {episode.step_count}")


def _model(step: dict[str, Any], number: int, skipped: Counter[str], names: ColumnEdits) -> Record | None:
    """A step dict validated by its model (None when its kind is unknown: counted in `skipped`), or a
    diagnostics step the schema takes as it is as PlainDiagnostics (`names` checks its source and path)."""
    kind = step.get("kind")
    if kind == "diagnostics":
        plain = plain_diagnostics(step, names)
        if plain is not None:
            return plain
    if kind not in STEP_KINDS:
        skipped[str(kind)] += 1
        return None
    try:
        model = step_from_dict(step)
    except pydantic.ValidationError as exc:
        raise EpisodeError(f"step {number} ({kind}) is invalid: {first_error(exc)}") from None
    return Edit.from_step(model) if type(model) is EditStep else model
