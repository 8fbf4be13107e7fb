"""This machine's recordings, each once: the signed episodes in the outbox, the sealed ones, and the
journals being recorded, read for `codetape stats` (never sent anywhere; only counts come out).

An episode signed and still sealed is counted once (the signed copy: what was shared). A file that
cannot be read is skipped and named in `skipped`, with why.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import msgspec

from collector.episode import open_episode
from collector.errors import CodetapeError
from collector.home import Home
from collector.journal import JournalScanner, frame_step, unpack_header
from collector.stats.activity import TIMEOUT_MS, Activity
from schemas import EpisodeHeader, Step
from schemas.common import validated

EARLIEST_START = timedelta(days=31)  # an episode started this long before `since` is not read


@dataclass
class Local:
    activity: Activity = field(default_factory=Activity)
    recording: int = 0  # journals counted
    skipped: list[str] = field(default_factory=list)


def local_activity(home: Home, since: date | None, until: date | None, idle_ms: int = TIMEOUT_MS) -> Local:
    """The activity of this machine's recordings on local days from `since` to `until`, a pause longer than
    `idle_ms` being time away."""
    found, seen = Local(Activity(idle_ms=idle_ms)), set()
    paths = [*_files(home.outbox, "*.ctape"), *_files(home.episodes, "*.ctape")]
    oldest = None if since is None else datetime.combine(since, datetime.min.time()).astimezone()
    for path in paths:
        try:
            episode = open_episode(path)
            header = episode.header
            if str(header.episode_id) in seen or (oldest and header.started_at < oldest - EARLIEST_START):
                continue
            seen.add(str(header.episode_id))
            found.activity.add(header.workspace.root_name, header.started_at, episode.steps(),
                               since=since, until=until, encoding=header.position_encoding)
        except CodetapeError as exc:
            found.skipped.append(f"{path.name}: {exc}")
    for path in _files(home.journals, "*.journal"):
        try:
            header, steps = _journal(path)
            if str(header.episode_id) in seen:
                continue
            seen.add(str(header.episode_id))
            before = found.activity.episodes
            found.activity.add(header.workspace.root_name, header.started_at, steps, since=since, until=until,
                               encoding=header.position_encoding)
            found.recording += found.activity.episodes - before
        except (CodetapeError, msgspec.ValidationError, StopIteration) as exc:
            found.skipped.append(f"{path.name}: {exc if not isinstance(exc, StopIteration) else 'empty'}")
    return found


def _files(folder: Path, pattern: str) -> list[Path]:
    try:
        return sorted(folder.glob(pattern))
    except OSError:
        return []


def _journal(path: Path) -> tuple[EpisodeHeader, Iterator[Step]]:
    """A journal's header and its steps, as far as its frames are intact (a step not valid is passed over:
    sealing the journal makes it a gap)."""
    frames = JournalScanner(path).frames()
    header = validated(unpack_header(next(frames)), EpisodeHeader)

    def steps() -> Iterator[Step]:
        for frame in frames:
            try:
                yield frame_step(frame)
            except (CodetapeError, ValueError):
                continue
    return header, steps()
