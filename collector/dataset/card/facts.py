"""What the dataset card says of the episodes, read from a build's output: `Facts`.

`read_facts` reads them from the manifest and the `episodes` table (the scorecard's survival also reads the
one column `edits.survived_to_end`, a batch at a time; the training exports' label balance their files,
exports.py), never from where the episodes were read (the
receiver's source location); the annex (collector/annex/in_force.py) reads the same. `consent_mode` and
`k_text` are the consent the manifest records, as the card and croissant.json state it. A text codetape
writes itself where a contributor gave none (NONE_GIVEN) is marked `Ours`, so the card writes it as its own
text, not as a contributor's (card.py).
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from collector.dataset.card.exports import read_labels, twin_files
from collector.dataset.output.known import table_rows
from collector.dataset.output.manifest import DatasetManifest
from collector.dataset.output.output import Output
from collector.scratch_db import open_scratch

NONE_GIVEN = "(none given)"
_SIGNERS = "CREATE TABLE signers (signer TEXT PRIMARY KEY) WITHOUT ROWID;"


class Ours(str):
    """codetape's own text for the card (no contributor's): written as a table cell, not escaped."""

    __slots__ = ()


@dataclass
class Facts:
    """What the card says of the episodes, read from the `episodes` table."""

    episodes: int = 0
    signers: int = 0
    licences: list[tuple[str, int]] = field(default_factory=list)
    purposes: list[tuple[str, int]] = field(default_factory=list)
    first: datetime | None = None
    last: datetime | None = None
    inserted: Counter[str] = field(default_factory=Counter)
    # (outcome, signal) -> episodes, None where the episode has none
    outcomes: Counter[tuple[str | None, str | None]] = field(default_factory=Counter)
    disagree: int = 0  # episodes whose signals gave different verdicts
    survival: Counter[int] = field(default_factory=Counter)  # edits by survived_to_end, in thousandths
    labels: dict[str, Counter[str]] = field(default_factory=dict)  # training export -> its rows' labels
    # training export -> its Parquet twins, listed each time they are asked for (exports.py twin_files)
    twins: Callable[[str], Iterable[str]] = field(default=lambda _name: ())  # (none)

    @property
    def timeframe(self) -> str:
        if self.first is None or self.last is None:
            return "nothing yet"
        return f"{self.first:%Y-%m-%d} to {self.last:%Y-%m-%d} (UTC)"


def read_facts(out: Output, manifest: DatasetManifest) -> Facts:
    with tempfile.TemporaryDirectory(prefix="codetape-card-") as scratch:  # the distinct signers, on disk
        signers = open_scratch(Path(scratch) / "signers.sqlite", _SIGNERS)
        try:
            return _read_facts(out, manifest, signers)
        finally:
            signers.close()


def _read_facts(out: Output, manifest: DatasetManifest, signers: sqlite3.Connection) -> Facts:
    """read_facts, `signers` an empty scratch table: one signer per episode (unlinkable mode) would be a
    set of a million key ids at a million episodes (issue 78)."""
    facts = Facts()
    licences: Counter[str] = Counter()
    purposes: Counter[str] = Counter()
    columns = ["signer_key_id", "licence", "purpose", "started_at", "duration_ms", "inserted_by_origin",
               "outcome", "outcome_signal", "outcome_signals"]
    for batch in table_rows(out, manifest, "episodes", columns):
        signer, licence, purpose, started, duration, inserted, outcome, signal, signals = (
            batch.column(i).to_pylist() for i in range(len(columns)))
        facts.outcomes.update(zip(outcome, signal, strict=True))
        facts.disagree += sum(len({one["verdict"] for one in given or ()}) > 1 for given in signals)
        facts.episodes += batch.num_rows
        signers.executemany("INSERT OR IGNORE INTO signers VALUES (?)", ((key,) for key in signer))
        licences.update(value or Ours(NONE_GIVEN) for value in licence)
        purposes.update(value or Ours(NONE_GIVEN) for value in purpose)
        for start, ms, shares in zip(started, duration, inserted, strict=True):
            end = start + timedelta(milliseconds=ms)
            facts.first = start if facts.first is None else min(facts.first, start)
            facts.last = end if facts.last is None else max(facts.last, end)
            facts.inserted.update({share["origin"]: share["chars"] for share in shares or ()})
    facts.signers = signers.execute("SELECT count(*) FROM signers").fetchone()[0]
    for batch in table_rows(out, manifest, "edits", ["survived_to_end"]):
        thousandths = pc.cast(pc.floor(pc.multiply(batch.column(0).drop_null(), 1000)), pa.int32())
        facts.survival.update({item["values"]: item["counts"] for item in pc.value_counts(thousandths
                                                                                         ).to_pylist()})
    facts.labels = read_labels(out, manifest)
    facts.twins = twin_files(out)
    facts.licences = sorted(licences.items(), key=lambda item: (-item[1], item[0]))
    facts.purposes = sorted(purposes.items(), key=lambda item: (-item[1], item[0]))
    return facts


def consent_mode(manifest: DatasetManifest) -> str:
    """How the dataset's episodes were consented to: attributed (each names its signer's key), unlinkable
    (each under a key of its own an issuer authorised blindly), or both."""
    if manifest.trust_issuer is None:
        return "attributed"
    return "unlinkable" if manifest.trust is None else "attributed and unlinkable"


def k_text(manifest: DatasetManifest) -> str:
    """k as the card states it: the last build's, and the lowest an earlier build published under when it
    was lower (a higher k is taken; a lower one is refused, build.py)."""
    used = manifest.k_used()
    if not used:
        return "none"
    if min(used) < used[-1]:
        return f"{used[-1]} (earlier builds published under k = {min(used)})"
    return str(used[-1])
