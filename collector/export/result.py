"""What an export wrote, counted: returned by `export_episodes`, printed by `codetape export`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ExportResult:
    """Counts of one export into `out_dir`.

    `episodes`: episodes exported; `files`: files written (a ProgSnap2 code state's files included);
    `records`: what the format is made of (JSON lines, ATIF steps, zeta examples, MainTable rows);
    `skipped`: what was left out, by reason (`duplicate episodes`, zeta's `bursts with no change`,
    `examples with a redaction placeholder`, ...); `coarse_diffs`: edit bursts whose diff is coarse, its
    smallest costing more than the episode's allowance (allowance.py); `splits`: each episode's split, for
    the formats that write one (SPLIT_FORMATS).
    """

    format: str
    out_dir: Path
    episodes: int = 0
    files: int = 0
    records: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    coarse_diffs: int = 0
    splits: dict[str, str] = field(default_factory=dict)  # episode id -> train, eval or none (split.py)

    def describe(self) -> str:
        """One line: `3 episodes, 412 ATIF steps in 3 files (skipped: duplicate episodes 1)`."""
        record = RECORDS.get(self.format, "record")
        text = (f"{_count(self.episodes, 'episode')}, {_count(self.records, record)} "
                f"in {_count(self.files, 'file')}")
        if self.skipped:
            text += " (skipped: " + ", ".join(f"{why} {n:,}" for why, n in sorted(self.skipped.items())) + ")"
        if self.format in SPLIT_FORMATS and self.splits:
            sizes = Counter(self.splits.values())
            text += "; episodes by split: " + ", ".join(f"{name} {sizes[name]:,}" for name in SPLITS)
        if self.coarse_diffs:
            text += f"; {_count(self.coarse_diffs, 'coarse diff')} (a smallest one would cost too much)"
        return text


SPLITS = ("train", "eval", "none")
# the formats whose records say their split
SPLIT_FORMATS = frozenset({"zeta", "zeta2", "swe-messages", "swe-messages-developer", "dpo", "dpo-fim", "kto",
                           "dpo-agent",
                           "stepwise"})
RECORDS = {"jsonl": "line", "jsonl-rows": "line", "atif": "ATIF step", "zeta": "example", "zeta2": "example",
           "swe-messages": "row", "swe-messages-developer": "row", "dpo": "pair", "dpo-fim": "pair",
           "kto": "row", "dpo-agent": "pair", "stepwise": "segment",
           "progsnap2": "event", "progsnap2-zip": "event"}


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}{'s' * (n != 1)}"
