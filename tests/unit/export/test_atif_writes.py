"""An agent's write to disk in an ATIF trajectory: the file it landed on, with the diff from the text it
replaced there (an atomic save renames a temporary file over the file it writes)."""

from __future__ import annotations

import io
import json
from hashlib import sha256
from pathlib import Path
from typing import Any

from collector.episode import open_episode, write_episode_file
from collector.export.traces.atif import write_trajectory
from schemas import EpisodeHeader, step_from_dict


def changed(t_ms: int, **fields: Any) -> dict[str, Any]:
    text = fields.get("text", "")
    return {"t_ms": t_ms, "source": "files", "kind": "file_change", "origin": "agent",
            "origin_detail": "claude-code:PreToolUse Write", "sha256": sha256(text.encode()).hexdigest(),
            "size": len(text), "text": text, **fields}


def test_an_atomic_save_is_a_write_of_the_file_it_renamed_over(tmp_path: Path,
                                                               episode_header: EpisodeHeader) -> None:
    tmp = "app.py.tmp.4242.1780000000000"
    steps = [step_from_dict(step) for step in (
        {"t_ms": 0, "source": "test", "kind": "open", "path": "app.py", "text": "x = 1\n"},
        changed(10, path=tmp, change="created"),
        changed(20, path=tmp, change="renamed", new_path="app.py", text="x = 2\n"))]
    path = tmp_path / f"{episode_header.episode_id}.ctape"
    write_episode_file(path, episode_header, steps)
    out = io.BytesIO()
    write_trajectory(out, open_episode(path))
    calls = [call["arguments"] for step in json.loads(out.getvalue())["steps"]
             for call in step.get("tool_calls") or () if call["function_name"] == "write_file"]
    assert calls[-1]["path"] == "app.py"
    assert calls[-1]["diff"].splitlines()[-2:] == ["-x = 1", "+x = 2"], calls
