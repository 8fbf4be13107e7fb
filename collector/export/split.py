"""The train/eval split of an export's examples, by episode: every example of an episode is on one side,
so an evaluation never sees the session it is tested on.

An episode is `eval` when the first 8 bytes of SHA-256("codetape-split:" + its id), read as a big-endian
number, modulo 100 are below EVAL_PERCENT, else `train`: the same episode is on the same side in every
export, on every machine, whatever else is exported with it, and about EVAL_PERCENT % of episodes are eval.
"""

from __future__ import annotations

import hashlib

EVAL_PERCENT = 10
SALT = b"codetape-split:"


def split_of(episode_id: str) -> str:
    """`train` or `eval` for the episode `episode_id` (its canonical id, as in the header)."""
    digest = hashlib.sha256(SALT + episode_id.encode("utf-8")).digest()
    return "eval" if int.from_bytes(digest[:8], "big") % 100 < EVAL_PERCENT else "train"
