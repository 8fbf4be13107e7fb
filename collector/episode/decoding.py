"""msgpack payloads decoded within the format's caps (schemas/EPISODE_FORMAT.md): every reader's one way
in, the header's, the steps frames', the keyframes' and the outlines'. Loads no model, so that
`codetape episodes` can read a header without them."""

from __future__ import annotations

from typing import Any

import msgpack

from collector.episode.budget import MAX_DECODED, check_decoded_size
from collector.errors import EpisodeError

MSGPACK_LIMITS = {"max_str_len": 64 * 1024 * 1024, "max_bin_len": 64 * 1024 * 1024,
                  "max_array_len": 4_000_000, "max_map_len": 100_000, "max_ext_len": 0}


def unpack(data: bytes, what: str, budget: int = MAX_DECODED) -> Any:
    """`data` decoded, refused first when its objects would take more than `budget` bytes."""
    check_decoded_size(data, what, budget)
    try:
        return msgpack.unpackb(data, raw=False, strict_map_key=True, **MSGPACK_LIMITS)
    except (ValueError, msgpack.UnpackException, msgpack.ExtraData, TypeError, RecursionError) as exc:
        raise EpisodeError(f"{what} is not valid msgpack ({type(exc).__name__})") from None
