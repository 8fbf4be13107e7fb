"""`codetape dataset builds OUT` and `codetape dataset files OUT [--build N]`: a dataset's snapshots, and the
exact files of one, for a training run to pin (collector/dataset/output/snapshots.py); `codetape dataset
compact OUT`: the small files merged, ending the earlier snapshots (collector/dataset/compact.py)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

import msgspec

from collector.errors import UsageError
from collector.home import Home
from collector.text.sizes import byte_size

if TYPE_CHECKING:
    from collector.dataset.output.manifest import DatasetManifest
    from collector.dataset.output.output import Output
    from collector.dataset.output.snapshots import Snapshot

FILES_HELP = """Print the files of one build's snapshot, one a line (a path, or an s3:// URL): a training run
pins a build by its number and reads exactly that build's rows, however many builds came after.

    codetape dataset files OUT --build 3 --table steps      # then, in DuckDB:
    SELECT kind, count(*) FROM read_parquet(['OUT/steps/month=2026-05/part-b00001-w0-0001.parquet', ...],
                                            hive_partitioning = true) GROUP BY kind;

With --json, one object (its "tables" hold each table's files) for pyarrow.dataset.dataset(paths),
polars.read_parquet(paths), duckdb.read_parquet(paths). A build only adds files and never rewrites one an
earlier build wrote, so a snapshot's files stay, until `dataset compact` merges them and ends the
snapshot (its build then refuses here, naming the build to pin instead). A revocation found by a later
build purges the episode from every snapshot (consent withdrawn means gone): the files holding its rows
are replaced by copies without them in every snapshot that named them, so a pinned build then reads its
rows less that episode's, and a list printed before the purge names files that are gone: print it when
the run starts.
A table without rows in that build is schemas/TABLE.empty.parquet."""

BUILDS_HELP = """List the builds of a dataset: each one's snapshot (its number, when it finished, the
codetape that made it, its episodes and rows per table, its files and bytes), which later builds
purged revoked episodes from it, and which compaction ended it."""

COMPACT_HELP = """Merge the small files builds leave: every table's files in one month folder (or one
unpartitioned table) become as few as a build would write, with the same rows in the same order. Every
build adds about a file per table and month it has rows for; readers list and open each one.

