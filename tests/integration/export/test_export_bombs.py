"""Export bombs through the real `codetape export`: signed episodes of a few kilobytes crafted to make an
export quadratic or to make it write far more than their size (tests/support/hostile_episodes.py crafts
them; bench/hostile_exports.py measures them: bench/README.md, "Hostile exports").

Nothing here is timed. The quadratic episodes cost today's exports about 45 s of CPU per edit burst; the
CLI runs under a CPU limit (RLIMIT_CPU, a resource limit as test_hostile_episodes.py sets one on memory)
far above what a bounded export needs, so that such an export fails instead of running for minutes; what
is asserted is what the export wrote.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest

from collector.home import Home
from tests.cli import codetape_limited
from tests.support.hostile_episodes import (
    big_opens,
    edit,
    growing,
    links,
    opened,
    quadratic,
    renamed,
    shared,
    signed,
    signer,
)
from tests.unified import applied

CPU_LIMIT_S = 60


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    return signer(tmp_path_factory.mktemp("signer") / "home")


def stored_bytes(folder: Path) -> int:
    """Bytes under `folder`, a file with several names counted once."""
    inodes = {path.stat().st_ino: path.stat().st_size for path in folder.rglob("*") if path.is_file()}
    return sum(inodes.values())


def copied_bytes(folder: Path) -> int:
    """Bytes a copy or an archive of `folder` holds: a file with several names counted at each."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def trajectory(out: Path) -> dict[str, Any]:
    (path,) = out.glob("*.atif.json")
    loaded: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return loaded


def test_diffs_of_a_file_that_makes_difflib_quadratic_are_exact_and_cost_its_size(tmp_path: Path,
                                                                                 home: Home) -> None:
    """160,000 lines drawn from 101 distinct ones, 8 bursts changing one line each: every ATIF edit_file
    diff is the exact one-line diff and every zeta example is there, within a CPU limit today's exports
    pass 6 times over (~45 s a burst, for each format)."""
    steps = quadratic(bursts=8)
    caret = {"line": 80_000, "character": 0}  # the editor's caret before the first burst: zeta needs one
    steps.insert(1, {"kind": "cursor", "t_ms": 5_000, "source": "bridge", "path": "big.txt",
                     "selections": [{"anchor": caret, "active": caret}]})
    episode = signed(home, tmp_path / "quadratic.ctape", steps)
    text = steps[0]["text"]
    for fmt in ("atif", "zeta"):
        done = codetape_limited(tmp_path / "team", "export", str(episode), "--format", fmt,
                                "-o", str(tmp_path / fmt), cpu_s=CPU_LIMIT_S, timeout=600)
        assert done.returncode == 0, (fmt, done.returncode, done.stderr[-2000:])
        assert "coarse" not in done.stderr
    calls = [step for step in trajectory(tmp_path / "atif")["steps"] if _edits(step)]
    assert len(calls) == 8
    lines = text.splitlines(keepends=True)
    for burst, step in enumerate(calls):
        diff = step["tool_calls"][0]["arguments"]["diff"]
        line = 80_000 + burst
        assert "coarse_diff" not in step["extra"]
        assert diff.startswith(f"--- a/big.txt\n+++ b/big.txt\n@@ -{line - 2},7 +{line - 2},7 @@\n")
        hunk = diff.split("@@\n", 1)[1]
        assert f"\n-{lines[line]}+x{lines[line]}" in hunk and hunk.count("\n-") == hunk.count("\n+") == 1
    examples = (tmp_path / "zeta").glob("*.zeta.jsonl")
    assert len(next(examples).read_text("utf-8").splitlines()) == 8


