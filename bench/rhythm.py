"""How well the rhythm of typing tells contributors apart, in 100 ms steps and exactly (issue 52, item 7).

    .venv/bin/python -m bench.rhythm [--trials 300] [--episodes 8] [--seed 1]

Unlinkable episodes keep their times in 100 ms steps (consent/unlinkable.py). What is left is a rhythm: a
receiver holding several episodes it knows are one person's (say, her pushed work) could compare their
intervals with an unlinkable episode's. This measures that, on a model population since no keystroke data
of real people is at hand here: each person's mean inter-key interval is drawn from a normal of mean 239 ms
and standard deviation 112 ms between people (Dhakal et al., "Observations on Typing from 136 Million
Keystrokes", CHI 2018; clipped to 90-700 ms), the spread of her own intervals (the log-normal's sigma)
from 0.35-0.65, and pauses after words and lines as tests/support/timing.py makes them. An episode is 200 to
1,500 keystrokes. Each trial draws three people and `--episodes` episodes of each; every episode is
classified by the nearest centroid (L1 distance between normalised histograms of the intervals between
its steps, 0-2 s) of the others' episodes, leave-one-out. Chance is 1/3. The same episodes are classified
from their exact times (20 ms bins) and from times floored to 100 ms, as the receiver sees them.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics

import numpy as np

from bench.report import command_line, machine, table, write_section
from tests.support.timing import Timing

COARSE_MS = 100
MAX_MS = 2000


def person(rng: random.Random) -> Timing:
    """A typist of the model population (see the module's docstring)."""
    mean = min(max(rng.gauss(239.0, 112.0), 90.0), 700.0)
    sigma = rng.uniform(0.35, 0.65)
    median = mean * math.exp(-sigma * sigma / 2)
    return Timing(random.Random(rng.random()), key_median=median, key_sigma=sigma)


def episode(typist: Timing, rng: random.Random) -> list[int]:
    """The times (ms from the start) of one episode's keystrokes."""
    times, now = [], 0
    for count in range(rng.randint(200, 1500)):
        now += typist.key() + (typist.after_word() if count % 6 == 5 else 0)
        if count % 45 == 44:
            now += typist.line_end(block=count % 450 == 449)
        times.append(now)
    return times


def histogram(times: list[int], step: int, bin_ms: int) -> np.ndarray:
    floored = np.asarray(times) // step * step
    gaps = np.diff(floored)
    counts, _ = np.histogram(gaps[gaps < MAX_MS], bins=np.arange(0, MAX_MS + bin_ms, bin_ms))
    return counts / max(1, counts.sum())


def accuracy(features: np.ndarray, labels: np.ndarray) -> float:
    """Leave-one-out nearest-centroid accuracy (L1)."""
    right = 0
    for index in range(len(labels)):
        keep = np.arange(len(labels)) != index
        centroids = [features[keep & (labels == label)].mean(axis=0) for label in range(labels.max() + 1)]
        guess = int(np.argmin([np.abs(features[index] - c).sum() for c in centroids]))
        right += guess == labels[index]
    return right / len(labels)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=300)
    parser.add_argument("--episodes", type=int, default=8, help="episodes of each person per trial")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    steps = (1, COARSE_MS, 250, 1000)  # 1: exact (20 ms bins); COARSE_MS: what leaves today
    found: dict[int, list[float]] = {step: [] for step in steps}
    for _ in range(args.trials):
        people = [person(rng) for _ in range(3)]
        runs = [(label, episode(typist, rng)) for label, typist in enumerate(people)
                for _ in range(args.episodes)]
        labels = np.asarray([label for label, _ in runs])
        for step in steps:
            bins = 20 if step == 1 else step
            found[step].append(accuracy(np.asarray([histogram(t, step, bins) for _, t in runs]), labels))
    rows = []
    for step, values in found.items():
        name = "exact (20 ms bins)" if step == 1 else f"{step} ms steps"
        name += " (what leaves)" if step == COARSE_MS else ""
        deciles = statistics.quantiles(values, n=10)
        rows.append((name, f"{statistics.mean(values):.0%}", f"{deciles[0]:.0%}-{deciles[-1]:.0%}", "33%"))
    body = (f"`{command_line()}`: {machine()}; {args.trials} trials of 3 people, "
            f"{args.episodes} episodes each\n\n"
            + table(("times", "mean accuracy", "10th-90th percentile of trials", "chance"), rows))
    print(body)
    write_section("rhythm", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
