"""The per-step tables and export files of bench/dataset_scale.py's synthetic earlier episodes (issue 107).

`edits`, `transitions` and `file_states` rows, generated column by column (numpy draws, Arrow `take` over
small pools of values), one file per month and table as a build writes them: `transitions` and
`file_states` at the real source's rates (bench.dataset_build's sessions: per 1,000 episodes about 42,000
and 37,000 rows), `edits` at EDITS_FRACTION of its 1.37 million (a million episodes at the real rate are 1.4
billion rows, 15 GB: beyond a run on 2 cores), each episode's count a Poisson draw at its rate. The columns
a pass reads hold values of the real shape: `edits.survived_to_end` a share in [0, 1] (null every tenth row,
as for edits no later step replays), `file_states.sha256` and `transitions.before_sha256`/`after_sha256`
texts of `blobs` (episode k's own text and the one before it: texts that several episodes name, which a
withdrawal's collect must keep). Every other column has a value of its type (a null where it may be one).

The export files: every earlier episode's file in every per-episode format (and its Parquet twin) is a hard
link to one file per format, a real export of one of the bench's new episodes (of median size): a million
episodes cost directory entries, not 13 million files' writes, and each file read is a real file's bytes.
Their examples' keys are indexed as a build would have (`index_exports`: collector/dataset/output/
example_keys.py, the product's writer), so the build's split-crossing pass reads the index, not the files.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from collector.dataset.output.example_keys import write_index
from collector.dataset.output.manifest import DatasetManifest
from collector.dataset.output.output import open_output
from collector.dataset.output.writer import write_parts
from collector.dataset.rows.tables import EDITS, FILE_STATES, TRANSITIONS
from collector.export.edits.base.examples import KEY_BYTES, KEYS, keyed
from collector.export.formats import FORMATS
from schemas.config import UploadSettings

EDITS_FRACTION = 20  # `edits` rows written: 1 in EDITS_FRACTION of the real source's
RATES = {"edits": 1370 / EDITS_FRACTION, "transitions": 42.0, "file_states": 37.0}  # rows an episode
SCHEMAS = {"edits": EDITS, "transitions": TRANSITIONS, "file_states": FILE_STATES}
BLOCK = 8192  # episodes generated at a time
PATHS = pa.array([f"src/module_{n}.py" for n in range(50)], pa.string())
TEXTS = pa.array([f"value_{n} = compute({n})\n" for n in range(997)], pa.large_string())
KINDS = pa.array(["edit", "save", "command", "test_run", "file_change"], pa.string())
EVENTS = pa.array(["save", "commit", "end"], pa.string())
ORIGINS = pa.array(["typed", "paste", "ai_inline", "agent"], pa.string())


def blob_sha(k: int) -> str:
    """The sha256 of episode k's text in `blobs` (bench/dataset_scale.py writes it)."""
    return hashlib.sha256(f"text {k}".encode()).hexdigest()


def step_rows(out: Path, manifest: DatasetManifest, months: list[tuple[str, int, int]],
              ids: Callable[[int], str], signers: Callable[[int], str], seed: int = 107) -> dict[str, int]:
    """Write the `edits`, `transitions` and `file_states` rows of the earlier episodes, month by month
    (`months`: (month, first episode, end)), in files and row groups as a build writes them (the writer's
    own `write_parts`: row groups of ROW_GROUP_ROWS or fewer within ROW_GROUP_BYTES, a new file every
    FILE_ROW_GROUPS groups); name the files in `manifest`. The rows written, by table."""
    rng = np.random.default_rng(seed)
    written = dict.fromkeys(SCHEMAS, 0)
    dataset = open_output(str(out), UploadSettings())
    for month, first, end in months:
        for table, schema in SCHEMAS.items():
            (out / table / f"month={month}").mkdir(parents=True, exist_ok=True)
            batches = (batch for begin in range(first, end, BLOCK)
                       for batch in _block(table, rng, begin, min(begin + BLOCK, end), ids, signers, month)
                       .to_batches())
            files = write_parts(dataset, table, schema, batches, f"{table}/month={month}/part-b00001-w")
            for path, rows in files.items():
                manifest.add_file(table, path, rows)
                written[table] += rows
    return written


