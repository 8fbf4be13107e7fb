"""What drawing the pauses costs the labels a model is trained on (issue 93, item 4): the share of kto's,
stepwise's and the dataset's `transitions` labels that change when unlinkable signing draws the pauses
(`drawn`, the default) rather than rounding them up to the second (`retimed`), and each against the times
recorded (`exact`).

    .venv/bin/python -m bench.timing_labels [--sessions 12] [--scale 0.3] [--seeds 2] [--no-readme]

The corpus is the benches' generated sessions (tests/support/sessions.py, the profiles in turn as
bench/export_consumers.py takes them: training sessions carry an AI's suggestions, an agent, and test runs
that fail until a mistake is fixed). Each session is minimised as unlinkable signing does it
(consent/unlinkable.py `minimise_episode`) with each timing, `--seeds` times with seeds of its own (the same
seed for `retimed` and `drawn`); then, row by row (rows matched by their name, a transition by its action
and path):

- **kto** (collector/export/preferences/kto.py): `label` (the suggestion's text at its horizon, 5 minutes
  after the offer), `survived_30s` and `survived_5min`;
- **stepwise**: each step's label (whether what it inserted is left at the green run);
- **transitions** (the dataset's table, as the build fills it: dataset/rows/rows.py `StepRows`):
  `reverted_within_ms`, whether a row was reverted within 30 s and within 5 minutes (the thresholds a lab
  would read from it), `reverted_at_step` and `survived_to_end`.

A label changes when its value differs; a share is over the labels of the rows both timings have (every
timing gives the same rows: tests/integration/consent/test_unlinkable_timing.py).
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.report import command_line, machine, table, write_section

PROFILES = ("training", "mixed", "edit-heavy")
TIMINGS = ("exact", "retimed", "drawn")
PAIRS = (("retimed", "drawn"), ("exact", "retimed"), ("exact", "drawn"))
Labels = dict[tuple[str, str], dict[str, Any]]  # (export, row) -> label name -> value


def sessions(work: Path, count: int, scale: float) -> list[Path]:
    """`count` generated sessions written as episodes under `work`."""
    from collector.episode import write_episode_file
    from tests.support.sessions import generate

    paths = []
    for seed in range(count):
        session = generate(seed + 100, PROFILES[seed % len(PROFILES)], scale=scale)
        path = work / f"session-{seed}.ctape"
        write_episode_file(path, session.header, session.steps, level=3)
        paths.append(path)
    return paths


def exported(episode: Path, fmt: str, out: Path) -> Iterator[dict[str, Any]]:
    """The rows `codetape export --format fmt` writes of `episode`."""
    from collector.export.run import export_episodes

    export_episodes([episode], fmt, out)
    for path in sorted(out.rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            yield json.loads(line)


def transitions(episode: Path) -> Iterator[dict[str, Any]]:
    """The episode's `transitions` rows, replayed as the dataset build replays it."""
    from collector.dataset.rows.rows import StepRows
    from collector.episode import open_episode
    from collector.verify.integrity import verify_replay

    opened = open_episode(episode)
    rows = StepRows("bench", "k", "2026-01")
    verify_replay(opened, list(opened.steps()), observe=rows.observe, before=rows.before)
    yield from rows.finish()["transitions"].to_pylist()


def within(ms: int | None, horizon: int) -> bool:
    return ms is not None and ms <= horizon


def labels(episode: Path, out: Path) -> Labels:
    """Every label of the three exports, by export and row."""
    found: Labels = {}
    for row in exported(episode, "kto", out / "kto"):
        found["kto", row["name"]] = {name: row[name] for name in ("label", "survived_30s", "survived_5min")}
    for row in exported(episode, "stepwise", out / "stepwise"):
        for number, label in enumerate(row["labels"]):
            found["stepwise", f"{row['name']}#{number}"] = {"labels": label}
    for row in transitions(episode):
        if row["survived_to_end"] is None:
            continue  # inserted nothing: no label
        reverted = row["reverted_within_ms"]
        found["transitions", f"{row['action']}:{row['path']}"] = {
            "reverted_within_ms": reverted, "reverted within 30 s": within(reverted, 30_000),
            "reverted within 5 min": within(reverted, 300_000), "reverted_at_step": row["reverted_at_step"],
            "survived_to_end": row["survived_to_end"]}
    return found


def last_ms(episode: Path) -> int:
    """When the episode's last step is."""
    from collector.episode import open_episode

    return max((step.t_ms for step in open_episode(episode).steps()), default=0)


def measured(count: int, scale: float, seeds: int, seed: int) -> tuple[list[tuple[str, ...]], dict[str, int]]:
    """The table's rows (each export's label, how many, the share changed for each pair of timings) and
    how long the sessions last in all at each timing, in ms."""
    from collector.consent.unlinkable import minimise_episode

    draw = random.Random(seed)
    changed: dict[tuple[str, str, tuple[str, str]], list[int]] = {}  # (export, label, pair) -> [changed, of]
    lasting = dict.fromkeys(TIMINGS, 0)
    with tempfile.TemporaryDirectory(prefix="codetape-timing-labels-") as scratch:
        work = Path(scratch)
        for number, source in enumerate(sessions(work, count, scale)):
            for _ in range(seeds):
                drawn_from = draw.randrange(2**63)
                held: dict[str, Labels] = {}
                for timing in TIMINGS:
                    target = work / f"{number}-{timing}.ctape"
                    target.unlink(missing_ok=True)
                    minimise_episode(source, target, timing, seed=drawn_from)  # type: ignore[arg-type]
                    held[timing] = labels(target, work / f"out-{number}-{timing}-{drawn_from}")
                    lasting[timing] += last_ms(target)
                for pair in PAIRS:
                    one, other = held[pair[0]], held[pair[1]]
                    for key in one.keys() & other.keys():
                        for name, value in one[key].items():
                            counted = changed.setdefault((key[0], name, pair), [0, 0])
                            counted[0] += value != other[key][name]
                            counted[1] += 1
    table_rows = []
    for export, name in dict.fromkeys((export, name) for export, name, _ in changed):
        shares = []
        for pair in PAIRS:
            done, of = changed.get((export, name, pair), [0, 0])
            shares.append(f"{done / of:.1%}" if of else "-")
        of = changed[export, name, PAIRS[0]][1]
        table_rows.append((export, name, f"{of:,}", *shares))
    return table_rows, lasting


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=12, help="generated sessions, the profiles in turn")
    parser.add_argument("--scale", type=float, default=0.3, help="each session's length (sessions.py)")
    parser.add_argument("--seeds", type=int, default=2, help="drawings of each session")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-readme", action="store_true", help="print the table only")
    args = parser.parse_args()
    found, lasting = measured(args.sessions, args.scale, args.seeds, args.seed)
    body = (f"`{command_line()}`: {machine()}; {args.sessions} generated sessions at scale {args.scale} "
            f"({', '.join(PROFILES)} in turn), each minimised {args.seeds} time(s) with seeds of its own; "
            "the share of labels that differ between two timings, row by row, of the labels both have "
            "(`labels`: how many; a row of transitions has labels when it inserted something); the sessions "
            "last " + ", ".join(f"{ms / 60_000:,.0f} min {timing}" for timing, ms in lasting.items())
            + " in all\n\n"
            + table(("export", "label", "labels", *(f"{one} -> {other}" for one, other in PAIRS)), found))
    print(body)
    if not args.no_readme:
        write_section("timing_labels", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