def test_bursts_past_the_episodes_diff_allowance_get_coarse_diffs_that_say_so_and_apply(tmp_path: Path,
                                                                                      home: Home) -> None:
    """40,000 such lines, 6 bursts each changing a line near either end: a smallest diff would visit ~1.6e7
    pairs of lines each, more than the episode's allowance. Each diff is coarse, marked as such, and
    still turns the file before the burst into the file after it."""
    lines = [f"line {n % 101}\n" for n in range(40_000)]
    steps = [opened(0, "big.txt", "".join(lines))]
    for burst in range(6):
        t_ms = 10_000 * (burst + 1)
        steps += [edit(t_ms, "big.txt", 3 + burst, 0, "x"), edit(t_ms + 1, "big.txt", 39_990 - burst, 0, "y")]
    episode = signed(home, tmp_path / "coarse.ctape", steps)
    done = codetape_limited(tmp_path / "team", "export", str(episode), "--format", "atif",
                            "-o", str(tmp_path / "atif"), cpu_s=CPU_LIMIT_S, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "6 coarse diffs (a smallest one would cost too much)" in done.stderr
    calls = [step for step in trajectory(tmp_path / "atif")["steps"] if _edits(step)]
    text = "".join(lines)
    for burst, step in enumerate(calls):
        assert step["extra"]["coarse_diff"] is True
        after = text.splitlines(keepends=True)
        after[3 + burst] = "x" + after[3 + burst]
        after[39_990 - burst] = "y" + after[39_990 - burst]
        hunks = step["tool_calls"][0]["arguments"]["diff"].split("\n", 2)[2]
        assert applied(text, hunks) == "".join(after)
        text = "".join(after)
    assert len(calls) == 6


@pytest.mark.parametrize(("fmt", "steps"), [
    ("progsnap2", lambda: growing(size=1 << 20, bursts=80)),  # 81 code states of 1 MiB: 81 MiB
    ("jsonl", lambda: big_opens(size=16 << 20, times=5)),  # 5 lines of 16 MiB: 80 MiB
    # 3 KB: a 10 MB file renamed 40 times, 41 code states of one file under 41 names (hard links: 10 MB on
    # disk, 410 MB in any copy of the export); until now written, as links cost only their names
    ("progsnap2", renamed),
    # 14 KB: 1,000 links of 4,095 characters in 61 code states; until now written (a link's target takes a
    # disk block: 250 MB on disk), as links cost nothing
    ("progsnap2", links),
], ids=["progsnap2", "jsonl", "progsnap2-renamed", "progsnap2-links"])
def test_an_episode_that_would_write_far_more_than_its_size_is_refused_in_one_line(
        tmp_path: Path, home: Home, fmt: str, steps: Any) -> None:
    episode = signed(home, tmp_path / f"{fmt}.ctape", steps())
    size = episode.stat().st_size
    limit = (64 << 20) + 256 * size  # collector/export/allowance.py: 64 MiB and 256 bytes per byte
    out = tmp_path / "out"
    done = codetape_limited(tmp_path / "team", "export", str(episode), "--format", fmt, "-o", str(out),
                            cpu_s=CPU_LIMIT_S, timeout=600)
    lines = done.stderr.splitlines()
    assert done.returncode == 1 and len(lines) == 1, (done.returncode, done.stderr[-2000:])
    said = (f"its export would take more than {limit / (1 << 20):.1f} MiB (64 MiB and 256 bytes for each of "
            f"its {size:,} bytes): a damaged or hostile episode")
    assert re.fullmatch(rf"codetape: cannot export .*{fmt}\.ctape: {re.escape(said)}", lines[0]), lines[0]
    left = out / "CodeStates" if fmt == "progsnap2" else out
    assert not list(left.iterdir()) and stored_bytes(out) == 0  # what the refused episode wrote is gone


def test_code_states_store_each_files_bytes_once(tmp_path: Path, home: Home) -> None:
    """20 files of 100 KB that never change and a small one edited in 10 bursts: a code state after each
    open and each burst, each a directory of the files as checkout writes them, holding 2 MB on disk
    between them, not a copy of every file in every state (43 MB); and those 43 MB, what a copy of the
    export holds, are within the episode's allowance, which counted them."""
    steps = shared(bursts=10)
    episode = signed(home, tmp_path / "shared.ctape", steps)
    out = tmp_path / "out"
    done = codetape_limited(tmp_path / "team", "export", str(episode), "--format", "progsnap2",
                            "-o", str(out), cpu_s=CPU_LIMIT_S, timeout=600)
    assert done.returncode == 0, done.stderr
    with open(out / "MainTable.csv", newline="", encoding="utf-8") as table:
        states = {row["CodeStateID"] for row in csv.DictReader(table)}
    texts = {step["path"]: step["text"] for step in steps if step["kind"] == "open"}
    complete = 0
    for state in states:
        folder = out / "CodeStates" / state
        found = {str(path.relative_to(folder)): path.read_text("utf-8") for path in folder.rglob("*")
                 if path.is_file()}
        assert found.keys() <= texts.keys()
        assert all(text == texts[path] for path, text in found.items() if path != "main.py")
        complete += found.keys() == texts.keys()
    assert len(states) == 32 and complete == 11  # the empty start, after each of 21 opens and 10 bursts
    distinct = sum(len(text) for text in texts.values())
    assert stored_bytes(out / "CodeStates") < distinct + 11 * 64  # and each state's own main.py
    assert 40e6 < copied_bytes(out) <= (64 << 20) + 256 * episode.stat().st_size


def _edits(step: dict[str, Any]) -> bool:
    """Whether an ATIF step is an edit_file call (not the read_file of the file's opening)."""
    return any(call["function_name"] == "edit_file" for call in step.get("tool_calls", []))