def _block(table: str, rng: np.random.Generator, begin: int, end: int, ids: Callable[[int], str],
           signers: Callable[[int], str], month: str) -> pa.Table:
    """The rows of `table` of the episodes `begin` to `end`."""
    episodes = np.arange(begin, end)
    shas = pa.array([blob_sha(k) for k in range(max(begin - 1, 0), end)])
    return _table(table, rng, episodes, rng.poisson(RATES[table], len(episodes)), ids, signers, shas, begin,
                  month)


def _table(table: str, rng: np.random.Generator, episodes: np.ndarray, counts: np.ndarray,
           ids: Callable[[int], str], signers: Callable[[int], str], shas: pa.Array, begin: int,
           month: str) -> pa.Table:
    """One block's rows of `table`: counts[i] rows for episodes[i], column by column."""
    n = int(counts.sum())
    owner = np.repeat(np.arange(len(episodes)), counts)  # each row's episode, as an index into `episodes`
    index = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts)  # the row's number in its episode
    owners = pa.array(owner)
    low = max(begin - 1, 0)
    own_text = pa.array(episodes[owner] - low)  # episode k's text in `shas`
    earlier_text = pa.array(np.maximum(episodes[owner] - 1, 0) - low)
    given: dict[str, pa.Array] = {
        "episode_id": pa.array([ids(int(k)) for k in episodes]).take(owners),
        "signer_key_id": pa.array([signers(int(k)) for k in episodes]).take(owners),
        "step": pa.array(index * 3, pa.int32()), "action": pa.array(index, pa.int32()),
        "first_step": pa.array(index * 3, pa.int32()), "last_step": pa.array(index * 3 + 2, pa.int32()),
        "t_ms": pa.array(index * 1500), "start_ms": pa.array(index * 1500),
        "end_ms": pa.array(index * 1500 + 900),
        "path": PATHS.take(pa.array(rng.integers(0, len(PATHS), n))),
        "kind": KINDS.take(pa.array(rng.integers(0, len(KINDS), n))),
        "event": EVENTS.take(pa.array(rng.integers(0, len(EVENTS), n))),
        "origin": ORIGINS.take(pa.array(rng.integers(0, len(ORIGINS), n))),
        "inserted": TEXTS.take(pa.array(rng.integers(0, len(TEXTS), n))),
        "deleted": TEXTS.take(pa.array(rng.integers(0, len(TEXTS), n))),
        "start_offset": pa.array(index * 40), "end_offset": pa.array(index * 40 + 12),
        "survived_to_end": pa.array(rng.random(n), mask=index % 10 == 9),
        "survived_to_commit": pa.array(rng.random(n), mask=index % 10 == 9),
        "sha256": shas.take(own_text), "after_sha256": shas.take(own_text),
        "before_sha256": shas.take(earlier_text),
        "licence": pa.array(["CC-BY-4.0"], pa.string()).take(pa.array(np.zeros(n, np.int64))),
        "month": pa.array([month], pa.string()).take(pa.array(np.zeros(n, np.int64))),
    }
    return pa.Table.from_arrays([_column(field, given, n) for field in SCHEMAS[table]], schema=SCHEMAS[table])


def _column(field: pa.Field, given: dict[str, pa.Array], n: int) -> pa.Array:
    """A column of `n` rows for `field`: the generated one, else nulls, else zeros of its type."""
    if field.name in given:
        return given[field.name].cast(field.type)
    if field.nullable:
        return pa.nulls(n, field.type)
    if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
        return pc.cast(pa.array([""], pa.string()).take(pa.array(np.zeros(n, np.int64))), field.type)
    return pa.array(np.zeros(n, np.int64)).cast(field.type)


