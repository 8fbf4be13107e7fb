"""`blobs` across builds: every file text the dataset refers to, once, by its SHA-256.

Not partitioned by month: a text that episodes of two months share is one row, so `JOIN blobs USING
(sha256)` never doubles a row. Engines leave the blob rows of the episodes they keep in the build's
scratch directory (`BlobSpill`: Arrow IPC, each row beside its episode's sha256); `write_new` then writes
those of the episodes the build kept (duplicates ruled out afterwards are not) that the dataset does not
hold yet, each once: this build's texts (a set: bounded by the build) are looked up in the dataset's
blob hashes, read a batch at a time, and written once each. It runs in the build's process: every new
distinct text passes through it once.

A build that withdraws episodes first collects the texts they referred to that no episode left refers
to (`collect`): the withdrawn episodes' references (`transitions.before_sha256`/`after_sha256`,
`file_states.sha256`) are read from the files that held their rows, looked up in the files that stay,
and each blob file holding one that none of them names is copied without it. A text another episode
still names stays: it is that episode's too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads

from collector.dataset.errors import OutputFailed
from collector.dataset.output.known import scan
from collector.dataset.output.manifest import DatasetManifest
from collector.dataset.output.output import Output
from collector.dataset.output.writer import EpisodeKey, TableWriter, copy_without, part_prefix
from collector.dataset.rows.tables import BLOBS

SPILLS = "blobs"  # the scratch folder the engines leave blob rows in
HOLD = 32 << 20  # bytes of rows held before they are spilled
REFERENCES = {"transitions": ("before_sha256", "after_sha256"), "file_states": ("sha256",)}
Replaced = dict[tuple[str, str], tuple[str, int] | None]  # (table, old path) -> (new path, rows) or None
Held = dict[tuple[str, str], set[EpisodeKey]]  # (table, old path) -> the withdrawn episodes it held
_SPILL = pa.schema([pa.field("episode", pa.string(), nullable=False), *BLOBS])
_LZ4 = pa.ipc.IpcWriteOptions(compression="lz4")


class BlobSpill:
    """The blob rows of the episodes one process keeps, spilled as they come."""

    def __init__(self, scratch: Path, stem: str) -> None:
        folder = scratch / SPILLS
        folder.mkdir(exist_ok=True)
        self.path = folder / f"{stem}.arrows"
        self.writer: pa.ipc.RecordBatchStreamWriter | None = None
        self.pending: list[pa.Table] = []
        self.held = 0

    def add(self, rows: pa.Table, sha256: str) -> None:
        if rows.num_rows:
            episode = pa.repeat(pa.scalar(sha256, pa.string()), rows.num_rows)
            self.pending.append(pa.Table.from_arrays([episode, *rows.columns], schema=_SPILL))
            self.held += rows.get_total_buffer_size()

    def flush(self) -> None:
        if self.pending:
            if self.writer is None:
                self.writer = pa.ipc.new_stream(str(self.path), _SPILL, options=_LZ4)
            self.writer.write_table(pa.concat_tables(self.pending))
            self.pending, self.held = [], 0

    def close(self) -> None:
        self.flush()
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def write_new(out: Output, build: int, scratch: Path, kept: Iterable[str],
              held_in: list[str]) -> dict[str, int]:
    """Write the spilled blobs of the episodes `kept` (by sha256) that the dataset's blob files `held_in`
    lack, each once; the files written."""
    episodes = pa.array(sorted(kept), pa.string())
    spills = sorted((scratch / SPILLS).glob("*.arrows"))
    fresh_here: set[str] = set()  # this build's texts: bounded by the build, not the dataset
    for batch in _spilled(spills, episodes):
        fresh_here.update(batch.column("sha256").to_pylist())
    held = held_texts(out, held_in, pa.array(sorted(fresh_here), pa.string()))
    writer = TableWriter(out, "blobs", build, scratch, stem="b")
    seen: set[str] = set()
    for batch in _spilled(spills, episodes):
        batch = batch.filter(pc.invert(pc.is_in(batch.column("sha256"), value_set=held)))
        fresh = []
        for sha256 in batch.column("sha256").to_pylist():
            fresh.append(sha256 not in seen)
            seen.add(sha256)
        batch = batch.filter(pa.array(fresh, pa.bool_()))
        writer.add(pa.Table.from_batches([batch]).drop_columns(["episode"]))
        if writer.held > HOLD:
            writer.flush()
    for path in spills:
        path.unlink()
    return writer.close()


def _spilled(spills: list[Path], episodes: pa.Array) -> Iterator[pa.RecordBatch]:
    """The spilled blob rows of `episodes`, a batch at a time."""
    for path in spills:
        with pa.OSFile(str(path)) as source:
            for batch in pa.ipc.open_stream(source):
                yield batch.filter(pc.is_in(batch.column("episode"), value_set=episodes))


def current(manifest: DatasetManifest, table: str, replaced: Replaced) -> list[str]:
    """The files of `table` once `replaced` is applied."""
    paths = [path for path in manifest.files.get(table, {}) if (table, path) not in replaced]
    return sorted(paths + [copy[0] for (name, _old), copy in replaced.items() if name == table and copy])


def held_texts(out: Output, paths: list[str], among: pa.Array) -> pa.Array:
    """The sha256 of `among` that a blob in `paths` has, read a batch at a time (not every blob's hash:
    about 70 bytes a text, issue 78)."""
    if not paths or not len(among):
        return pa.array([], pa.string())
    try:
        dataset = pads.dataset([out.path(path) for path in paths], filesystem=out.fs, format="parquet")
        chunks = [batch.column(0) for batch in scan(dataset, ["sha256"], pc.field("sha256").isin(among))]
    except (OSError, pa.ArrowException) as exc:
        raise OutputFailed(f"cannot read {out.describe('blobs')}: {exc}") from None
    return pa.concat_arrays(chunks) if chunks else pa.array([], pa.string())


def collect(out: Output, manifest: DatasetManifest, replaced: Replaced, held: Held, build: int) -> None:
    """Copy every blob file without the texts that the withdrawn episodes (`held`: in which files their rows
    were) referred to and no row left refers to, into `replaced`. Only their texts are looked up, a batch
    at a time: what the driver holds is bounded by the withdrawn episodes, not the dataset (issue 78)."""
    candidates = _withdrawn_texts(out, held)
    if not len(candidates):
        return
    named = [_column(out, current(manifest, table, replaced), column, candidates)
             for table, columns in REFERENCES.items() for column in columns]
    live = pc.unique(pa.concat_arrays(named))
    dead = candidates.filter(pc.invert(pc.is_in(candidates, value_set=live)))
    copies = 0
    for path in sorted(manifest.files.get("blobs", {})) if len(dead) else ():
        if not len(_column(out, [path], "sha256", dead)):
            continue
        copies += 1
        target = f"blobs/{part_prefix(build)}x{copies:04d}.parquet"
        rows = copy_without(out, "blobs", path, target,
                            lambda batch: pc.is_in(batch.column("sha256"), value_set=dead))
        replaced[("blobs", path)] = (target, rows) if rows else None
        if not rows:
            out.delete(target)


def _withdrawn_texts(out: Output, held: Held) -> pa.Array:
    """The distinct texts the withdrawn episodes' rows referred to, read from the files that held them."""
    found = []
    for (table, path), episodes in held.items():
        columns = REFERENCES.get(table, ())
        if not columns:
            continue
        keys = pa.array(sorted(f"{episode_id}\n{signer}" for episode_id, signer in episodes), pa.string())
        try:
            dataset = pads.dataset([out.path(path)], filesystem=out.fs, format="parquet")
            for batch in scan(dataset, ["episode_id", "signer_key_id", *columns],
                              pc.field("episode_id").isin(pa.array(sorted({key[0] for key in episodes})))):
                mine = pc.is_in(pc.binary_join_element_wise(batch.column(0), batch.column(1), "\n"),
                                value_set=keys)
                found += [batch.column(column).filter(mine) for column in columns]
        except (OSError, pa.ArrowException) as exc:
            raise OutputFailed(f"cannot read {out.describe(table)}: {exc}") from None
    if not found:
        return pa.array([], pa.string())
    texts = pa.concat_arrays(found)
    return pc.unique(texts.filter(pc.is_valid(texts)))


def _column(out: Output, paths: list[str], column: str, among: pa.Array) -> pa.Array:
    """The values of `column` in `paths` that are in `among`, read a batch at a time."""
    if not paths:
        return pa.array([], pa.string())
    try:
        dataset = pads.dataset([out.path(path) for path in paths], filesystem=out.fs, format="parquet")
        chunks = [batch.column(0) for batch in scan(dataset, [column], pc.field(column).isin(among))]
    except (OSError, pa.ArrowException) as exc:
        raise OutputFailed(f"cannot read {out.describe(paths[0].split('/')[0])}: {exc}") from None
    return pa.concat_arrays(chunks) if chunks else pa.array([], pa.string())
