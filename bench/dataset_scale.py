"""A whole `codetape dataset build` at scale (issue 78): 1,000 real signed episodes added to datasets of
10k, 100k and 1M synthetic episodes; the build process's peak RSS and its time.

    .venv/bin/python -m bench.dataset_scale [--sizes 10000,100000,1000000] [--work DIR] [--workers 2]
                                            [--no-readme]

The 1,000 new episodes are bench.dataset_build's source (signed by the real signing code, uploaded by
`codetape upload`). The episodes already in the dataset are a prebuilt dataset state, written directly
rather than built from real episodes (building a million would take days on this machine): an empty
build makes OUT (manifest, schemas, card), then `prior_rows` writes the `episodes` rows of the earlier
episodes (one file per month, a year of months, named in the manifest as a build's would be) and one
`blobs` row each, and the source gets an (empty) `<sha256>.ctape` and `<sha256>.json` for each, so the
listing holds them all. The rows follow tests/support/split_corpus.py's shape: repositories of 1 to 50
episodes, 10 % near duplicates of one of the 4,096 before (about 16 % of its 128 MinHash values
replaced, as one word in sixty replaced gives), 1 % repeats of an earlier steps hash, no text every 97th;
a thousand signers. Their sides are given by the split's rule over what the generator knows (repository,
steps hash, the near duplicate's original: the same as the rule's, less the chance band collisions
between unrelated signatures); the new episodes are placed by the build's own code. Each build runs in a
fresh process (bench.dataset_build.run_child: the local engine, `--workers` processes): the build
process's peak RSS (VmHWM), the process tree's, and its wall time. Then, in another fresh process
(`--stages SOURCE OUT`), each of the driver's passes over the whole dataset on its own, timed over the
built OUT: what a build costs on the machine that runs it per episode already in the dataset, whatever
the engine.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench.dataset_build import prepare, run_child
from bench.dataset_tables import (
    EDITS_FRACTION,
    RATES,
    SCHEMAS,
    blob_sha,
    export_templates,
    index_exports,
    link_exports,
    step_rows,
)
from bench.report import command_line, machine, table, write_section
from collector.consent.keys import encode_public, key_id
from collector.dataset.build import split_index, split_sizes
from collector.dataset.card.exports import read_labels
from collector.dataset.card.facts import read_facts
from collector.dataset.check.reasons import Rejected
from collector.dataset.check.source import entries, locate, reader_for
from collector.dataset.engines.allocator import frugal_memory
from collector.dataset.output.blob_store import collect
from collector.dataset.output.cross_split import earlier_files
from collector.dataset.output.known import load_known, table_rows
from collector.dataset.output.manifest import read_manifest, write_manifest
from collector.dataset.output.output import open_output
from collector.dataset.output.snapshots import added_list, record, take, write_snapshot
from collector.dataset.output.staged import FOLDER as EXPORTS
from collector.dataset.output.withdraw import Withdrawn, remove_rows
from collector.dataset.output.writer import part_prefix
from collector.dataset.rows.tables import BLOBS, COMPRESSION, EPISODES, ROW_GROUP_ROWS
from collector.export import per_episode_formats
from collector.export.split import PERMUTATIONS, side_of
from collector.upload.revocation import signed_message
from schemas.common import plain
from schemas.config import UploadSettings
from schemas.consent import ConsentReviewer
from schemas.upload import RevocationRecord, RevocationStatement

NEW = 1000
MONTHS = 12  # the earlier episodes' months: 2025-01 to 2025-12, in order
SIGNERS = 1000
BACK = 4096  # a near duplicate or repeat is of one of the episodes this far back at most
NEAR_CHANGED = 0.16  # of a near duplicate's MinHash values, replaced
CHUNK = 65_536
COUNTS = ("step", "file", "edit", "save", "test_run", "command", "commit", "gap", "file_state")


def corpus_sides(size: int, seed: int = 78) -> Iterator[tuple[np.ndarray, list[Any]]]:
    """The earlier episodes' split columns, CHUNK at a time: (signatures, [(repository, steps, has
    signature, split), ...]) with the signatures as a uint32 matrix (see the module docstring)."""
    rng = np.random.default_rng(seed)
    draw = rng.random(size)
    back = rng.integers(1, BACK + 1, size)
    tail = np.zeros((0, PERMUTATIONS), np.uint32)  # the last BACK signatures of the chunk before
    steps: list[str] = []  # every steps hash, by index
    sides: list[str] = []
    first_side: dict[str, str] = {}  # steps hash -> the first side (train or eval) it took
    repository, left = "", 0
    repository_side: str | None = None
    for begin in range(0, size, CHUNK):
        count = min(CHUNK, size - begin)
        signatures = rng.integers(0, 2**32, (count, PERMUTATIONS), dtype=np.uint32)
        changed = rng.random((count, PERMUTATIONS)) < NEAR_CHANGED
        window = np.concatenate([tail, signatures])
        rows = []
        for offset in range(count):
            n = begin + offset
            if left == 0:
                repository, left, repository_side = f"git:example.org/s{n}", int(rng.integers(1, 51)), None
            left -= 1
            origin = n - int(back[n]) if n >= back[n] else None
            near = origin is not None and draw[n] < 0.10
            repeat = origin is not None and 0.10 <= draw[n] < 0.11
            at = len(tail) + offset
            if near:
                row = window[at - int(back[n])]
                window[at] = np.where(changed[offset], window[at], row)
            digest = steps[origin] if repeat and origin is not None else \
                hashlib.sha256(f"steps {n}".encode()).hexdigest()
            found = {side for side in (repository_side, first_side.get(digest)) if side is not None}
            if near and origin is not None and n % 97 and origin % 97:  # both have a signature
                found.add(sides[origin])
            found.discard("none")
            split = "none" if len(found) > 1 else (found.pop() if found else side_of(repository))
            if split != "none":
                repository_side = repository_side or split
                first_side.setdefault(digest, split)
            steps.append(digest)
            sides.append(split)
            rows.append((repository, digest, n % 97 != 0, split))
        signatures = window[len(tail):]
        tail = signatures[-BACK:]
        yield signatures, rows


@dataclass(frozen=True)
class Signers:
    """The earlier episodes' signers: SIGNERS made-up keys, but episode `withdrawn`'s, a real key whose
    revocation record the bench writes beside it (a withdrawal the build must verify and carry out)."""

    withdrawn: int
    key_id: str
    public_b64: str

    def key(self, k: int) -> str:
        return self.key_id if k == self.withdrawn else f"signer-{k % SIGNERS:04d}"

    def public(self, k: int) -> str:
        return self.public_b64 if k == self.withdrawn else f"key-{k % SIGNERS:04d}"


def episode_id(k: int) -> str:
    """Earlier episode k's id."""
    return str(uuid.UUID(int=k + 1, version=4))


