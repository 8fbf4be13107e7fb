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
episodes. Memory: about 250 bytes per episode already built (hashes, ids, keys), read a column at a time
from the tables themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads

from collector.dataset.check.reasons import Rejected
from collector.dataset.errors import OutputFailed
from collector.dataset.output.manifest import DatasetManifest
from collector.dataset.output.output import Output

Named = tuple[str, str]  # (signer key id, content sha256 or episode id)


@dataclass
class Known:
    seen: set[str] = field(default_factory=set)  # sha256 of every episode checked by an earlier build
    contents: dict[Named, str] = field(default_factory=dict)  # (signer, content) -> sha256 of the one kept
    ids: dict[Named, str] = field(default_factory=dict)  # (signer, episode id) -> sha256 of the one kept
    signers: dict[str, str] = field(default_factory=dict)  # signer -> sha256 of the first kept (key_reused)
    unverified: set[str] = field(default_factory=set)  # episodes whose ignored revocation has its row

    def forget(self, sha256: str, signer: str, content: str, episode_id: str) -> None:
        """An episode's rows are gone (revoked since): its content and id no longer make duplicates."""
        if self.contents.get((signer, content)) == sha256:
            del self.contents[(signer, content)]
        if self.ids.get((signer, episode_id)) == sha256:
            del self.ids[(signer, episode_id)]
        if self.signers.get(signer) == sha256:
            del self.signers[signer]


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
    columns = ["sha256", "signer_key_id", "content_sha256", "episode_id"]
    for batch in table_rows(out, manifest, "episodes", columns):
        for sha, signer, content, eid in zip(*(batch.column(i).to_pylist() for i in range(4)), strict=True):
            known.seen.add(sha)
            known.contents.setdefault((signer, content), sha)
            known.ids.setdefault((signer, eid), sha)
            known.signers.setdefault(signer, sha)
    for batch in table_rows(out, manifest, "rejected", ["sha256", "reason"]):
        for sha, reason in zip(*(batch.column(i).to_pylist() for i in range(2)), strict=True):
            known.seen.add(sha)
            if reason == "revocation_unverified":
                known.unverified.add(sha)
    return known


class Admission:
    """The duplicate rule, applied to accepted episodes in source order."""

    def __init__(self, known: Known) -> None:
        self.known = known

    def check(self, sha256: str, signer: str, content: str, episode_id: str, *,
              unlinkable: bool = False) -> Rejected | None:
        """None when the episode is kept (and remembered), else why it is a duplicate, a second episode
        under a per-episode key (`unlinkable`) or an id conflict."""
        same = self.known.contents.get((signer, content))
        if same is not None:
            return Rejected("duplicate", f"the same content signed by the same key as {same[:16]}..., "
                            "already in the dataset")
        same = self.known.signers.get(signer) if unlinkable else None
        if same is not None:
            return Rejected("key_reused", f"its per-episode key {signer} signed {same[:16]}..., already in "
                            "the dataset: a key authorises one episode")
        same = self.known.ids.get((signer, episode_id))
        if same is not None:
            return Rejected("id_conflict", f"the same episode id and signer as {same[:16]}..., already in "
                            "the dataset, with other content: which one the signer meant cannot be told, and "
                            "the one already there stays")
        self.known.contents[(signer, content)] = sha256
        self.known.ids[(signer, episode_id)] = sha256
        self.known.signers.setdefault(signer, sha256)
        return None
