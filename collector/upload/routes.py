"""Where each episode goes: `[[upload.route]]` in config.toml sends the episodes of the repositories a route
names (by remote, as a managed policy's `[[scope]]` names them: policy/remotes.py scope_matches) to its
destination, with its AWS profile; the others go to `[upload] to`.

An episode's repository is told by the remotes signing kept beside it (upload/governing.py), and each
destination it could go to (each route naming it, in order, then `[upload] to`) is checked against the
managed policy governing it now (its top-level keys and the scopes naming its repository): it goes to the
first one that policy allows. One whose policy allows none of them waits, held (outbox/destination-held.json,
collector/held.py: one line in `codetape status`) until a destination it allows is configured.
`codetape upload --to URL` sends every episode there instead (the transfer refuses one whose policy does
not allow it). A relay (`[upload] relay`) writes only to `[upload] to`: routes and a relay together are
refused. An unlinkable episode whose policy requires the relay (`[relay] required`) waits, held the same
way, while no relay is configured, or while the one configured seals for another gateway key than the
policy's `[relay] gateway_key`; it goes nowhere else meanwhile (upload --to included).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec.structs import replace

from collector.errors import CodetapeError
from collector.held import DESTINATION, keep
from collector.home import Home
from collector.upload.destinations import Destination, parse_destination
from collector.upload.governing import destination_problem, governing, kept_remotes

if TYPE_CHECKING:
    from collector.ohttp.keys import KeyConfig
    from collector.policy.managed import Managed
    from collector.upload.relay import Route
    from schemas.settings import RelayRequirement


@dataclass(frozen=True)
class Unrouted:
    """An episode no configured destination may take: the policy governing it allows none of them."""

    episode_id: str
    where: str
    allowed: list[str]
    relay: str | None = None  # it waits for the relay the policy requires: what is missing

    def why(self) -> str:
        # the policy's wording only when one waits
        from collector.policy.managed import allowed_places

        if self.relay is not None:
            return (f"the managed policy ({self.where}) requires unlinkable episodes to leave through an "
                    f"Oblivious HTTP relay, and {self.relay}")
        return (f"the managed policy ({self.where}) allows its uploads only to "
                f"{allowed_places(self.allowed)}, and no destination configured is one of them; add an "
                "[[upload.route]] for its repository to config.toml")

    def line(self) -> str:
        return f"{self.episode_id[:8]} waits: {self.why()}"

    def to_json(self) -> dict[str, Any]:
        return {"episode_id": self.episode_id, "where": self.where, "allowed": self.allowed,
                "relay": self.relay}


def candidates(home: Home, default: Destination | None, remotes: list[str]) -> list[Destination]:
    """The destinations an episode of a repository with `remotes` may go to, in order: each route naming
    it, then `default` (`[upload] to`)."""
    # config.toml and the remotes' matching only when an upload run routes
    from collector.policy.config import load_config
    from collector.policy.remotes import scope_matches

    settings = load_config(home).upload
    found = [parse_destination(route.to, replace(settings, profile=route.profile or settings.profile))
             for route in settings.route if scope_matches([route.remote], remotes)]
    return [*found, *([default] if default is not None else [])]


def relay_missing(managed: Managed | None, relay: Route | None) -> str | None:
    """What an unlinkable episode governed by `managed` lacks of the relay it requires, or of a gateway
    writing where it allows (`relay`: the configured relay's route, None for none); None when nothing.
    Through a relay the client does not reach the bucket: `allowed_destinations` is matched against the
    bucket and prefix of the gateway's descriptor, and a gateway known by its key alone names none."""
    policy = None if managed is None else managed.policy
    if managed is None or policy is None:
        return None
    if relay is None:
        return ("none is configured: set [upload] relay and gateway_key in config.toml (the gateway's "
                "operator gives both)") if policy.relay.required else None
    named = _policy_keys(policy.relay)
    if named and relay.key not in named:
        return ("the relay configured seals for another gateway key than the policy's [relay] "
                "gateway_key or gateway: set [upload] gateway_key to it, or leave it unset")
    if policy.allowed_destinations is None:
        return None
    if relay.descriptor is None:
        return ("the gateway's bucket is not known (a key configuration names none), so its allowed "
                "destinations cannot be checked: pin the gateway's descriptor as [upload] gateway "
                "(`codetape gateway describe` prints it)")
    problem = destination_problem(managed, relay.descriptor.url)
    return None if problem is None else (f"the gateway writes to {relay.descriptor.url} (its descriptor, "
                                         "signed by its operator), which the policy does not allow")


def _policy_keys(required: RelayRequirement) -> list[KeyConfig | str]:
    """The gateway keys a policy's `[relay]` names (by key configuration or descriptor); a line for one it
    names unusably, which no key equals (so an episode waits, saying so)."""
    # the key and descriptor parsers only when a policy names a gateway
    from collector.ohttp.descriptor import parse_descriptor
    from collector.ohttp.keys import KeyConfigError, parse_config_hex

    found: list[KeyConfig | str] = []
    try:
        if required.gateway_key is not None:
            found.append(parse_config_hex(required.gateway_key))
        if required.gateway is not None:
            found.append(parse_descriptor(required.gateway).key)
    except KeyConfigError as exc:
        found.append(str(exc))
    return found


def hold_for_relay(home: Home, episodes: Mapping[str, Path], relay: Route | None) -> list[Unrouted]:
    """The unlinkable ones of `episodes` whose governing policy requires a relay they lack (`upload --to`,
    which is not routed); kept for `status`."""
    held = [item for item in (_relay_hold(home, name, path, relay) for name, path in sorted(episodes.items()))
            if item is not None]
    keep(home, DESTINATION, [item.to_json() for item in held], episodes)
    return held


def _relay_hold(home: Home, name: str, path: Path, relay: Route | None) -> Unrouted | None:
    # the episode reader and the statement only when an upload run has episodes
    from collector.consent.statement import parse_statement, unpack_payload
    from collector.episode import open_episode

    try:
        episode = open_episode(path)
        consent = episode.consent
        if consent is None or parse_statement(unpack_payload(consent)[1]).reviewer.authorisation is None:
            return None
        managed = governing(home, name, episode.header.workspace.git_remote, unlinkable=True)
    except CodetapeError:
        return None
    missing = relay_missing(managed, relay)
    return None if missing is None or managed is None else Unrouted(name, managed.where, [], missing)


def route(home: Home, episodes: Mapping[str, Path], default: Destination | None,
          relay: Route | None = None) -> tuple[dict[str, Destination], list[Unrouted]]:
    """Each of `episodes` (id -> path) and the destination it goes to; those that may go nowhere configured,
    or lack the relay their policy requires (`relay`: the configured relay's route),
    held and kept for `status`. One that cannot be read, or whose policy is refused, goes to `default` and
    is left to the gate, which says why it stays."""
    # the episode reader and the statement only when an upload run has episodes
    from collector.consent.statement import parse_statement, unpack_payload
    from collector.episode import open_episode

    routed: dict[str, Destination] = {}
    held: list[Unrouted] = []
    for name, path in sorted(episodes.items()):
        try:
            episode = open_episode(path)
            consent = episode.consent
            unlinkable = consent is not None and \
                parse_statement(unpack_payload(consent)[1]).reviewer.authorisation is not None
            remote = episode.header.workspace.git_remote
            managed = governing(home, name, remote, unlinkable=unlinkable)
            remotes = [*([remote] if remote else []), *(kept_remotes(home, name) or [])]
            options = candidates(home, default, remotes)
        except CodetapeError:
            if default is not None:
                routed[name] = default
            continue
        missing = relay_missing(managed, relay) if unlinkable else None
        if missing is not None and managed is not None:
            held.append(Unrouted(name, managed.where, [], missing))
            continue
        chosen = next((where for where in options if destination_problem(managed, where.url) is None), None)
        if chosen is not None:
            routed[name] = chosen
        elif options and managed is not None:
            held.append(Unrouted(name, managed.where, list(managed.policy.allowed_destinations or [])))
    keep(home, DESTINATION, [item.to_json() for item in held], episodes)
    return routed, held
