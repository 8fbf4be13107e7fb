"""Random step lists survive the chunk codec and the whole file, and the msgpack budget walk is exact.

Steps are generated as plain dicts, validated by the schema, then normalised with step_to_dict: that
normalised form is what must come back, field for field.
"""

from __future__ import annotations

import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgpack
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collector.episode import EpisodeWriter, open_episode
from collector.episode.budget import WORST_PER_BYTE, _walk, check_decoded_size
from collector.episode.chunk import decode_chunk, encode_chunk
from collector.episode.container import OPTIONAL
from collector.errors import EpisodeError
from schemas import EpisodeHeader, WorkspaceIdentity, step_from_dict, step_to_dict
from schemas.common import PositionEncoding
from tests.examples import examples

ENCODINGS: tuple[PositionEncoding, ...] = ("utf-8", "utf-16", "utf-32")
PROFILE = settings(derandomize=True, database=None, deadline=None, max_examples=examples(200),
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

PIECES = ["a", "def f():", " ", "é", "€", "😀", "𝄞", "\u200d", "\r", "\n", "\r\n", "\t", ""]
texts = st.lists(st.sampled_from(PIECES), max_size=10).map("".join)
paths = st.sampled_from(["a.py", "src/b.py", "ünï/😀 c.txt", "d"])
sources = st.sampled_from(["bridge", "cli", "watcher", "pytest"])
positions = st.builds(lambda line, character: {"line": line, "character": character},
                      st.integers(0, 2**31), st.integers(0, 2**31)) | st.builds(
    lambda line, character: {"line": line, "character": character}, st.integers(0, 5), st.integers(0, 9))
ranges = st.builds(lambda start, end: {"start": start, "end": end}, positions, positions)
changes = st.builds(lambda rng, text: {"text": text} if rng is None else {"range": rng, "text": text},
                    st.none() | ranges | ranges, texts)
sha = st.text("0123456789abcdef", min_size=64, max_size=64)


def _with(kind: str, **fields: Any) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"kind": st.just(kind), **fields})


STEPS = st.one_of(
    _with("edit", path=paths, changes=st.lists(changes, min_size=1, max_size=4))
    | _with("edit", path=paths, changes=st.lists(changes, min_size=1, max_size=4),
            version=st.integers(-5, 2**40))
    | _with("edit", path=paths, changes=st.lists(changes, min_size=1, max_size=4),
            origin=st.sampled_from(["typed", "paste", "completion", "format", "unknown"]),
            origin_detail=st.sampled_from(["lsp:textDocument/completion", "nvim:vim.paste", "x:😀 «a» ü"]))
    | _with("edit", path=paths, changes=st.lists(changes, min_size=1, max_size=4),
            cell=st.integers(0, 3) | st.integers(0, 2**31)),
    _with("open", path=paths, text=texts, version=st.none() | st.integers(0, 9),
          language_id=st.just("python")),
    _with("save", path=paths, sha256=st.none() | sha, text=st.none() | texts),
    _with("close", path=paths),
    _with("note", text=texts),
    _with("cursor", path=paths, selections=st.lists(st.builds(
        lambda a, b: {"anchor": a, "active": b}, positions, positions), min_size=1, max_size=3)),
    _with("gap", reason=st.sampled_from(["paused", "recorder_behind"]), state=st.none() | st.lists(
        st.fixed_dictionaries({"path": paths, "text": st.none() | texts}), max_size=3)),
    _with("file_change", path=paths, change=st.sampled_from(["created", "modified", "deleted"]),
          text=st.none() | texts),
    _with("diagnostics", path=paths, items=st.lists(st.fixed_dictionaries(
        {"range": ranges, "message": texts, "code": st.none() | st.integers(-(2**63), 2**63 - 1) | texts}),
        max_size=2)),
    _with("test_run", tests=st.lists(st.fixed_dictionaries(
        {"nodeid": texts, "outcome": st.sampled_from(["passed", "failed"])}), max_size=3)),
)


