"""Test runs a pytest could not hand to the collector (nobody listened by the end of its wait): the pytest
plugin leaves a note for each in `lost/` beside the socket (collector/sources/pytest_path/codetape_pytest.py),
and the collector, when it listens and at each hello, takes them and records a `gap` in the workspace named,
so that the hole is seen (a workspace not opted in records nothing)."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LOST_FOLDER = "lost"  # the pytest plugin's name for it too (a test keeps them equal)
MAX_NOTE_BYTES = 64 * 1024
MAX_NOTES = 1000


@dataclass(frozen=True)
class LostRun:
    workspace: Path
    at_ms: int  # when the run ended (unix epoch ms)
    tests: int  # the tests it had counted


def take_lost(folder: Path) -> list[LostRun]:
    """The notes in `folder`/lost/, removed as they are read (a malformed one too), oldest first."""
    try:
        notes = sorted(path for path in (folder / LOST_FOLDER).iterdir() if path.suffix == ".json")
    except OSError:
        return []
    runs = []
    for path in notes[:MAX_NOTES]:
        try:
            with open(path, "rb") as handle:
                note = json.loads(handle.read(MAX_NOTE_BYTES + 1)[:MAX_NOTE_BYTES])
        except (OSError, ValueError):
            note = None
        with contextlib.suppress(OSError):
            path.unlink()
        run = _run(note)
        if run is not None:
            runs.append(run)
    return sorted(runs, key=lambda run: run.at_ms)


def _run(note: Any) -> LostRun | None:
    if not isinstance(note, dict):
        return None
    workspace, at, tests = note.get("workspace"), note.get("at"), note.get("tests")
    if not isinstance(workspace, str) or not Path(workspace).is_absolute() or not isinstance(at, int):
        return None
    return LostRun(Path(workspace), at, tests if isinstance(tests, int) and tests >= 0 else 0)


def gap_step(run: LostRun, now_ms: int) -> dict[str, Any]:
    """The `gap` that says the run was not recorded, as of `now_ms` (its own end is `now_ms` less the
    seconds the detail names: no time of day)."""
    ago = max(0, now_ms - run.at_ms) // 1000
    tests = f"{run.tests} test{'s' * (run.tests != 1)}" if run.tests else "its tests"
    return {"kind": "gap", "source": "pytest", "reason": "collector_unreachable", "lost_steps": 1,
            "detail": f"a pytest run ({tests}) that ended {ago} s ago was not recorded: no collector "
                      "listened by the end of its wait"}
