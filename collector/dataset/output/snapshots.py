"""`OUT/_builds/bNNNNN.json`: every build's snapshot, the exact files a training run reads to see the dataset
as that build left it, and what revocations purged from it since.

A build never rewrites a file an earlier build wrote: it adds files under names of its own
(`part-b<build>-...`), and a revocation replaces the files holding the episode's rows by copies without
them (withdraw.py, blob_store.collect). So every earlier snapshot's files are among the current ones, and
its record can name them for as long as the dataset lives:

- the record of build N is written after its files and before the manifest, which commits the build: a
  record numbered past the manifest's builds is from a build that did not finish (deleted by the next,
  which writes its own in its place); a file a committed record names is never deleted as a leftover;
- a table without rows names `schemas/TABLE.empty.parquet` (its schema, no rows; layout.py), so every
  table of every snapshot has a file that DuckDB, pyarrow and Polars read;
- a build that withdraws episodes lists in its own record the files it replaced (`replaced`: old path ->
  the copy, or None when no row was left; the episodes' export files, deleted first, -> None). Once the
  manifest is written, every earlier record naming one of them is rewritten to name the copy instead
  and says it was purged (`purged`: by which build, when, rows removed per table; never which episode);
  then the originals are deleted. A build that died in between is finished by the next (`recover`,
  idempotent; it also takes out of the records the export files a build deleted before it died).
  So a revoked episode's rows leave every snapshot, and a run pinned to one reads it without them.

A dataset built before codetape kept snapshots has builds without a record: those cannot be pinned.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from collector.dataset.errors import OutputFailed, OutputRefused
from collector.dataset.output.layout import SCHEMAS, empty_file, empty_schema_file
from collector.dataset.output.manifest import BuildRecord, DatasetManifest
from collector.dataset.output.output import Output
from collector.dataset.output.staged import FOLDER as EXPORTS
from collector.dataset.rows.tables import TABLES
from schemas.common import decoded
from schemas.compiled import compile_module

SNAPSHOTS = "_builds"
FORMAT = "codetape-dataset-build/v1"
Replaced = dict[str, str | None]  # a file of earlier snapshots -> its copy without withdrawn rows, or None


class _Model(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A record of the dataset's: unknown fields refused, changed in place while a build runs."""


class FileEntry(_Model, kw_only=True):
    rows: int
    bytes: int


class Purge(_Model, kw_only=True):
    """A revocation found by a later build took rows out of this snapshot."""

    build: Annotated[int, Meta(description="the build that found the revocation and purged this snapshot")]
    at: datetime
    rows_removed: Annotated[dict[str, int], Meta(description="table -> rows taken out of this snapshot")]
    export_files_removed: int = 0


class Ended(_Model, kw_only=True):
    """A compaction merged (and deleted) files this snapshot named: it cannot be read any more."""

    build: Annotated[int, Meta(description="the compaction that ended this snapshot")]
    at: datetime


class Snapshot(_Model, kw_only=True):
    format: Literal["codetape-dataset-build/v1"] = "codetape-dataset-build/v1"
    build: int
    engine: Literal["local", "ray"]
    codetape_version: str
    started_at: datetime
    finished_at: datetime
    tables: Annotated[dict[str, dict[str, FileEntry]], Meta(
        description="table -> Parquet file (relative to OUT) -> its rows and bytes")]
    exports: Annotated[dict[str, dict[str, int]], Meta(
        description="format -> export file (relative to OUT) -> bytes")] = {}
    min_contributors: Annotated[int | None, Meta(
        description="k of the build (--min-contributors): each month of unlinkable episodes it "
        "published had at least this many members taking authorisations; None: no --trust-issuer")] = None
    replaced: Annotated[Replaced, Meta(
        description="files of earlier snapshots this build replaced (a revocation's purge)")] = {}
    left_out: Annotated[dict[str, dict[str, int]], Meta(
        description="format -> why -> how many: what each export left out of this build's episodes")] = {}
    purged: list[Purge] = []
    ended: Ended | None = None

    @property
    def rows(self) -> dict[str, int]:
        return {table: sum(entry.rows for entry in files.values()) for table, files in self.tables.items()}

    def files(self, table: str | None = None) -> list[str]:
        """The files of `table` (every table's, in table order, when None)."""
        tables = list(self.tables) if table is None else [table]
        return [path for name in tables for path in sorted(self.tables.get(name, {}))]


