"""`dpo` and `dpo-fim`: the dataset's `preferences` pairs (collector/reconstruct/offers.py) as the preference
rows TRL's DPOTrainer takes as they are (docs/exports.md says what a row holds).

`DpoExporter` follows the episode's offers to their horizon (base.py `OfferRows`) and writes a pair for
an offer undesirable by the rule kto's label reads (collector/reconstruct/offer_rule.py `preferred`) with
something standing in its place: the buffer's text at the offer split around the caret's line
(`offers.seen_pair`), the developer's text `chosen`, the AI's suggestion `rejected`. `DpoFimExporter`
writes the same pairs with the text behind in a fill-in-the-middle prompt. A pair holding a redaction
placeholder, or whose developer's text has no place in the buffer at the offer, is left out, counted.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from collector.episode import Episode
from collector.export.allowance import Allowance, Writes
from collector.export.per_episode import Following
from collector.export.preferences.base import (
    OFFER_FIELDS,
    PROMPT_FIELDS,
    PROMPT_SPACE,
    SETTLED,
    OfferRows,
    holds_placeholder,
    prompt_space,
)
from collector.reconstruct.offer_rule import preferred
from collector.reconstruct.offers import Place, Seen, seen_pair
from schemas.contract import Contract, fields

FIM_PREFIX, FIM_SUFFIX, FIM_MIDDLE = "<fim_prefix>", "<fim_suffix>", "<fim_middle>"  # StarCoder's
PLACEHOLDER = "redaction placeholder"
NO_PLACE = "pairs whose developer's text has no place in the buffer at the offer"

# the text the pair's judgement is read from, and the judgement: beside prompt, chosen and rejected they
# say which side won
LABELS = frozenset({"settled", "outcome"})
_SIDES = fields(
    ("edits",),
    ("chosen", "string", "the developer's text that stands in the suggestion's place", "file_text"),
    ("rejected", "string", "the AI's suggestion, with the text around it the developer's edits replaced "
                           "along "
     "with it", "file_text"))
_PAIR = "a preference pair per AI suggestion the developer's own text replaced, for TRL's DPOTrainer"
CONTRACTS = {
    "dpo": Contract(_PAIR, (
        *PROMPT_FIELDS, *_SIDES,
        *fields(("edits",), ("suffix", "string", "the buffer's text behind the pair at the offer",
                             "file_text")),
        *PROMPT_SPACE, *SETTLED, *OFFER_FIELDS), LABELS),
    "dpo-fim": Contract(_PAIR + ", the text behind in a fill-in-the-middle prompt", (
        *fields(("edits",), ("prompt", "string", "`<fim_prefix>` the text in front `<fim_suffix>` the text "
                             "behind `<fim_middle>` (StarCoder's tokens)", "file_text")),
        *_SIDES, *SETTLED, *OFFER_FIELDS), LABELS),
}


class DpoExporter(Following):
    fim = False

    def follower(self, out: Writes, episode: Episode, allowance: Allowance) -> Pairs:
        return Pairs(out, episode, self.result.skipped, self.result.splits[str(episode.header.episode_id)],
                     fim=self.fim)


class DpoFimExporter(DpoExporter):
    fim = True


class Pairs(OfferRows):
    """The episode's offers followed to their end, then a row per preference."""

    def __init__(self, out: Writes, episode: Episode, skipped: Counter[str], split: str, *,
                 fim: bool) -> None:
        super().__init__(out, episode, skipped, split)
        self.fim = fim

    def row(self, place: Place) -> dict[str, Any] | str | None:
        if not preferred(place):
            return None
        sides = seen_pair(place)
        if sides is None:
            return NO_PLACE
        settled = place.settled or ""
        if holds_placeholder(*_texts(sides), settled):
            return f"pairs with a {PLACEHOLDER}"
        return {**self.sides(sides), "settled": settled}

    def sides(self, sides: Seen) -> dict[str, str]:
        if self.fim:
            prompt = f"{FIM_PREFIX}{sides.prompt}{FIM_SUFFIX}{sides.suffix}{FIM_MIDDLE}"
            return {"prompt": prompt, "chosen": sides.chosen, "rejected": sides.rejected}
        return {"prompt": sides.prompt, "chosen": sides.chosen, "rejected": sides.rejected,
                "suffix": sides.suffix, "prompt_space": prompt_space(sides.prompt)}


def _texts(sides: Seen) -> tuple[str, ...]:
    return sides.prompt, sides.chosen, sides.rejected, sides.suffix
