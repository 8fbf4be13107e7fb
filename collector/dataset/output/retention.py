"""Retention: an episode whose signed `retain_until` (schemas/consent.py ConsentTerms) is past leaves the
dataset the way a revoked one does (withdraw.py), and every purge is recorded in the manifest.

An episode is expired the day after its date (UTC): on `as_of` (the build's day, or `--as-of`) when
`retain_until < as_of`. A build finds the built ones among the `episodes` rows (`find_expired`); their rows
are copied out of the files that hold them and out of every earlier snapshot, their export files deleted,
exactly as for a revocation, and each is a row of `rejected` (reason `expired`). A new episode already
expired is refused by the transform with the same reason.

`purge_records` says, per episode a build purged (revoked or expired), which files held its rows and what
replaced them, and which earlier snapshots named one of them: the manifest keeps these (`purges`), and
`codetape dataset purge-report` signs what they and the snapshot records say (purge_report.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Literal

from collector.dataset.check.expiry import expiry
from collector.dataset.output.known import Known, table_rows
from collector.dataset.output.manifest import DatasetManifest, PurgedFile, PurgeRecord
from collector.dataset.output.output import Output
from collector.dataset.output.snapshots import Snapshot
from collector.dataset.output.staged import FOLDER as EXPORTS
from collector.dataset.output.withdraw import Removal, Revocations, Withdrawn
from collector.dataset.rows.tables import PARTITION


def find_expired(out: Output, manifest: DatasetManifest, known: Known, as_of: date,
                 found: Revocations) -> None:
    """Add to `found` the episodes in the dataset expired on `as_of` (those it withdraws already aside)."""
    taken = {item.sha256 for item in found.withdrawn}
    columns = ["sha256", "source_key", "episode_id", "content_sha256", "signer_key_id", "retain_until",
               PARTITION]
    for batch in table_rows(out, manifest, "episodes", columns):
        for row in batch.to_pylist():
            refusal = expiry(row["retain_until"], as_of)
            if refusal is None or row["sha256"] in taken:
                continue
            refusal.detail += "; it had been built, so its rows were removed"
            found.withdrawn.append(Withdrawn(row["sha256"], row["source_key"], row["episode_id"],
                                             row["signer_key_id"], refusal))
            known.forget(row["sha256"], row["signer_key_id"], row["content_sha256"], row["episode_id"])
            found.months.add(str(row[PARTITION]))


def purge_records(build: int, at: datetime, removal: Removal, exports_gone: Iterable[str],
                  earlier: Iterable[Snapshot]) -> list[PurgeRecord]:
    """One record per episode `removal` took out: its files, and the earlier snapshots that named one."""
    exports = sorted(exports_gone)
    earlier = list(earlier)
    records = []
    for item in removal.withdrawn:
        files = [PurgedFile(table=table, path=path, replaced_by=_copy(removal, table, path))
                 for (table, path), held in sorted(removal.held.items()) if item.episode in held]
        files += [PurgedFile(table=EXPORTS, path=path) for path in exports if _export_of(path, item)]
        own = {entry.path for entry in files}
        files += [PurgedFile(table=table, path=path, replaced_by=_copy(removal, table, path), shared=True)
                  for (table, path) in sorted(removal.replaced) if table == "blobs"]
        named = [snapshot.build for snapshot in earlier if own & _named(snapshot)]
        reason: Literal["revoked", "expired"] = "revoked" if item.refusal.reason == "revoked" else "expired"
        records.append(PurgeRecord(episode_id=item.episode_id, signer_key_id=item.signer_key_id,
                                   sha256=item.sha256, reason=reason, detail=item.refusal.detail, build=build,
                                   at=at, files=files, snapshots=named))
    return records


def _copy(removal: Removal, table: str, path: str) -> str | None:
    copy = removal.replaced.get((table, path))
    return None if copy is None else copy[0]


def _export_of(path: str, item: Withdrawn) -> bool:
    """Whether an export file (exports/FORMAT/SIGNER/EPISODE_ID.*) is `item`'s."""
    parts = path.split("/")
    return len(parts) == 4 and parts[2] == item.signer_key_id and parts[3].split(".", 1)[0] == item.episode_id


def _named(snapshot: Snapshot) -> set[str]:
    return set(snapshot.files()) | snapshot.named_exports()
