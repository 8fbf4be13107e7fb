"""The review's line on notebooks: whether their outputs were masked at the seal or kept (the channel)."""

from __future__ import annotations

from collections.abc import Iterable

from collector.redact.notebook_outputs import CHANNEL, RULES
from collector.replay.describe import plural
from collector.review.redactions import Redaction
from collector.text.notebooks import is_notebook, mirrored
from schemas import EpisodeHeader


def notebook_lines(header: EpisodeHeader, files: Iterable[str], redactions: list[Redaction]) -> list[str]:
    """One line when the episode touches a notebook (none otherwise): what of its outputs is in it."""
    notebooks = [path for path in files if is_notebook(path) and mirrored(path) is None]  # on disk
    if not notebooks:
        return []
    said = f"notebooks   {plural(len(notebooks), 'notebook')}: "
    masked = sum(r.count for r in redactions if r.rule in RULES)
    if CHANNEL in header.capture.channels and not masked:
        return [said + f"outputs, execution counts and kernel metadata kept (channel {CHANNEL} on), "
                "redacted like any text"]
    return [said + f"outputs, execution counts and kernel metadata masked ({plural(masked, 'placeholder')}; "
            f"channel {CHANNEL} off)"]
