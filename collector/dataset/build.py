"""`codetape dataset build`: one build, from listing the source to writing the manifest.

1. OUT is opened (one build at a time); its manifest says what earlier builds made; a purge the last
   build did not finish is finished, and files neither it nor a snapshot names (a build that did not
   finish) are deleted: table files at once, export files once the dataset's episodes are read, by a walk
   of OUT/exports/ a folder at a time, only after a build that did not finish (output/leftovers.py). A
   dataset is built from one SOURCE with one --trust: a build that gives others is refused.
2. The source is listed. Episodes no build has seen are new; episodes in the dataset with a revocation
   record beside them now that verifies against their signer's key are withdrawn: their rows are copied
   out of the files that hold them, their export files deleted. A record that does not verify is
   ignored, and noted once as a row of `rejected` (check/revocations.py). Episodes past their signed
   `retain_until` on the build's day (or --as-of) are withdrawn alike (output/retention.py).
3. The engine (engines/local.py, engines/ray_engine.py) runs the transform on every new episode; accepted ones
   become rows, the others rows of `rejected` with their reason, duplicates and id conflicts included
   (output/known.py). The texts of the kept episodes that the dataset lacks are written to `blobs`, each once
   (output/blob_store.py; a build that withdrew episodes first takes out the texts no episode left names). The
   kept episodes are exported in every format the dataset has in the same pass (output/staged.py); then every
   episode already in the dataset in a format new to it (engines/exports.py).
4. Every table without rows gets its empty file, the schemas are written (output/layout.py), the build's
   snapshot record (output/snapshots.py), and the manifest, naming the new files instead of the replaced ones:
   it commits the build. Then every earlier snapshot that named a replaced file is rewritten to name its copy
   (a revocation leaves every snapshot), and the replaced files are deleted. The manifest records each episode
   purged, its files and the snapshots it left (`purges`, retention.purge_records).
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Literal, Protocol

from collector import __version__
from collector.dataset.card.card import write_card
from collector.dataset.check.issuers import IssuerTrust
from collector.dataset.check.licences import LicenceFilter
from collector.dataset.check.origins import OriginFilter
from collector.dataset.check.source import Entry, entries, locate, reader_for
from collector.dataset.check.trust import Trust
from collector.dataset.engines.allocator import frugal_memory, give_back
from collector.dataset.engines.exports import ExportItem, remove_exports
from collector.dataset.engines.local import LocalEngine
from collector.dataset.engines.sink import Progress, Sink, Tally, no_progress
from collector.dataset.engines.transform import Context
from collector.dataset.errors import EngineMissing, OutputRefused
from collector.dataset.output.blob_store import collect, current, write_new
from collector.dataset.output.cross_split import CrossSplit, dedup_build
from collector.dataset.output.known import Admission, Known, load_known, table_rows
from collector.dataset.output.layout import settle_empty, write_schemas
from collector.dataset.output.leftovers import export_names, mark, mark_running, marked, remove_leftovers
from collector.dataset.output.manifest import BuildRecord, DatasetManifest, read_manifest, write_manifest
from collector.dataset.output.output import Output, open_output
from collector.dataset.output.retention import find_expired, purge_records
from collector.dataset.output.snapshots import (
    FULL,
    committed,
    purge_earlier,
    read_snapshot,
    take,
    tidy,
    write_snapshot,
)
from collector.dataset.output.split_counts import SplitCounts, split_counts
from collector.dataset.output.split_store import StoredSplit
from collector.dataset.output.staged import Exported
from collector.dataset.output.twins import write_twins
from collector.dataset.output.withdraw import Removal, Withdrawn, find_withdrawn, remove_rows
from collector.protocol.clock import Clock, utc_now
from collector.upload.destinations import Destination, Readable
from schemas.config import UploadSettings

EngineName = Literal["local", "ray"]
RAY_MISSING = "the ray engine needs Ray, which is not installed: pip install 'codetape[ray]'"


class Engine(Protocol):
    def rows(self, entries: Sequence[Entry], context: Context, sink: Sink,
             out: Output) -> dict[str, dict[str, int]]:
        """Check `entries`, verdicts to `sink`; the files the engine wrote itself, by table."""

    def exports(self, items: Sequence[ExportItem], context: Context, out: Output) -> Exported:
        """Export each episode in its formats."""

    def close(self) -> None: ...


@dataclass(frozen=True)
class BuildOptions:
    source: str
    out: str
    trust: Trust | None = None
    issuer: IssuerTrust | None = None  # --trust-issuer, --min-contributors
    origins: OriginFilter | None = None  # --origin, --origin-share
    licences: LicenceFilter | None = None  # --allow-licence
    engine: EngineName = "local"
    workers: int = 0  # local engine: processes (0: as the work needs, local.pool_size)
    ray_address: str | None = None  # ray engine: an existing cluster (None: a local Ray for this build)
    exports: tuple[str, ...] = ()  # formats (exports.parse_exports) added to the dataset's
    require_policy: str | None = None  # --require-policy: the managed policy's SHA-256 every episode names
    as_of: date | None = None  # --as-of: the day retention is judged on (None: the build's own, UTC)


@dataclass
class BuildReport:
    number: int
    source: str
    out: str
    engine: EngineName
    workers: int
    listed: int
    tally: Tally
    withdrawn: Counter[str] = field(default_factory=Counter)
    unverified: int = 0  # revocation records ignored by this build (their episodes stay)
    rows: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)  # in the dataset, by reason
    near_duplicates: int = 0  # episodes in the dataset whose steps_sha256 another one shares
    splits: dict[str, int] = field(default_factory=dict)  # episodes per split (train, eval, none)
    split_leaks: int = 0  # episodes with a duplicate or near duplicate on the other side
    exported: Exported = field(default_factory=Exported)
    cross_split: CrossSplit = field(default_factory=CrossSplit)  # examples left out (output/cross_split.py)
    seconds: float = 0.0
    ray_tasks: Counter[tuple[str, str]] = field(default_factory=Counter)  # checking tasks by (node, worker)


def build_dataset(options: BuildOptions, settings: UploadSettings, *, progress: Progress = no_progress,
                  now: Clock = utc_now) -> BuildReport:
    """Build (or add to) the dataset at options.out from options.source; see the module docstring."""
    started, clock = now(), time.monotonic()
    frugal_memory()
    source = locate(options.source, settings)
    engine = _engine(options)  # before anything is written: Ray may be missing or out of reach
    try:
        out = open_output(options.out, settings)
        _refuse_foreign(out)  # before the lock file is made there
        with out.exclusive():
            build = _build(options, source, out, engine, progress, options.as_of or started.date())
            _finish(out, build, options, started, now)
    finally:
        engine.close()
    report = build.report
    report.workers = engine.workers if isinstance(engine, LocalEngine) else 0
    report.ray_tasks = Counter(getattr(engine, "placed", {}))  # (the ray engine's: where its tasks ran)
    report.seconds = time.monotonic() - clock
    report.rows, report.rejected = dict(build.manifest.rows), dict(build.manifest.rejected)
    report.near_duplicates = build.manifest.near_duplicates
    report.splits, report.split_leaks = dict(build.manifest.splits), build.manifest.split_leaks
    return report


@dataclass
class _Build:
    """What a build carries from its start to its manifest."""

    report: BuildReport
    manifest: DatasetManifest
    withdrawn: list[Withdrawn]
    new: int
    written: dict[str, dict[str, int]]
    removal: Removal
    exports_gone: list[str]  # the export files of the withdrawn episodes, deleted
    added: list[str] = field(default_factory=list)  # the export files (and twins) this build wrote


def _build(options: BuildOptions, source: Destination, out: Output, engine: Engine,
           progress: Progress, as_of: date) -> _Build:
    reader = reader_for(source)
    manifest = _prepare(out, source, options)
    known = load_known(out, manifest)  # on disk (output/known.py), deleted once the build's rows are made
    give_back()  # what reading every episode's row freed (each pass that reads the dataset whole, the same)
    try:
        return _build_known(options, source, out, engine, progress, as_of, reader, manifest, known)
    finally:
        known.close()


def _build_known(options: BuildOptions, source: Destination, out: Output, engine: Engine, progress: Progress,
                 as_of: date, reader: Readable, manifest: DatasetManifest, known: Known) -> _Build:
    """The build's work once `known` is read."""
    number = len(manifest.builds) + 1
    _leftover_exports(out, manifest, known)
    mark_running(out, number)  # before its first export file is written or deleted
    count, revoked, new = 0, [], []  # the source listed once, streamed: only what this build uses is kept
    for entry in entries(reader):
        count += 1
        if entry.revocation:  # with revocations whose episode is gone: for find_withdrawn
            revoked.append(entry)
        if entry.present and not known.seen(entry.sha256):
            new.append(entry)
    revocations = find_withdrawn(out, manifest, reader, known, revoked)
    find_expired(out, manifest, known, as_of, revocations)
    withdrawn = revocations.withdrawn
    tally = Tally(total=len(new), total_bytes=sum(entry.size for entry in new))
    progress(tally)
    added = [fmt for fmt in options.exports if fmt not in manifest.exports]
    backfill = _built_entries(out, manifest, {item.sha256 for item in withdrawn}) if added else []
    removal = remove_rows(out, manifest, number, withdrawn, revocations.months)
    if withdrawn:
        collect(out, manifest, removal.replaced, removal.held, number)  # their texts no episode left names
    held = current(manifest, "blobs", removal.replaced)  # the blob files: write_new looks its texts up there
    exports_gone = remove_exports(out, manifest.exports, {item.episode for item in withdrawn})
    give_back()
    formats = tuple(dict.fromkeys([*manifest.exports, *options.exports]))
    context = Context(source, number, options.trust, options.issuer, options.origins, options.licences,
                      require_policy=options.require_policy, as_of=as_of, exports=formats)
    with tempfile.TemporaryDirectory(prefix="codetape-dataset-") as scratch:  # rows spilled per month
        splits = split_index(out, manifest, Path(scratch) / "split.sqlite")
        give_back()
        sink = Sink(out, number, Admission(known), tally, Path(scratch), progress, splits)
        written = engine.rows(new, context, sink, out)
        splits.close()
        for item in withdrawn:  # counted as withdrawals, not as this build's refusals
            sink.reject(item.sha256, item.key, item.episode_id, item.signer_key_id, item.refusal, count=False)
        for item in revocations.ignored:
            sink.unverified(item.sha256, item.episode_id, item.signer_key_id, item.refusal.detail)
        for table, files in sink.close().items():
            written.setdefault(table, {}).update(files)
        kept = (entry.sha256 for entry, _signer, _split in sink.kept)
        written["blobs"] = write_new(out, number, Path(scratch), kept, held)
    exported = sink.exported  # the new episodes', made in the pass that built their rows
    items = [ExportItem(entry, signer, tuple(added), split) for entry, signer, split in backfill]
    if items:
        exported.add(engine.exports(items, context, out))
    crossed = dedup_build(out, formats, exported.paths, number)
    twins = write_twins(out, formats)  # the training exports as Parquet too, once their rows are final
    for fmt, sides in crossed.left_out.items():
        exported.records[fmt] -= sum(sides.values())
    manifest.exports = list(formats)
    report = BuildReport(number, source.url, out.url, options.engine, 0, count, tally,
                         Counter[str](item.refusal.reason for item in withdrawn), tally.unverified,
                         exported=exported, cross_split=crossed)
    return _Build(report, manifest, withdrawn, len(new), written, removal, exports_gone,
                  [*exported.paths, *twins])