def record(number: int) -> str:
    return f"{SNAPSHOTS}/b{number:05d}.json"


def take(out: Output, manifest: DatasetManifest, build: BuildRecord, replaced: Replaced) -> Snapshot:
    """The snapshot of the dataset as the manifest now names it (its files' sizes read from OUT)."""
    schemas = out.sizes(SCHEMAS)
    tables: dict[str, dict[str, FileEntry]] = {}
    for table in TABLES:
        sizes = out.sizes(table)
        files = {path: FileEntry(rows=rows, bytes=_size(out, sizes, path))
                 for path, rows in manifest.files.get(table, {}).items() if path != empty_file(table)}
        if not files:
            files = {empty_schema_file(table): FileEntry(rows=0, bytes=_size(out, schemas,
                                                                              empty_schema_file(table)))}
        tables[table] = dict(sorted(files.items()))
    exports: dict[str, dict[str, int]] = {fmt: {} for fmt in manifest.exports}
    for path, size in sorted(out.sizes(EXPORTS, suffix="").items()):
        fmt = path.split("/")[1]
        if fmt in exports:
            exports[fmt][path] = size
    return Snapshot(build=build.number, engine=build.engine, codetape_version=build.codetape_version,
                    started_at=build.started_at, finished_at=build.finished_at, tables=tables,
                    exports=exports, replaced=replaced, min_contributors=build.min_contributors,
                    left_out=build.left_out)


def write_snapshot(out: Output, snapshot: Snapshot) -> None:
    out.folder(SNAPSHOTS)
    out.write(record(snapshot.build), msgspec.json.format(msgspec.json.encode(snapshot), indent=1) + b"\n")


def read_snapshot(out: Output, number: int) -> Snapshot | None:
    data = out.read(record(number))
    if data is None:
        return None
    try:
        return decoded(data, Snapshot)
    except msgspec.MsgspecError:
        raise OutputRefused(f"{out.describe(record(number))} is not a {FORMAT} record") from None


def snapshot_of(out: Output, manifest: DatasetManifest, number: int | None) -> Snapshot:
    """The committed snapshot of build `number` (the last build's when None); OutputRefused, in one line,
    when there is none."""
    built = len(manifest.builds)
    if built == 0:
        raise OutputRefused(f"{out.url} has no build yet")
    if number is None:
        number = built
    if not 1 <= number <= built:
        raise OutputRefused(f"{out.url} has no build {number}: its builds are 1 to {built}")
    found = read_snapshot(out, number)
    if found is None:
        version = manifest.builds[number - 1].codetape_version
        raise OutputRefused(f"build {number} of {out.url} has no snapshot record (codetape {version} made "
                            "it, before builds kept them): pin a later build")
    if found.ended is not None:
        raise OutputRefused(f"build {number} of {out.url} was ended by compaction build {found.ended.build} "
                            f"({found.ended.at:%Y-%m-%d %H:%M} UTC), which merged its files: pin build "
                            f"{found.ended.build} or later")
    return found


def committed(out: Output, manifest: DatasetManifest) -> list[Snapshot]:
    """The records of the manifest's builds, in order (builds made before records were kept have none)."""
    found = (read_snapshot(out, build.number) for build in manifest.builds)
    return [snapshot for snapshot in found if snapshot is not None]


def purge_earlier(out: Output, latest: Snapshot, earlier: list[Snapshot] | None = None) -> None:
    """Rewrite every earlier record naming a file `latest` replaced to name its copy, saying it was purged.
    Idempotent: a record `latest` has purged already is left alone."""
    if not latest.replaced:
        return
    empties = out.sizes(SCHEMAS)
    records = earlier if earlier is not None else (read_snapshot(out, n) for n in range(1, latest.build))
    for snapshot in records:
        if snapshot is None or snapshot.build >= latest.build or snapshot.ended is not None:
            continue
        if any(purge.build == latest.build for purge in snapshot.purged):
            continue
        purge = _apply(snapshot, latest, empties)
        if purge is not None:
            snapshot.purged.append(purge)
            write_snapshot(out, snapshot)


