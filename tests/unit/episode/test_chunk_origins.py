"""An edit's origin in a step chunk: a sparse column (`O`, `eo`) that costs nothing when no edit has one,
round trips through the chunk, the file and the reader's EditSteps, and is refused when malformed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgpack
import pytest

from collector.episode import open_episode, write_episode_file
from collector.episode.chunk import decode_chunk, encode_chunk, iter_chunk
from collector.episode.edit_structs import EditMaker
from collector.errors import EpisodeError
from schemas import EpisodeHeader, WorkspaceIdentity, step_from_dict, step_to_dict
from schemas.steps import EditStep, Step, StepError


def typing(count: int) -> list[dict[str, Any]]:
    return [{"kind": "edit", "t_ms": i, "source": "bridge", "path": "a.py", "version": i + 2,
             "changes": [{"range": {"start": {"line": 0, "character": i}, "end": {"line": 0, "character": i}},
                          "text": "x"}]} for i in range(count)]


def with_origins(steps: list[dict[str, Any]], marks: dict[int, tuple[str | None, str | None]]
                 ) -> list[dict[str, Any]]:
    out = []
    for index, step in enumerate(steps):
        step = dict(step)
        origin, detail = marks.get(index, (None, None))
        if origin is not None:
            step["origin"] = origin
        if detail is not None:
            step["origin_detail"] = detail
        out.append(step)
    return out


def structs(steps: list[dict[str, Any]]) -> list[Step]:
    return [step_from_dict(step) for step in steps]


def packed(chunk: dict[str, Any]) -> bytes:
    return msgpack.packb(chunk, use_bin_type=True)  # type: ignore[no-any-return]


def test_no_origin_means_no_column_and_not_one_byte_more() -> None:
    chunk = encode_chunk(structs(typing(500)), "utf-16")
    assert "O" not in chunk and "eo" not in chunk


def test_an_origin_costs_its_entry_and_a_shared_table_row_only() -> None:
    plain = packed(encode_chunk(structs(typing(500)), "utf-16"))
    marks = {i: ("completion", "lsp:textDocument/completion") for i in (10, 200, 499)}
    chunk = encode_chunk(structs(with_origins(typing(500), marks)), "utf-16")
    assert chunk["O"] == [["completion", "lsp:textDocument/completion"]]
    assert chunk["eo"] == [10, 0, 190, 0, 299, 0]  # edit number (first), then table index, next gap, ...
    extra = len(packed(chunk)) - len(plain)
    assert extra < 60  # keys, one table row, 6 small ints: nothing per edit without an origin


def test_origins_round_trip_as_dicts_and_as_edit_structs_with_generic_steps_between() -> None:
    steps = typing(6)
    steps.insert(2, {"kind": "note", "t_ms": 1, "source": "cli", "text": "between"})
    marks = {0: ("typed", None), 3: ("format", "lsp:textDocument/formatting"), 4: ("unknown", None),
             6: (None, "test:detail alone")}
    steps = with_origins(steps, marks)
    chunk = encode_chunk(structs(steps), "utf-16")
    assert decode_chunk(chunk, "utf-16") == steps
    made = list(iter_chunk(chunk, "utf-16", EditMaker()))
    assert all(isinstance(step, (EditStep, dict)) for step in made)
    edits = [step for step in made if isinstance(step, EditStep)]
    assert [(e.origin, e.origin_detail) for e in edits] == [
        ("typed", None), (None, None), ("format", "lsp:textDocument/formatting"), ("unknown", None),
        (None, None), (None, "test:detail alone")]
    assert [step_to_dict(e) for e in edits] == [s for s in steps if s["kind"] == "edit"]


@pytest.mark.parametrize("pair", [["guessed", None], ["typed", "no evidence prefix"], ["typed", "x:a\nb"],
                                  [3, None], ["paste", ["a"]]])
def test_a_bad_origin_value_reaches_the_schema_which_names_it(pair: list[Any]) -> None:
    chunk = encode_chunk(structs(typing(2)), "utf-16")
    chunk["O"], chunk["eo"] = [pair], [1, 0]
    made = list(iter_chunk(chunk, "utf-16", EditMaker()))
    assert isinstance(made[0], EditStep) and isinstance(made[1], dict)
    with pytest.raises(StepError, match="origin"):
        step_from_dict(made[1])


@pytest.mark.parametrize("columns", [
    {"O": [["typed", None]]},  # a table without its column
    {"O": [["typed", None]], "eo": [0]},  # odd length
    {"O": [["typed", None]], "eo": [0, 1]},  # index past the table
    {"O": [["typed", None]], "eo": [0, 0, 0, 0]},  # the same edit twice
    {"O": [["typed", None]], "eo": [5, 0]},  # an edit the chunk does not have
    {"O": ["typed"], "eo": [0, 0]},  # not a pair
    {"O": [["typed", None]], "eo": [0, "0"]},
])
def test_malformed_origin_columns_are_refused(columns: dict[str, Any]) -> None:
    chunk = encode_chunk(structs(typing(2)), "utf-16")
    chunk.update(columns)
    with pytest.raises(EpisodeError, match=r"origin|left over"):
        decode_chunk(chunk, "utf-16")


def test_a_file_keeps_origins_and_older_chunks_read_as_unknown(tmp_path: Path) -> None:
    header = EpisodeHeader(codetape_version="0.1.0", episode_id=uuid.uuid4(),
                           started_at=datetime(2026, 1, 1, tzinfo=UTC),
                           workspace=WorkspaceIdentity(root_name="w"))
    steps = [step_from_dict(s) for s in with_origins(typing(4), {1: ("paste", "nvim:vim.paste")})]
    write_episode_file(tmp_path / "e.ctape", header, steps)
    read = list(open_episode(tmp_path / "e.ctape").steps())
    assert read == steps
    assert [getattr(s, "origin", None) for s in read] == [None, "paste", None, None]
