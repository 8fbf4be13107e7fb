"""The long episode and what a replay of it costs, measured inside the process that replays it.

`long_episode` writes the first 100,000 steps of the long edit-heavy session (tests/support/sessions.py)
with keyframes, as sealing writes them. `seeks` times random seeks and the worst case of every chunk;
`play` runs the Textual player headless from the first step to the last at full speed, sampling RSS every
SAMPLE_EVERY steps. Each measures the process it runs in, so it runs in a fresh one:

    python -m tests.support.replay_probe seek EPISODE COUNT [open]    # JSON on stdout
    python -m tests.support.replay_probe play EPISODE

tests/integration/replay/test_replay_long.py holds them to their goals; bench/replay_seek.py reports them.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

from collector.episode import open_episode, write_episode_file
from collector.reconstruct.keyframes import keyframe_states
from collector.replay.seek import Index, Seeker
from schemas import EpisodeHeader, Step
from tests.support.memory import peak_rss_mib, rss_mib
from tests.support.sessions import generate

EPISODE_STEPS = 100_000
SAMPLE_EVERY = 10_000
SCREEN = (120, 40)


def write(path: Path, header: EpisodeHeader, steps: list[Step], *, keyframes: bool) -> None:
    states = keyframe_states(header.position_encoding) if keyframes else None
    write_episode_file(path, header, steps, states=states)


def long_episode(path: Path, *, keyframes: bool = True) -> str:
    """Write the 100,000-step episode (with keyframes, as sealing writes it); returns where its steps
    come from."""
    session = generate(1, "edit-heavy", scale=3.5)
    if len(session.steps) < EPISODE_STEPS:
        raise SystemExit(f"the long session has only {len(session.steps)} steps; raise its scale")
    write(path, session.header, session.steps[:EPISODE_STEPS], keyframes=keyframes)
    hours = session.steps[EPISODE_STEPS - 1].t_ms / 3_600_000
    return f"the first {EPISODE_STEPS:,} steps of {session.name} at scale 3.5 ({hours:.1f} simulated hours)"


def timed_index(path: Path, *, build: bool = True) -> tuple[Index, dict[str, float]]:
    before = rss_mib()
    start, cpu = time.perf_counter(), time.process_time()
    episode = open_episode(path)
    index = Index.build(episode) if build else Index.open(episode)
    return index, {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                   "rss_before_mib": before, "rss_mib": rss_mib(), "peak_mib": peak_rss_mib()}


def seeks(path: Path, count: int, *, build: bool = True, seed: int = 1) -> dict[str, Any]:
    """Wall and CPU seconds of `count` random seeks, and of the worst case for every chunk."""
    index, built = timed_index(path, build=build)
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
            "scanned": index.scanned, "rss_mib": rss_mib(), "peak_mib": peak_rss_mib()}


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


def main(argv: list[str]) -> dict[str, Any]:
    what, path = argv[0], Path(argv[1])
    if what == "seek":
        return seeks(path, int(argv[2]), build=argv[3:] != ["open"])
    if what == "play":
        return play(path)
    raise SystemExit(f"unknown measure {what}: seek or play")


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
