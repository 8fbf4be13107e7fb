"""The one open episode of a session: its journal, its header, its steps' times, checks and count.

The session decides when an episode opens and ends, its intake which steps reach it (intake/); an
`OpenEpisode` turns them into journal frames. `start` creates the journal under a new header; `t_ms` is
where a step goes in the episode (milliseconds from its start, never before the last step); `write`
places a step there (its `t_ms` was 0 since it arrived: intake/admit.py checked it against the schema) and
writes it, or keeps it for `flush` while a batch is written; `close` ends the journal for sealing. Not
thread-safe: the session's lock guards it.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from collector import __version__
from collector.daemon.echo import DiskEcho
from collector.errors import JournalError
from collector.journal import JournalWriter
from collector.journal.rewrite import rewrite_header
from schemas import (
    CaptureSettings,
    ClientInfo,
    EpisodeHeader,
    Step,
    WorkspaceIdentity,
)
from schemas.common import PositionEncoding
from schemas.settings import WorkspaceSettings
from schemas.steps import GapStep

_POSITIONAL = ("edit", "diagnostics", "cursor")


class OpenEpisode:
    """An episode being recorded: the only writer of its journal."""

    def __init__(self, writer: JournalWriter, start_ms: int) -> None:
        self.writer = writer
        self.start_ms = start_ms  # unix epoch ms of `t_ms` 0
        self.last_t = 0
        self.steps = 0  # written, or kept for `flush`
        self.positional = False  # a step with positions (edit, diagnostics, cursor) was written
        self.last_activity = time.monotonic()  # when the last step was written (time.monotonic)
        self._disk = DiskEcho()
        self._batch: list[Step] | None = None  # steps kept for `flush`

    @classmethod
    def start(cls, journals: Path, episode_id: uuid.UUID, start_ms: int, *, workspace: WorkspaceIdentity,
              encoding: PositionEncoding, client: ClientInfo | None,
              settings: WorkspaceSettings) -> OpenEpisode:
        """Create the episode's journal in `journals`, its header naming the settings it records under."""
        header = EpisodeHeader(
            codetape_version=__version__, episode_id=episode_id,
            started_at=datetime.fromtimestamp(start_ms / 1000, UTC), workspace=workspace,
            position_encoding=encoding, client=client,
            capture=capture_of(settings),
        )
        return cls(JournalWriter.create(journals / f"{episode_id}.journal", header), start_ms)

    @property
    def header(self) -> EpisodeHeader:
        return self.writer.header

    @property
    def path(self) -> Path:
        return self.writer.path

    def t_ms(self, at_ms: int, now: int) -> int:
        """The time in the episode of a step that happened at `at_ms` (unix epoch ms; a time after `now`
        counts as `now`): milliseconds from the start, never before the last step written."""
        return max(self.last_t, min(at_ms, now) - self.start_ms)

    def is_echo(self, step: Step, at_ms: int) -> bool:
        """Whether `step` is the file watcher's view of content this episode already recorded."""
        return self._disk.is_echo(step, at_ms)

    def write(self, step: Step, at_ms: int, t_ms: int, *, until_ms: int | None = None,
              saved: str | None = None) -> Step:
        """Write `step`, which happened at `at_ms`, at `t_ms` in the episode (a gap's hole lasting until
        `until_ms`; a save that put `saved` on disk, by its hash); returns what was written."""
        if until_ms is not None and type(step) is GapStep:
            model: Step = msgspec.structs.replace(step, t_ms=t_ms, until_ms=until_ms)
        else:
            model = msgspec.structs.replace(step, t_ms=t_ms)
        if self._batch is not None:
            self._batch.append(model)
        else:
            self.writer.append(model)
        self._disk.note(model, at_ms, saved)
        self.positional = self.positional or model.kind in _POSITIONAL
        self.last_t, self.steps = t_ms, self.steps + 1
        self.last_activity = time.monotonic()
        return model

    def batch(self) -> None:
        """Keep the steps written from now on until `flush` writes them together."""
        if self._batch is None:
            self._batch = []

    def flush(self) -> None:
        """Write the steps kept since `batch` with one write. JournalError when that write fails (the
        steps before the failing one are written and counted)."""
        kept, self._batch = self._batch, None
        if not kept:
            return
        before = self.writer.next_seq
        try:
            self.writer.append_many(kept)
        except JournalError:
            self.steps -= len(kept) - (self.writer.next_seq - before)
            raise

    def rewrite_header(self, changes: dict[str, Any]) -> None:
        """Give the journal's header the field values in `changes` (the steps written stay)."""
        path = self.writer.path
        self.writer.close()
        rewrite_header(path, msgspec.structs.replace(self.header, **changes))
        self.writer = JournalWriter.reopen(path)

    def tighten(self, settings: WorkspaceSettings) -> None:
        """Name in the journal's header the stricter settings the episode records under from now on (the
        seal drops from the steps before what they exclude: collector/seal/in_force.py)."""
        self.rewrite_header({"capture": capture_of(settings)})

    def size(self) -> int:
        """The journal's size in bytes (0 when it cannot be stat-ed)."""
        try:
            return self.writer.path.stat().st_size
        except OSError:
            return 0

    def close(self) -> Path:
        """Write what a batch kept, close the journal; returns its path, for sealing."""
        try:
            self.flush()
        finally:
            self.writer.close()
        return self.writer.path


def capture_of(settings: WorkspaceSettings) -> CaptureSettings:
    """What a journal's header says of the settings its episode records under."""
    return CaptureSettings(channels=list(settings.channels), exclude=list(settings.exclude),
                           idle_timeout_s=settings.idle_timeout_s, max_file_bytes=settings.max_file_bytes)

