"""Whether the habits of working name the person of an unlinkable episode, once re-timed (`retimed`) or
drawn (`drawn`, unlinkable mode's default since issue 93): pauses between bursts, where saves and test runs
fall, burst sizes, the deleting share and saves and test runs per burst, on people who differ (issue 93).

    .venv/bin/python -m bench.habits [--trials 20] [--train 10] [--seed 1]
    .venv/bin/python -m bench.habits --bound [--trials 100] [--train 10] [--seed 2]

bench/rhythm.py asks of keystroke rhythm, on a population whose people pause alike; re-timing
(consent/retime.py) removes that rhythm and keeps, by design, every step's order and kind, how many steps
a burst holds, which edits delete, and (`retimed`) every pause between bursts rounded up to the second and
a save standing in a pause at a time of its own; `drawn` draws each pause within its bucket (BUCKET_MS, and
the widths this bench compares) and puts a save or test run standing in a pause at the time of the burst
before it. This bench asks what those keep, on a model population whose people differ in them. **The
spreads are assumed**, not measured (no recorded work of real people is at hand): each person draws,
log-uniformly, a median pause between bursts of 4-20 s (a log-normal of sigma 0.6, more than 3 s so that it
ends a burst), a median burst of 4-30 keystrokes (a log-normal of sigma 0.5), a median time from a burst's
last keystroke to a save of 0.4-8 s and to a test run of 1.5-20 s (log-normals of sigma 0.5), and uniformly a
deleting share of 4-15 % of keystrokes, a save after a burst with probability 0.1-0.9 and a test run after a
burst with probability 0.02-0.2; each episode jitters every habit by a log-normal factor of sigma 0.2.
Keystrokes inside a burst are 80-400 ms apart. An episode is 200 to 1,500 keystrokes. Controls: the spreads
halved about the middle habits, and everyone with the middle habits (`alike`).

Features, read from the times a receiver holds (re-timed or drawn by `Retiming.of`, saves and test runs not
edits, and of the kinds `drawn` places) and the steps' kinds, as a receiver groups them (runs of steps no
two consecutive of which are more than 3 s apart; a typing run is one that holds a keystroke), each
standardised over the trial's episodes:

- **pauses**: the 10th, 25th, 50th, 75th and 90th percentiles of the log of the pauses between typing runs
  (from a run's last keystroke to the next one's first);
- **placing**: the median time from the keystroke before a save to it, and from the one before a test run
  to it (where saves and test runs fall in time);
- **sizes**: the quartiles of the log of the keystrokes in a typing run;
- **deleting**: the share of keystrokes that delete;
- **per burst**: saves per typing run, test runs per typing run.

Two classifiers. **Nearest centroid**: as bench/rhythm.py, L1 distance to each person's known episode
(`--known 1`). **Pair model**: scikit-learn's HistGradientBoostingClassifier on the absolute differences
of two episodes' features, trained on the pairs of `--train` trials' people (every pair of one person's,
as many of two people's drawn at random) and scored on each of `--trials` further trials, whose people it
never saw; its 1 of N gives a query the person whose known episode it scores highest.

`--bound` asks only whether `drawn` (BUCKET_MS) meets issue 93's bound on the timing features (pairwise ROC
AUC at most 0.60 and 1 of 50 at most 4 %, with both classifiers), each figure with its 95 % interval over
the scored trials (1.96 standard errors of their mean), so that more trials than the full table's settle it.
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

from bench.report import command_line, machine, table, write_section
from bench.rhythm import CHOICES, PEOPLE, auc, one_of
from collector.consent.retime import BUCKET_MS, PAUSE_MS, Retiming

KNOWN = 1
JITTER = 0.2  # each episode's habits: times a log-normal factor of this sigma
KEY, DELETE, SAVE, TEST = "key", "delete", "save", "test"
EDITS, PLACED = (KEY, DELETE), (SAVE, TEST)  # edits; the kinds `drawn` places (retime.py PLACED)


@dataclass(frozen=True)
class Habits:
    """One person's (or one episode's) habits of working."""

    pause_ms: float
    burst_keys: float
    deleting: float
    save: float
    test: float
    save_ms: float
    test_ms: float

    def jittered(self, rng: random.Random) -> Habits:
        """This person's habits in one episode."""
        def by(value: float) -> float:
            return value * math.exp(rng.gauss(0.0, JITTER))
        return Habits(by(self.pause_ms), by(self.burst_keys), min(by(self.deleting), 0.5),
                      min(by(self.save), 1.0), min(by(self.test), 1.0), by(self.save_ms), by(self.test_ms))


