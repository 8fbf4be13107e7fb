"""One episode's rows of `offers` (one per `offer` step) and `preferences` (one per AI suggestion the
developer's own text replaced), gathered in the build's one replay pass: each offer's place followed
through the edits after it, its outcome, whether it is a preference and the pair's two sides over one
span of the file's settled text, by collector/reconstruct/offers.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa

from collector.dataset.rows.columns import Columns
from collector.dataset.rows.tables import OFFERS, PREFERENCES
from collector.reconstruct.offer_rule import preferred
from collector.reconstruct.offers import Place, Places, outcome, pair, taken_text
from collector.reconstruct.workspace import Workspace

Grow = Callable[[int], None]
Clean = Callable[[str], str]


class OfferRows:
    def __init__(self, constants: dict[str, str | None], grow: Grow, clean: Clean) -> None:
        self.offers = Columns(OFFERS, constants)
        self.preferences = Columns(PREFERENCES, constants)
        self.grow, self.clean = grow, clean
        self.places = Places()
        self.before = self.places.before  # see each step before the replay applies it (no call between)

    def finish(self, workspace: Workspace | None) -> dict[str, pa.Table]:
        """The tables, each offer's place read at its horizon, or as the episode leaves the files."""
        for place in self.places.finish(workspace):
            self._row(place)
        return {"offers": self.offers.table(), "preferences": self.preferences.table()}

    def _row(self, place: Place) -> None:
        step, settled = place.step, place.settled
        texts = [item.text for item in step.items]
        taken = taken_text(step)
        self.grow(sum(map(len, texts)) + len(settled or "") + len(place.before) + len(place.after))
        clean = self.clean
        judged = outcome(place)
        self.offers.add(step=place.index, t_ms=step.t_ms, path=step.path, line=step.range.start.line,
                        character=step.range.start.character, via=step.via, evidence=step.evidence,
                        provider=step.provider, ai=step.ai or any(item.ai for item in step.items),
                        items=[clean(text) for text in texts], more=step.more, decision=step.decision,
                        taken=step.taken, taken_text=None if taken is None else clean(taken),
                        settled=None if settled is None else clean(settled), outcome=judged)
        if preferred(place):
            sides = pair(place)
            self.preferences.add(step=place.index, t_ms=step.t_ms, path=step.path, via=step.via,
                                 provider=step.provider, evidence=step.evidence,
                                 context_before=clean(sides.context_before),
                                 context_after=clean(sides.context_after), chosen=clean(sides.chosen),
                                 rejected=clean(sides.rejected), outcome=judged)
