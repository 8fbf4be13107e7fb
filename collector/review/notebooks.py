"""The review's word on notebooks: whether their outputs were masked at the seal or kept (the channel),
one line for a person and the same as JSON (`review --summary --json`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from collector.redact.notebook_outputs import CHANNEL, RULES
from collector.replay.describe import plural
from collector.review.redactions import Redaction
from collector.text.notebooks import is_notebook, mirrored
from schemas import EpisodeHeader


@dataclass(frozen=True)
class Notebooks:
    """The notebooks on disk an episode touches, and what of their outputs it holds."""

    count: int
    kept: bool  # outputs, execution counts and kernel metadata kept (the channel on), else masked
    placeholders: int  # the masks' placeholders written

    def lines(self) -> list[str]:
        said = f"notebooks   {plural(self.count, 'notebook')}: "
        if self.kept:
            return [said + f"outputs, execution counts and kernel metadata kept (channel {CHANNEL} on), "
                    "redacted like any text"]
        return [said + "outputs, execution counts and kernel metadata masked "
                f"({plural(self.placeholders, 'placeholder')}; channel {CHANNEL} off)"]

    def to_json(self) -> dict[str, Any]:
        return {"notebooks": self.count, "outputs": "kept" if self.kept else "masked",
                "placeholders": self.placeholders, "channel": CHANNEL}


def notebooks_of(header: EpisodeHeader, files: Iterable[str], redactions: list[Redaction]
                 ) -> Notebooks | None:
    """What the episode holds of its notebooks' outputs; None when it touches no notebook on disk."""
    notebooks = [path for path in files if is_notebook(path) and mirrored(path) is None]
    if not notebooks:
        return None
    masked = sum(r.count for r in redactions if r.rule in RULES)
    return Notebooks(len(notebooks), CHANNEL in header.capture.channels and not masked, masked)
