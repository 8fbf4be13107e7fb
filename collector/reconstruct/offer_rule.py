"""The one rule every export reads a suggestion's fate by (docs/exports.md, "What became of a
suggestion"): from what stands in its place (collector/reconstruct/offers.py, the offer's `settled` text),
by non-whitespace characters.

An AI's offer is *judged* when it was taken (whole or in part), or when it was not taken and the developer
wrote text of their own in its place (outcome `overwritten`); an offer shown and left (`ignored`) or typed
as offered (`retyped`) is not: the developer may not have looked at it.

A judged suggestion is *desirable* when its non-whitespace text (the whole item) stands unchanged and
contiguous in the non-whitespace text of what stands in its place (text added around it allowed, white
space changed inside it allowed); otherwise it is undesirable. An undesirable suggestion is a
*preference* (a dpo pair, whose `chosen` side is the settled text) exactly when something stands in its
place (the settled text holds a non-whitespace character); deleted, it is undesirable with no pair.
"""

from __future__ import annotations

from collector.reconstruct.offers import Place, by_ai, outcome, shown


def nonblank(text: str) -> str:
    """`text` without its white space."""
    return "".join(text.split())


def judged(place: Place) -> bool:
    """Whether the offer at `place` is judged (module docstring): an AI's, its settled text known, and
    taken or written over."""
    if place.settled is None or not by_ai(place.step):
        return False
    return place.step.taken is not None or (outcome(place) == "overwritten" and bool(nonblank(place.settled)))


def desirable(place: Place) -> bool:
    """Whether the suggestion's non-whitespace text stands unchanged and contiguous in its place."""
    return nonblank(shown(place.step)) in nonblank(place.settled or "")


def preferred(place: Place) -> bool:
    """Whether the offer at `place` makes a preference: judged, undesirable, and something stands in its
    place."""
    return judged(place) and not desirable(place) and bool(nonblank(place.settled or ""))
