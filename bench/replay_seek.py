"""Replay on a 100,000-step episode written twice, with keyframes and without: checkout, seeking, the
player's first screen, playing it all through; what keyframes cost; a long single-line document.

Every timed operation runs in a fresh process, `--runs` times (medians), on the first 100,000 steps of
the long edit-heavy session (tests/support/sessions.py, as bench/episode_speed.py uses it), written by the
episode writer with keyframes (as sealing writes them) and without (as before keyframes):

- checkout: `open_episode`, then `collector.reconstruct.keyframes.workspace_after` (what `codetape
  checkout` runs) at step 50,000 and at the last step. Goal < 0.2 s.
- seek: `open_episode`, `Index.open` and `Seeker.seek(50_000)`: the player asked for the middle before
  its index's full pass got there. Goal < 0.2 s.
- first screen: `open_episode`, `Index.open`, the real Textual player headless (`App.run_test`) until
  its first screen is drawn; and the same with `Index.build` first, as the player did before. Goal < 0.5 s.
- random seeks and the worst case (the last step of every chunk, from another chunk), on an opened
  index (keyframes) and on a built one (exact checkpoints); a playthrough of the player on the built
  index, RSS sampled every 10,000 steps.
- writing: `write_episode_file` of the 100,000 steps with keyframes and without (CPU: what sealing pays).
- size: the bench sessions (`--size-seeds` seeds of each profile) and the long episode, with keyframes
  and without. Goal <= 5 %.
- long line: `bench/long_line.py` episodes (a 1 MiB line with 10,000 / 20,000 / 40,000 one-character
  edits, a 4 MiB line with 10,000) checked out at the end. Goal for 1 MiB and 10,000 edits: < 1 s, and
  linear in the edits.

    .venv/bin/python -m bench.replay_seek [--runs 5] [--seeks 300] [--size-seeds 5] [--no-readme]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.long_line import write_long_line
from bench.report import command_line, machine, median, table, write_section
from collector.episode import open_episode
from collector.reconstruct.keyframes import workspace_after
from collector.replay.seek import Index, Seeker
from tests.support.replay_probe import SAMPLE_EVERY, SCREEN, long_episode, play, seeks, timed_index, write
from tests.support.sessions import PROFILES, generate

SEEK_GOAL, FIRST_GOAL, SIZE_GOAL, LONG_LINE_GOAL = 0.2, 0.5, 5.0, 1.0
MIDDLE = 50_000
LONG_LINES = [(1 << 20, 10_000), (1 << 20, 20_000), (1 << 20, 40_000), (4 << 20, 10_000)]


def timed(fn: Callable[[], object]) -> dict[str, float]:
    start, cpu = time.perf_counter(), time.process_time()
    fn()
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu}


def first_screen(path: Path, *, build: bool) -> dict[str, float]:
    """From opening the episode to the player's first screen drawn (Textual headless)."""
    from collector.replay.control import Playback
    from collector.replay.player import ReplayApp

    start, cpu = time.perf_counter(), time.process_time()
    index = timed_index(path, build=build)[0]
    app = ReplayApp(Playback(index, 0, index.count - 1), play=False)

    async def run() -> dict[str, float]:
        async with app.run_test(size=SCREEN) as pilot:
            await pilot.pause()
            return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu}

    return asyncio.run(run())


def child(argv: list[str]) -> dict[str, Any]:
    what, path = argv[0], Path(argv[1])
    if what == "seek":
        return seeks(path, int(argv[2]), build=argv[3:] != ["open"])
    if what == "play":
        return play(path)
    if what == "checkout":
        stop = None if argv[2] == "end" else int(argv[2])
        return timed(lambda: workspace_after(open_episode(path), stop))
    if what == "middle":
        return timed(lambda: Seeker(Index.open(open_episode(path))).seek(int(argv[2])))
    if what == "first":
        return first_screen(path, build=argv[2] == "build")
    if what == "write":
        episode = open_episode(path)
        steps = list(episode.steps())
        return timed(lambda: write(Path(argv[2]), episode.header, steps, keyframes=argv[3] == "keyframes"))
    raise SystemExit(f"unknown child {what}")