def _leftover_exports(out: Output, manifest: DatasetManifest, known: Known) -> None:
    """Delete the export files a build that did not finish left (it left its mark, or codetape before marks
    made the last record), then the marks (output/leftovers.py)."""
    marks = marked(out)
    last = read_snapshot(out, len(manifest.builds)) if manifest.builds else None
    if not marks and (last is None or last.format != FULL):
        return
    remove_leftovers(out, manifest.exports, lambda signer, eid: known.episode(signer, eid) is not None)
    for path in marks:
        out.delete(path)


def _finish(out: Output, build: _Build, options: BuildOptions, started: datetime,
            now: Callable[[], datetime]) -> None:
    """Name the new files in the manifest, write it, delete the files it no longer names."""
    report, manifest, tally = build.report, build.manifest, build.report.tally
    for table, files in build.written.items():
        for path, rows in files.items():
            manifest.add_file(table, path, rows)
    for (table, path), copy in build.removal.replaced.items():
        manifest.drop_file(table, path)
        if copy is not None:
            manifest.add_file(table, *copy)
    totals = Counter(manifest.rejected)
    totals.update(tally.rejected)
    totals.update(report.withdrawn)
    manifest.rejected = dict(sorted(totals.items()))
    manifest.unverified_revocations += report.unverified
    manifest.held = dict(sorted(tally.held.items()))
    if options.issuer is not None:
        manifest.min_contributors = options.issuer.min_contributors
    sizes = split_sizes(out, manifest)
    manifest.near_duplicates, manifest.splits = sizes.same_steps, sizes.sizes
    manifest.split_leaks, manifest.near_diff_duplicates = sizes.leaks, sizes.near
    crossed = report.cross_split
    for fmt, sides in crossed.left_out.items():
        counts = manifest.examples_left_out.setdefault(fmt, {})
        for side, count in sides.items():
            counts[side] = counts.get(side, 0) + count
    manifest.example_leaks = {fmt: crossed.leaks[fmt] for fmt in sorted(crossed.leaks)}
    manifest.builds.append(BuildRecord(
        number=report.number, engine=options.engine, codetape_version=__version__, started_at=started,
        finished_at=now(), listed=report.listed, new=build.new, accepted=tally.accepted,
        rejected=dict(sorted(tally.rejected.items())), withdrawn=len(build.withdrawn),
        expired=sum(item.refusal.reason == "expired" for item in build.withdrawn),
        unverified_revocations=report.unverified, held=dict(sorted(tally.held.items())),
        min_contributors=None if options.issuer is None else options.issuer.min_contributors,
        bytes=tally.bytes,
        exports=dict(report.exported.episodes), export_failures=len(report.exported.failed),
        left_out={fmt: dict(sorted(reasons.items()))
                  for fmt, reasons in sorted(report.exported.left_out.items()) if reasons}))
    stale = settle_empty(out, manifest)
    write_schemas(out)
    replaced = {path: None if copy is None else copy[0]
                for (_table, path), copy in build.removal.replaced.items()}
    earlier = [record for record in committed(out, manifest) if record.build < report.number] \
        if build.withdrawn else []
    # by name too: a build that died after deleting some left them named (output/leftovers.py)
    gone = export_names(manifest.exports, [item.episode for item in build.withdrawn])
    replaced.update(dict.fromkeys(sorted(gone | set(build.exports_gone))))
    snapshot = take(out, manifest, manifest.builds[-1], replaced, build.added)
    manifest.purges += purge_records(report.number, snapshot.finished_at, build.removal, build.exports_gone,
                                     (record for record in earlier if record.ended is None))
    write_snapshot(out, snapshot)  # before the manifest, which commits the build
    write_manifest(out, manifest)
    write_card(out, manifest)
    purge_earlier(out, snapshot, earlier)  # every earlier snapshot without the withdrawn rows
    for _table, path in build.removal.replaced:
        out.delete(path)
    for path in stale:
        out.delete(path)
    out.delete(mark(report.number))


