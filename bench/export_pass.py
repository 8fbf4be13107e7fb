"""What each export format costs once it follows a replay it shares (collector/export/follow.py), in this
process, over the episodes of a `bench.dataset_build` source.

    .venv/bin/python -m bench.export_pass SOURCE [--episodes 30] [--repeat 3] [--no-readme]

SOURCE is a source `bench.dataset_build --work DIR` left (DIR/source). For each episode (opened once):
the replay alone (no follower), the replay with each format's follower alone, and with every format at
once, each the fastest of `--repeat` runs of CPU time; a format's cost is its replay's less the replay
alone. progsnap2-zip follows no replay: it is timed as `codetape export` writes it (its own replay
included). The files are written to a scratch directory, as a build's worker stages them.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.report import command_line, machine, python_ms, table, write_section
from collector.episode import Episode, open_episode
from collector.export import FORMATS, ExportResult
from collector.export.allowance import Allowance, Capped
from collector.export.follow import follow
from collector.export.per_episode import Following, PerEpisode


def _exporter(fmt: str, folder: Path, episode: Episode) -> PerEpisode:
    result = ExportResult(fmt, folder)
    result.splits = {str(episode.header.episode_id): "train"}
    exporter = FORMATS[fmt].open(folder, result).__enter__()
    assert isinstance(exporter, PerEpisode)
    return exporter


def _cpu(work: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        began = time.process_time()
        work()
        best = min(best, time.process_time() - began)
    return best


def measure(episode: Episode, folder: Path, repeat: int) -> dict[str, float]:
    """CPU seconds: the replay alone, each format (its follower on a replay of its own, less the replay),
    and every format at once."""
    formats = [name for name, fmt in FORMATS.items() if fmt.suffix is not None]

    def followed(names: list[str]) -> Callable[[], object]:
        def run() -> object:
            files, followers = [], []
            for name in names:
                exporter = _exporter(name, folder, episode)
                assert isinstance(exporter, Following)
                allowance = Allowance.of(episode)
                file = open(folder / f"{name}.out", "wb")  # noqa: SIM115 (closed below)
                files.append(file)
                followers.append(exporter.follower(Capped(file, allowance), episode, allowance))
            follow(episode, followers)
            for file in files:
                file.close()
            return None
        return run

    replay = _cpu(followed([]), repeat)
    found = {"replay": replay}
    following = [name for name in formats if isinstance(_exporter(name, folder, episode), Following)]
    def written(name: str) -> Callable[[], object]:
        return lambda: _exporter(name, folder, episode).add(episode)

    for name in formats:
        found[name] = _cpu(followed([name]), repeat) - replay if name in following else \
            _cpu(written(name), repeat)
    together = _cpu(followed(following), repeat)
    alone = [name for name in formats if name not in following]
    found["all, one replay"] = together + sum(found[name] for name in alone)
    found["each, a replay of its own"] = sum(found[name] + (replay if name in following else 0.0)
                                             for name in formats)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--episodes", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    load = "/".join(f"{x:.1f}" for x in os.getloadavg()) + f", bench.report.python_ms {python_ms():.0f} ms"
    paths = sorted((args.source / "episodes").glob("*.ctape"))[:args.episodes]
    totals: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="codetape-bench-export-pass-") as scratch:
        for path in paths:
            episode = open_episode(path)
            for name, seconds in measure(episode, Path(scratch), args.repeat).items():
                totals[name] = totals.get(name, 0.0) + seconds
    count = max(1, len(paths))
    rows = [[name, f"{seconds / count * 1000:.1f} ms"] for name, seconds in totals.items()]
    body = "\n".join([
        f"Command: `{command_line()}` ({machine()}); load average {load} at the start. {len(paths)} "
        f"episodes, CPU per episode, the fastest of {args.repeat} runs each.\n",
        table(["what", "CPU per episode"], rows)])
    print(body)
    if not args.no_readme:
        write_section("export-pass", body)


if __name__ == "__main__":
    main()