def episode_sha(k: int) -> str:
    """Earlier episode k's sha256 (its name at the source)."""
    return hashlib.sha256(f"episode {k}".encode()).hexdigest()


def months_of(size: int) -> list[tuple[str, int, int]]:
    """The earlier episodes' months: (month, first episode, end), in order."""
    per_month = -(-size // MONTHS)
    return [(f"2025-{m + 1:02d}", m * per_month, min((m + 1) * per_month, size))
            for m in range(MONTHS) if m * per_month < size]


def revocation(private: Ed25519PrivateKey, signers: Signers) -> bytes:
    """A revocation record of the earlier episode `signers.withdrawn`, signed by its signer's key."""
    k = signers.withdrawn
    statement = RevocationStatement(episode_sha256=episode_sha(k), episode_id=uuid.UUID(episode_id(k)),
                                    revoked_at=datetime(2026, 1, 2, tzinfo=UTC), reason="bench",
                                    reviewer=ConsentReviewer(public_key=signers.public_b64,
                                                             key_id=signers.key_id))
    text = json.dumps(plain(statement), sort_keys=True, separators=(",", ":"))
    signature = private.sign(signed_message(episode_sha(k), text.encode("utf-8")))
    encoded = base64.b64encode(signature).decode("ascii")
    return msgspec.json.encode(RevocationRecord(statement=text, signature=encoded))


def prior_rows(out: Path, size: int, signers: Signers) -> Iterator[str]:
    """Write the `episodes` and `blobs` rows of `size` earlier episodes under `out` (a dataset an empty
    build made) and their `edits`, `transitions` and `file_states` rows (bench/dataset_tables.py), and name
    their files in its manifest; yields each episode's sha256, in order."""
    started = datetime(2025, 1, 1, 8, 0, tzinfo=UTC)
    per_month = -(-size // MONTHS)
    dataset = open_output(str(out), UploadSettings())
    manifest = read_manifest(dataset)
    assert manifest is not None
    writers: dict[str, pq.ParquetWriter] = {}
    counts: dict[str, int] = {}
    blobs_path = "blobs/part-b00001-w0.parquet"
    (out / "blobs").mkdir(exist_ok=True)
    blob_writer = pq.ParquetWriter(out / blobs_path, BLOBS, compression=COMPRESSION)
    n = 0
    for signatures, rows in corpus_sides(size):
        count = len(rows)
        numbers = range(n, n + count)
        shas = [episode_sha(k) for k in numbers]
        months = [f"2025-{k // per_month + 1:02d}" for k in numbers]
        values = pa.array(signatures.reshape(-1), pa.uint32())
        offsets = pa.array(np.arange(0, (count + 1) * PERMUTATIONS, PERMUTATIONS, dtype=np.int32))
        mask = pa.array([not has for _r, _s, has, _split in rows] + [False])
        minhash = pa.ListArray.from_arrays(offsets, values, type=pa.list_(pa.uint32()), mask=mask)
        columns: dict[str, Any] = {
            "episode_id": [episode_id(k) for k in numbers],
            "sha256": shas, "source_key": [f"episodes/{sha}.ctape" for sha in shas],
            "bytes": [30_000] * count,
            "content_sha256": [hashlib.sha256(f"content {k}".encode()).hexdigest() for k in numbers],
            "statement_sha256": shas, "build": [1] * count,
            "started_at": [started + timedelta(minutes=30 * k) for k in numbers],
            "duration_ms": [1_800_000] * count,
            "signer_key_id": [signers.key(k) for k in numbers],
            "signer_public_key": [signers.public(k) for k in numbers],
            "signed_at": [started + timedelta(minutes=30 * k + 40) for k in numbers],
            "purpose": ["training"] * count, "licence": ["CC-BY-4.0"] * count,
            "consent_statement": ["{}"] * count,
            **{f"{name}_count": [100] * count for name in COUNTS},
            "steps_sha256": [steps for _r, steps, _h, _s in rows],
            "repository": [repository for repository, _s, _h, _split in rows],
            "diff_minhash": minhash, "split": [split for _r, _s, _h, split in rows], "month": months,
        }
        arrays = [columns[field.name] if field.name in columns else pa.nulls(count, field.type)
                  for field in EPISODES]
        batch = pa.Table.from_arrays([pa.array(a, f.type) if not isinstance(a, pa.Array) else a
                                      for a, f in zip(arrays, EPISODES, strict=True)], schema=EPISODES)
        for month in sorted(set(months)):
            part = batch.filter(pa.compute.equal(batch.column("month"), month))
            path = f"episodes/month={month}/part-b00001-w0.parquet"
            if path not in writers:
                (out / path).parent.mkdir(parents=True, exist_ok=True)
                writers[path] = pq.ParquetWriter(out / path, EPISODES, compression=COMPRESSION)
            writers[path].write_table(part, row_group_size=ROW_GROUP_ROWS["episodes"])
            counts[path] = counts.get(path, 0) + part.num_rows
        blob_writer.write_table(pa.table({"sha256": [blob_sha(k) for k in numbers],
                                          "text": [f"def f{k}():\n    return {k}\n" for k in numbers]},
                                         schema=BLOBS), row_group_size=ROW_GROUP_ROWS["blobs"])
        n += count
        yield from shas
    for writer in writers.values():
        writer.close()
    blob_writer.close()
    for path, rows_in in counts.items():
        manifest.add_file("episodes", path, rows_in)
    manifest.add_file("blobs", blobs_path, size)
    step_rows(out, manifest, months_of(size), episode_id, signers.key)
    write_manifest(dataset, manifest)


def state(work: Path, new: Path, size: int, workers: int,
          templates: dict[str, list[tuple[str, Path]]]) -> tuple[Path, Path, dict[str, Any]]:
    """The source and OUT of a build adding the episodes of `new` to `size` earlier ones (made again): an
    empty build exporting every per-episode format (so the manifest keeps them), the earlier episodes'
    rows, their export files (hard links to `templates`), their (empty) files at the source, and the
    revocation record of the one in the middle; what it made (rows, links, bytes on disk)."""
    source, out = work / f"source-{size}", work / f"out-{size}"
    for folder in (source, out):
        shutil.rmtree(folder, ignore_errors=True)
    (source / "episodes").mkdir(parents=True)
    formats = tuple(per_episode_formats())
    empty = run_child("local", workers, source, out, exports=formats)  # OUT's manifest, schemas and card
    assert empty["episodes"] == 0, empty
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes_raw()
    signers = Signers(size // 2, key_id(public), encode_public(public))
    folder = source / "episodes"
    for sha in prior_rows(out, size, signers):
        for suffix in (".ctape", ".json"):
            os.close(os.open(folder / f"{sha}{suffix}", os.O_CREAT | os.O_WRONLY, 0o644))
    (folder / f"{episode_sha(signers.withdrawn)}.revocation.json").write_bytes(revocation(private, signers))
    links = link_exports(out, templates, size, signers.key)
    index_exports(out, templates, size, signers.key)  # their keys, as the build that made them indexed them
    snapshot(out)
    for path in (new / "episodes").iterdir():
        os.link(path, folder / path.name)
    manifest = read_manifest(open_output(str(out), UploadSettings()))
    assert manifest is not None
    rows = {table: sum(manifest.files.get(table, {}).values()) for table in SCHEMAS}
    return source, out, {"rows": rows, "links": links, "disk_mib": _disk_mib(source, out)}


def snapshot(out: Path) -> None:
    """Rewrite the empty build's snapshot record (OUT/_builds/b00001.json) to name the state's files, as the
    record of a build that made them would: the tables' files the manifest names, and every export file in
    its list of those the build added (b00001.exports.jsonl, streamed: a million episodes' export files are
    20 million names; output/snapshots.py)."""
    dataset = open_output(str(out), UploadSettings())
    manifest = read_manifest(dataset)
    assert manifest is not None
    taken = take(dataset, manifest, manifest.builds[-1], {})
    with open(out / added_list(taken.build), "wb") as stream:
        for fmt in manifest.exports:
            folders = sorted((out / EXPORTS / fmt).iterdir()) if (out / EXPORTS / fmt).is_dir() else []
            for folder in folders:
                for entry in sorted(os.scandir(folder), key=lambda entry: entry.name):
                    name = f"{EXPORTS}/{fmt}/{folder.name}/{entry.name}"
                    stream.write(msgspec.json.encode((name, entry.stat().st_size)) + b"\n")
                    taken.exports_added[fmt] += 1
    write_snapshot(dataset, taken)


def _disk_mib(*folders: Path) -> float:
    """What `folders` take on disk (`du`: a file of many hard links counted once)."""
    done = subprocess.run(["du", "-sk", "--total", *map(str, folders)], capture_output=True, text=True,
                          check=True)
    return int(done.stdout.splitlines()[-1].split()[0]) / 1024


def stages(source: str, out: str) -> dict[str, float]:
    """Seconds of each of the driver's passes over the whole dataset, run on their own over a built OUT in
    this process: listing the source, reading `Known`, filling the split's store, placing the last NEW
    episodes again against it, the end-of-build counts, the card's facts and two of its parts (the
    survival histogram over `edits`, the training exports' label counts), listing the export files (a
    folder at a time, as cross_split.earlier_files does), and last a withdrawal of one more earlier
    episode (its rows' files copied without it, then `collect`: the blob files without its texts no row
    names), which changes OUT."""
    frugal_memory()
    dataset = open_output(out, UploadSettings())
    manifest = read_manifest(dataset)
    assert manifest is not None
    found: dict[str, float] = {}
    began = time.monotonic()
    sum(1 for _entry in entries(reader_for(locate(source, UploadSettings()))))
    found["listing"] = time.monotonic() - began
    began = time.monotonic()
    load_known(dataset, manifest).close()
    found["known"] = time.monotonic() - began
    with tempfile.TemporaryDirectory(prefix="codetape-bench-") as scratch:
        began = time.monotonic()
        index = split_index(dataset, manifest, Path(scratch) / "split.sqlite")
        found["split fill"] = time.monotonic() - began
        columns = ["repository", "steps_sha256", "diff_minhash", "build"]
        added = [pq.read_table(Path(out) / path, columns=columns).to_pylist()
                 for path in manifest.files["episodes"] if f"/{part_prefix(2)}" in path]
        # the build's new episodes alone: its files hold the month its withdrawal rewrote too (build 1's
        # rows, a twelfth of the dataset), which the runs before this fix placed as well
        last = [(row["repository"], row["steps_sha256"], row["diff_minhash"])
                for rows in added for row in rows if row["build"] == 2]
        assert len(last) == NEW, f"{len(last)} episodes of build 2, not {NEW}"
        began = time.monotonic()
        for repository, steps, signature in last:
            index.place(repository, steps, signature)
        found["place"] = time.monotonic() - began
        index.close()
    began = time.monotonic()
    split_sizes(dataset, manifest)
    found["end counts"] = time.monotonic() - began
    began = time.monotonic()
    read_facts(dataset, manifest)
    found["card facts"] = time.monotonic() - began
    began = time.monotonic()
    for _batch in table_rows(dataset, manifest, "edits", ["survived_to_end"]):
        pass
    found["survival"] = time.monotonic() - began
    began = time.monotonic()
    read_labels(dataset, manifest)
    found["export labels"] = time.monotonic() - began
    began = time.monotonic()
    sum(1 for fmt in manifest.exports for _path in earlier_files(dataset, fmt, set()))
    found["export listing"] = time.monotonic() - began
    size = sum(manifest.files["episodes"].values()) - NEW
    k = size // 2 + 1  # (not the one the build withdrew)
    month = next(month for month, first, end in months_of(size) if first <= k < end)
    gone = Withdrawn(episode_sha(k), f"episodes/{episode_sha(k)}.ctape", episode_id(k),
                     f"signer-{k % SIGNERS:04d}", Rejected("revoked", "bench"))
    began = time.monotonic()
    removal = remove_rows(dataset, manifest, len(manifest.builds) + 1, [gone], {month})
    collect(dataset, manifest, removal.replaced, removal.held, len(manifest.builds) + 1)
    found["withdrawal"] = time.monotonic() - began
    return found


def _per(stage: str, seconds: float, size: int, rows: dict[str, int]) -> str:
    """A pass's µs per episode of the dataset; placing's per new episode; the survival pass's per `edits`
    row, and per episode at the real source's rate; a withdrawal's in seconds."""
    if stage == "place":
        return f"{seconds / NEW * 1e6:.0f} per new"
    if stage == "survival":
        per_row = seconds / max(rows["edits"], 1)
        real = per_row * RATES["edits"] * EDITS_FRACTION * 1e6
        return f"{per_row * 1e9:.0f} ns a row; {real:.0f} at the real rate"
    if stage == "withdrawal":
        return f"{seconds:.1f} s"
    return f"{seconds / (size + NEW) * 1e6:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--work", default="/tmp/codetape-dataset-scale")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--stages", nargs=2, metavar=("SOURCE", "OUT"))  # the second process (docstring)
    args = parser.parse_args()
    if args.stages:
        print(json.dumps(stages(*args.stages)))
        return
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    new = prepare(work / "new", NEW)
    formats = tuple(per_episode_formats())
    if not (work / "templates" / record(1)).exists():  # the new episodes exported: the files linked
        run_child("local", args.workers, new, work / "templates", exports=formats)
    templates = export_templates(work / "templates")
    found = []
    for size in (int(size) for size in args.sizes.split(",")):
        began = time.monotonic()
        source, out, made = state(work, new, size, args.workers, templates)
        result = run_child("local", args.workers, source, out, exports=formats)
        result.update(made, made_s=time.monotonic() - began - result["seconds"])
        command = [sys.executable, "-m", "bench.dataset_scale", "--stages", str(source), str(out)]
        timed = subprocess.run(command, capture_output=True, text=True, check=True)
        result["stages"] = json.loads(timed.stdout.splitlines()[-1])
        print(size, json.dumps(result), flush=True)
        found.append((size, result))
        shutil.rmtree(source)
        shutil.rmtree(out)
    text = f"`{command_line()}` ({machine()}):\n\n{report(found, len(templates))}"
    print(text)
    if not args.no_readme:
        write_section("dataset-scale", text)


def report(found: list[tuple[int, dict[str, Any]]], formats: int) -> str:
    """The whole builds' table, the states', and the driver's passes on their own."""
    base = found[0][1]["rss_mib"]
    body = table(["episodes in the dataset", "new", "accepted", "withdrawn", "build peak RSS (MiB)",
                  "x first", "process tree peak (MiB)", "wall (s)", "CPU (s)"],
                 [[f"{size:,}", result["episodes"], result["accepted"], result.get("withdrawn", "-"),
                   f"{result['rss_mib']:.0f}", f"{result['rss_mib'] / base:.2f}", f"{result['tree_mib']:.0f}",
                   f"{result['seconds']:.0f}", f"{result['cpu']:.0f}"] for size, result in found])
    made = table(["episodes in the dataset", "edits rows", "transitions rows", "file_states rows",
                  "export files (hard links)", "on disk (MiB)", "made in (s)"],
                 [[f"{size:,}", *(f"{result['rows'][name]:,}" for name in SCHEMAS), f"{result['links']:,}",
                   f"{result['disk_mib']:,.0f}", f"{result['made_s']:.0f}"] for size, result in found])
    names = list(found[0][1]["stages"])
    passes = table(["episodes in the dataset", *(f"{name} (µs/episode)" for name in names)],
                   [[f"{size:,}", *(_per(name, result["stages"][name], size, result["rows"])
                                    for name in names)] for size, result in found])
    return (f"The builds (each with `--exports` of the {formats} per-episode formats the manifest keeps; the "
            f"1,000 new episodes exported, one earlier episode withdrawn):\n\n{body}\n\nThe states they "
            f"started from (`edits` at 1/{EDITS_FRACTION} of the real source's rate, `transitions` and "
            f"`file_states` at it):\n\n{made}\n\nThe driver's passes on their own:\n\n{passes}")


if __name__ == "__main__":
    main()