def run_child(*args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "bench.replay_seek", "--child", *args], check=True,
                          capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def sizes(seeds: int, work: Path) -> list[dict[str, Any]]:
    """Bytes of each bench session written without keyframes and with them."""
    found = []
    for profile in PROFILES:
        for seed in range(1, seeds + 1):
            session = generate(seed, profile)
            files = {}
            for keyframes in (False, True):
                path = work / f"size-{keyframes}.ctape"
                write(path, session.header, session.steps, keyframes=keyframes)
                files[keyframes] = path.stat().st_size
            found.append({"name": session.name, "steps": len(session.steps), "without": files[False],
                          "with": files[True], "keyframes": open_episode(path).keyframe_count})
            print(f"size {session.name}: {100 * (files[True] / files[False] - 1):+.2f} %", flush=True)
    return found


def repeated(runs: int, *args: str) -> list[dict[str, Any]]:
    return [run_child(*args) for _ in range(runs)]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2:])))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seeks", type=int, default=300)
    parser.add_argument("--size-seeds", type=int, default=5)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        files = {"without": work / "without.ctape", "with": work / "with.ctape"}
        started = time.perf_counter()
        source = long_episode(files["without"], keyframes=False)
        results["write"] = {name: repeated(args.runs, "write", str(files["without"]), str(path), name)
                            for name, path in (("plain", work / "w0.ctape"), ("keyframes", files["with"]))}
        results["bytes"] = {name: path.stat().st_size for name, path in files.items()}
        results["keyframes"] = open_episode(files["with"]).keyframe_count
        print(f"generated {source} in {time.perf_counter() - started:.0f} s", flush=True)
        for name, path in files.items():
            for op, arg in (("checkout", str(MIDDLE)), ("checkout", "end"), ("middle", str(MIDDLE)),
                            ("first", "open")):
                results[f"{op}:{arg}:{name}"] = repeated(args.runs, op, str(path), arg)
                print(f"{op} {arg} {name}: {_median(results[f'{op}:{arg}:{name}']):.3f} s", flush=True)
        results["first:build:without"] = repeated(args.runs, "first", str(files["without"]), "build")
        results["seek:open"] = run_child("seek", str(files["with"]), str(args.seeks), "open")
        results["seek:build"] = run_child("seek", str(files["with"]), str(args.seeks))
        results["play"] = run_child("play", str(files["with"]))
        print(f"play: {results['play']['steps']:,} steps in {results['play']['seconds']:.1f} s", flush=True)
        results["long"] = []
        for size, edits in LONG_LINES:
            path = work / f"line-{size}-{edits}.ctape"
            write_long_line(path, size, edits)
            results["long"].append((size, edits, repeated(args.runs, "checkout", str(path), "end")))
        results["sizes"] = sizes(args.size_seeds, work)
    body = render(results, args, load, source)
    print(body)
    if not args.no_readme:
        write_section("replay-seek", body)


def _median(results: list[dict[str, Any]], key: str = "seconds") -> float:
    return median([r[key] for r in results])


def _cell(results: list[dict[str, Any]]) -> str:
    return f"**{_median(results):.3f} s** ({_median(results, 'cpu'):.3f} s CPU)"


