"""Replay on a 100,000-step episode: building the seek index, seeking anywhere, playing it all through.

Each operation runs in a fresh process, on the first 100,000 steps of the long edit-heavy session
(bench/sessions.py, as bench/episode_speed.py uses it):

- index: `open_episode` and `collector.replay.seek.Index.build` (one pass: decode, validate, apply, a
  checkpoint per chunk); the player does this once before it shows anything.
- seek: `Seeker.seek` to random steps in random order, and the worst case: the last step of every chunk
  reached from another chunk (restore the checkpoint, decode and apply the whole chunk). Goal < 1 s.
- play: the real Textual player, headless (`App.run_test`), on a fake clock at full speed, from the
  first step to the last, the screen redrawn after every tick as on a terminal; RSS sampled every
  10,000 steps, to show that playing does not grow memory.

    .venv/bin/python -m bench.replay_seek [--seeks 300] [--no-readme]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.episode_speed import EPISODE_STEPS, peak_rss_mib
from bench.report import command_line, machine, median, table, write_section
from bench.sessions import generate
from collector.episode import open_episode, write_episode_file
from collector.replay.seek import Index, Seeker

SEEK_GOAL = 1.0
SAMPLE_EVERY = 10_000
SCREEN = (120, 40)


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def timed_index(path: Path) -> tuple[Index, dict[str, float]]:
    before = rss_mib()
    start, cpu = time.perf_counter(), time.process_time()
    index = Index.build(open_episode(path))
    return index, {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                   "rss_before_mib": before, "rss_mib": rss_mib(), "peak_mib": peak_rss_mib()}


def seeks(path: Path, count: int, seed: int = 1) -> dict[str, Any]:
    """Wall and CPU seconds of `count` random seeks, and of the worst case for every chunk."""
    index, built = timed_index(path)
    seeker = Seeker(index)
    rng = random.Random(seed)

    def one(target: int) -> tuple[float, float]:
        start, cpu = time.perf_counter(), time.process_time()
        seeker.seek(target)
        return time.perf_counter() - start, time.process_time() - cpu

    randoms = [one(rng.randrange(index.count)) for _ in range(count)]
    worst = []
    for number, chunk in enumerate(index.chunks):
        seeker.seek(index.chunks[number - 1].first if number else index.count - 1)  # from another chunk
        worst.append(one(chunk.first + chunk.count - 1))
    return {"index": built, "chunks": len(index.chunks), "random": randoms, "worst": worst,
            "rss_mib": rss_mib(), "peak_mib": peak_rss_mib()}


def play(path: Path) -> dict[str, Any]:
    """The Textual player, headless, from the first step to the last at full speed; RSS samples."""
    from collector.replay.control import Playback
    from collector.replay.player import ReplayApp

    index, built = timed_index(path)
    clock = [0.0]
    playback = Playback(index, 0, index.count - 1, speed=4096, clock=lambda: clock[0], steps_per_tick=1000)
    app = ReplayApp(playback, play=True)
    samples: list[tuple[int, float]] = []

    async def run() -> float:
        async with app.run_test(size=SCREEN) as pilot:
            start = time.perf_counter()
            next_sample = 0
            while playback.playing:
                clock[0] += 1000.0
                await pilot.pause(1 / 30)
                if playback.position >= next_sample:
                    samples.append((playback.position, rss_mib()))
                    next_sample += SAMPLE_EVERY
            samples.append((playback.position, rss_mib()))
            return time.perf_counter() - start

    seconds = asyncio.run(run())
    return {"index": built, "seconds": seconds, "steps": playback.position + 1, "samples": samples,
            "peak_mib": peak_rss_mib()}


def child(argv: list[str]) -> None:
    what, path = argv[0], Path(argv[1])
    result = seeks(path, int(argv[2])) if what == "seek" else play(path)
    print(json.dumps(result))


def run_child(*args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "bench.replay_seek", "--child", *args], check=True,
                          capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def long_episode(path: Path) -> str:
    """Write the 100,000-step episode; returns where its steps come from."""
    session = generate(1, "edit-heavy", scale=3.5)
    if len(session.steps) < EPISODE_STEPS:
        raise SystemExit(f"the long session has only {len(session.steps)} steps; raise its scale")
    write_episode_file(path, session.header, session.steps[:EPISODE_STEPS])
    hours = session.steps[EPISODE_STEPS - 1].t_ms / 3_600_000
    return (f"the first {EPISODE_STEPS:,} steps of {session.name} at scale 3.5 ({hours:.1f} simulated hours, "
            f"{path.stat().st_size / 1024:.0f} KiB)")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeks", type=int, default=300)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        episode = Path(tmp) / "long.ctape"
        started = time.perf_counter()
        source = long_episode(episode)
        print(f"generated {source} in {time.perf_counter() - started:.0f} s", flush=True)
        seek = run_child("seek", str(episode), str(args.seeks))
        print(f"seek: index {seek['index']['seconds']:.2f} s, random median "
              f"{median([w for w, _ in seek['random']]):.3f} s", flush=True)
        played = run_child("play", str(episode))
        print(f"play: {played['steps']:,} steps in {played['seconds']:.1f} s", flush=True)
    body = render(seek, played, args.seeks, load, source)
    print(body)
    if not args.no_readme:
        write_section("replay-seek", body)


def render(seek: dict[str, Any], played: dict[str, Any], count: int, load: str, source: str) -> str:
    def times(pairs: list[list[float]]) -> list[str]:
        walls, cpus = sorted(w for w, _ in pairs), sorted(c for _, c in pairs)
        p95 = walls[min(len(walls) - 1, int(len(walls) * 0.95))]
        return [f"**{median(walls):.3f} s**", f"{p95:.3f} s", f"{walls[-1]:.3f} s", f"{median(cpus):.3f} s",
                f"{cpus[-1]:.3f} s", f"< {SEEK_GOAL:g} s: {'met' if walls[-1] < SEEK_GOAL else 'MISSED'}"]

    built = seek["index"]
    rows = [[f"{count} random steps, random order", *times(seek["random"])],
            [f"worst case: last step of each of the {seek['chunks']} chunks, from another chunk",
             *times(seek["worst"])]]
    head = ["seek", "median wall", "p95 wall", "max wall", "median CPU", "max CPU", "goal (every seek)"]
    samples = played["samples"]
    after_first = [rss for position, rss in samples if position >= SAMPLE_EVERY]
    rss_rows = [[f"{position:,}", f"{rss:.1f} MiB"] for position, rss in samples]
    return "\n".join([
        f"Command: `{command_line()}` ({machine()}). Load average {load} when it started. Steps: {source}.\n",
        f"**Index** (open the episode, one pass over every step): {built['seconds']:.2f} s wall, "
        f"{built['cpu']:.2f} s CPU; RSS {built['rss_before_mib']:.0f} MiB after imports, "
        f"{built['rss_mib']:.0f} MiB with the index built (peak {built['peak_mib']:.0f} MiB).\n",
        table(head, rows), "",
        f"**Play** (the Textual player headless, {SCREEN[0]}x{SCREEN[1]}, every step applied, the screen "
        f"redrawn each tick): {played['steps']:,} steps in {played['seconds']:.1f} s. RSS by step reached "
        f"(growth after the first {SAMPLE_EVERY:,} steps: "
        f"{max(after_first) - min(after_first):+.1f} MiB; process peak {played['peak_mib']:.0f} MiB):\n",
        table(["step", "RSS"], rss_rows)])


if __name__ == "__main__":
    main()
