"""How an ATIF trajectory says what a gap was: a hole, the editor's text taken again, or the repository's
tracked files at the start (a snapshot is recorded work, not something missing)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from collector.episode import open_episode, write_episode_file
from collector.export.traces.atif import write_trajectory
from schemas import EpisodeHeader, step_from_dict


def test_each_gap_reason_is_said_as_what_it_is(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    steps = [step_from_dict({"t_ms": 0, "source": "collector", "kind": "gap", "reason": "snapshot",
                             "state": [{"path": "a.py", "text": "x = 1\n"}, {"path": "b.py", "text": ""}]}),
             step_from_dict({"t_ms": 5, "source": "bridge", "kind": "gap", "reason": "resync",
                             "state": [{"path": "a.py", "text": "x = 2\n"}]}),
             step_from_dict({"t_ms": 9, "source": "collector", "kind": "gap", "reason": "paused"})]
    path = tmp_path / f"{episode_header.episode_id}.ctape"
    write_episode_file(path, episode_header, steps)
    out = io.BytesIO()
    write_trajectory(out, open_episode(path))
    said = [step["message"] for step in json.loads(out.getvalue())["steps"] if step["source"] == "system"]
    assert said == ["the repository's tracked files at the start (2)", "the editor's text taken again",
                    "not recorded (paused)"]
