"""The rows the dataset build gathers while it replays the steps read by records() (edits straight from the
chunk's columns) are the rows the plain pydantic path gives: each step's row with its data dumped by the
model's own serializer, each file state the text a replay of the validated models holds at that step;
for generated sessions of both profiles (tests/support/sessions.py), runs of typed characters read from the
chunks' columns and replayed as one change as the build reads and replays them."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.dataset.rows import _COMMON, StepRows
from collector.episode import open_episode, write_episode_file
from collector.episode.edits import EditRun
from collector.episode.records import records
from collector.reconstruct.workspace import workspace_at
from collector.text.digest import sha256_text
from collector.verify.integrity import verify_replay
from tests.support.sessions import generate


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rows_from_the_columns_are_the_rows_from_the_models(tmp_path: Path, seed: int) -> None:
    session = generate(seed, ("mixed", "edit-heavy")[seed % 2], scale=0.01)
    path = tmp_path / "e.ctape"
    write_episode_file(path, session.header, session.steps, level=1)
    episode = open_episode(path)
    rows = StepRows("e", "k", "2026-01")
    assert verify_replay(episode, records(episode, runs=True), observe=rows.observe,
                         observe_run=rows.observe_run) == len(session.steps)  # typed runs as one change
    assert any(isinstance(item, EditRun) for item in records(episode, runs=True))  # (as the build reads)
    tables = rows.finish()

    models = list(episode.steps())
    assert sum(step.kind == "edit" for step in models) > len(models) // 2
    expected = [{"step": index, "t_ms": step.t_ms, "kind": step.kind, "source": step.source,
                 "path": vars(step).get("path"),
                 "data": step.model_dump_json(exclude=_COMMON, exclude_defaults=True)}
                for index, step in enumerate(models)]
    assert tables["steps"].select(list(expected[0])).to_pylist() == expected

    states = tables["file_states"].to_pylist()
    assert {"save", "end"} <= {state["event"] for state in states}
    encoding = episode.header.position_encoding
    for state in states:
        text = workspace_at(encoding, models, state["step"]).text(state["path"])
        assert text is not None
        assert (state["text"], state["sha256"]) == (text, sha256_text(text)), state["path"]
