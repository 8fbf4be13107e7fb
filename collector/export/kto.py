"""`kto`: `<episode id>.kto.jsonl`, a row per AI suggestion the developer took or wrote over, in TRL's
unpaired-preference form (`prompt`, `completion`, `label`: what TRL's KTOTrainer takes as it is), one JSON
line each: a suggestion judged on its own, desirable or not, where dpo (dpo.py) needs the developer's own
text beside it.

The offers are followed to their end by the same machinery as dpo's (collector/reconstruct/offers.py:
each offer's place through the edits after it, its settled text and its `outcome`); an offer by an AI
(`by_ai`: an inline suggestion, an item or server known as an AI's) whose settled text is known makes a row
when its outcome says what the developer thought of it:

- `accepted`: label true. The completion is the item taken (`offers.kept`): the settled text still starts
  with it.
- `partly_accepted` (a part taken from the start, as an inline suggestion's "accept word"): label true,
  and the completion is the part taken, not the whole item. The whole item is neither a clean positive
  (its end was not wanted) nor a clean negative (its start was taken and kept); the part taken is a clean
  positive: the developer chose it and it stayed. What was not taken shows, beside the developer's own
  text, in dpo's pair for the same offer.
- `overwritten`, when the developer's own text replaced the suggestion (offers.py `preferred`, the pairs
  dpo writes, taken first or not): label false, the completion the suggestion as dpo's `rejected` side
  (offers.py `pair`) and the prompt dpo's.
- `retyped` (not taken, but typed as offered) and `ignored` (not taken, nothing written in its place)
  make no row: the developer may not have looked at it, so neither says what they thought of its text.
  Nor does an offer written over with nothing left in its place.

- `prompt`: the file's text in front of the completion, at most 2,000 characters (dpo's prompt: for an
  item completing a word, what was typed of it is in the prompt), so that prompt + completion is the file's
  text as it settled up to the end of the completion (for a true row) or with the suggestion in the
  developer's text's place (for a false one).

Each row also carries dpo's `name` (`<episode id>:<offer step>`), `path`, `via` (completion or inline),
`outcome` and `split` (split.py), all strings. A row whose text holds a redaction placeholder is left out,
counted, as dpo leaves such a pair out; so is an item taken that adds nothing to what was typed of it.
"""

from __future__ import annotations

from collections import Counter

from collector.episode import Episode
from collector.episode.lines import json_line
from collector.export.allowance import Allowance, Writes
from collector.export.per_episode import Following
from collector.reconstruct.offers import Place, Places, by_ai, kept, outcome, pair, preferred
from collector.reconstruct.workspace import Workspace
from collector.redact.placeholders import PLACEHOLDER_RE
from schemas.steps import Step

TAKEN = ("accepted", "partly_accepted")


class KtoExporter(Following):
    def follower(self, out: Writes, episode: Episode, allowance: Allowance) -> Judged:
        return Judged(out, episode, self.result.skipped, self.result.splits[str(episode.header.episode_id)])


def judged(place: Place) -> tuple[str, str, bool] | None:
    """(prompt, completion, label) of the offer at `place`; None when it makes no row (module docstring)."""
    if place.settled is None or not by_ai(place.step):
        return None
    ended = outcome(place)
    if ended in TAKEN:
        prompt, completion = kept(place)
        return prompt, completion, True
    if ended == "overwritten" and preferred(place):
        sides = pair(place)
        return sides.context_before, sides.rejected, False
    return None


class Judged:
    """The episode's offers followed to their end, then a row per offer judged."""

    def __init__(self, out: Writes, episode: Episode, skipped: Counter[str], split: str) -> None:
        self.out, self.skipped, self.split = out, skipped, split
        self.episode_id = str(episode.header.episode_id)
        self.places = Places()

    def before(self, index: int, step: Step, workspace: Workspace) -> None:
        self.places.before(index, step, workspace)

    def after(self, index: int, step: Step, workspace: Workspace) -> None:
        pass

    def finish(self, workspace: Workspace) -> int:
        written = 0
        for place in self.places.finish(workspace):
            row = judged(place)
            if row is None:
                continue
            prompt, completion, label = row
            if not completion:
                self.skipped["offers taken adding nothing to what was typed"] += 1
                continue
            if PLACEHOLDER_RE.search(prompt) or PLACEHOLDER_RE.search(completion):
                self.skipped["rows with a redaction placeholder"] += 1
                continue
            step = place.step
            self.out.write(json_line({"prompt": prompt, "completion": completion, "label": label,
                                      "name": f"{self.episode_id}:{place.index}", "path": step.path,
                                      "via": step.via, "outcome": outcome(place) or "", "split": self.split}))
            written += 1
        return written