def split_index(out: Output, manifest: DatasetManifest, path: Path) -> StoredSplit:
    """The sides the dataset's episodes took, for this build's to be placed against (engines/sink.py), in a
    store at `path` (output/split_store.py): the driver holds one batch of rows, not the dataset."""
    index = StoredSplit(path)
    columns = ["repository", "steps_sha256", "diff_minhash", "split"]
    index.fill(row for batch in table_rows(out, manifest, "episodes", columns)
               for row in zip(*(batch.column(i).to_pylist() for i in range(4)), strict=True))
    return index


def split_sizes(out: Output, manifest: DatasetManifest) -> SplitCounts:
    """Episodes per split; those whose steps (steps_sha256) another episode has too (the same session signed
    again under another id, or by someone else); those with a duplicate or near duplicate on the other side
    (none, unless the rule was broken: counted from the rows, not trusted); those with a near-duplicate
    diff only (output/split_counts.py)."""
    columns = ["split", "steps_sha256", "diff_minhash"]
    return split_counts(row for batch in table_rows(out, manifest, "episodes", columns)
                        for row in zip(*(batch.column(i).to_pylist() for i in range(3)), strict=True))


def _built_entries(out: Output, manifest: DatasetManifest, without: set[str]) -> list[tuple[Entry, str, str]]:
    """The episodes in the dataset, as entries of the source with their signer and split (to export them
    in a format new to it)."""
    found = []
    columns = ["sha256", "source_key", "bytes", "signer_key_id", "split"]
    for batch in table_rows(out, manifest, "episodes", columns):
        values = (batch.column(i).to_pylist() for i in range(5))
        for sha, key, size, signer, split in zip(*values, strict=True):
            if sha not in without:
                found.append((Entry(key, sha, size), signer, split))
    return found