Compaction is a build of its own (`dataset builds` lists it). The files it merged are deleted, so every
earlier snapshot ends: `dataset files --build N` for an earlier N refuses and names the compaction to pin
instead. A run pinned to an earlier build must move to the compaction's build or a later one; the rows
are the same as the last build's. Nothing is merged, and no build is made, when every folder holds one
file."""


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    files = actions.add_parser("files", help="print the files of one build's snapshot, to pin it",
                               description=FILES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    files.add_argument("out", metavar="OUT", help="the dataset: DIR, file:///DIR or s3://BUCKET/PREFIX")
    files.add_argument("--build", type=int, metavar="N", help="the build (default: the last one)")
    files.add_argument("--table", metavar="TABLE", help="only this table's files (default: every table's)")
    files.add_argument("--json", action="store_true",
                       help="one JSON object: the build, its purges, each table's files with rows and bytes, "
                       "and (without --table) its export files")
    files.set_defaults(func=run_files)
    builds = actions.add_parser("builds", help="list a dataset's builds: the snapshots a run can pin",
                                description=BUILDS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    builds.add_argument("out", metavar="OUT", help="the dataset: DIR, file:///DIR or s3://BUCKET/PREFIX")
    builds.add_argument("--json", action="store_true", help="one JSON object per build, in a list")
    builds.set_defaults(func=run_builds)
    compact = actions.add_parser("compact", help="merge the small files builds leave (ends earlier builds)",
                                 description=COMPACT_HELP,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    compact.add_argument("out", metavar="OUT", help="the dataset: DIR, file:///DIR or s3://BUCKET/PREFIX")
    compact.add_argument("--json", action="store_true", help="one JSON object: the build, the files merged")
    compact.set_defaults(func=run_compact)


def run_compact(args: argparse.Namespace) -> int:
    from collector.dataset.compact import compact_dataset
    from collector.policy.config import load_config

    report = compact_dataset(args.out, load_config(Home.from_env(args.env)).upload)
    if args.json:
        print(json.dumps({"out": report.out, "build": report.number, "folders": report.folders,
                          "merged": report.merged, "written": report.written, "ended": report.ended,
                          "seconds": round(report.seconds, 3)}, indent=2))
    elif report.number is None:
        print(f"nothing to compact: every folder of {report.out} holds one file")
    else:
        ended = (f"; builds {report.ended[0]} to {report.ended[-1]} ended" if len(report.ended) > 1 else
                 f"; build {report.ended[0]} ended" if report.ended else "")
        print(f"build {report.number}: merged {report.merged:,} files of {report.folders:,} folders into "
              f"{report.written:,} in {report.seconds:.1f} s{ended}: pin build {report.number} or later")
    return 0


def run_files(args: argparse.Namespace) -> int:
    from collector.dataset.output.snapshots import export_files, snapshot_of
    from collector.dataset.rows.tables import TABLES

    if args.table is not None and args.table not in TABLES:
        raise UsageError(f"--table: no table {args.table!r}; choose from {', '.join(TABLES)}")
    out, manifest = _open(args)
    snapshot = snapshot_of(out, manifest, args.build)
    tables = [args.table] if args.table else list(snapshot.tables)
    if not args.json:
        for path in (path for table in tables for path in snapshot.files(table)):
            print(_where(out, path))
        return 0
    made: dict[str, Any] = {
        "out": out.url, "build": snapshot.build, "finished_at": snapshot.finished_at.isoformat(),
        "purged": msgspec.to_builtins(snapshot.purged),
        "tables": {table: [{"path": _where(out, path), "rows": entry.rows, "bytes": entry.bytes}
                           for path, entry in sorted(snapshot.tables.get(table, {}).items())]
                   for table in tables}}
    if args.table is None:
        made["exports"] = {fmt: [_where(out, path) for path in paths]
                           for fmt, paths in export_files(out, manifest, snapshot.build).items()}
    print(json.dumps(made, indent=2))
    return 0


def run_builds(args: argparse.Namespace) -> int:
    from collector.dataset.output.snapshots import export_counts, read_snapshot

    out, manifest = _open(args)
    listed = []
    exports = export_counts(out, manifest)
    for build in manifest.builds:
        snapshot = read_snapshot(out, build.number)
        listed.append({"build": build.number, "kind": build.kind,
                       "finished_at": build.finished_at.isoformat(),
                       "codetape_version": build.codetape_version,
                       **_described(snapshot, exports.get(build.number, 0))})
    if args.json:
        print(json.dumps(listed, indent=2))
        return 0
    for item in listed:
        head = f"build {item['build']}  {item['finished_at'][:16].replace('T', ' ')} UTC  " \
               f"codetape {item['codetape_version']}  "
        if not item["snapshot"]:
            print(head + "no snapshot record (made before builds kept them): not pinnable")
            continue
        rows = item["rows"]
        purged = ", ".join(f"build {purge['build']} ({sum(purge['rows_removed'].values()):,} rows)"
                           for purge in item["purged"])
        kind = "compaction  " if item["kind"] == "compaction" else ""
        ended = f"  ended by compaction build {item['ended']['build']}" if item["ended"] else ""
        purges = f"  purged by {purged}" if purged else ""
        print(head + kind + f"{rows['episodes']:,} episode{'s' * (rows['episodes'] != 1)}  "
              f"{item['files']:,} files  {byte_size(item['bytes'])}" + purges + ended)
        print("  rows: " + ", ".join(f"{table} {count:,}" for table, count in rows.items()))
    return 0


def _described(snapshot: Snapshot | None, export_files: int) -> dict[str, Any]:
    if snapshot is None:
        return {"snapshot": False}
    entries = [entry for files in snapshot.tables.values() for entry in files.values()]
    return {"snapshot": True, "rows": snapshot.rows, "files": len(entries),
            "bytes": sum(entry.bytes for entry in entries),
            "export_files": export_files,
            "purged": msgspec.to_builtins(snapshot.purged),
            "ended": msgspec.to_builtins(snapshot.ended)}


def _open(args: argparse.Namespace) -> tuple[Output, DatasetManifest]:
    return open_dataset(args.out, Home.from_env(args.env))


def open_dataset(where: str, home: Home) -> tuple[Output, DatasetManifest]:
    """The dataset at `where` (DIR, file:///DIR or s3://...) and its manifest; OutputRefused if none."""
    from collector.dataset.errors import OutputRefused
    from collector.dataset.output.manifest import read_manifest
    from collector.dataset.output.output import open_output
    from collector.policy.config import load_config

    out = open_output(where, load_config(home).upload, create=False)
    manifest = read_manifest(out)
    if manifest is None:
        raise OutputRefused(f"{out.url} is not a codetape dataset: it has no _manifest.json")
    return out, manifest


def _where(out: Output, path: str) -> str:
    """A file of the dataset as a reader opens it: a local path, or an s3:// URL."""
    return str(out.local / path) if out.local is not None else out.describe(path)
