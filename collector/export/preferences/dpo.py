"""`dpo` and `dpo-fim`: the dataset's `preferences` pairs (collector/reconstruct/offers.py) as preference
rows TRL's DPOTrainer takes as they are, one JSON line per pair, `<episode id>.dpo.jsonl` and
`<episode id>.dpo-fim.jsonl`: an AI's suggestion the developer's own text replaced, its text exact. A pair
exists exactly when the suggestion is undesirable by the rule kto's label reads
(collector/reconstruct/offer_rule.py: its non-whitespace text does not stand unchanged in its place) and
something stands in its place, so every pair's offer is a kto `false` row.

`dpo`, TRL's standard (not conversational) preference form with an explicit prompt, over what the model
saw (the buffer's text at the offer, collector/reconstruct/offers.py `seen_pair`):

- `prompt`: the buffer's text in front of the caret at the offer (at most 2,000 characters), up to the
  start of the caret's line: the rest of that line (its indentation, what was typed of an item completing
  a word) starts both sides, so that a tokenizer keeps the prompt whole;
- `chosen`: the developer's text in the suggestion's place; `rejected`: the AI's suggestion, so that
  `prompt + rejected + suffix` is the buffer's text at the offer with the suggestion at the caret and
  `prompt + chosen + suffix` that text with the developer's text in its place;
- `suffix`: the buffer's text behind the caret at the offer (at most 1,000 characters), named as in
  BigCode's fill-in-the-middle task sets (`prompt`, `suffix`); TRL leaves it alone;
- `settled`: the text that stood in the suggestion's place at the horizon, 5 minutes after the offer (or
  the episode's end if sooner: offers.py), a field of its own.

`dpo-fim`: the same pairs with the text behind in the prompt, as a fill-in-the-middle model is asked, in
StarCoder's prefix-suffix-middle form: `prompt` is `<fim_prefix>` + the text in front + `<fim_suffix>` +
the text behind + `<fim_middle>`; `chosen` and `rejected` the middle. For a model with other FIM tokens
(Qwen2.5-Coder's `<|fim_prefix|>`..., CodeLlama's `<PRE>`...), map `dpo`'s prompt and suffix instead.

Both also carry `name` (`<episode id>:<offer step>`), `path`, `via` (completion or inline), `outcome`
(overwritten or partly_accepted) and `split` (`train`, `eval` or `none`, split.py), all strings. A pair
whose text holds a redaction placeholder is left out, counted, as zeta leaves such an example out: a
model would learn to write the placeholder; so is one whose developer's text also replaced text the
buffer at the offer did not hold around the caret (typed after the offer, or text behind the caret it did
not keep): it has no place in that text.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from collector.episode import Episode
from collector.export.allowance import Allowance, Writes
from collector.export.per_episode import Following
from collector.export.preferences.base import OfferRows, holds_placeholder, prompt_space
from collector.reconstruct.offer_rule import preferred
from collector.reconstruct.offers import Place, Seen, seen_pair

FIM_PREFIX, FIM_SUFFIX, FIM_MIDDLE = "<fim_prefix>", "<fim_suffix>", "<fim_middle>"  # StarCoder's
PLACEHOLDER = "redaction placeholder"
NO_PLACE = "pairs whose developer's text has no place in the buffer at the offer"


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
