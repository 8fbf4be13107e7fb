"""The public reader and the replay over one episode file, in this tree: CPU µs a step of
`Episode.steps()` and of `verify_replay` (median of 5 passes). Run it alternately with PYTHONPATH set to
two trees for a side-by-side figure:

    PYTHONPATH=TREE .venv/bin/python -m bench.step_reader EPISODE
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from collector.episode import open_episode
from collector.verify.integrity import verify_replay


def main() -> None:
    episode = open_episode(Path(sys.argv[1]))
    reads: list[float] = []
    replays: list[float] = []
    count = 0
    for _ in range(5):
        began = time.process_time()
        count = sum(1 for _ in episode.steps())
        reads.append((time.process_time() - began) / count * 1e6)
        began = time.process_time()
        verify_replay(episode)
        replays.append((time.process_time() - began) / count * 1e6)
    print(f"{count} steps: Episode.steps() {statistics.median(reads):.2f} µs a step, "
          f"verify_replay {statistics.median(replays):.2f} µs a step")


if __name__ == "__main__":
    main()
