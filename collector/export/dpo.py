"""`dpo` and `dpo-fim`: the dataset's `preferences` pairs (collector/reconstruct/offers.py) as preference
rows TRL's DPOTrainer takes as they are, one JSON line per pair, `<episode id>.dpo.jsonl` and
`<episode id>.dpo-fim.jsonl`: an AI's suggestion the developer's own text replaced, its text exact.

`dpo`, TRL's standard (not conversational) preference form with an explicit prompt:

- `prompt`: the file's text in front of the pair (`context_before`, at most 2,000 characters);
- `chosen`: the developer's text; `rejected`: the AI's suggestion over the same span, so that
  `prompt + chosen + suffix` is the file's text where the offer settled and `prompt + rejected + suffix`
  that text with the suggestion in the developer's text's place;
- `suffix`: the file's text behind the pair (`context_after`, at most 1,000 characters), named as in
  BigCode's fill-in-the-middle task sets (`prompt`, `suffix`); TRL leaves it alone.

`dpo-fim`: the same pairs with the text behind in the prompt, as a fill-in-the-middle model is asked, in
StarCoder's prefix-suffix-middle form: `prompt` is `<fim_prefix>` + the text in front + `<fim_suffix>` +
the text behind + `<fim_middle>`; `chosen` and `rejected` the middle. For a model with other FIM tokens
(Qwen2.5-Coder's `<|fim_prefix|>`..., CodeLlama's `<PRE>`...), map `dpo`'s prompt and suffix instead.

Both also carry `name` (`<episode id>:<offer step>`), `path`, `via` (completion or inline), `outcome`
(overwritten or partly_accepted) and `split` (`train`, `eval` or `none`, split.py), all strings. A pair
whose text holds a redaction placeholder is left out, counted, as zeta leaves such an example out: a
model would learn to write the placeholder.
"""

from __future__ import annotations

from collections import Counter

from collector.episode import Episode
from collector.episode.lines import json_line
from collector.export.allowance import Allowance, Writes
from collector.export.per_episode import Following
from collector.reconstruct.offers import Pair, Places, outcome, pair, preferred
from collector.reconstruct.workspace import Workspace
from collector.redact.placeholders import PLACEHOLDER_RE
from schemas.steps import Step

FIM_PREFIX, FIM_SUFFIX, FIM_MIDDLE = "<fim_prefix>", "<fim_suffix>", "<fim_middle>"  # StarCoder's
PLACEHOLDER = "redaction placeholder"


class DpoExporter(Following):
    fim = False

    def follower(self, out: Writes, episode: Episode, allowance: Allowance) -> Pairs:
        return Pairs(out, episode, self.result.skipped, self.result.splits[str(episode.header.episode_id)],
                     fim=self.fim)


class DpoFimExporter(DpoExporter):
    fim = True


class Pairs:
    """The episode's offers followed to their end, then a row per preference."""

    def __init__(self, out: Writes, episode: Episode, skipped: Counter[str], split: str, *,
                 fim: bool) -> None:
        self.out, self.skipped, self.split, self.fim = out, skipped, split, fim
        self.episode_id = str(episode.header.episode_id)
        self.places = Places()

    def before(self, index: int, step: Step, workspace: Workspace) -> None:
        self.places.before(index, step, workspace)

    def after(self, index: int, step: Step, workspace: Workspace) -> None:
        pass

    def finish(self, workspace: Workspace) -> int:
        written = 0
        for place in self.places.finish(workspace):
            if not (place.settled and preferred(place)):
                continue
            sides = pair(place)
            if any(PLACEHOLDER_RE.search(text) for text in _texts(sides)):
                self.skipped[f"pairs with a {PLACEHOLDER}"] += 1
                continue
            step = place.step
            self.out.write(json_line({**self.sides(sides), "name": f"{self.episode_id}:{place.index}",
                                      "path": step.path, "via": step.via, "outcome": outcome(place) or "",
                                      "split": self.split}))
            written += 1
        return written

    def sides(self, sides: Pair) -> dict[str, str]:
        if self.fim:
            prompt = f"{FIM_PREFIX}{sides.context_before}{FIM_SUFFIX}{sides.context_after}{FIM_MIDDLE}"
            return {"prompt": prompt, "chosen": sides.chosen, "rejected": sides.rejected}
        return {"prompt": sides.context_before, "chosen": sides.chosen, "rejected": sides.rejected,
                "suffix": sides.context_after}


def _texts(sides: Pair) -> tuple[str, ...]:
    return sides.context_before, sides.chosen, sides.rejected, sides.context_after
