"""Where a build's verdicts go, whichever engine reached them: the duplicate rule (known.Admission), the
refusals to `rejected` (and the revocation records ignored, each a row of its own), the counts to the
tally the progress bar shows, and (for the local engine's single process) the accepted rows to its
KeptRows (kept.py).

The kept episodes' rows of `episodes` come here with their verdicts, in source order, whichever engine
checked them: each episode's split is decided here (collector/export/split.py: against the episodes of
earlier builds, then this build's before it) and written into its row, so no duplicate or near duplicate
is on both sides, and the same build gives the same splits with any engine or number of workers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from collector.dataset.check.reasons import Rejected
from collector.dataset.check.source import Entry
from collector.dataset.engines.kept import HOLD_BYTES, KeptRows, Written
from collector.dataset.engines.transform import DatasetOutcome
from collector.dataset.output.known import Admission
from collector.dataset.output.output import Output
from collector.dataset.output.staged import Exported
from collector.dataset.output.writer import TableWriter
from collector.dataset.rows.tables import REJECTED
from collector.export.split import SplitIndex, SplitRule
from collector.upload.destinations import revocation_key


@dataclass
class Tally:
    """How far a build is: what the progress bar shows and the manifest records."""

    total: int = 0
    total_bytes: int = 0
    done: int = 0
    bytes: int = 0
    accepted: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    unverified: int = 0  # revocation records ignored (each a row of `rejected`; their episodes stay)
    held: Counter[str] = field(default_factory=Counter)  # episodes held back for a later build, by why


Progress = Callable[[Tally], None]


def no_progress(_tally: Tally) -> None:
    return None


class Sink:
    def __init__(self, out: Output, build: int, admission: Admission, tally: Tally, scratch: Path,
                 progress: Progress = no_progress, splits: SplitRule | None = None) -> None:
        self.build, self.admission, self.tally, self.progress = build, admission, tally, progress
        self.scratch = scratch  # the local engine's workers spill there too
        self.rows = KeptRows(out, build, scratch)
        self.rejected = TableWriter(out, "rejected", build, scratch)
        self.episodes = TableWriter(out, "episodes", build, scratch, stem="s")
        self.splits: SplitRule = splits if splits is not None else SplitIndex()
        # the episodes whose rows this build adds, with their signer and split
        self.kept: list[tuple[Entry, str, str]] = []
        self.exported = Exported()  # what the engine published of their exports (output/staged.py)

    def verdict(self, outcome: DatasetOutcome) -> bool:
        """Count `outcome` and say whether its rows are kept (accepted, and not a duplicate)."""
        refusal = None if outcome.reason is None else Rejected(outcome.reason, outcome.detail)
        if refusal is None and outcome.held:
            self.tally.done += 1
            self.tally.bytes += outcome.size
            self.tally.held[outcome.held] += 1
            self.progress(self.tally)
            return False
        if refusal is None:
            assert outcome.content_sha256 is not None and outcome.episode_id is not None
            assert outcome.signer_key_id is not None
            refusal = self.admission.check(outcome.sha256, outcome.signer_key_id, outcome.content_sha256,
                                           outcome.episode_id, unlinkable=outcome.unlinkable)
        if outcome.unverified:
            self.unverified(outcome.sha256, outcome.episode_id, outcome.signer_key_id, outcome.unverified)
        self.tally.done += 1
        self.tally.bytes += outcome.size
        if refusal is not None:
            self.reject(outcome.sha256, outcome.key, outcome.episode_id, outcome.signer_key_id, refusal)
        else:
            self.tally.accepted += 1
            assert outcome.signer_key_id is not None and outcome.episode_row is not None
            split = self._place(outcome, outcome.episode_row)
            self.kept.append((Entry(outcome.key, outcome.sha256, outcome.size), outcome.signer_key_id, split))
        self.progress(self.tally)
        return refusal is None

    def _place(self, outcome: DatasetOutcome, row: pa.Table) -> str:
        """Decide the episode's split and write its row of `episodes` with it."""
        repository, steps, signature = (row.column(name)[0].as_py()
                                        for name in ("repository", "steps_sha256", "diff_minhash"))
        split = self.splits.place(repository, steps, signature)
        column = row.schema.get_field_index("split")
        row = row.set_column(column, row.schema.field(column), pa.array([split], pa.string()))
        self.episodes.add(row, outcome.month, outcome.sha256)
        if self.episodes.held > HOLD_BYTES:
            self.episodes.flush()
        return split

    def keep(self, outcome: DatasetOutcome) -> None:
        self.rows.add(outcome)

    def unverified(self, sha256: str, episode_id: str | None, signer: str | None, detail: str) -> None:
        """The row of a revocation record that does not withdraw the episode `sha256` beside it."""
        self.tally.unverified += 1
        self.reject(sha256, revocation_key(sha256), episode_id, signer,
                    Rejected("revocation_unverified", detail), count=False)

    def reject(self, sha256: str, key: str, episode_id: str | None, signer: str | None,
               refusal: Rejected, *, count: bool = True) -> None:
        if count:
            self.tally.rejected[refusal.reason] += 1
        row = {"sha256": sha256, "source_key": key, "episode_id": episode_id, "signer_key_id": signer,
               "reason": refusal.reason, "detail": refusal.detail, "build": self.build}
        self.rejected.add(pa.Table.from_pylist([row], schema=REJECTED))
        if self.rejected.held > HOLD_BYTES:
            self.rejected.flush()

    def close(self) -> Written:
        """Write what is held; the files written, by table."""
        written = self.rows.close()
        written["rejected"] = self.rejected.close()
        written["episodes"] = self.episodes.close()
        return written
