"""`kto`: a row per AI suggestion the developer took or wrote over, in TRL's unpaired-preference form
(docs/exports.md says what a row holds, and the rule its `label` follows).

`KtoExporter` follows the episode's offers to their horizon as dpo does (base.py `OfferRows`, over
collector/reconstruct/offers.py) and judges each by the one rule every export reads
(collector/reconstruct/offer_rule.py); what stayed of a suggestion taken comes from the survival trace
(base.py `ItemSurvival`). A true row's completion ends with the part taken (`offers.kept`); a false row's
prompt and completion are dpo's prompt and `rejected` side (`offers.seen_pair`). An offer not by an AI,
`retyped` or `ignored` makes no row; an item taken whose characters the trace does not hold, or that adds
nothing to what was typed of it, a row holding a redaction placeholder and a false row dpo leaves out
are left out, counted.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from collector.episode import Episode
from collector.export.allowance import Allowance, Writes
from collector.export.per_episode import Following
from collector.export.preferences.base import (
    ABSENT,
    OFFER_FIELDS,
    PROMPT_FIELDS,
    PROMPT_SPACE,
    SETTLED,
    SURVIVAL_FIELDS,
    ItemSurvival,
    OfferRows,
    absent_columns,
    holds_placeholder,
    prompt_space,
)
from collector.reconstruct import offer_rule
from collector.reconstruct.offers import Place, kept, seen_pair, taken_text
from collector.reconstruct.workspace import Workspace
from schemas.contract import Contract, fields
from schemas.steps import Step

TAKEN = ("accepted", "partly_accepted")
NOTHING_ADDED = "offers taken adding nothing to what was typed"
NO_PLACE = "rows whose developer's text has no place in the buffer at the offer"
NOT_FOLLOWED = "offers taken whose characters the survival trace does not hold"

# the label, and every column that is it or follows from it: a reward model given them as features learns
# nothing (today label == survived_5min in every row)
LABELS = frozenset({"label", "settled", "outcome", "survived_30s", "survived_5min", "survived_to_commit",
                    "survived_to_end", "reverted_within_ms"})
CONTRACTS = {"kto": Contract(
    "a row per AI suggestion the developer took or wrote over, for TRL's KTOTrainer",
    (*PROMPT_FIELDS,
     *fields(("edits",),
             ("completion", "string", "the AI's suggestion: the part taken (a true row), the suggestion with "
              "what the developer's edits replaced along with it (a false row)", "file_text"),
             ("label", "bool", "true when the suggestion's non-whitespace text stands unchanged and "
                               "contiguous "
              "in its place 5 minutes after the offer", "from_times")),
     *SETTLED, *PROMPT_SPACE, *SURVIVAL_FIELDS, *OFFER_FIELDS),
    LABELS)}


class KtoExporter(Following):
    def follower(self, out: Writes, episode: Episode, allowance: Allowance) -> Judged:
        return Judged(out, episode, self.result.skipped, self.result.splits[str(episode.header.episode_id)])


def judged(place: Place) -> tuple[str, str, bool] | str | None:
    """(prompt, completion, label) of the offer at `place`; None when it makes no row, or why it is left
    out (module docstring)."""
    if not offer_rule.judged(place):
        return None
    if offer_rule.desirable(place):
        if place.step.taken is None:  # (typed as offered, text around it: not taken, not judged by a row)
            return None
        if len(taken_text(place.step) or "") <= len(place.typed):
            return NOTHING_ADDED
        return (*kept(place), True)
    sides = seen_pair(place)
    return NO_PLACE if sides is None else (sides.prompt, sides.rejected, False)


class Judged(OfferRows):
    """The episode's offers followed to their end, and the characters of those taken; then a row per offer
    judged."""

    def __init__(self, out: Writes, episode: Episode, skipped: Counter[str], split: str) -> None:
        super().__init__(out, episode, skipped, split)
        self.kept = ItemSurvival()

    def before(self, index: int, step: Step, workspace: Workspace) -> None:
        super().before(index, step, workspace)
        self.kept.before(index, step, workspace)

    def after(self, index: int, step: Step, workspace: Workspace) -> None:
        self.kept.after(index, step, workspace)

    def row(self, place: Place) -> dict[str, Any] | str | None:
        sides = judged(place)
        if sides is None or isinstance(sides, str):
            return sides
        prompt, completion, label = sides
        settled = place.settled or ""
        if holds_placeholder(prompt, completion, settled):
            return "rows with a redaction placeholder"
        if place.step.taken is None:  # (written over before it was taken: nothing of it persisted)
            return {"prompt": prompt, "completion": completion, "label": label, "settled": settled,
                "prompt_space": prompt_space(prompt),
                    **absent_columns()}
        survival = self.kept.survival(place.index)
        if survival is ABSENT:
            return NOT_FOLLOWED
        return {"prompt": prompt, "completion": completion, "label": label, "settled": settled,
                "prompt_space": prompt_space(prompt),
                **survival.columns()}
