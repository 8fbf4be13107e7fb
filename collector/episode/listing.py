"""One episode file as `codetape episodes` lists it: who, when, how many steps, signed or not, without
building a step or the header model.

The container is checked as the reader checks it (`layout.py`: every CRC, the frames' order, the
trailer's hash over the whole file), the header's shown fields are read plainly (`shown.py`), and the
steps are counted from the steps frames' outlines (`outline.py`: step count, kind codes and times,
skipping the rest), which must add up to the trailer's count with times that never go backwards. The
figures are the full reader's. What the listing does not look at is the inside of a step (a generic step's
fields, an edit's changes) and the header's other fields: a file whose bytes match its trailer's hash yet
hold a step that does not decode is listed, and `codetape verify` names what is wrong with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from collector.episode.container import EpisodeFrame, decompress
from collector.episode.decoding import unpack
from collector.episode.layout import frame_at, read_layout
from collector.episode.outline import outline
from collector.episode.shown import Shown, shown_plainly
from collector.errors import EpisodeError


@dataclass(frozen=True)
class Listed:
    """An intact episode's row figures: `last_t` is its last step's time (0 without steps)."""

    shown: Shown
    steps: int
    last_t: int
    signed: bool


def list_episode(path: Path) -> Listed:
    """The figures of the episode at `path`; EpisodeError (one line) when it is damaged."""
    layout = read_layout(path, _shown)
    steps = last_t = 0
    try:
        with open(path, "rb") as stream:
            for offset in layout.chunk_offsets:
                shape = outline(decompress(frame_at(stream, offset)), f"steps frame at byte {offset}")
                if shape.t0 < last_t:
                    raise EpisodeError(f"step times go backwards in the steps frame at byte {offset}")
                steps, last_t = steps + shape.count, shape.t0 + sum(shape.deltas)
    except OSError as exc:
        raise EpisodeError(f"cannot read {path}: {exc.strerror}") from None
    if steps != layout.step_count:
        raise EpisodeError(f"episode holds {steps} steps but its trailer says {layout.step_count}")
    return Listed(layout.header, steps, last_t, layout.consent is not None)


def _shown(frame: EpisodeFrame) -> Shown:
    """The header frame's shown fields; through `EpisodeHeader` when not plainly well formed (its error)."""
    plain = shown_plainly(unpack(decompress(frame), "header frame"))
    if plain is not None:
        return plain
    # the full reader only for a header the plain check does not take
    from collector.episode.reader_v1 import decode_header

    return Shown.of(decode_header(frame))
