"""`kto`: `<episode id>.kto.jsonl`, a row per AI suggestion the developer took or wrote over, in TRL's
unpaired-preference form (`prompt`, `completion`, `label`: what TRL's KTOTrainer takes as it is), one JSON
line each: a suggestion judged on its own, desirable or not, where dpo (dpo.py) needs the developer's own
text beside it.

The offers are followed to their horizon by the same machinery as dpo's (collector/reconstruct/offers.py:
each offer's place through the edits after it, its settled text and its `outcome`), shared with it
(base.py), and judged by the one rule every export reads (collector/reconstruct/offer_rule.py): an
offer by an AI (`by_ai`: an inline suggestion, an item or server known as an AI's) whose settled text is
known makes a row when it was taken (whole or in part), or not taken and written over with text of the
developer's own. `retyped` (not taken, but typed as offered) and `ignored` (not taken, nothing written in
its place) make no row: the developer may not have looked at it.

`label` is the rule's: true when the suggestion's non-whitespace text stands unchanged and contiguous in
what stands in its place at the horizon (text added around it allowed), false otherwise. A true row's
completion ends with the part taken (`offers.kept`); a false row's completion is the suggestion as dpo's
`rejected` side (offers.py `seen_pair`) and its prompt dpo's, so every dpo pair's offer is a false row,
and a false row has no pair only where nothing (no non-whitespace character) stands in its place. An item
taken whose characters the survival trace does not hold (no edit applied it) is left out, counted: its
survival columns are not known.

- `prompt`: what the model saw: the buffer's text in front of the caret at the offer (at most 2,000
  characters), up to the start of the caret's line; the rest of that line (its indentation, what was typed
  of an item completing a word) starts the completion, so that a tokenizer keeps the prompt whole.
  prompt + completion is the buffer's text in front of the caret at the offer with the part taken after it
  (a true row), or with the suggestion after it (a false row: dpo's prompt and rejected side).
- `settled`: the text that stood in the suggestion's place at the horizon, 5 minutes after the offer (or
  the episode's end if sooner: offers.py), a field of its own.
- `prompt_space`: the whitespace the prompt ends with (base.py): a GPT-2-style byte-level
  tokenizer keeps the prompt whole as `prompt` without it and `prompt_space + completion`.
- What stayed of a suggestion taken, from the survival trace (base.py `ItemSurvival`): `survived_to_end` and
  `survived_to_commit` (the share of the characters it inserted left at the episode's end, and at the
  next commit listing the file or else the end), `reverted_within_ms` (from the offer until none was
  left; -1 while some is), `survived_30s` and `survived_5min` (some of it still there then, by its
  non-whitespace characters: a lab picks its own horizon from `reverted_within_ms`), beside the label.
  For an offer not taken: -1.0, -1.0, -1, false, false.

Each row also carries dpo's `name` (`<episode id>:<offer step>`), `path`, `via` (completion or inline),
`outcome` and `split` (split.py), all strings. A row whose text holds a redaction placeholder is left out,
counted, as dpo leaves such a pair out; so is an item taken that adds nothing to what was typed of it, and
a false row dpo leaves out (a developer's text with no place in the buffer at the offer, dpo.py).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from collector.episode import Episode
from collector.export.allowance import Allowance, Writes
from collector.export.per_episode import Following
from collector.export.preferences.base import (
    ABSENT,
    ItemSurvival,
    OfferRows,
    absent_columns,
    holds_placeholder,
    prompt_space,
)
from collector.reconstruct import offer_rule
from collector.reconstruct.offers import Place, kept, seen_pair, taken_text
from collector.reconstruct.workspace import Workspace
from schemas.steps import Step

TAKEN = ("accepted", "partly_accepted")
NOTHING_ADDED = "offers taken adding nothing to what was typed"
NO_PLACE = "rows whose developer's text has no place in the buffer at the offer"
NOT_FOLLOWED = "offers taken whose characters the survival trace does not hold"


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
