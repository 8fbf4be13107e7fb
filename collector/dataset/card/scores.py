"""The dataset card's scorecard: what a lab asks of a dataset before it trains on it, computed once.

`scores` makes `Scores` of the manifest and the `Facts` (facts.py): the split sizes, the duplicate and
near-duplicate rates, split and example leaks, episodes by outcome and signal, survival's quantiles over the
edits and the AI share of the characters written. `scorecard` makes the README's lines of them and
`score_keys` its YAML's `codetape` key, so the prose and the numbers a machine reads cannot say different
things.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from collector.dataset.card.facts import Facts, Ours
from collector.dataset.output.manifest import DatasetManifest
from collector.export.split import SPLITS
from schemas.steps.edit import ORIGIN_CLASS


@dataclass(frozen=True)
class Scores:
    """The scorecard's figures, computed once: the card's scorecard lines and its YAML's `codetape` key are
    both made from them, so the prose and the numbers a machine reads cannot say different things."""

    episodes: int
    splits: dict[str, int]  # split -> episodes, every split of SPLITS
    duplicates: int  # episodes with the same steps as another
    near_duplicates: int  # episodes with a near-duplicate diff, other steps
    split_leaks: int
    example_leaks: dict[str, dict[str, int]]  # format -> eval_left_out, train_left_out, left_in
    outcomes: dict[str, dict[str, int]]  # outcome -> signal -> episodes, the most first
    signals_disagree: int
    edits: int  # edit changes that inserted something (with a survived_to_end)
    survival: dict[str, float]  # p10 ... p90 of survived_to_end and none_left; empty without edits
    characters: int  # characters written, as `--origin` counts them
    ai_characters: int

    def rate(self, count: int) -> float:
        """`count` as a share of the episodes (0 when there are none)."""
        return count / self.episodes if self.episodes else 0.0

    @property
    def ai_share(self) -> float | None:
        return self.ai_characters / self.characters if self.characters else None


def scores(manifest: DatasetManifest, facts: Facts) -> Scores:
    """What a lab asks of a dataset before it trains on it: the splits and leaks the manifest counted, the
    outcomes, survival and AI share read from the episodes and edits tables."""
    edits = sum(facts.survival.values())
    survival: dict[str, float] = {}
    if edits:
        points = zip(QUANTILES, quantiles(facts.survival), strict=True)
        survival.update((f"p{round(q * 100)}", value) for q, value in points)
        survival["none_left"] = facts.survival.get(0, 0) / edits
    return Scores(
        episodes=facts.episodes, splits={name: manifest.splits.get(name, 0) for name in SPLITS},
        duplicates=manifest.near_duplicates, near_duplicates=manifest.near_diff_duplicates,
        split_leaks=manifest.split_leaks, example_leaks=_example_leaks(manifest), outcomes=_outcomes(facts),
        signals_disagree=facts.disagree, edits=edits, survival=survival,
        characters=sum(facts.inserted.values()),
        ai_characters=sum(chars for origin, chars in facts.inserted.items()
                          if ORIGIN_CLASS.get(origin) == "ai"))


def _example_leaks(manifest: DatasetManifest) -> dict[str, dict[str, int]]:
    """Per format: the examples left out as identical to one on the other side, and those left in (a
    format with some left in is listed though none was left out)."""
    formats = set(manifest.examples_left_out) | {fmt for fmt, n in manifest.example_leaks.items() if n}
    return {fmt: {"eval_left_out": manifest.examples_left_out.get(fmt, {}).get("eval", 0),
                  "train_left_out": manifest.examples_left_out.get(fmt, {}).get("train", 0),
                  "left_in": manifest.example_leaks.get(fmt, 0)} for fmt in sorted(formats)}


def _outcomes(facts: Facts) -> dict[str, dict[str, int]]:
    """Episodes by outcome, then by the signal it rests on (`none` for neither), the most first."""
    signals: dict[str, Counter[str]] = {}
    for (outcome, signal), count in facts.outcomes.items():
        signals.setdefault(outcome or "none", Counter())[signal or "none"] += count
    return {outcome: dict(by.most_common())
            for outcome, by in sorted(signals.items(), key=lambda item: -sum(item[1].values()))}


QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


def quantiles(counts: Counter[int], scale: int = 1000) -> list[float]:
    """The QUANTILES of values counted in `counts` (value * scale -> how many), to 1/scale: the lowest
    value with at least that share of all at or below it."""
    total, seen = sum(counts.values()), 0
    found: list[float] = []
    for value, count in sorted(counts.items()):
        seen += count
        while len(found) < len(QUANTILES) and seen >= QUANTILES[len(found)] * total:
            found.append(value / scale)
    return found


def scorecard(figures: Scores) -> list[tuple[Ours, Ours]]:
    """The card's scorecard lines: (what, the figures), codetape's own text."""
    lines = [*_label_lines(figures), *_split_lines(figures)]
    return [(Ours(what), Ours(text)) for what, text in lines]


def _label_lines(figures: Scores) -> list[tuple[str, str]]:
    """Outcomes, survival and the AI share, each when there is something to say it of."""
    lines = []
    if figures.outcomes:
        parts = [f"{outcome} {sum(by.values()):,} (" + ", ".join(f"{signal} {n:,}" for signal, n in
                                                               by.items()) + ")"
                 for outcome, by in figures.outcomes.items()]
        lines.append(("episodes by outcome (signal)", "; ".join(parts) + f"; signals disagree in "
                      f"{figures.signals_disagree:,} (`episodes.outcome_signals`)"))
    if figures.edits:
        points = ", ".join(f"{name} {value:.2f}" for name, value in figures.survival.items()
                           if name != "none_left")
        lines.append(("survival", f"of the {figures.edits:,} edit changes that inserted something, the "
                                  f"share of their characters left at the end (`edits.survived_to_end`): "
                                  f"{points}; none left: {figures.survival['none_left']:.0%}"))
    if figures.ai_share is not None:
        lines.append(("AI share", f"{figures.ai_share:.1%} of the characters written were an AI's "
                                  "(ai_completion, agent: `episodes.ai_share`)"))
    return lines


def _split_lines(figures: Scores) -> list[tuple[str, str]]:
    """The split sizes, duplicates and leaks."""
    def rate(count: int) -> str:
        return f"{100 * figures.rate(count):.1f} % ({count:,} of {figures.episodes:,} episodes"

    leaks = "; ".join(_example_leak_text(fmt, counts) for fmt, counts in figures.example_leaks.items())
    return [
        ("split sizes (episodes)", ", ".join(f"{name} {size:,}" for name, size in figures.splits.items())),
        ("duplicate rate", f"{rate(figures.duplicates)} have the same steps as another)"),
        ("near-duplicate rate", f"{rate(figures.near_duplicates)} have a near-duplicate diff, other steps)"),
        ("split leaks", f"{figures.split_leaks:,} episodes with a duplicate or near duplicate on the other "
                        "side"),
        *([("example leaks", leaks)] if leaks else []),
    ]


def _example_leak_text(fmt: str, counts: dict[str, int]) -> str:
    text = f"{fmt}: {counts['eval_left_out']:,} eval examples left out (identical to a train example)"
    if counts["train_left_out"]:
        text += f", {counts['train_left_out']:,} train (identical to an eval example published before)"
    return text + f", {counts['left_in']:,} left in"


def score_keys(figures: Scores) -> dict[str, Any]:
    """The same figures as the card's `codetape` YAML key: numbers as numbers (shares from 0 to 1, not
    rounded), and a figure there is nothing to compute from (survival's quantiles without edits, the AI
    share of nothing written) left out, as the scorecard leaves out its line."""
    share = {} if figures.ai_share is None else {"share": figures.ai_share}
    return {
        "episodes": figures.episodes,
        "splits": dict(figures.splits),
        "duplicates": {"episodes": figures.duplicates, "rate": figures.rate(figures.duplicates)},
        "near_duplicates": {"episodes": figures.near_duplicates,
                            "rate": figures.rate(figures.near_duplicates)},
        "split_leaks": figures.split_leaks,
        "example_leaks": {fmt: dict(counts) for fmt, counts in figures.example_leaks.items()},
        "outcomes": {outcome: dict(by) for outcome, by in figures.outcomes.items()},
        "signals_disagree": figures.signals_disagree,
        "survival": {"edits": figures.edits, **figures.survival},
        "ai_share": {**share, "characters": figures.characters, "ai_characters": figures.ai_characters},
    }
