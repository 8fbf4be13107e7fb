"""Where one core's time goes in `codetape dataset build`, stage by stage, per step: the CPU of each stage
run on its own over the same episodes of a bench.dataset_build source, in this process.

    .venv/bin/python -m bench.dataset_stages SOURCE [--episodes 100]

SOURCE is a source `bench.dataset_build --work DIR` left (DIR/source-100, say). Stages: reading the steps
as the build does (`Episode.steps()`: chunks decoded, each step validated into its struct), replaying
them (verify_replay over the steps read), the rows (StepRows as its
observer, less the replay), the summary the consent check compares, the rest of the transform (fetch, hash,
container, signature, consent scope, episode row; the whole transform less the stages above, so it also
holds what the stages cost together beyond their sum apart), and writing the rows (the build's
TableWriters).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.report import command_line, machine, table
from collector.dataset.check.source import entries, locate, reader_for
from collector.dataset.engines.kept import KeptRows
from collector.dataset.engines.transform import Context, DatasetOutcome, transform
from collector.dataset.output.output import open_output
from collector.dataset.rows.rows import StepRows
from collector.episode import Episode, open_episode
from collector.episode.summary import summarize
from collector.verify.integrity import verify_replay
from schemas import Step
from schemas.config import UploadSettings


def cpu(work: Callable[[], object]) -> float:
    began = time.process_time()
    work()
    return time.process_time() - began


def stages(source: Path, count: int) -> tuple[int, int, dict[str, float]]:
    """(episodes, steps, CPU seconds by stage)."""
    where = locate(str(source), UploadSettings())
    listing = list(entries(reader_for(where)))[:count]
    episodes = [open_episode(source / entry.key) for entry in listing]
    transform(listing[0], Context(where, 1))  # imports and the models' first build, not measured
    StepRows("warm", "k", "2026-01").finish()
    seconds: dict[str, float] = {}
    seconds["read"] = cpu(lambda: [sum(1 for _ in episode.steps()) for episode in episodes])
    seconds.update(_after_validation(episodes))
    outcomes: list[DatasetOutcome] = []
    whole = cpu(lambda: outcomes.extend(transform(entry, Context(where, 1)) for entry in listing))
    seconds["rest"] = whole - sum(seconds.values())
    seconds["write"] = cpu(lambda: _write(outcomes))
    return len(episodes), sum(episode.step_count for episode in episodes), seconds


def _after_validation(episodes: list[Episode]) -> dict[str, float]:
    """The replay, the rows and the summary, over steps validated beforehand (held only here)."""
    validated = [list(episode.steps()) for episode in episodes]
    replay = cpu(lambda: [verify_replay(e, steps)
                          for e, steps in zip(episodes, validated, strict=True)])
    return {"replay": replay, "rows": cpu(lambda: _rows(episodes, validated)) - replay,
            "summary": cpu(lambda: _summaries(episodes, validated))}


def _rows(episodes: list[Episode], validated: list[list[Step]]) -> None:
    for episode, steps in zip(episodes, validated, strict=True):
        rows = StepRows("bench", "k", "2026-01")
        verify_replay(episode, steps, observe=rows.observe, before=rows.before)
        rows.finish()


def _summaries(episodes: list[Episode], validated: list[list[Step]]) -> None:
    for episode, steps in zip(episodes, validated, strict=True):
        summary = summarize(episode, ())
        for step in steps:
            summary.add(step)


def _write(outcomes: list[DatasetOutcome]) -> None:
    with tempfile.TemporaryDirectory() as out_dir, tempfile.TemporaryDirectory() as scratch:
        out = open_output(out_dir, UploadSettings())
        kept = KeptRows(out, 1, Path(scratch))  # as the build keeps them
        for outcome in outcomes:
            kept.add(outcome)
        kept.close()


NAMES = {"read": "read the steps (records: edits from the columns, other kinds by their models)",
         "replay": "replay (verify_replay)", "rows": "rows (StepRows)", "summary": "summary (consent scope)",
         "rest": "rest of the transform", "write": "write the rows (spill, Parquet)"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--episodes", type=int, default=100)
    args = parser.parse_args()
    count, steps, seconds = stages(args.source.resolve(), args.episodes)
    rows = [[NAMES[name], f"{value / steps * 1e6:.1f} µs", f"{value / count * 1000:.1f} ms"]
            for name, value in seconds.items()]
    total = sum(seconds.values())
    rows.append(["**all**", f"**{total / steps * 1e6:.1f} µs**", f"**{total / count * 1000:.1f} ms**"])
    print(f"Command: `{command_line()}` ({machine()}); {count} episodes of {steps // count:,} steps.\n")
    print(table(["stage", "CPU per step", "CPU per episode"], rows))


if __name__ == "__main__":
    main()