def render(results: dict[str, Any], args: argparse.Namespace, load: str, source: str) -> str:
    def goal(key: str, limit: float) -> str:
        return goal_text(_median(results[key]), limit)

    without, with_ = results["bytes"]["without"], results["bytes"]["with"]
    rows = [
        ["checkout at step 50,000", _cell(results[f"checkout:{MIDDLE}:without"]),
         _cell(results[f"checkout:{MIDDLE}:with"]), goal(f"checkout:{MIDDLE}:with", SEEK_GOAL)],
        ["checkout at the last step", _cell(results["checkout:end:without"]),
         _cell(results["checkout:end:with"]), goal("checkout:end:with", SEEK_GOAL)],
        ["player: seek to step 50,000, index opened", _cell(results[f"middle:{MIDDLE}:without"]),
         _cell(results[f"middle:{MIDDLE}:with"]), goal(f"middle:{MIDDLE}:with", SEEK_GOAL)],
        ["player: first screen, index opened", _cell(results["first:open:without"]),
         _cell(results["first:open:with"]), goal("first:open:with", FIRST_GOAL)],
        ["player: first screen after the full index pass (as before)", _cell(results["first:build:without"]),
         "", ""],
        ["writing the 100,000 steps (what sealing adds)", _cell(results["write"]["plain"]),
         _cell(results["write"]["keyframes"]), ""],
        ["episode size", f"{without / 1024:.0f} KiB",
         f"{with_ / 1024:.0f} KiB ({results['keyframes']} keyframes, {100 * (with_ / without - 1):+.1f} %)",
         f"<= {SIZE_GOAL:g} %"],
    ]

    def times(pairs: list[list[float]]) -> list[str]:
        walls, cpus = sorted(w for w, _ in pairs), sorted(c for _, c in pairs)
        p95 = walls[min(len(walls) - 1, int(len(walls) * 0.95))]
        return [f"**{median(walls):.3f} s**", f"{p95:.3f} s", f"{walls[-1]:.3f} s", f"{median(cpus):.3f} s",
                f"{cpus[-1]:.3f} s"]

    seek_rows = []
    for key, what in (("seek:open", "index opened (keyframes)"), ("seek:build", "index built (checkpoints)")):
        seek = results[key]
        seek_rows += [[f"{args.seeks} random steps, {what}", *times(seek["random"])],
                      [f"last step of each of the {seek['chunks']} chunks from another, {what}",
                       *times(seek["worst"])]]
    opened, built = results["seek:open"], results["seek:build"]["index"]
    long_rows = []
    for size, edits, runs in results["long"]:
        per_edit = 1e6 * _median(runs, "cpu") / edits
        long_rows.append([f"{size >> 20} MiB line, {edits:,} edits", _cell(runs), f"{per_edit:.1f} µs",
                          goal_text(_median(runs), LONG_LINE_GOAL) if (size, edits) == LONG_LINES[0] else ""])
    size_rows = [[s["name"], f"{s['steps']:,}", f"{s['without']:,}", f"{s['with']:,}", str(s["keyframes"]),
                  f"{100 * (s['with'] / s['without'] - 1):+.2f} %"] for s in results["sizes"]]
    costs = [100 * (s["with"] / s["without"] - 1) for s in results["sizes"]]
    played = results["play"]
    samples = played["samples"]
    after_first = [rss for position, rss in samples if position >= SAMPLE_EVERY]
    return "\n".join([
        f"Command: `{command_line()}` ({machine()}). Load average {load} when it started. Steps: {source}. "
        f"Each timed row: {args.runs} runs, each in a fresh process, median wall (median CPU).\n",
        table(["operation", "without keyframes (time, size)", "with keyframes (time, size)",
               "goal (with keyframes)"], rows), "",
        f"**Seeking in a running player** ({opened['chunks']} chunks; opening the index took "
        f"{opened['index']['seconds']:.2f} s, building it {built['seconds']:.2f} s, both with the episode "
        f"opened; RSS {built['rss_mib']:.0f} MiB built):\n",
        table(["seek", "median wall", "p95 wall", "max wall", "median CPU", "max CPU"], seek_rows), "",
        "**Long single-line documents** (`bench/long_line.py`; checkout at the end, from the open):\n",
        table(["document", "checkout time", "CPU time per edit", "goal"], long_rows), "",
        f"**What keyframes cost** on the bench sessions (bytes, with and without; median "
        f"{median(costs):+.2f} %, largest {max(costs):+.2f} %, goal <= {SIZE_GOAL:g} %):\n",
        table(["session", "steps", "bytes without", "bytes with", "keyframes", "size cost"], size_rows), "",
        f"**Play** (the Textual player headless, {SCREEN[0]}x{SCREEN[1]}, index built first, every step "
        f"applied, the screen redrawn each tick): {played['steps']:,} steps in {played['seconds']:.1f} s. "
        f"RSS growth after the first {SAMPLE_EVERY:,} steps: {max(after_first) - min(after_first):+.1f} MiB "
        f"(process peak {played['peak_mib']:.0f} MiB)."])


def goal_text(seconds: float, limit: float) -> str:
    return f"< {limit:g} s: {'met' if seconds < limit else 'MISSED'}"


if __name__ == "__main__":
    main()