Spread = tuple[float, float]
RANGES: dict[str, Spread] = {"pause_ms": (4000.0, 20_000.0), "burst_keys": (4.0, 30.0),
                             "deleting": (0.04, 0.15), "save": (0.1, 0.9), "test": (0.02, 0.2),
                             "save_ms": (400.0, 8000.0), "test_ms": (1500.0, 20_000.0)}
LOG = ("pause_ms", "burst_keys", "save_ms", "test_ms")  # drawn log-uniformly; the others uniformly


def person(rng: random.Random, scale: float) -> Habits:
    """A person of the model population, her habits' spreads times `scale` about their middle (0: alike)."""
    values = {}
    for name, (low, high) in RANGES.items():
        if name in LOG:
            middle, half = (math.log(low) + math.log(high)) / 2, (math.log(high) - math.log(low)) / 2
            values[name] = math.exp(middle + scale * half * rng.uniform(-1.0, 1.0))
        else:
            values[name] = (low + high) / 2 + scale * (high - low) / 2 * rng.uniform(-1.0, 1.0)
    return Habits(**values)


def episode(habits: Habits, rng: random.Random) -> list[tuple[int, str]]:
    """One episode's steps: each one's time (ms from the start) and kind."""
    steps: list[tuple[int, str]] = []
    now, left = 0, rng.randint(200, 1500)
    while left > 0:
        now += max(PAUSE_MS + 100, round(habits.pause_ms * math.exp(rng.gauss(0.0, 0.6))))
        keys = min(left, max(1, round(habits.burst_keys * math.exp(rng.gauss(0.0, 0.5)))))
        for index in range(keys):
            now += rng.randint(80, 400) if index else 0
            steps.append((now, DELETE if rng.random() < habits.deleting else KEY))
        left -= keys
        end = now
        if rng.random() < habits.save:
            now = end + max(100, round(habits.save_ms * math.exp(rng.gauss(0.0, 0.5))))
            steps.append((now, SAVE))
        if rng.random() < habits.test:
            now = max(now + 100, end + round(habits.test_ms * math.exp(rng.gauss(0.0, 0.5))))
            steps.append((now, TEST))
    return steps


Steps = list[tuple[int, str]]
View = Callable[[Steps, random.Random], Steps]


def timed(bucket_ms: int | None) -> View:
    """The steps at the times a receiver holds: re-timed (`retimed`, `bucket_ms` None) or drawn within
    buckets `bucket_ms` wide (`drawn`)."""
    def view(steps: Steps, rng: random.Random) -> Steps:
        retiming = Retiming.of(((t, kind in EDITS, kind in PLACED) for t, kind in steps), rng, bucket_ms)
        return [(retiming.held(index), kind) for index, (_, kind) in enumerate(steps)]
    return view


def exact(steps: Steps, rng: random.Random) -> Steps:
    return steps


def bursts(steps: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """Runs of steps no two consecutive of which are more than PAUSE_MS apart."""
    runs: list[list[tuple[int, str]]] = []
    for step in steps:
        if runs and step[0] - runs[-1][-1][0] <= PAUSE_MS:
            runs[-1].append(step)
        else:
            runs.append([step])
    return runs


def features(steps: Steps) -> dict[str, list[float]]:
    """Each feature set's values for one episode (see the module's docstring)."""
    typing = [run for run in bursts(steps) if any(kind in EDITS for _, kind in run)]
    pauses = np.log([max(1, min(t for t, k in b if k in EDITS) - max(t for t, k in a if k in EDITS))
                     for a, b in itertools.pairwise(typing)] or [1])
    sizes = np.log([sum(kind in EDITS for _, kind in run) for run in typing] or [1])
    after: dict[str, list[int]] = {SAVE: [], TEST: []}  # each one's time from the keystroke before it
    last_key = 0
    for t, kind in steps:
        if kind in EDITS:
            last_key = t
        else:
            after[kind].append(t - last_key)

    def placed(kind: str) -> float:
        return statistics.median(after[kind]) / 1000 if after[kind] else 0.0

    keys = sum(kind in EDITS for _, kind in steps)
    runs = max(1, len(typing))
    return {
        "pauses": list(np.percentile(pauses, [10, 25, 50, 75, 90])),
        "placing": [placed(SAVE), placed(TEST)],
        "sizes": list(np.percentile(sizes, [25, 50, 75])),
        "deleting": [sum(kind == DELETE for _, kind in steps) / max(1, keys)],
        "per burst": [len(after[SAVE]) / runs, len(after[TEST]) / runs]}


TIMING = ("pauses between bursts", "where saves and test runs fall", "timing: both above")
SETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("pauses between bursts", ("pauses",)), ("where saves and test runs fall", ("placing",)),
    ("timing: both above", ("pauses", "placing")), ("burst sizes", ("sizes",)),
    ("deleting share", ("deleting",)), ("saves and test runs per burst", ("per burst",)),
    ("counts: the three above", ("sizes", "deleting", "per burst")),
    ("all", ("pauses", "placing", "sizes", "deleting", "per burst")))
