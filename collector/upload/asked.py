"""What the outbox holds before it leaves, and the contributor's answer: send it anyway, or withdraw it.

An unlinkable episode is held for two reasons (collector/held.py keeps what upload runs held): its month
counts fewer than k members at the issuer (members.py: nothing to answer, it leaves once k is reached),
or work of it was pushed after signing (pushed_since.py: whoever holds the repository can tell it is the
contributor's); an attributed one when the managed policy governing it now requires unlinkable consent
(governing.py: it leaves only once signed again unlinkably, `codetape sign --unlinkable`). `codetape
review` lists them with `held_items` and offers, for each, to send it anyway (pushed work only,
pushed_since.py `send_anyway`: it then leaves by the usual rules, k members still apply) or to `withdraw`
it (what `codetape revoke` does: it is never uploaded, its record leaves at a random time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from collector.held import DESTINATION, MEMBERS, MODE, PUSHED, read
from collector.home import Home

if TYPE_CHECKING:
    from collector.held import Kind
    from collector.upload.revocation import Revocation


@dataclass(frozen=True)
class HeldItem:
    """A signed episode that waits in the outbox, each reason it is held, and whether work of it was
    pushed (then it may be sent anyway)."""

    episode_id: str
    reasons: list[str] = field(default_factory=list)
    pushed: bool = False


def held_items(home: Home) -> list[HeldItem]:
    """Every episode upload runs hold that still waits (not uploaded, not withdrawn), by id."""
    # the outbox's receipts only when something is held
    from collector.upload.outbox import entries

    waiting = {entry.episode_id for entry in entries(home) if entry.state == "signed"}
    found: dict[str, HeldItem] = {}
    for kind in (MODE, PUSHED, MEMBERS):
        for item in read(home, kind):
            name = item["episode_id"]
            if name in waiting:
                known = found.get(name, HeldItem(name))
                why = [*known.reasons, reason(kind, item)]
                found[name] = HeldItem(name, why, known.pushed or kind == PUSHED)
    return [found[name] for name in sorted(found)]


def reason(kind: Kind, item: dict[str, Any]) -> str:
    """Why a list of `kind` holds the episode, for a person."""
    # the holds' own modules (the issuer's client, git) only to word a reason
    from collector.upload.governing import HeldMode
    from collector.upload.members import Held
    from collector.upload.pushed_since import HeldPushed
    from collector.upload.routes import Unrouted

    try:
        if kind == MODE:
            return HeldMode(**item).why()
        if kind == DESTINATION:
            return Unrouted(**item).why()
        return HeldPushed(**item).why() if kind == PUSHED else "it waits" + Held(**item).why()
    except TypeError:  # written by another version: its fields differ
        return {PUSHED: "work of it was pushed after signing", MODE: "it was signed in a weaker consent mode "
                "than the managed policy requires now", DESTINATION: "the managed policy allows none of the "
                "destinations configured"}.get(kind, "it waits for k members")


def withdraw(home: Home, episode_id: str) -> Revocation:
    """Revoke the held episode, as `codetape revoke` does for an unlinkable one (its own episode key signs;
    the record leaves at a random time, `[consent] upload_delay_max_s`)."""
    # signing and the stores only when the contributor withdraws one
    from collector.consent.mode import upload_delay_max_s
    from collector.policy.config import load_config
    from collector.upload.revocation import revoke
    from collector.upload.stores import reopen

    settings = load_config(home).upload
    return revoke(home.outbox / f"{episode_id}.ctape", home, opener=lambda ref: reopen(ref, settings),
                  delay_max_s=upload_delay_max_s(home))
