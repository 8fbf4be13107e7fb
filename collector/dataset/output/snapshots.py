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
  idempotent; a withdrawn episode's export files a build deleted before it died are named again by the
  next, which withdraws it again: output/leftovers.py `export_names`).
  So a revoked episode's rows leave every snapshot, and a run pinned to one reads it without them.

Export files are many (one per episode and format, ~21 at every format), so a record (v2) does not name
them: the export files its build added (published, rewrote, gave a twin) are listed, one JSON line each
(`[path, bytes]`), in `_builds/bNNNNN.exports.jsonl`, written before the record, and the record counts
them by format (`exports_added`, as the build added them); those it deleted are in `replaced` (-> None),
by name. The export files of build N's snapshot are those the lists of builds 1 to N add, less those a
record of 1 to N deleted after, less those any later record deleted (a revoked episode's leave every
snapshot): `export_files`, read a line at a time. A purge rewrites each earlier list naming a deleted file
without it (a line at a time), so no list keeps naming a revoked episode's. No pass of a build holds every
export file (issue 107). A record of codetape-dataset-build/v1 (before that) names every export file in
OUT then (`exports`, rewritten by a purge as the tables' files are): the fold starts again from it.

A dataset built before codetape kept snapshots has builds without a record: those cannot be pinned.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Annotated, Literal

import msgspec
import pyarrow as pa
import pyarrow.fs as pafs
from msgspec import Meta

from collector.dataset.errors import OutputFailed, OutputRefused
from collector.dataset.output.layout import SCHEMAS, empty_file, empty_schema_file
from collector.dataset.output.manifest import BuildRecord, DatasetManifest
from collector.dataset.output.output import Output
from collector.dataset.output.staged import FOLDER as EXPORTS
from collector.dataset.output.staged import write_chunks
from collector.dataset.rows.tables import TABLES
from schemas.common import decoded
from schemas.compiled import compile_module

SNAPSHOTS = "_builds"
FORMAT = "codetape-dataset-build/v2"
FULL = "codetape-dataset-build/v1"  # a record naming every export file (in OUT when its build finished)
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
    format: Literal["codetape-dataset-build/v1", "codetape-dataset-build/v2"] = "codetape-dataset-build/v2"
    build: int
    engine: Literal["local", "ray"]
    codetape_version: str
    started_at: datetime
    finished_at: datetime
    tables: Annotated[dict[str, dict[str, FileEntry]], Meta(
        description="table -> Parquet file (relative to OUT) -> its rows and bytes")]
    exports: Annotated[dict[str, dict[str, int]], Meta(
        description="v1 only: format -> every export file (relative to OUT) -> bytes")] = {}
    exports_added: Annotated[dict[str, int], Meta(
        description="format -> export files this build added, listed in bNNNNN.exports.jsonl")] = {}
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

    def named_exports(self) -> set[str]:
        """The export files this record names (v1; a v2 record names none, its list does)."""
        return {path for paths in self.exports.values() for path in paths}

    def deleted_exports(self) -> set[str]:
        """The export files this build deleted."""
        return {path for path in self.replaced if path.startswith(f"{EXPORTS}/")}


def record(number: int) -> str:
    return f"{SNAPSHOTS}/b{number:05d}.json"


def added_list(number: int) -> str:
    return f"{SNAPSHOTS}/b{number:05d}.exports.jsonl"


def take(out: Output, manifest: DatasetManifest, build: BuildRecord, replaced: Replaced,
         added: Iterable[str] = ()) -> Snapshot:
    """The snapshot of the dataset as the manifest now names it (its files' sizes read from OUT); the export
    files this build `added` are listed (`added_list`, written now), those it deleted are in `replaced`."""
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
    counts = dict.fromkeys(manifest.exports, 0)
    listed = sorted(_sizes_of(out, {path for path in added if path.split("/")[1] in counts}))
    for path, _bytes in listed:
        counts[path.split("/")[1]] += 1
    if listed:
        out.folder(SNAPSHOTS)
        write_chunks(out, added_list(build.number), (msgspec.json.encode(item) + b"\n" for item in listed))
    return Snapshot(build=build.number, engine=build.engine, codetape_version=build.codetape_version,
                    started_at=build.started_at, finished_at=build.finished_at, tables=tables,
                    exports_added=counts, replaced=replaced, min_contributors=build.min_contributors,
                    left_out=build.left_out)


def _sizes_of(out: Output, paths: set[str]) -> Iterator[tuple[str, int]]:
    """Each of `paths` there is in OUT, with its bytes (one listing of these files alone)."""
    try:
        infos = out.fs.get_file_info([out.path(path) for path in sorted(paths)])
    except (OSError, pa.ArrowException) as exc:
        raise OutputFailed(f"cannot read the export files of {out.url}: {exc}") from None
    start = len(out.root) + 1
    return ((info.path[start:], info.size) for info in infos if info.type == pafs.FileType.File)


def added_files(out: Output, number: int) -> Iterator[tuple[str, int]]:
    """The export files build `number` added (its list, read a line at a time), with their bytes."""
    for line in out.lines(added_list(number)):
        try:
            path, size = msgspec.json.decode(line, type=tuple[str, int])
        except msgspec.MsgspecError:
            raise OutputRefused(f"{out.describe(added_list(number))} is not a list of export files") from None
        yield path, size


def export_files(out: Output, manifest: DatasetManifest, number: int) -> dict[str, dict[str, int]]:
    """The export files of build `number`'s snapshot (format -> file -> bytes), as the module docstring
    says (memory: every export file of the snapshot; a command showing them, never a build)."""
    files: dict[str, dict[str, int]] = {}
    for build in manifest.builds:
        found = read_snapshot(out, build.number)
        if found is None:
            continue
        gone = found.deleted_exports()
        if build.number > number:
            for path in gone:
                files.get(path.split("/")[1], {}).pop(path, None)
            continue
        if found.format == FULL:
            files = {fmt: dict(paths) for fmt, paths in found.exports.items()}
            continue
        for path in gone:
            files.get(path.split("/")[1], {}).pop(path, None)
        for fmt in found.exports_added:
            files.setdefault(fmt, {})
        for path, size in added_files(out, build.number):
            files.setdefault(path.split("/")[1], {})[path] = size
    return {fmt: dict(sorted(paths.items())) for fmt, paths in files.items()}


def export_counts(out: Output, manifest: DatasetManifest) -> dict[int, int]:
    """How many export files each build's snapshot has (builds with a record), folded once in build order as
    `export_files` folds them."""
    records = [found for found in (read_snapshot(out, build.number) for build in manifest.builds) if found]
    if not records:
        return {}
    after: list[set[str]] = [set()]  # what the records after each one deleted, from the last one back
    for found in reversed(records[1:]):
        after.append(after[-1] | found.deleted_exports())
    files: set[str] = set()
    counts = {}
    for found, later in zip(records, reversed(after), strict=True):
        if found.format == FULL:
            files = found.named_exports()
        else:
            files -= found.deleted_exports()
            files.update(path for path, _bytes in added_files(out, found.build))
        counts[found.build] = len(files - later)
    return counts


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
        raise OutputRefused(f"{out.describe(record(number))} is not a {FORMAT} (or {FULL}) record") from None


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
    """Rewrite every earlier record naming a file `latest` replaced to name its copy, saying it was purged,
    and every earlier list of export files naming one `latest` deleted without it (a record a compaction
    ended too: its list is folded into later snapshots'). Idempotent: a record `latest` has purged already
    is left alone, a list without such a file is not rewritten."""
    if not latest.replaced:
        return
    empties = out.sizes(SCHEMAS)
    deleted = latest.deleted_exports()
    records = earlier if earlier is not None else (read_snapshot(out, n) for n in range(1, latest.build))
    for snapshot in records:
        if snapshot is None or snapshot.build >= latest.build:
            continue
        if any(purge.build == latest.build for purge in snapshot.purged):
            continue  # (its list was rewritten before its record)
        gone = _scrub(out, snapshot, deleted)
        if snapshot.ended is not None:
            continue
        purge = _apply(snapshot, latest, empties, gone)
        if purge is not None:
            snapshot.purged.append(purge)
            write_snapshot(out, snapshot)


def _scrub(out: Output, snapshot: Snapshot, deleted: set[str]) -> int:
    """Rewrite the list of export files `snapshot`'s build added without those `deleted` (read, and then
    written, a line at a time); how many it named."""
    if not deleted or not any(snapshot.exports_added.values()):
        return 0
    gone = sum(path in deleted for path, _bytes in added_files(out, snapshot.build))
    if gone:
        kept = (msgspec.json.encode(item) + b"\n" for item in added_files(out, snapshot.build)
                if item[0] not in deleted)
        write_chunks(out, added_list(snapshot.build), kept)
    return gone


def _apply(snapshot: Snapshot, latest: Snapshot, empties: dict[str, int], listed: int = 0) -> Purge | None:
    """`snapshot` without the files `latest` replaced (`listed`: export files its list named, taken out);
    what was purged, None when nothing was."""
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
    gone = listed
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
    committed (it may have died before rewriting every earlier record), delete the records of a build that
    did not finish (its export files: output/leftovers.py `remove_leftovers`, once the dataset's episodes
    are read); the table files the readable committed records name (which the leftover cleanup must keep)."""
    records = committed(out, manifest)
    latest = records[-1] if records and records[-1].build == len(manifest.builds) else None
    if latest is not None:
        purge_earlier(out, latest, records[:-1])
        if manifest.builds[-1].kind == "compaction":
            end_earlier(out, latest, records[:-1])
    for suffix in (".json", ".exports.jsonl"):  # records and export lists
        for path in out.sizes(SNAPSHOTS, suffix=suffix):
            number = path.removeprefix(f"{SNAPSHOTS}/b").removesuffix(suffix)
            if not number.isdigit() or int(number) > len(manifest.builds):
                out.delete(path)
    return {path for snapshot in records if snapshot.ended is None for path in snapshot.files()}


def _size(out: Output, sizes: dict[str, int], path: str) -> int:
    if path not in sizes:
        raise OutputFailed(f"{out.describe(path)} is missing: the manifest names it")
    return sizes[path]


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
