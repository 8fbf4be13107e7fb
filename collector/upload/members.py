"""k before the bytes leave: an unlinkable episode stays in the outbox until the issuer's signed record
counts at least k members for the month of its authorisation. The employer may hold the bucket, so the
hold-back cannot wait for the receiver's build (collector/dataset/check/issuers.py): in a month of two
members, both episodes would be readable there.

    k         the larger of `[consent] min_members` in config.toml (5 by default) and the managed
              policy's `[consent] min_members`
    record    fetched once per upload run that has an unlinkable episode to send, from the issuer the
              member enrolled with, its identity checked against the pinned one (consent/enrol.py
              fetch_record); when it cannot be fetched, every unlinkable episode waits
    held      an episode whose time came draws a fresh one (collector/due.py: within its bound, at least
              FLOOR_S), so the collector looks again then; once k is reached it leaves by the release
              rule, one a run, never in a burst
    status    outbox/members-held.json keeps what waits and for what count (collector/held.py)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from collector.due import FLOOR_S, due, schedule
from collector.errors import CodetapeError
from collector.held import MEMBERS, keep
from collector.home import Home

if TYPE_CHECKING:
    from collector.consent.enrol import Transport
    from collector.upload.receipts import Counted


@dataclass(frozen=True)
class Held:
    """An unlinkable episode that waits: its month, the members the record counts for it (None: the record
    could not be fetched, `problem` says why), and k."""

    episode_id: str
    epoch: str
    members: int | None
    needed: int
    problem: str | None = None

    def line(self) -> str:
        """Why it waits, for a person."""
        return f"{self.episode_id[:8]} waits{self.why()}"

    def why(self) -> str:
        """Why it waits, after the word `waits`."""
        if self.members is None:
            return (f": the issuer's record could not be fetched ({self.problem}), so whether {self.epoch} "
                    f"has {self.needed} members is not known")
        return f" until the issuer counts {self.needed} members for {self.epoch} (it counts {self.members})"

    def to_json(self) -> dict[str, Any]:
        return {"episode_id": self.episode_id, "epoch": self.epoch, "members": self.members,
                "needed": self.needed, "problem": self.problem}


def min_members(home: Home, episode_id: str | None = None) -> int:
    """k: the larger of config.toml's `[consent] min_members` and the managed policy's (the one governing
    the episode `episode_id`, upload/governing.py: its top-level keys and the scopes naming its repository;
    the top-level keys alone when it cannot be told, the gate then keeps it)."""
    # the managed policy and config.toml only when an unlinkable episode is to leave
    from collector.policy.config import load_config
    from collector.policy.managed import load_managed
    from collector.upload.governing import governing

    wanted = load_config(home).consent.min_members
    try:
        managed = load_managed() if episode_id is None else governing(home, episode_id, None, unlinkable=True)
    except CodetapeError:
        managed = load_managed()
    required = None if managed is None else managed.policy.consent.min_members
    return max(wanted, required or 0)


def months(episodes: Mapping[str, Path]) -> dict[str, str]:
    """The unlinkable ones of `episodes` (id -> path) and the month each is authorised for; an episode that
    cannot be read is left to the upload's own check, which says why."""
    # the episode reader and the statement only when an upload run has episodes (not for `status`)
    from collector.consent.statement import parse_statement, unpack_payload
    from collector.episode import open_episode

    found: dict[str, str] = {}
    for name, path in episodes.items():
        try:
            consent = open_episode(path).consent
            if consent is None:
                continue
            authorisation = parse_statement(unpack_payload(consent)[1]).reviewer.authorisation
        except CodetapeError:
            continue
        if authorisation is not None:
            found[name] = authorisation.epoch
    return found


def hold_back(home: Home, episodes: Mapping[str, Path], now: datetime,
              transport: Transport | None = None, counted: dict[str, Counted] | None = None) -> list[Held]:
    """The unlinkable ones of `episodes` that may not leave yet (the module's docstring says when); each
    whose time came draws a fresh one, and what waits is kept for `status`. `transport`: the issuer's
    (None: HTTP, consent/enrol.py http_transport); `counted`, when given, gets the count each that may
    leave relied on."""
    # the issuer's client only when an upload run has episodes to send
    from collector.consent.enrol import fetch_record, http_transport, load_enrolment
    from collector.consent.errors import ConsentError
    from collector.upload.receipts import Counted  # the receipt models too, only then

    wanted = months(episodes)
    held: list[Held] = []
    if wanted:
        try:
            enrolment = load_enrolment(home)
            record = fetch_record(enrolment.url, enrolment.identity, transport or http_transport)
            problem = None
        except ConsentError as exc:
            record, problem = None, str(exc)
        for name, epoch in sorted(wanted.items()):
            needed = min_members(home, name)
            month = None if record is None else record.months.get(epoch)
            members = None if record is None else (0 if month is None else month.members)
            if members is None or members < needed:
                held.append(Held(name, epoch, members, needed, problem))
            elif counted is not None:
                counted[name] = Counted(episode_id=name, epoch=epoch, members=members, needed=needed)
        for item in held:
            look_again(home, item.episode_id, now)
    keep(home, MEMBERS, [item.to_json() for item in held], episodes)
    return held


def look_again(home: Home, name: str, now: datetime) -> None:
    """A held item whose time came draws a fresh one (within its bound, at least FLOOR_S), so the collector
    looks again then, never at once."""
    timed = due(home, name)
    if timed is None or timed.at <= now:
        schedule(home, name, max(FLOOR_S, 0 if timed is None else timed.bound_s), now)
