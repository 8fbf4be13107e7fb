"""An episode as JSON lines: the one serialisation `codetape cat` prints and `codetape export --format jsonl`
writes. One compact JSON object per line, UTF-8, non-ASCII kept as is (lone surrogates a hostile editor
sent pass through as they were recorded), each line ending with LF.
"""

from __future__ import annotations

import json
from typing import Any

from schemas import EpisodeHeader, Step, step_to_dict
from schemas.common import plain


def json_bytes(data: Any) -> bytes:
    """`data` as compact JSON, UTF-8 (the exports write their documents with it too)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


def json_line(data: Any) -> bytes:
    """`data` as one compact JSON line, ending with LF."""
    return json_bytes(data) + b"\n"


def step_line(step: Step) -> bytes:
    """A step's line: its plain form without defaulted fields, `kind` and `t_ms` first."""
    return json_line(step_to_dict(step))


def header_line(header: EpisodeHeader) -> bytes:
    """The header's line: its JSON form, as stored in the header frame."""
    return json_line(plain(header))