def export_templates(out: Path) -> dict[str, list[tuple[str, Path]]]:
    """From a build's OUT, per export format: the files (its export and twin) of the episode whose export in
    that format is of median size among those with rows (of all when none has), as (ending after the
    episode id, path)."""
    found: dict[str, list[tuple[str, Path]]] = {}
    for folder in sorted((out / "exports").iterdir()):
        sizes: dict[Path, int] = {}
        for path in folder.glob("*/*"):
            if not path.name.startswith("."):
                stem = path.parent / path.name.split(".", 1)[0]
                sizes[stem] = sizes.get(stem, 0) + path.stat().st_size
        if not sizes:
            continue
        ranked = sorted((size, str(stem)) for stem, size in sizes.items() if size) or \
            sorted((size, str(stem)) for stem, size in sizes.items())
        stem = Path(ranked[len(ranked) // 2][1])
        found[folder.name] = [(path.name.split(".", 1)[1], path)
                              for path in stem.parent.glob(f"{stem.name}.*")]
    return found


def link_exports(out: Path, templates: dict[str, list[tuple[str, Path]]], size: int,
                 signers: Callable[[int], str]) -> int:
    """Hard links to `templates` as every earlier episode's export files under `out`; the links made. A
    file the file system gives no more links (ext4: 65,000, met at 100k episodes) is copied, once, into
    `out`'s sibling folder `link-copies`, and the links go on to the copy."""
    made = 0
    copies = out.parent / "link-copies"
    for fmt, files in templates.items():
        folders: set[str] = set()
        sources = dict(files)
        for k in range(size):
            signer = signers(k)
            if signer not in folders:
                (out / "exports" / fmt / signer).mkdir(parents=True, exist_ok=True)
                folders.add(signer)
            folder = f"{out}/exports/{fmt}/{signer}/{uuid.UUID(int=k + 1, version=4)}."
            for ending, path in sources.items():
                try:
                    os.link(path, folder + ending)
                except OSError as exc:
                    if exc.errno != errno.EMLINK:
                        raise
                    (copies / fmt).mkdir(parents=True, exist_ok=True)
                    sources[ending] = Path(shutil.copy(path, copies / fmt / f"{out.name}-{k}.{ending}"))
                    os.link(sources[ending], folder + ending)
                made += 1
    return made


def index_exports(out: Path, templates: dict[str, list[tuple[str, Path]]], size: int,
                  signers: Callable[[int], str], build: int = 1) -> int:
    """Index the examples' keys of the export files `link_exports` made, as build `build` would have: a
    hard-linked file's keys are its template's, so each signer folder's rows are the template's repeated,
    made column-wise; the index files written."""
    folders: dict[str, list[int]] = {}
    for k in range(size):
        folders.setdefault(signers(k), []).append(k)
    written, dataset = 0, open_output(str(out), UploadSettings())
    for fmt, files in templates.items():
        ending = (FORMATS[fmt].suffix or "").lstrip(".")
        template = dict(files).get(ending)
        if fmt not in KEYS or template is None:
            continue
        data = template.read_bytes()
        examples = [keyed(fmt, line) for line in data.splitlines() if line.strip()]
        for signer, numbers in folders.items():
            rows = _template_rows(examples, len(data), [f"{uuid.UUID(int=k + 1, version=4)}.{ending}"
                                                         for k in numbers])
            write_index(dataset, fmt, signer, build, rows)
            written += 1
    return written


def _template_rows(examples: list[tuple[str, bytes]], size: int, names: list[str]) -> pa.Table:
    """The index rows of files `names`, each holding `examples` (one row with neither when none)."""
    each = max(len(examples), 1)
    count = len(names) * each
    files = pa.DictionaryArray.from_arrays(pa.array(np.repeat(np.arange(len(names), dtype=np.int32), each)),
                                           pa.array(names, pa.string()))
    if examples:
        splits = pa.array([split for split, _key in examples] * len(names), pa.string())
        data = pa.py_buffer(b"".join(key for _split, key in examples) * len(names))
        keys = pa.Array.from_buffers(pa.binary(KEY_BYTES), count, [None, data])
    else:
        splits, keys = pa.nulls(count, pa.string()), pa.nulls(count, pa.binary(KEY_BYTES))
    return pa.table({"name": files, "size": pa.array(np.full(count, size, dtype=np.int64)),
                     "split": splits, "key": keys})