@st.composite
def step_lists(draw: st.DrawFn, max_size: int = 30) -> list[dict[str, Any]]:
    """Valid steps in time order, in their normalised plain form."""
    raw = draw(st.lists(STEPS, min_size=1, max_size=max_size))
    t_ms = draw(st.integers(0, 2**40))
    out = []
    for step in raw:
        t_ms += draw(st.sampled_from([0, 0, 1, 17, 60_000]))
        data = {**step, "t_ms": t_ms, "source": draw(sources)}
        out.append(step_to_dict(step_from_dict({k: v for k, v in data.items() if v is not None})))
    return out


def header(encoding: PositionEncoding) -> EpisodeHeader:
    return EpisodeHeader(codetape_version="0.1.0", episode_id=uuid.UUID(int=7),
                         started_at=datetime(2026, 1, 1, tzinfo=UTC),
                         workspace=WorkspaceIdentity(root_name="p"), position_encoding=encoding)


@PROFILE
@given(encoding=st.sampled_from(ENCODINGS), steps=step_lists())
def test_chunk_round_trip(encoding: PositionEncoding, steps: list[dict[str, Any]]) -> None:
    chunk = encode_chunk([step_from_dict(step) for step in steps], encoding)
    packed = msgpack.packb(chunk, use_bin_type=True)
    assert decode_chunk(msgpack.unpackb(packed, raw=False), encoding) == steps


@PROFILE
@given(encoding=st.sampled_from(ENCODINGS), steps=step_lists(), cuts=st.lists(st.integers(0, 30), max_size=4),
       unknown=st.lists(st.integers(0, 30), max_size=3))
def test_file_round_trip_across_chunks_extra_frames_and_unknown_kinds(
        encoding: PositionEncoding, steps: list[dict[str, Any]], cuts: list[int], unknown: list[int]) -> None:
    """Optional frames of an unknown type split the chunks; steps of unknown kinds are skipped, counted."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "e.ctape"
        with open(path, "wb") as out:
            writer = EpisodeWriter(out, header(encoding), level=1)
            for index, step in enumerate(steps):
                if index in cuts:
                    writer.add_frame(0x58, b"from a newer writer", OPTIONAL)
                if index in unknown:
                    writer.add_dict({"kind": "bookmark", "t_ms": step["t_ms"], "source": "cli", "n": index})
                writer.add_dict(step)
            writer.close()
        episode = open_episode(path)
        assert episode.header == header(encoding)
        assert [step_to_dict(step) for step in episode.steps()] == steps
        skipped = len(set(unknown) & set(range(len(steps))))
        assert episode.step_count == len(steps) + skipped
        assert dict(episode.skipped) == ({"bookmark": skipped} if skipped else {})


values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats(allow_nan=False)
    | st.text(max_size=40) | st.binary(max_size=40),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=5), inner, max_size=6),
    max_leaves=60)


@PROFILE
@given(value=values, extra=st.binary(min_size=1, max_size=4))
def test_budget_walk_finds_the_end_of_any_msgpack_value(value: Any, extra: bytes) -> None:
    data = msgpack.packb(value, use_bin_type=True)
    assert _walk(data, 1 << 62)[1] == len(data)
    assert _walk(data + extra, 1 << 62)[1] == len(data)
    assert _walk(data[:-1], 1 << 62)[1] == len(data) - 1  # truncated: left for the decoder to report


@PROFILE
@given(value=values, budget=st.integers(0, 20_000))
def test_budget_refuses_exactly_what_is_walked_and_found_too_big(value: Any, budget: int) -> None:
    data = msgpack.packb(value, use_bin_type=True)
    cost = _walk(data, 1 << 62)[0]
    if len(data) * WORST_PER_BYTE > budget and cost > budget:
        with pytest.raises(EpisodeError, match="amplification"):
            check_decoded_size(data, "value", budget=budget)
    else:  # small enough that even the worst case fits, or walked and found within the budget
        check_decoded_size(data, "value", budget=budget)
