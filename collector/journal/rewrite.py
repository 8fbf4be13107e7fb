"""Giving a journal a new header: a copy with every step, swapped in atomically.

The session does this once at most per episode, when an editor says hello to an episode that a
capture source (the git or file watcher) started before any editor connected: the header must carry
that editor's name and, while no step with positions has been written yet, its position encoding.
"""

from __future__ import annotations

from pathlib import Path

from collector.atomic import replace
from collector.journal.frames import frame_step
from collector.journal.recovery import JournalScanner
from collector.journal.writer import JournalWriter
from schemas import EpisodeHeader


def rewrite_header(path: Path, header: EpisodeHeader) -> None:
    """Replace the header of the (closed) journal at `path`, keeping every step; all or nothing."""
    tmp = path.with_name(f"{path.name}.rewrite")
    tmp.unlink(missing_ok=True)
    try:
        with JournalWriter.create(tmp, header) as writer:
            for frame in JournalScanner(path).frames():
                if frame.seq:
                    writer.append(frame_step(frame))
        replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
