"""The export formats by name: how each one starts, what it writes (see each module's docstring)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from collector.episode import Episode
from collector.export.atif import AtifExporter
from collector.export.jsonl import JsonlExporter
from collector.export.per_episode import PerEpisode
from collector.export.progsnap2 import progsnap2
from collector.export.result import ExportResult
from collector.export.zeta import ZetaExporter


class Exporter(Protocol):
    def add(self, episode: Episode) -> None:
        """Export one episode, streaming its steps; count what was written in the export's result."""


Opener = Callable[[Path, ExportResult], AbstractContextManager[Exporter]]


@dataclass(frozen=True)
class Format:
    name: str
    summary: str  # one line for --help
    open: Opener  # into a directory that exists
    suffix: str | None = None  # a file per episode, `<episode id><suffix>`; None: one dataset for all


def _per_episode(exporter: type[PerEpisode]) -> Opener:
    return lambda out_dir, result: contextlib.nullcontext(exporter(out_dir, result))


FORMATS: dict[str, Format] = {fmt.name: fmt for fmt in (
    Format("jsonl", "<id>.jsonl: the header line, then every step as `codetape cat` prints it",
           _per_episode(JsonlExporter), JsonlExporter.suffix),
    Format("atif", "<id>.atif.json: an Agent Trajectory Interchange Format (v1.8) trajectory",
           _per_episode(AtifExporter), AtifExporter.suffix),
    Format("zeta", "<id>.zeta.jsonl: next-edit examples (events, input, output) as in Zed's zeta dataset",
           _per_episode(ZetaExporter), ZetaExporter.suffix),
    Format("progsnap2", "one ProgSnap2 dataset: DatasetMetadata.csv, MainTable.csv, CodeStates/",
           progsnap2),
)}
