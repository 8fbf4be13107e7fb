"""`codetape dataset build`: one build, from listing the source to writing the manifest.

1. OUT is opened (one build at a time in a local OUT); its manifest says what earlier builds made, and
   files it does not name (a build that did not finish) are deleted. A dataset is built from one SOURCE
   with one --trust: a build that gives others is refused.
2. The source is listed. Episodes no build has seen are new; episodes in the dataset with a revocation
   record beside them now are withdrawn: their rows are copied out of the files that hold them.
3. The engine (local.py, ray_engine.py) runs the transform on every new episode; accepted ones become
   rows, the others rows of `rejected` with their reason, duplicates included.
4. The manifest is written, naming the new files instead of the replaced ones, which are then deleted.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, Protocol

from collector import __version__
from collector.dataset.errors import EngineMissing, OutputRefused
from collector.dataset.known import Admission, load_known
from collector.dataset.local import cores, run_local
from collector.dataset.manifest import BuildRecord, DatasetManifest, read_manifest, write_manifest
from collector.dataset.output import Output, open_output
from collector.dataset.sink import Progress, Sink, Tally, no_progress
from collector.dataset.source import Entry, entries, locate, reader_for
from collector.dataset.tables import TABLES
from collector.dataset.transform import Context
from collector.dataset.trust import Trust
from collector.dataset.withdraw import find_withdrawn, remove_rows
from collector.upload.destinations import Destination
from schemas.settings import UploadSettings

Engine = Literal["local", "ray"]


class RayEngine(Protocol):
    def __call__(self, entries: Sequence[Entry], context: Context, sink: Sink, out: Output, *,
                 address: str | None) -> dict[str, dict[str, int]]: ...


RAY_MISSING = "the ray engine needs Ray, which is not installed: pip install 'codetape[ray]'"


@dataclass(frozen=True)
class BuildOptions:
    source: str
    out: str
    trust: Trust | None = None
    engine: Engine = "local"
    workers: int = 0  # local engine: processes (0: one per core)
    ray_address: str | None = None  # ray engine: an existing cluster (None: a local Ray for this build)


@dataclass
class BuildReport:
    number: int
    source: str
    out: str
    engine: Engine
    workers: int
    listed: int
    tally: Tally
    withdrawn: Counter[str] = field(default_factory=Counter)
    rows: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)  # in the dataset, by reason
    seconds: float = 0.0


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_dataset(options: BuildOptions, settings: UploadSettings, *, progress: Progress = no_progress,
                  now: Callable[[], datetime] = utc_now) -> BuildReport:
    """Build (or add to) the dataset at options.out from options.source; see the module docstring."""
    started, clock = now(), time.monotonic()
    run_ray = _ray_engine() if options.engine == "ray" else None  # before anything is written
    source = locate(options.source, settings)
    reader = reader_for(source)
    out = open_output(options.out, settings)
    _refuse_foreign(out)  # before the lock file is made there
    with out.exclusive():
        manifest = _prepare(out, source, options.trust)
        number = len(manifest.builds) + 1
        known = load_known(out, manifest)
        listing = list(entries(reader))
        withdrawn, months = find_withdrawn(out, manifest, reader, known, listing)
        new = [entry for entry in listing if entry.sha256 not in known.seen]
        tally = Tally(total=len(new), total_bytes=sum(entry.size for entry in new))
        progress(tally)
        removal = remove_rows(out, manifest, number, withdrawn, months)
        sink = Sink(out, number, Admission(known), tally, progress)
        context = Context(source, number, options.trust)
        workers = options.workers or cores()
        extra: dict[str, dict[str, int]] = {}
        if run_ray is not None:
            extra = run_ray(new, context, sink, out, address=options.ray_address)
        else:
            run_local(new, context, sink, workers)
        for item in withdrawn:  # counted as withdrawals, not as this build's refusals
            sink.reject(item.sha256, item.key, item.episode_id, item.signer_key_id, item.refusal, count=False)
        written = sink.close()
        for table, files in extra.items():
            written.setdefault(table, {}).update(files)
        gone = Counter[str](item.refusal.reason for item in withdrawn)
        _record(manifest, written, removal.replaced, tally, gone)
        manifest.builds.append(BuildRecord(
            number=number, engine=options.engine, codetape_version=__version__, started_at=started,
            finished_at=now(), listed=len(listing), new=len(new), accepted=tally.accepted,
            rejected=dict(sorted(tally.rejected.items())), withdrawn=len(withdrawn), bytes=tally.bytes))
        write_manifest(out, manifest)
        for _table, path in removal.replaced:
            out.delete(path)
    return BuildReport(number, source.url, out.url, options.engine, workers, len(listing), tally, gone,
                       dict(manifest.rows), dict(manifest.rejected), time.monotonic() - clock)


def _prepare(out: Output, source: Destination, trust: Trust | None) -> DatasetManifest:
    """The manifest of OUT (a new one for an empty OUT), checked against this build's inputs; files it does
    not name are deleted."""
    wanted = None if trust is None else trust.describe()
    manifest = read_manifest(out)
    if manifest is None:
        _refuse_foreign(out)
        manifest = DatasetManifest(source=source.url, trust=wanted)
        write_manifest(out, manifest)  # from now on, files it does not name are leftovers
        return manifest
    if manifest.source != source.url:
        raise OutputRefused(f"{out.url} was built from {manifest.source}, not {source.url}; build into "
                            "another OUT, or from the same SOURCE")
    if manifest.trust != wanted:
        said = "any signer" if manifest.trust is None else f"--trust {','.join(manifest.trust)}"
        raise OutputRefused(f"{out.url} was built accepting {said}; give the same --trust, or build into "
                            "another OUT")
    names = manifest.known_files()
    for table in TABLES:
        for path in out.files(table):
            if path not in names:
                out.delete(path)  # left by a build that did not finish
    return manifest


def _refuse_foreign(out: Output) -> None:
    if read_manifest(out) is None and not out.is_empty():
        raise OutputRefused(f"{out.url} holds files but no _manifest.json, so it is not a codetape dataset; "
                            "build into an empty or new directory")


def _record(manifest: DatasetManifest, written: dict[str, dict[str, int]],
            replaced: dict[tuple[str, str], tuple[str, int] | None], tally: Tally,
            gone: Counter[str]) -> None:
    for table, files in written.items():
        for path, rows in files.items():
            manifest.add_file(table, path, rows)
    for (table, path), copy in replaced.items():
        manifest.drop_file(table, path)
        if copy is not None:
            manifest.add_file(table, *copy)
    totals = Counter(manifest.rejected)
    totals.update(tally.rejected)
    totals.update(gone)
    manifest.rejected = dict(sorted(totals.items()))


def _ray_engine() -> RayEngine:
    """The ray engine's entry point; EngineMissing when Ray is not installed."""
    try:
        from collector.dataset.ray_engine import run_ray
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] == "ray":
            raise EngineMissing(RAY_MISSING) from None
        raise
    return run_ray
