"""Whether the rhythm of typing names the typist of an unlinkable episode: exact times, 100 ms steps and
unlinkable mode's re-timed and drawn steps (issues 52, 69 and 93).

    .venv/bin/python -m bench.rhythm [--trials 100] [--known 1] [--seed 1]

The employer's questions: which member of the team wrote this episode, given `--known` episodes of each
(her pushed work's, say), and are these two episodes one person's. No keystroke data of real people is at
hand here, so it is asked of a model population: each person's mean inter-key interval is drawn from a
normal of mean 239 ms and standard deviation 112 ms between people (Dhakal et al., "Observations on
Typing from 136 Million Keystrokes", CHI 2018; clipped to 90-700 ms), the spread of her own intervals (the
log-normal's sigma) from 0.35-0.65, and pauses after words and lines as tests/support/timing.py makes
them (the same for everyone: the model gives people no pause habits of their own, so what pauses alone
would tell is not measured). An episode is 200 to 1,500 keystrokes.

Each trial draws 50 people and `--known` + 1 episodes of each. **1 of N** (N = 3, 10, 50): each of the
first N people's last episode is given the person whose known episodes' centroid is nearest; chance is
1/N. **AUC**: over every pair of the trial's episodes, how well the distance between two episodes tells a
pair of one person's from a pair of two (ROC AUC; chance 0.5). Two classifiers, each on the times a
receiver holds (and a third, of what re-timing keeps):

- **histogram**: the intervals between consecutive steps, normalised, in bins of 20 ms (exact) or 100 ms
  up to 2 s and in 12 wider bins up to 10 min beyond (a pause is as telling as a keystroke); L1 distance.
- **speed**: keystrokes per second of active time: bursts are runs of steps no two of which are more than
  3 s apart (consent/retime.py's PAUSE_MS); the steps of all bursts less one each, over the time from each
  burst's first step to its last, or, where a burst's steps share one time (re-timed), to the next burst's
  first step (what a receiver who knows how re-timing works would take instead); distance of the logs.
- **bursts**: how many steps each burst holds (the same bursts), a histogram in 12 bins from 1 to 233 and
  more, with the share of steps that start one; L1 distance. Re-timing keeps these.

The times: exact; floored to 100 ms (unlinkable mode's `coarse`); a control that puts each burst's steps
at its first step's time and keeps its duration (the histogram empties, the speed stays); re-timed by
consent/retime.py itself (`retimed`: a burst's steps at one time, its duration drawn from the population,
pauses rounded up to whole seconds); drawn by it (`drawn`, unlinkable mode's default since issue 93: as
`retimed`, each pause drawn within its bucket of BUCKET_MS).
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
from collections.abc import Callable

import numpy as np

from bench.report import command_line, machine, table, write_section
from collector.consent.retime import BUCKET_MS, PAUSE_MS, Retiming
from schemas.consent import COARSE_MS
from tests.support.timing import Timing

PEOPLE = 50
CHOICES = (3, 10, 50)
MAX_MS = 2000
BURST_EDGES = (1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 1_000_000)
WIDE_EDGES_MS = (3000, 4000, 6000, 8000, 12_000, 16_000, 24_000, 32_000, 64_000, 128_000, 300_000, 600_000)


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


def exact(times: list[int], rng: random.Random) -> list[int]:
    return times


def coarse(times: list[int], rng: random.Random) -> list[int]:
    return [t - t % COARSE_MS for t in times]


def one_time(times: list[int], rng: random.Random) -> list[int]:
    """A control: each burst's steps at its first step's time, its true duration and pauses kept (a defence
    that empties the histogram and leaves the speed)."""
    held: list[int] = []
    for index, t in enumerate(times):
        held.append(held[-1] if index and t - times[index - 1] <= PAUSE_MS else t)
    return held


def retimed(times: list[int], rng: random.Random) -> list[int]:
    retiming = Retiming.of(((t, True) for t in times), rng)
    return [retiming.held(index) for index in range(len(times))]


def drawn(times: list[int], rng: random.Random) -> list[int]:
    retiming = Retiming.of(((t, True) for t in times), rng, BUCKET_MS)
    return [retiming.held(index) for index in range(len(times))]


View = Callable[[list[int], random.Random], list[int]]
VIEWS: tuple[tuple[str, View, int], ...] = (
    ("exact", exact, 20), ("100 ms steps (coarse)", coarse, COARSE_MS),
    ("control: a burst at one time, its duration kept", one_time, 20),
    ("re-timed (retimed)", retimed, COARSE_MS), ("drawn (drawn)", drawn, COARSE_MS))


def histogram(times: list[int], bin_ms: int) -> np.ndarray:
    edges = np.concatenate([np.arange(0, MAX_MS + bin_ms, bin_ms), WIDE_EDGES_MS])
    counts, _ = np.histogram(np.diff(np.asarray(times)), bins=edges)
    return counts / max(1, counts.sum())


def speed(times: list[int]) -> np.ndarray:
    """log(keystrokes per second of active time) (see the module's docstring)."""
    bursts: list[list[int]] = []
    for t in times:
        if bursts and t - bursts[-1][-1] <= PAUSE_MS:
            bursts[-1].append(t)
        else:
            bursts.append([t])
    keys = active = 0
    for index, burst in enumerate(bursts):
        span = burst[-1] - burst[0]
        if span == 0 and len(burst) > 1 and index + 1 < len(bursts):
            span = bursts[index + 1][0] - burst[0]
        if span > 0:
            keys, active = keys + len(burst) - 1, active + span
    return np.asarray([math.log(max(keys, 1) * 1000 / max(active, 1))])


def bursts(times: list[int]) -> np.ndarray:
    """The burst sizes' histogram and the share of steps that start a burst (see the module's docstring)."""
    starts = [0, *(index for index in range(1, len(times)) if times[index] - times[index - 1] > PAUSE_MS)]
    sizes = np.diff([*starts, len(times)])
    counts, _ = np.histogram(sizes, bins=BURST_EDGES)
    return np.append(counts / max(1, counts.sum()), len(starts) / max(1, len(times)))


def distances(features: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """L1 distance of each row of `features` to each row of `centroids`."""
    return np.abs(features[:, None, :] - centroids[None, :, :]).sum(axis=2)


def one_of(features: np.ndarray, labels: np.ndarray, known: int, count: int) -> float:
    """Share of the first `count` people's last episodes given to the right one of them."""
    people = np.arange(count)
    is_known = np.tile(np.arange(known + 1) < known, PEOPLE)
    centroids = np.stack([features[is_known & (labels == p)].mean(axis=0) for p in people])
    queries = ~is_known & (labels < count)
    guesses = np.argmin(distances(features[queries], centroids), axis=1)
    return float(np.mean(guesses == labels[queries]))


def auc(features: np.ndarray, labels: np.ndarray) -> float:
    """ROC AUC of -distance for "one person's pair" over every pair of episodes (ties count one half)."""
    apart = distances(features, features)
    upper = np.triu_indices(len(labels), k=1)
    scores, same = -apart[upper], (labels[:, None] == labels[None, :])[upper]
    positive, negative = np.sort(scores[same]), np.sort(scores[~same])
    below = np.searchsorted(negative, positive, side="left")
    ties = np.searchsorted(negative, positive, side="right") - below
    return float((below + ties / 2).sum() / (len(positive) * len(negative)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--known", type=int, default=1, help="known episodes of each person")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    classifiers: tuple[tuple[str, Callable[[list[int], int], np.ndarray]], ...] = (
        ("histogram", histogram), ("speed", lambda times, _: speed(times)),
        ("bursts", lambda times, _: bursts(times)))
    found: dict[tuple[str, str], list[list[float]]] = {
        (view, name): [] for view, _, _ in VIEWS for name, _ in classifiers}
    for _ in range(args.trials):
        people = [person(rng) for _ in range(PEOPLE)]
        runs = [(label, episode(typist, rng)) for label, typist in enumerate(people)
                for _ in range(args.known + 1)]
        labels = np.asarray([label for label, _ in runs])
        for view, move, bin_ms in VIEWS:
            held = [move(times, rng) for _, times in runs]
            for name, classify in classifiers:
                features = np.stack([classify(times, bin_ms) for times in held])
                found[view, name].append([*(one_of(features, labels, args.known, n) for n in CHOICES),
                                          auc(features, labels)])
    rows = []
    for (view, name), trials in found.items():
        columns = list(zip(*trials, strict=True))
        rows.append((view, name, *(f"{statistics.mean(c):.1%}" for c in columns[:-1]),
                     f"{statistics.mean(columns[-1]):.2f}"))
    rows.append(("chance", "", *(f"{1 / n:.1%}" for n in CHOICES), "0.50"))
    body = (f"`{command_line()}`: {machine()}; {args.trials} trials of {PEOPLE} people, {args.known} known "
            "episode(s) of each and one more to place; means over trials\n\n"
            + table(("times", "classifier", *(f"1 of {n}" for n in CHOICES), "pairwise ROC AUC"), rows))
    print(body)
    write_section("rhythm", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