WIDTHS = (10_000, 30_000, 60_000, 120_000)  # the buckets' widths compared; BUCKET_MS is `drawn`'s
DRAWN = f"drawn ({BUCKET_MS // 1000} s buckets)"
# each view: its name, how it times the steps, the spreads' scale, and whether it reads the timing sets only
VIEWS: tuple[tuple[str, View, float, bool], ...] = (
    ("exact", exact, 1.0, False), ("re-timed (retimed)", timed(None), 1.0, False),
    *((f"drawn, {width // 1000} s buckets", timed(width), 1.0, True)
      for width in WIDTHS if width != BUCKET_MS),
    (DRAWN, timed(BUCKET_MS), 1.0, False), ("re-timed, spreads halved", timed(None), 0.5, False),
    ("drawn, spreads halved", timed(BUCKET_MS), 0.5, False),
    ("drawn, everyone alike", timed(BUCKET_MS), 0.0, False))


def trial(rng: random.Random, view: View, scale: float, timing_only: bool = False
          ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Each feature set's standardised matrix over a trial's episodes (KNOWN + 1 of each person), and the
    episodes' people."""
    people = [person(rng, scale) for _ in range(PEOPLE)]
    read = [features(view(episode(habits.jittered(rng), rng), rng))
            for habits in people for _ in range(KNOWN + 1)]
    labels = np.repeat(np.arange(PEOPLE), KNOWN + 1)
    matrices = {}
    for name, parts in SETS:
        if timing_only and name not in TIMING:
            continue
        matrix = np.asarray([[v for part in parts for v in held[part]] for held in read])
        spread = matrix.std(axis=0)
        matrices[name] = (matrix - matrix.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    return matrices, labels


def pairs(matrix: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of the episodes: the absolute differences of their features, and whether one person's."""
    upper = np.triu_indices(len(labels), k=1)
    return np.abs(matrix[upper[0]] - matrix[upper[1]]), labels[upper[0]] == labels[upper[1]]


def trained(training: list[tuple[np.ndarray, np.ndarray]], rng: np.random.Generator
            ) -> HistGradientBoostingClassifier:
    """The pair model, on every same-person pair of the training trials and as many others."""
    rows, same = [], []
    for matrix, labels in training:
        x, y = pairs(matrix, labels)
        others = rng.choice(np.flatnonzero(~y), size=int(y.sum()), replace=False)
        keep = np.concatenate([np.flatnonzero(y), others])
        rows.append(x[keep])
        same.append(y[keep])
    return HistGradientBoostingClassifier(max_iter=100, random_state=0).fit(np.concatenate(rows),
                                                                            np.concatenate(same))


def model_scores(model: HistGradientBoostingClassifier, matrix: np.ndarray, labels: np.ndarray
                 ) -> list[float]:
    """The pair model's 1 of N (each N of CHOICES) and pairwise ROC AUC on one trial's episodes."""
    known = np.tile(np.arange(KNOWN + 1) < KNOWN, PEOPLE)
    queries, keys = np.flatnonzero(~known), np.flatnonzero(known)
    scored = model.predict_proba(np.abs(matrix[queries][:, None, :] - matrix[keys][None, :, :])
                                 .reshape(-1, matrix.shape[1]))[:, 1].reshape(len(queries), len(keys))
    found = []
    for count in CHOICES:
        among = labels[keys] < count
        asked = labels[queries] < count
        guesses = labels[keys][among][np.argmax(scored[asked][:, among], axis=1)]
        found.append(float(np.mean(guesses == labels[queries][asked])))
    x, same = pairs(matrix, labels)
    return [*found, pair_auc(model.predict_proba(x)[:, 1], same)]


def pair_auc(scores: np.ndarray, same: np.ndarray) -> float:
    """ROC AUC of `scores` for "one person's pair" (ties count one half)."""
    positive, negative = np.sort(scores[same]), np.sort(scores[~same])
    below = np.searchsorted(negative, positive, side="left")
    ties = np.searchsorted(negative, positive, side="right") - below
    return float((below + ties / 2).sum() / (len(positive) * len(negative)))


def scores(classifier: str, model: HistGradientBoostingClassifier, matrix: np.ndarray, labels: np.ndarray
           ) -> list[float]:
    """`classifier`'s 1 of N (each N of CHOICES) and pairwise ROC AUC on one trial's episodes."""
    if classifier == "pair model":
        return model_scores(model, matrix, labels)
    return [*(one_of(matrix, labels, KNOWN, n) for n in CHOICES), auc(matrix, labels)]


def measured(trials: int, train: int, seed: int) -> list[tuple[str, ...]]:
    """The bench's rows: each view, feature set and classifier, means over `trials` scored trials."""
    rng, draw = random.Random(seed), np.random.default_rng(seed)
    rows = []
    for view, move, scale, timing_only in VIEWS:
        training = [trial(rng, move, scale, timing_only) for _ in range(train)]
        scored = [trial(rng, move, scale, timing_only) for _ in range(trials)]
        for name in (name for name, _ in SETS if name in training[0][0]):
            model = trained([(matrices[name], labels) for matrices, labels in training], draw)
            for classifier in ("nearest centroid", "pair model"):
                columns = list(zip(*(scores(classifier, model, matrices[name], labels)
                                     for matrices, labels in scored), strict=True))
                rows.append((view, name, classifier, *(f"{statistics.mean(c):.1%}" for c in columns[:-1]),
                             f"{statistics.mean(columns[-1]):.3f}"))
    rows.append(("chance", "", "", *(f"{1 / n:.1%}" for n in CHOICES), "0.500"))
    return rows


AUC_BOUND, OF_50_BOUND = 0.60, 0.04  # issue 93's bound on the timing features, drawn


def interval(values: list[float]) -> tuple[float, float]:
    """The mean of `values` (one a trial) and the half-width of its 95 % interval."""
    return statistics.mean(values), 1.96 * statistics.stdev(values) / math.sqrt(len(values))


def bounded(trials: int, train: int, seed: int) -> list[tuple[str, ...]]:
    """`--bound`'s rows: `drawn`'s timing features, each classifier's 1 of 50 and pairwise ROC AUC with
    their 95 % intervals over `trials` scored trials, and whether the interval's top is within the bound."""
    rng, draw = random.Random(seed), np.random.default_rng(seed)
    view = timed(BUCKET_MS)
    training = [trial(rng, view, 1.0, True) for _ in range(train)]
    scored = [trial(rng, view, 1.0, True) for _ in range(trials)]
    rows: list[tuple[str, ...]] = []
    for name in TIMING:
        model = trained([(matrices[name], labels) for matrices, labels in training], draw)
        for classifier in ("nearest centroid", "pair model"):
            columns = list(zip(*(scores(classifier, model, matrices[name], labels)
                                 for matrices, labels in scored), strict=True))
            (of_50, of_50_half), (area, area_half) = interval(list(columns[-2])), interval(list(columns[-1]))
            met = of_50 + of_50_half <= OF_50_BOUND and area + area_half <= AUC_BOUND
            rows.append((name, classifier, f"{of_50:.1%} ± {of_50_half:.1%}", f"{area:.3f} ± {area_half:.3f}",
                         "yes" if met else "NO"))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=20, help="scored trials (people the model never saw)")
    parser.add_argument("--train", type=int, default=10, help="trials whose people train the pair model")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bound", action="store_true",
                        help="only drawn's timing features against issue 93's bound, with 95 %% intervals")
    args = parser.parse_args()
    with threadpool_limits(limits=1):  # the models are small: more threads only contend for the cores
        if args.bound:
            return bound_section(args.trials, args.train, args.seed)
        rows = measured(args.trials, args.train, args.seed)
    body = (f"`{command_line()}`: {machine()}; {args.trials} scored trials of {PEOPLE} people (and "
            f"{args.train} training the pair model), {KNOWN} known episode of each and one more to place; "
            "means over the scored trials; the population's spreads are assumed (the module's docstring)\n\n"
            + table(("times", "features", "classifier", *(f"1 of {n}" for n in CHOICES), "pairwise ROC AUC"),
                    rows))
    print(body)
    write_section("habits", body)
    return 0


def bound_section(trials: int, train: int, seed: int) -> int:
    """`--bound`: its table printed and written to bench/README.md's habits_bound section."""
    rows = bounded(trials, train, seed)
    body = (f"`{command_line()}`: {machine()}; `drawn` ({BUCKET_MS // 1000} s buckets) only, {trials} scored "
            f"trials of {PEOPLE} people (and {train} training the pair model); means over the scored trials "
            "and their 95 % intervals; within the bound: the interval's top at most "
            f"{OF_50_BOUND:.0%} of 50 and AUC {AUC_BOUND:.2f}\n\n"
            + table(("features", "classifier", "1 of 50", "pairwise ROC AUC", "within the bound"), rows))
    print(body)
    write_section("habits_bound", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