def _apply(snapshot: Snapshot, latest: Snapshot, empties: dict[str, int]) -> Purge | None:
    removed: Counter[str] = Counter()
    touched = False
    for table, files in snapshot.tables.items():
        for path in [path for path in files if path in latest.replaced]:
            touched = True
            old, copy = files.pop(path), latest.replaced[path]
            kept = 0
            if copy is not None:
                entry = latest.tables.get(table, {}).get(copy)
                if entry is None:
                    raise OutputFailed(f"build {latest.build}'s record names {copy} as a copy of {path} but "
                                       "not among its files; this is a bug in codetape")
                files[copy], kept = entry, entry.rows
            removed[table] += old.rows - kept
        if not files:
            empty = empty_schema_file(table)
            files[empty] = FileEntry(rows=0, bytes=empties.get(empty, 0))
        snapshot.tables[table] = dict(sorted(files.items()))
    gone = 0
    for fmt, paths in snapshot.exports.items():
        for path in [path for path in paths if path in latest.replaced]:
            del snapshot.exports[fmt][path]
            gone += 1
    if not touched and not gone:
        return None
    return Purge(build=latest.build, at=latest.finished_at, rows_removed=dict(sorted(removed.items())),
                 export_files_removed=gone)


def end_earlier(out: Output, latest: Snapshot, earlier: list[Snapshot] | None = None) -> list[int]:
    """A compaction (`latest`) merged files earlier snapshots name: say in every earlier record that it
    ended them; the builds ended now. Idempotent."""
    records = earlier if earlier is not None else (read_snapshot(out, n) for n in range(1, latest.build))
    ended = []
    for snapshot in records:
        if snapshot is None or snapshot.build >= latest.build or snapshot.ended is not None:
            continue
        snapshot.ended = Ended(build=latest.build, at=latest.finished_at)
        write_snapshot(out, snapshot)
        ended.append(snapshot.build)
    return ended


def tidy(out: Output, manifest: DatasetManifest) -> None:
    """Before a build or a compaction: `recover`, then delete the table files neither the manifest nor a
    snapshot that can still be read names (a build that did not finish, a compaction's merged files)."""
    names = manifest.known_files() | recover(out, manifest)
    for table in TABLES:
        for path in out.files(table):
            if path not in names:
                out.delete(path)


def recover(out: Output, manifest: DatasetManifest) -> set[str]:
    """Before a build: finish the purge, or the ending of earlier snapshots, the last build or compaction
    committed (it may have died before rewriting every earlier record), delete the records and export
    files of a build that did not finish; the files the readable committed records name (which the
    leftover cleanup must keep)."""
    records = committed(out, manifest)
    latest = records[-1] if records and records[-1].build == len(manifest.builds) else None
    if latest is not None:
        purge_earlier(out, latest, records[:-1])
        if manifest.builds[-1].kind == "compaction":
            end_earlier(out, latest, records[:-1])
    for path in out.sizes(SNAPSHOTS, suffix=".json"):
        number = path.removeprefix(f"{SNAPSHOTS}/b").removesuffix(".json")
        if not number.isdigit() or int(number) > len(manifest.builds):
            out.delete(path)
    if latest is not None:
        named = {path for paths in latest.exports.values() for path in paths}
        present = set(out.sizes(EXPORTS, suffix=""))
        for path in present - named:
            out.delete(path)  # written by a build that did not finish
        for snapshot in records:  # a build that died after deleting a withdrawn episode's export files
            if _forget(snapshot, present & named):
                write_snapshot(out, snapshot)
    return {path for snapshot in records if snapshot.ended is None for path in snapshot.files()}


def _forget(snapshot: Snapshot, present: set[str]) -> bool:
    """Take the export files that are gone out of `snapshot`; whether any was."""
    gone = False
    for paths in snapshot.exports.values():
        for path in [path for path in paths if path not in present]:
            del paths[path]
            gone = True
    return gone


def _size(out: Output, sizes: dict[str, int], path: str) -> int:
    if path not in sizes:
        raise OutputFailed(f"{out.describe(path)} is missing: the manifest names it")
    return sizes[path]


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
