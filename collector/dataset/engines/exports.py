"""`--exports atif,zeta`: the dataset's episodes also in training formats, by collector.export's own
formats (the bytes `codetape export` writes), into OUT/exports/FORMAT/SIGNER/ (one file per episode,
named by its id, in the folder of its signer's key id: two signers' episodes under one id are two
episodes, output/known.py).

A format, once exported into a dataset, is kept complete: a later build exports its new episodes in it too,
and a format named for the first time is exported for every episode already in the dataset. An episode revoked
since it was built loses its export files with its rows, in every snapshot (output/snapshots.py). Formats that
write one dataset for all episodes together (ProgSnap2) cannot grow a build at a time: `codetape export`
writes them.

A new episode is exported in the pass that builds its rows (transform.py, output/staged.py): its files are
published once the build has ruled on duplicates. An episode exported for a format new to the dataset
(`export_entry`) is fetched from the source again, its hash checked, and replayed once for all those
formats.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs

from collector.dataset.check.source import Entry, reader_for
from collector.dataset.engines.allocator import frugal_memory
from collector.dataset.engines.transform import WORKER_LIMITS, Context
from collector.dataset.errors import OutputFailed
from collector.dataset.output.output import Output
from collector.dataset.output.staged import FAILS, FOLDER, Exported, InPass, publish
from collector.dataset.output.writer import EpisodeKey
from collector.episode import open_episode
from collector.errors import EpisodeError, UsageError
from collector.export import FORMATS, per_episode_formats
from collector.export.follow import follow


def export_formats() -> list[str]:
    """The formats a build can export (collector.export's, less those written for all episodes at once)."""
    return per_episode_formats()


def parse_exports(text: str) -> tuple[str, ...]:
    """`atif,zeta` -> ("atif", "zeta"); UsageError naming a format a build cannot export."""
    names = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    for name in names:
        if name in FORMATS and name not in per_episode_formats():
            raise UsageError(f"--exports: {name} is one dataset of all the episodes, which a build adding "
                             f"episodes cannot extend; a build writes {name}-zip (one {name} dataset per "
                             f"episode), or write it with: codetape export EPISODE... --format {name}")
        if name not in FORMATS:
            raise UsageError(f"--exports: unknown format {name!r}; choose from {', '.join(export_formats())}")
    if not names:
        raise UsageError(f"--exports names no format; choose from {', '.join(export_formats())}")
    return names


@dataclass(frozen=True)
class ExportItem:
    """An episode of the dataset to export: where it is at the source, its signer's key id, the formats."""

    entry: Entry
    signer: str
    formats: tuple[str, ...]
    split: str  # its row's, in every format that says a split


def export_entry(item: ExportItem, context: Context, out: Output) -> Exported:
    """Export one episode of the dataset in its formats (new to the dataset): fetched again, its hash
    checked, replayed once for them all; a failure is counted, never raised (the episode is in the dataset
    already: its exports are the extra)."""
    frugal_memory()
    entry, done = item.entry, Exported()
    with tempfile.TemporaryDirectory(prefix="codetape-export-", dir=context.scratch) as scratch:
        path = Path(scratch) / "episode.ctape"
        sha256, _size = reader_for(context.source).fetch(entry.key, path, context.max_bytes)
        if sha256 != entry.sha256:
            done.failed += [f"{fmt} {entry.key}: it changed at the source after it was built"
                            for fmt in item.formats]
            return done
        try:
            episode = open_episode(path, WORKER_LIMITS)
        except EpisodeError as exc:
            done.failed += [f"{fmt} {entry.key}: {exc}" for fmt in item.formats]
            return done
        exports = InPass(episode, entry.sha256, entry.key, item.signer, item.formats, scratch, item.split)
        try:
            follow(episode, [exports])
        except FAILS as exc:
            exports.discard()
            done.failed += [f"{fmt} {entry.key}: cannot export it: {exc}" for fmt in item.formats]
            return done
        return publish(exports.close(), item.split, out)


def remove_exports(out: Output, formats: list[str], episodes: set[EpisodeKey]) -> list[str]:
    """Delete the export files of episodes whose rows leave the dataset (before this build exports an
    episode under the id and key of one of them); the files deleted (relative paths)."""
    found: list[str] = []
    for fmt in formats if episodes else ():
        for signer in {signer for _episode_id, signer in episodes}:
            where = f"{FOLDER}/{fmt}/{signer}"
            try:
                infos = out.fs.get_file_info(pafs.FileSelector(out.path(where), allow_not_found=True))
            except (OSError, pa.ArrowException) as exc:
                raise OutputFailed(f"cannot list {out.describe(where)}: {exc}") from None
            found += [info.path[len(out.root) + 1:] for info in infos
                      if (info.base_name.split(".", 1)[0], signer) in episodes]
    for path in found:
        out.delete(path)
    return sorted(found)
