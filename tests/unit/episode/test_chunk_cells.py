"""A notebook edit's cell in a step chunk: a sparse column (`cc`), and why an edit has none (`cu`), that
cost nothing when no edit has one, round trip through the chunk, the file and the reader's EditSteps, and
are refused when malformed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from collector.episode import open_episode, write_episode_file
from collector.episode.chunk import decode_chunk, encode_chunk, iter_chunk
from collector.episode.edit_structs import EditMaker
from collector.errors import EpisodeError
from schemas import EpisodeHeader, WorkspaceIdentity, step_from_dict, step_to_dict
from schemas.steps import EditStep
from tests.unit.episode.test_chunk_origins import structs, typing, with_origins


def with_cells(steps: list[dict[str, Any]], cells: dict[int, int]) -> list[dict[str, Any]]:
    return [{**step, "cell": cells[index]} if index in cells else step for index, step in enumerate(steps)]


def test_no_cell_means_no_column() -> None:
    chunk = encode_chunk(structs(typing(50)), "utf-16")
    assert "cc" not in chunk and "cu" not in chunk


def test_why_an_edit_has_no_cell_round_trips_beside_cells() -> None:
    steps = with_cells(typing(5), {0: 0, 3: 1})
    steps[1] = {**steps[1], "cell_unknown": "ambiguous"}
    steps[4] = {**steps[4], "cell_unknown": "unaligned"}
    chunk = encode_chunk(structs(steps), "utf-16")
    assert chunk["cu"] == [1, "ambiguous", 3, "unaligned"]
    assert decode_chunk(chunk, "utf-16") == steps
    made = [step for step in iter_chunk(chunk, "utf-16", EditMaker()) if isinstance(step, EditStep)]
    assert [(e.cell, e.cell_unknown) for e in made] == [
        (0, None), (None, "ambiguous"), (None, None), (1, None), (None, "unaligned")]
    chunk["cu"] = [1, "why not"]  # a reason this reader does not know: the step's schema refuses it
    assert isinstance(list(iter_chunk(chunk, "utf-16", EditMaker()))[1], dict)


@pytest.mark.parametrize("column", [[0], [0, 1], ["0", "ambiguous"], [0, "ambiguous", 0, "ambiguous"],
                                    [0, "x" * 33], 7])
def test_malformed_cell_reason_columns_are_refused(column: Any) -> None:
    chunk = encode_chunk(structs(typing(2)), "utf-16")
    chunk["cu"] = column
    with pytest.raises(EpisodeError, match=r"cell reason|left over"):
        decode_chunk(chunk, "utf-16")


def test_cells_round_trip_as_dicts_and_as_edit_structs_beside_origins_and_generic_steps() -> None:
    steps = with_origins(typing(6), {2: ("completion", "lsp:textDocument/completion")})
    steps.insert(3, {"kind": "note", "t_ms": 2, "source": "cli", "text": "between"})
    steps = with_cells(steps, {0: 0, 1: 0, 2: 3, 5: 1, 6: 2})
    chunk = encode_chunk(structs(steps), "utf-16")
    assert chunk["cc"] == [0, 0, 1, 0, 1, 3, 2, 1, 1, 2]  # edit number (first), its cell, next gap, ...
    assert decode_chunk(chunk, "utf-16") == steps
    made = [step for step in iter_chunk(chunk, "utf-16", EditMaker()) if isinstance(step, EditStep)]
    assert [e.cell for e in made] == [0, 0, 3, None, 1, 2]
    assert made[2].origin == "completion"
    assert [step_to_dict(e) for e in made] == [s for s in steps if s["kind"] == "edit"]


@pytest.mark.parametrize(
    "column",
    [
        [0],
        [0, -1],
        [0, 1, 0, 2],
        [5, 0],
        [0, "1"],
        "0,1",
        [0, 2**31 + 1],
    ],
)
def test_malformed_cell_columns_are_refused(column: Any) -> None:
    chunk = encode_chunk(structs(typing(2)), "utf-16")
    chunk["cc"] = column
    with pytest.raises(EpisodeError, match=r"cell|left over"):
        decode_chunk(chunk, "utf-16")


def test_a_file_keeps_cells(tmp_path: Path) -> None:
    header = EpisodeHeader(
        codetape_version="0.1.0",
        episode_id=uuid.uuid4(),
        started_at=datetime(2026, 1, 1, tzinfo=UTC),
        workspace=WorkspaceIdentity(root_name="w"),
    )
    steps = [step_from_dict(s) for s in with_cells(typing(4), {1: 0, 2: 7})]
    write_episode_file(tmp_path / "e.ctape", header, steps)
    read = list(open_episode(tmp_path / "e.ctape").steps())
    assert read == steps
    assert [getattr(s, "cell", None) for s in read] == [None, 0, 7, None]
