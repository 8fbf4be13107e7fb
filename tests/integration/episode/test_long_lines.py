"""Long lines through the real CLI: a file of a few hundred bytes that edits one 4-million-character line
thousands of times replays in seconds, and a replay that would redo the same work for minutes is refused.

The first episode opens a 4,000,000-character line and appends 8,192 characters to it, one edit each
(it compresses to well under a kilobyte). While a document held each line as one string, every edit
copied the line and `verify`, `replay --plain` and `report` ran for minutes; they must now finish within
the runner's timeout, in the memory cap of the hostile-episode tests. The second one is as small and
inserts a line at the top of 4,000,000 lines, 30,000 times: each edit moves every line, minutes of work
in all, which the replay's work cap stops after a few seconds with one line.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.cli import Limited
from tests.integration.episode import test_hostile_episodes as hostile
from tests.integration.episode.test_hostile_episodes import CAP_MB, Area, assert_refused, run_in, write_steps

area = hostile.area  # the same scratch tree: nothing may appear outside area.out
LINE = 4_000_000
EDITS = 8_192
TIMEOUT_S = 60

def edit(t_ms: int, line: int, character: int, text: str) -> dict[str, Any]:
    where = {"line": line, "character": character}
    return {"kind": "edit", "t_ms": t_ms, "source": "bridge", "path": "a.txt",
            "changes": [{"range": {"start": where, "end": where}, "text": text}]}


def long_line_episode(area: Area) -> str:
    steps = [{"kind": "open", "t_ms": 0, "source": "bridge", "path": "a.txt", "text": "a" * LINE}]
    steps += [edit(1 + index // 100, 0, LINE + index, "b") for index in range(EDITS)]
    return write_steps(area, "long-line.ctape", steps)


def run_timed(area: Area, *args: str) -> Limited:
    started = time.monotonic()
    run = run_in(area, *args, timeout=TIMEOUT_S)
    seconds = time.monotonic() - started
    assert seconds < TIMEOUT_S and run.returncode != -9, f"{args[0]} still running after {seconds:.0f} s"
    assert "Traceback" not in run.stderr
    assert run.peak_mb < CAP_MB, f"peak RSS {run.peak_mb:.0f} MB"
    return run


@pytest.mark.eval
@pytest.mark.alone  # within the runner's timeout
@pytest.mark.parametrize("command", ["verify", "replay", "report"])
def test_thousands_of_edits_to_a_huge_line_replay_in_seconds(area: Area, command: str) -> None:
    path = long_line_episode(area)
    assert Path(path).stat().st_size < 4096  # 576 bytes as first reported, at zstd level 19
    before = area.snapshot()
    area.out.mkdir()
    page = area.out / "report.html"
    args = {"verify": ["verify", path], "replay": ["replay", path, "--plain"],
            "report": ["report", path, "-o", str(page)]}[command]
    run = run_timed(area, *args)
    assert run.returncode == 0, run
    if command == "verify":
        assert run.stdout == "ok\n" and run.stderr == ""
    elif command == "replay":
        lines = run.stdout.splitlines()
        assert len(lines) == EDITS + 1 and lines[-1].split()[-2:] == ["+1", "char"] and run.stderr == ""
    else:
        assert run.stderr.startswith(f"wrote {page} ") and page.stat().st_size > 0
    assert area.snapshot() == before


@pytest.mark.eval  # stress: 8 G characters of work: scripts/test --all runs it
@pytest.mark.alone  # within the runner's timeout
def test_a_replay_that_would_redo_the_same_work_is_refused_with_one_line(area: Area) -> None:
    lines = 4_000_000
    steps = [{"kind": "open", "t_ms": 0, "source": "bridge", "path": "a.txt", "text": "\n" * lines}]
    steps += [edit(1 + index // 100, 0, 0, "\n") for index in range(30_000)]
    path = write_steps(area, "many-lines.ctape", steps)
    for args in (["verify", path], ["replay", path, "--plain"]):
        run = run_timed(area, *args)
        assert_refused(run, says="refusing to go on")
        assert "already copied or read back 8 G characters" in run.stderr
    area.out.mkdir()
    page = area.out / "report.html"
    run = run_timed(area, "report", path, "-o", str(page))  # the page shows where the files stop
    assert run.returncode == 0, run
    assert "refusing to go on" in page.read_text(encoding="utf-8")
