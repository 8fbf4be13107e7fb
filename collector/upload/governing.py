"""Which managed policy governs an episode in the outbox, and the consent mode it requires, checked at upload
as at signing (issue 95).

The managed policy's `[[scope]]` sections govern repositories by remote (policy/managed.py), so an upload
must know which repository an episode was recorded in. An attributed episode's header names its remote; an
unlinkable one's names it only when it is one of the organisation's shared remotes. So signing keeps the
repository's remotes beside the episode:

    outbox/<episode id>.remotes   (0600; local, never uploaded) JSON: the header's remote and the
                                  workspace's remotes at signing (workspace/identity.py), and the
                                  scopes governing it then (by its remotes or history: policy/reach.py)

Every upload run then reads the policy as it stands now for those remotes (the header's, when nothing was
kept): an episode whose repository cannot be told (signed unlinkably before the remotes were kept) while a
scope is installed stays, one line saying why. The consent mode is checked as the destinations are: an
episode signed attributed while the policy governing it now requires unlinkable consent is held
(`hold_mode`, outbox/mode-held.json: collector/held.py; one line in `codetape status`, the review lists
it) and its contributor told; it leaves only once re-signed unlinkably (`codetape sign --unlinkable
EPISODE --yes`: the attributed copy withdrawn from the outbox, the episode signed again from its content:
review/resign.py) or withdrawn (`codetape revoke EPISODE`). One signed unlinkably where attributed consent
is required now stays, refused by the gate (gate.py), as signing refuses it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collector.atomic import atomic_write
from collector.errors import CodetapeError, PolicyError
from collector.held import MODE, keep
from collector.home import Home
from collector.policy.managed import Managed, any_scope, load_managed
from collector.policy.reach import Reach

REMOTES = ".remotes"
MAX_REMOTES = 1 << 20


def remotes_path(home: Home, episode_id: str) -> Path:
    return home.outbox / f"{episode_id}{REMOTES}"


def keep_remotes(home: Home, episode_id: str, remotes: Sequence[str | None],
                 scopes: Sequence[tuple[str, str]] = ()) -> None:
    """At signing: the remotes of the repository the episode was recorded in, and the scopes (file, name)
    governing it then (kept locally, for the upload to find the scopes that govern it: those, and any
    naming its remotes now)."""
    home.ensure(home.outbox)
    found = list(dict.fromkeys(remote for remote in remotes if remote))
    atomic_write(remotes_path(home, episode_id), json.dumps(
        {"remotes": found, "scopes": [list(scope) for scope in dict.fromkeys(scopes)]}, indent=1) + "\n")


def kept_scopes(home: Home, episode_id: str) -> frozenset[tuple[str, str]]:
    """The scopes (file, name) kept at signing as governing the episode (none when none were kept)."""
    try:
        with open(remotes_path(home, episode_id), "rb") as handle:
            data = json.loads(handle.read(MAX_REMOTES))
    except (OSError, ValueError):
        return frozenset()
    found = data.get("scopes") if isinstance(data, dict) else None
    return frozenset((str(item[0]), str(item[1])) for item in found or []
                     if isinstance(item, list) and len(item) == 2)


def kept_remotes(home: Home, episode_id: str) -> list[str] | None:
    """The remotes kept at signing; None when none were kept (or they cannot be read)."""
    try:
        with open(remotes_path(home, episode_id), "rb") as handle:
            data = json.loads(handle.read(MAX_REMOTES))
    except (OSError, ValueError):
        return None
    found = data.get("remotes") if isinstance(data, dict) else None
    if not isinstance(found, list):
        return None
    return [remote for remote in found if isinstance(remote, str)]


class Untold(PolicyError):
    """Which repository an episode was recorded in cannot be told, and a scoped policy is installed."""


def governing(home: Home, episode_id: str, header_remote: str | None, *, unlinkable: bool) -> Managed | None:
    """The managed policy governing the episode now: its top-level keys, the scopes naming the remotes
    kept at signing (else the header's) and those kept as governing it at signing (policy only tightens:
    a scope that governed it when it was signed still does, whatever its workspace's remotes say now).
    PolicyError when it is refused; Untold when the repository cannot
    be told (an unlinkable episode whose remotes were not kept) and a scope is installed."""
    kept = kept_remotes(home, episode_id)
    if kept is not None or not unlinkable or header_remote:
        remotes = list(dict.fromkeys([*([header_remote] if header_remote else []), *(kept or [])]))
        return load_managed(reach=Reach(None, None, remotes, bound=kept_scopes(home, episode_id)))
    if any_scope():
        raise Untold(f"which repository {episode_id[:8]} was recorded in cannot be told (it was signed "
                     "unlinkably before codetape kept it), so which scope of the managed policy governs it "
                     f"is not known; withdraw it (codetape revoke {episode_id[:8]})")
    return load_managed()


def mode_problem(managed: Managed | None, *, unlinkable: bool) -> str | None:
    """Why the consent mode the governing policy requires now forbids an episode signed unlinkably (or
    not); None when it allows it."""
    required = None if managed is None else managed.policy.consent.mode
    signed = "unlinkable" if unlinkable else "attributed"
    if managed is None or required is None or required == signed:
        return None
    return (f"it was signed {signed}, and the managed policy ({managed.where}) requires {required} consent "
            "now")


def destination_problem(managed: Managed | None, url: str) -> str | None:
    """Why the policy governing an episode forbids sending it to the destination `url` (normalised, as a
    store names it); None when it allows it or says nothing of destinations."""
    entries = None if managed is None else managed.policy.allowed_destinations
    if managed is None or entries is None:
        return None
    # the destinations' parser only when a policy names some
    from collector.policy.managed import allowed_places
    from collector.upload.destinations import allowed, parse_destination
    from collector.upload.errors import DestinationError

    try:
        if allowed(parse_destination(url), entries):
            return None
    except DestinationError:
        pass
    return (f"the managed policy ({managed.where}) allows its uploads only to {allowed_places(entries)}, and "
            f"{url} is none of them")


@dataclass(frozen=True)
class HeldMode:
    """An attributed episode held because the policy governing it now requires unlinkable consent."""

    episode_id: str
    where: str

    def why(self) -> str:
        """Why it is held, and what its contributor can do."""
        short = self.episode_id[:8]
        return (f"it was signed attributed, and the managed policy ({self.where}) requires unlinkable "
                f"consent now: sign it again unlinkably with `codetape sign --unlinkable {short} --yes` (its "
                f"attributed copy is withdrawn from the outbox), or withdraw it with `codetape revoke "
                f"{short}`")

    def line(self) -> str:
        return f"{self.episode_id[:8]} is held: {self.why()}"

    def to_json(self) -> dict[str, Any]:
        return {"episode_id": self.episode_id, "where": self.where}


def hold_mode(home: Home, episodes: Mapping[str, Path]) -> list[HeldMode]:
    """The attributed ones of `episodes` (id -> path) the policy governing each now requires to be
    unlinkable: held, and kept for `status` and the review (collector/held.py). One that cannot be read, or
    whose policy is refused, is left to the gate, which says why it stays."""
    # the episode reader and the statement only when an upload run has episodes
    from collector.consent.statement import parse_statement, unpack_payload
    from collector.episode import open_episode

    held = []
    for name, path in sorted(episodes.items()):
        try:
            episode = open_episode(path)
            if episode.consent is None:
                continue
            statement = parse_statement(unpack_payload(episode.consent)[1])
            if statement.reviewer.authorisation is not None:
                continue
            managed = governing(home, name, episode.header.workspace.git_remote, unlinkable=False)
        except CodetapeError:
            continue
        if managed is not None and managed.policy.consent.mode == "unlinkable":
            held.append(HeldMode(name, managed.where))
    keep(home, MODE, [item.to_json() for item in held], episodes)
    return held
