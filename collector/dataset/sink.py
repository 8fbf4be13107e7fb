"""Where a build's verdicts go, whichever engine reached them: the duplicate rule (known.Admission), the
refusals to `rejected`, the counts to the tally the progress bar shows, and (for the local engine) the
accepted rows to one TableWriter per table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from collector.dataset.known import Admission
from collector.dataset.output import Output
from collector.dataset.reasons import Rejected
from collector.dataset.source import Entry
from collector.dataset.tables import REJECTED, ROWS
from collector.dataset.transform import Outcome
from collector.dataset.writer import TableWriter


@dataclass
class Tally:
    """How far a build is: what the progress bar shows and the manifest records."""

    total: int = 0
    total_bytes: int = 0
    done: int = 0
    bytes: int = 0
    accepted: int = 0
    rejected: Counter[str] = field(default_factory=Counter)


Progress = Callable[[Tally], None]
HOLD_BYTES = 64 << 20  # rows held by all the tables' writers together, spilled beyond it


def no_progress(_tally: Tally) -> None:
    return None


class Sink:
    def __init__(self, out: Output, build: int, admission: Admission, tally: Tally, scratch: Path,
                 progress: Progress = no_progress) -> None:
        self.build, self.admission, self.tally, self.progress = build, admission, tally, progress
        self.rows = {table: TableWriter(out, table, build, scratch) for table in ROWS}
        self.rejected = TableWriter(out, "rejected", build, scratch)
        self.kept: list[Entry] = []  # the episodes whose rows this build adds

    def verdict(self, outcome: Outcome) -> bool:
        """Count `outcome` and say whether its rows are kept (accepted, and not a duplicate)."""
        refusal = None if outcome.reason is None else Rejected(outcome.reason, outcome.detail)
        if refusal is None:
            assert outcome.content_sha256 is not None and outcome.episode_id is not None
            refusal = self.admission.check(outcome.sha256, outcome.content_sha256, outcome.episode_id)
        self.tally.done += 1
        self.tally.bytes += outcome.size
        if refusal is not None:
            self.reject(outcome.sha256, outcome.key, outcome.episode_id, outcome.signer_key_id, refusal)
        else:
            self.tally.accepted += 1
            self.kept.append(Entry(outcome.key, outcome.sha256, outcome.size))
        self.progress(self.tally)
        return refusal is None

    def keep(self, outcome: Outcome) -> None:
        for table, writer in self.rows.items():
            writer.add(outcome.tables[table], outcome.month)  # every row of an episode is of its month
        if sum(writer.held for writer in self.rows.values()) > HOLD_BYTES:
            for writer in self.rows.values():  # all together: rows freed at different times fragment memory
                writer.flush()

    def reject(self, sha256: str, key: str, episode_id: str | None, signer: str | None,
               refusal: Rejected, *, count: bool = True) -> None:
        if count:
            self.tally.rejected[refusal.reason] += 1
        row = {"sha256": sha256, "source_key": key, "episode_id": episode_id, "signer_key_id": signer,
               "reason": refusal.reason, "detail": refusal.detail, "build": self.build}
        self.rejected.add(pa.Table.from_pylist([row], schema=REJECTED))
        if self.rejected.held > HOLD_BYTES:
            self.rejected.flush()

    def close(self) -> dict[str, dict[str, int]]:
        """Write what is held; the files written, by table."""
        written = {table: writer.close() for table, writer in self.rows.items()}
        written["rejected"] = self.rejected.close()
        return written
