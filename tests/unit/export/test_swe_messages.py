"""swe-messages' rows (collector/export/swe_messages.py) of hand-built episodes, written in this process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from collector.episode import open_episode, write_episode_file
from collector.export.result import ExportResult
from collector.export.swe_messages import SweMessagesExporter
from schemas import EpisodeHeader, Step, step_from_dict


def step(kind: str, t_ms: int, **fields: Any) -> Step:
    return step_from_dict({"kind": kind, "t_ms": t_ms, "source": "test", **fields})


def edit(t_ms: int, start: int, end: int, text: str, origin: str) -> Step:
    return step("edit", t_ms, path="a.py", origin=origin, changes=[{"range": {
        "start": {"line": 0, "character": start}, "end": {"line": 0, "character": end}}, "text": text}])


def test_a_burst_that_leaves_its_file_as_it_was_is_no_edit_file_call(tmp_path: Path,
                                                                       episode_header: EpisodeHeader) -> None:
    """Issue 55, item 2: `x` then `u` wrote an `edit_file` call with an empty diff."""
    steps = [step("open", 0, path="a.py", text="import re\n"),
             edit(10, 0, 1, "", "typed"), edit(20, 0, 0, "i", "undo"),  # x, then u: as it was
             step("save", 30, path="a.py"),
             edit(10_000, 9, 9, "  # regex", "typed")]
    path = tmp_path / f"{episode_header.episode_id}.ctape"
    write_episode_file(path, episode_header, steps)
    result = ExportResult("swe-messages", tmp_path)
    result.splits[str(episode_header.episode_id)] = "train"
    SweMessagesExporter(tmp_path, result, ".swe-messages.jsonl").add(open_episode(path))
    [row] = [json.loads(line) for line in (tmp_path / f"{episode_header.episode_id}.swe-messages.jsonl")
             .read_text(encoding="utf-8").splitlines()]
    calls = [json.loads(call["function"]["arguments"]) for message in row["messages"]
             for call in message.get("tool_calls") or ()]
    assert [call["diff"].splitlines()[-1] for call in calls] == ["+import re  # regex"], calls
