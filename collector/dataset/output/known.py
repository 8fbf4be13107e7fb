"""What earlier builds left in OUT: which episodes were seen, which were accepted, and the duplicate rule.

An incremental build checks only episodes no build has seen (accepted or rejected). An episode is one
signer's: its episode id and its signer's key id name it in every table. A new episode is
- a `duplicate` when the same key signed the same content (the SHA-256 its signature covers) already in
  the dataset: the same episode signed again;
- `key_reused` when it is signed by a per-episode key (unlinkable mode) that signed another content already
  in the dataset: such a key authorises one episode, whatever id the second carries;
- an `id_conflict` when the same key signed another content under the same episode id already in the
  dataset: which one the signer meant cannot be told, so the one already there stays.
Another signer's episode is never either, whatever id or content it carries: it is kept apart, so nobody
can push someone else's episode out by signing something under its id. An episode in the dataset is
never replaced by a later one; of several new ones, the first in source order (by SHA-256) stays, which
only the signer of both can arrange. Both engines admit through `Admission`, so they keep the same
episodes. Memory: what earlier builds left is read a batch at a time from the tables themselves into a
SQLite file (`Known`), not into the driver's memory (issue 78: about 0.7 GB at a million episodes before).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads

from collector.dataset.check.reasons import Rejected
from collector.dataset.errors import OutputFailed
from collector.dataset.output.manifest import DatasetManifest
from collector.dataset.output.output import Output
from collector.scratch_db import open_scratch

READ_BATCH = 4096  # rows of a table read at a time
_SCHEMA = """
CREATE TABLE seen (sha256 TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE unverified (sha256 TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE contents (signer TEXT, content TEXT, sha256 TEXT NOT NULL, PRIMARY KEY (signer, content))
    WITHOUT ROWID;
CREATE TABLE ids (signer TEXT, episode_id TEXT, sha256 TEXT NOT NULL, PRIMARY KEY (signer, episode_id))
    WITHOUT ROWID;
CREATE TABLE signers (signer TEXT PRIMARY KEY, sha256 TEXT NOT NULL) WITHOUT ROWID;
"""


class Known:
    """What earlier builds left, in a SQLite file of its own (deleted by `close`), not in the driver's
    memory: the episodes checked (`seen`), the kept one of each (signer, content) and (signer, episode id),
    each signer's first kept episode (key_reused), and the episodes whose ignored revocation has its row."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="codetape-known-")
        self._db = open_scratch(Path(self._folder.name) / "known.sqlite", _SCHEMA)

    def seen(self, sha256: str) -> bool:
        """Whether an earlier build checked the episode (accepted or rejected)."""
        return self._one("SELECT 1 FROM seen WHERE sha256 = ?", sha256) is not None

    def accepted(self, sha256: str) -> bool:
        """Whether the episode's rows are in the dataset (the kept one of its signer and content)."""
        return self._one("SELECT 1 FROM contents WHERE sha256 = ? LIMIT 1", sha256) is not None

    def unverified(self, sha256: str) -> bool:
        """Whether the episode's ignored revocation has its row of `rejected` already."""
        return self._one("SELECT 1 FROM unverified WHERE sha256 = ?", sha256) is not None

    def content(self, signer: str, content: str) -> str | None:
        """The sha256 of the kept episode with this signer and content."""
        return self._one("SELECT sha256 FROM contents WHERE signer = ? AND content = ?", signer, content)

    def episode(self, signer: str, episode_id: str) -> str | None:
        """The sha256 of the kept episode with this signer and episode id."""
        return self._one("SELECT sha256 FROM ids WHERE signer = ? AND episode_id = ?", signer, episode_id)

    def first_of(self, signer: str) -> str | None:
        """The sha256 of the signer's first kept episode."""
        return self._one("SELECT sha256 FROM signers WHERE signer = ?", signer)

    def keep(self, sha256: str, signer: str, content: str, episode_id: str) -> None:
        """An episode kept (the first of its signer and content, of its signer and id, kept first)."""
        self._db.execute("INSERT OR IGNORE INTO contents VALUES (?, ?, ?)", (signer, content, sha256))
        self._db.execute("INSERT OR IGNORE INTO ids VALUES (?, ?, ?)", (signer, episode_id, sha256))
        self._db.execute("INSERT OR IGNORE INTO signers VALUES (?, ?)", (signer, sha256))

    def forget(self, sha256: str, signer: str, content: str, episode_id: str) -> None:
        """An episode's rows are gone (revoked since): its content and id no longer make duplicates."""
        self._db.execute("DELETE FROM contents WHERE signer = ? AND content = ? AND sha256 = ?",
                         (signer, content, sha256))
        self._db.execute("DELETE FROM ids WHERE signer = ? AND episode_id = ? AND sha256 = ?",
                         (signer, episode_id, sha256))
        self._db.execute("DELETE FROM signers WHERE signer = ? AND sha256 = ?", (signer, sha256))

    def read(self, out: Output, manifest: DatasetManifest) -> None:
        """Fill the store from the dataset's `episodes` and `rejected` rows, a batch at a time."""
        self._db.execute("BEGIN")
        columns = ["sha256", "signer_key_id", "content_sha256", "episode_id"]
        for batch in table_rows(out, manifest, "episodes", columns):
            values = (batch.column(i).to_pylist() for i in range(4))
            for sha, signer, content, eid in zip(*values, strict=True):
                self._db.execute("INSERT OR IGNORE INTO seen VALUES (?)", (sha,))
                self.keep(sha, signer, content, eid)
        for batch in table_rows(out, manifest, "rejected", ["sha256", "reason"]):
            for sha, reason in zip(*(batch.column(i).to_pylist() for i in range(2)), strict=True):
                self._db.execute("INSERT OR IGNORE INTO seen VALUES (?)", (sha,))
                if reason == "revocation_unverified":
                    self._db.execute("INSERT OR IGNORE INTO unverified VALUES (?)", (sha,))
        self._db.execute("COMMIT")
        self._db.execute("CREATE INDEX contents_sha256 ON contents (sha256)")

    def close(self) -> None:
        self._db.close()
        self._folder.cleanup()

    def _one(self, query: str, *values: str) -> str | None:
        row = self._db.execute(query, values).fetchone()
        return None if row is None else str(row[0])


def table_rows(out: Output, manifest: DatasetManifest, table: str, columns: Sequence[str],
               keep: pa.Array | None = None) -> Iterator[pa.RecordBatch]:
    """The dataset's rows of `table` (its files the manifest names), only `columns`; with `keep`, only the
    rows whose sha256 is in it. The month partition is read from the paths."""
    paths = [out.path(path) for path in sorted(manifest.files.get(table, {}))]
    if not paths:
        return
    try:
        dataset = pads.dataset(paths, filesystem=out.fs, format="parquet", partitioning="hive",
                               partition_base_dir=out.path(table))
        condition = None if keep is None else pc.field("sha256").isin(keep)
        yield from scan(dataset, columns, condition)
    except (OSError, pa.ArrowException) as exc:
        raise OutputFailed(f"cannot read {out.describe(table)}: {exc}") from None


def scan(dataset: pads.Dataset, columns: Sequence[str],
         condition: pc.Expression | None = None) -> Iterator[pa.RecordBatch]:
    """The dataset's batches, READ_BATCH rows each, one read ahead and no file buffered whole: what the
    driver holds stays the same however many rows the dataset has (Arrow's defaults read 16 batches of
    128Ki rows ahead: about 100 MB more per 100,000 episodes, issue 78). Not threaded: a threaded scan
    decodes row groups ahead of a slow consumer whatever the readahead says (the split's fill, turning
    each MinHash into Python ints, peaked 300 MB higher over a million episodes)."""
    options = pads.ParquetFragmentScanOptions(pre_buffer=False)
    batches: Iterator[pa.RecordBatch] = dataset.to_batches(
        columns=list(columns), filter=condition, batch_size=READ_BATCH, batch_readahead=1,
        fragment_readahead=1, fragment_scan_options=options, use_threads=False)
    return batches


def load_known(out: Output, manifest: DatasetManifest) -> Known:
    """What the dataset's `episodes` and `rejected` rows say, read a batch at a time (close it)."""
    known = Known()
    try:
        known.read(out, manifest)
    except BaseException:
        known.close()
        raise
    return known


class Admission:
    """The duplicate rule, applied to accepted episodes in source order."""

    def __init__(self, known: Known) -> None:
        self.known = known

    def check(self, sha256: str, signer: str, content: str, episode_id: str, *,
              unlinkable: bool = False) -> Rejected | None:
        """None when the episode is kept (and remembered), else why it is a duplicate, a second episode
        under a per-episode key (`unlinkable`) or an id conflict."""
        same = self.known.content(signer, content)
        if same is not None:
            return Rejected("duplicate", f"the same content signed by the same key as {same[:16]}..., "
                            "already in the dataset")
        same = self.known.first_of(signer) if unlinkable else None
        if same is not None:
            return Rejected("key_reused", f"its per-episode key {signer} signed {same[:16]}..., already in "
                            "the dataset: a key authorises one episode")
        same = self.known.episode(signer, episode_id)
        if same is not None:
            return Rejected("id_conflict", f"the same episode id and signer as {same[:16]}..., already in "
                            "the dataset, with other content: which one the signer meant cannot be told, and "
                            "the one already there stays")
        self.known.keep(sha256, signer, content, episode_id)
        return None
