"""What earlier builds left in OUT: which episodes were seen, which were accepted, and the duplicate rule.

An incremental build checks only episodes no build has seen (accepted or rejected), and a new episode is a
duplicate when its content (the SHA-256 its signature covers) or its episode id is already in the
dataset; of several new ones, the first in source order (by SHA-256) stays. Both engines admit through
`Admission`, so they keep the same episodes. Memory: about 200 bytes per episode already built (their
hashes and ids), read a column at a time from the tables themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads

from collector.dataset.errors import OutputFailed
from collector.dataset.manifest import DatasetManifest
from collector.dataset.output import Output
from collector.dataset.reasons import Rejected


@dataclass
class Known:
    seen: set[str] = field(default_factory=set)  # sha256 of every episode checked by an earlier build
    contents: dict[str, str] = field(default_factory=dict)  # content sha256 -> sha256 of the episode kept
    ids: dict[str, str] = field(default_factory=dict)  # episode id -> sha256 of the episode kept

    def forget(self, sha256: str, content: str, episode_id: str) -> None:
        """An episode's rows are gone (revoked since): its content and id no longer make duplicates."""
        if self.contents.get(content) == sha256:
            del self.contents[content]
        if self.ids.get(episode_id) == sha256:
            del self.ids[episode_id]


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
        yield from dataset.to_batches(columns=list(columns), filter=condition)
    except (OSError, pa.ArrowException) as exc:
        raise OutputFailed(f"cannot read {out.describe(table)}: {exc}") from None


def load_known(out: Output, manifest: DatasetManifest) -> Known:
    known = Known()
    for batch in table_rows(out, manifest, "episodes", ["sha256", "content_sha256", "episode_id"]):
        for sha, content, eid in zip(*(batch.column(i).to_pylist() for i in range(3)), strict=True):
            known.seen.add(sha)
            known.contents.setdefault(content, sha)
            known.ids.setdefault(eid, sha)
    for batch in table_rows(out, manifest, "rejected", ["sha256"]):
        known.seen.update(batch.column(0).to_pylist())
    return known


class Admission:
    """The duplicate rule, applied to accepted episodes in source order."""

    def __init__(self, known: Known) -> None:
        self.known = known

    def check(self, sha256: str, content: str, episode_id: str) -> Rejected | None:
        """None when the episode is kept (and remembered), else why it is a duplicate."""
        same = self.known.contents.get(content)
        if same is not None:
            return Rejected("duplicate", f"the same content as {same[:16]}..., already in the dataset")
        same = self.known.ids.get(episode_id)
        if same is not None:
            return Rejected("duplicate", f"the same episode id as {same[:16]}..., already in the dataset "
                            "(another signing of it)")
        self.known.contents[content] = sha256
        self.known.ids[episode_id] = sha256
        return None
