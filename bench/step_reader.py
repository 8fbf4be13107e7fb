"""The public reader and the replay over episode files, in this tree: CPU µs a step of `Episode.steps()`
and of `verify_replay` over all the files given (median of 5 passes). Run it alternately with PYTHONPATH
set to two trees for a side-by-side figure:

    PYTHONPATH=TREE .venv/bin/python -m bench.step_reader EPISODE...
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from collector.episode import open_episode
from collector.verify.integrity import verify_replay


def main() -> None:
    episodes = [open_episode(Path(name)) for name in sys.argv[1:]]
    count = sum(episode.step_count for episode in episodes)
    reads: list[float] = []
    replays: list[float] = []
    for _ in range(5):
        began = time.process_time()
        for episode in episodes:
            for _step in episode.steps():
                pass
        reads.append((time.process_time() - began) / count * 1e6)
        began = time.process_time()
        for episode in episodes:
            verify_replay(episode)
        replays.append((time.process_time() - began) / count * 1e6)
    print(f"{count} steps in {len(episodes)} episodes: Episode.steps() {statistics.median(reads):.2f} µs a "
          f"step, verify_replay {statistics.median(replays):.2f} µs a step")


if __name__ == "__main__":
    main()
