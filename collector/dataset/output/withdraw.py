"""Revocations that arrived after an episode was built: its rows leave every table on the next build.

The record beside the episode is judged with the signer key its `episodes` row holds (check/revocations.py):
only one that verifies against it withdraws the episode; one that does not is ignored (its row of
`rejected` written once) and the episode stays. Each file of a withdrawn episode's month partitions that
holds its rows is copied without them; the manifest then names the copy instead of the original, and so
does every earlier snapshot that named it (snapshots.purge_earlier); the original is deleted once the
manifest is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyarrow as pa

from collector.dataset.check.reasons import Rejected
from collector.dataset.check.revocations import MAX_RECORD, judge
from collector.dataset.check.source import Entry
from collector.dataset.output.known import Known, table_rows
from collector.dataset.output.manifest import DatasetManifest
from collector.dataset.output.output import Output
from collector.dataset.output.writer import EpisodeKey, episodes_in, part_prefix, rewrite
from collector.dataset.rows.tables import PARTITION, ROWS
from collector.upload.destinations import Readable, revocation_key


@dataclass(frozen=True)
class Withdrawn:
    """An episode in the dataset with a revocation record beside it, and the verdict on the record."""

    sha256: str
    key: str
    episode_id: str
    signer_key_id: str
    refusal: Rejected

    @property
    def episode(self) -> EpisodeKey:
        return self.episode_id, self.signer_key_id


@dataclass
class Revocations:
    """What the records beside built episodes do: withdraw these (rows in `months`), or are ignored."""

    withdrawn: list[Withdrawn] = field(default_factory=list)
    ignored: list[Withdrawn] = field(default_factory=list)  # not noted by an earlier build
    months: set[str] = field(default_factory=set)


@dataclass
class Removal:
    """What taking withdrawn episodes out did to the files: (table, old path) -> (new path, rows) or None."""

    withdrawn: list[Withdrawn] = field(default_factory=list)
    replaced: dict[tuple[str, str], tuple[str, int] | None] = field(default_factory=dict)
    held: dict[tuple[str, str], set[EpisodeKey]] = field(default_factory=dict)  # which of them each held


def find_withdrawn(out: Output, manifest: DatasetManifest, reader: Readable, known: Known,
                   entries: Iterable[Entry]) -> Revocations:
    """Episodes in the dataset with a revocation record beside them now, judged."""
    candidates = {entry.sha256: entry for entry in entries
                  if entry.revocation and known.accepted(entry.sha256)}
    found = Revocations()
    if not candidates:
        return found
    columns = ["sha256", "episode_id", "content_sha256", "signer_key_id", "signer_public_key", PARTITION]
    for batch in table_rows(out, manifest, "episodes", columns, keep=pa.array(sorted(candidates))):
        for row in batch.to_pylist():
            entry = candidates[row["sha256"]]
            record = reader.read_bytes(revocation_key(entry.sha256), MAX_RECORD)
            if record is None:
                continue
            refusal = judge(record, entry.sha256, row["signer_public_key"])
            item = Withdrawn(entry.sha256, entry.key, row["episode_id"], row["signer_key_id"], refusal)
            if refusal.reason != "revoked":
                if not known.unverified(entry.sha256):
                    found.ignored.append(item)
                continue
            refusal.detail += "; it had been built, so its rows were removed"
            found.withdrawn.append(item)
            known.forget(entry.sha256, row["signer_key_id"], row["content_sha256"], row["episode_id"])
            found.months.add(str(row[PARTITION]))
    return found


def remove_rows(out: Output, manifest: DatasetManifest, build: int, withdrawn: list[Withdrawn],
                months: set[str]) -> Removal:
    """Copy every file holding rows of `withdrawn` without them (the originals stay until the manifest no
    longer names them)."""
    removal = Removal(withdrawn)
    if not withdrawn:
        return removal
    gone = {item.episode for item in withdrawn}
    folders = {f"{PARTITION}={month}/" for month in months}
    copies = 0
    for table in ROWS:
        for path in sorted(manifest.files.get(table, {})):
            if not any(folder in path for folder in folders):
                continue
            held = episodes_in(out, table, path, gone)
            if not held:
                continue
            removal.held[(table, path)] = held
            copies += 1
            target = f"{path.rsplit('/', 1)[0]}/{part_prefix(build)}x{copies:04d}.parquet"
            rows = rewrite(out, table, path, target, gone)
            removal.replaced[(table, path)] = (target, rows) if rows else None
            if not rows:
                out.delete(target)
    return removal
