"""What the exports of AI suggestions (dpo.py, kto.py) share: the episode's offers followed to their
horizon (collector/reconstruct/offers.py `Places`), then one JSON line per offer that makes a row, each
ending with the same columns: `name` (`<episode id>:<offer step>`), `path`, `via`, `outcome` and `split`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from typing import Any

from collector.episode import Episode
from collector.episode.lines import json_line
from collector.export.allowance import Writes
from collector.reconstruct.offers import Place, Places, outcome
from collector.reconstruct.workspace import Workspace
from collector.redact.placeholders import PLACEHOLDER_RE
from schemas.steps import Step


def prompt_space(prompt: str) -> str:
    """The whitespace `prompt` ends with (its last line break): the prompt without it, and it before the
    completion, stay whole under a GPT-2-style byte-level pre-tokenizer, which joins a line break to the
    indentation after it (docs/exports.md)."""
    return prompt[len(prompt.rstrip()):]


def holds_placeholder(*texts: str) -> bool:
    """Whether a text of a row holds a redaction placeholder (a model would learn to write one)."""
    return any(PLACEHOLDER_RE.search(text) for text in texts)


class OfferRows(ABC):
    """A follower of the episode's offers (per_episode.py), writing `row` of each at the end."""

    def __init__(self, out: Writes, episode: Episode, skipped: Counter[str], split: str) -> None:
        self.out, self.skipped, self.split = out, skipped, split
        self.episode_id = str(episode.header.episode_id)
        self.places = Places()

    def before(self, index: int, step: Step, workspace: Workspace) -> None:
        self.places.before(index, step, workspace)

    def after(self, index: int, step: Step, workspace: Workspace) -> None:  # noqa: B027 (none need it but kto)
        """Offers are followed before each step alone."""

    def finish(self, workspace: Workspace) -> int:
        written = 0
        for place in self.places.finish(workspace):
            row = self.row(place)
            if isinstance(row, str):
                self.skipped[row] += 1
            elif row is not None:
                step = place.step
                self.out.write(
                    json_line(
                        {
                            **row,
                            "name": f"{self.episode_id}:{place.index}",
                            "path": step.path,
                            "via": step.via,
                            "outcome": outcome(place) or "",
                            "split": self.split,
                        }
                    )
                )
                written += 1
        return written

    @abstractmethod
    def row(self, place: Place) -> dict[str, Any] | str | None:
        """The columns of the offer at `place` but the shared ones; None when it makes no row, or why it
        is left out (counted)."""