def _prepare(out: Output, source: Destination, options: BuildOptions) -> DatasetManifest:
    """The manifest of OUT (a new one for an empty OUT), checked against this build's inputs; files it does
    not name are deleted."""
    trust, origins, licences = options.trust, options.origins, options.licences
    wanted = None if trust is None else trust.describe()
    issuer = None if options.issuer is None else options.issuer.issuer
    kept = None if origins is None else origins.describe()
    allowed = None if licences is None else licences.describe()
    policy = options.require_policy
    manifest = read_manifest(out)
    if manifest is None:
        _refuse_foreign(out)
        manifest = DatasetManifest(source=source.url, trust=wanted, trust_issuer=issuer, origins=kept,
                                   allowed_licences=allowed, required_policy=policy)
        write_manifest(out, manifest)  # from now on, files it does not name are leftovers
        return manifest
    if manifest.source != source.url:
        raise OutputRefused(f"{out.url} was built from {manifest.source}, not {source.url}; build into "
                            "another OUT, or from the same SOURCE")
    inputs = ((manifest.trust, wanted, "any signer", "--trust"),
              (manifest.trust_issuer, issuer, "no issuer", "--trust-issuer"),
              (manifest.allowed_licences, allowed, "any licence", "--allow-licence"),
              (manifest.origins, kept, "every episode", "--origin"),
              (manifest.required_policy, policy, "any managed policy or none", "--require-policy"))
    for found, given, anything, flag in inputs:
        if found != given:
            value = found if isinstance(found, str) else ",".join(found or ())
            said = anything if found is None else f"{flag} {value}"
            raise OutputRefused(f"{out.url} was built accepting {said}; give the same {flag}, or build into "
                                "another OUT")
    _refuse_lower_k(out, manifest, options.issuer)
    tidy(out, manifest)  # a purge finished, what a build that did not finish left deleted
    return manifest


def _refuse_lower_k(out: Output, manifest: DatasetManifest, issuer: IssuerTrust | None) -> None:
    """A k below one an earlier build used would publish months that build held back, with fewer members
    than the dataset's card promised for them: refused, in one line (a higher k is stricter, and taken)."""
    used = manifest.k_used()
    if issuer is None or not used or issuer.min_contributors >= max(used):
        return
    raise OutputRefused(f"{out.url} was built with --min-contributors {max(used)}: a lower k would publish "
                        "months held back under it, with fewer members than its card promised; give "
                        f"--min-contributors {max(used)} or more, or build into another OUT")


def _refuse_foreign(out: Output) -> None:
    if read_manifest(out) is None and not out.is_empty():
        raise OutputRefused(f"{out.url} holds files but no _manifest.json, so it is not a codetape dataset; "
                            "build into an empty or new directory")


def _engine(options: BuildOptions) -> Engine:
    if options.engine == "local":
        return LocalEngine(options.workers)
    try:
        # optional: the `ray` extra, and Ray's import (~1 s) only for a Ray build
        from collector.dataset.engines.ray_engine import RayEngine
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] == "ray":
            raise EngineMissing(RAY_MISSING) from None
        raise
    return RayEngine(options.ray_address)
