"""`codetape upload [EPISODE...] [--to URL]`: send signed episodes to the upload destination, now.

Without EPISODE: every signed episode in the outbox that is not at its destination yet. The destination
is `[upload] to` in CODETAPE_HOME/config.toml (file:///DIR or s3://BUCKET/PREFIX), or --to; or, for the
repositories an `[[upload.route]]` names (`remote`, as a managed policy's [[scope]] names repositories;
`to`; `profile`), that route's: each episode goes to the first destination configured for it (its routes in
order, then `[upload] to`) that the managed policy governing it allows, and one whose policy allows none of
them waits, named, and `codetape status` says why (--to sends every one there, refusing one its policy does
not allow). Routes and `[upload] relay` are not taken together. Before
anything is sent each episode is checked again: signed with your key, its consent statement matching
its bytes, allowed by the sharing policy, not revoked; anything else stays, with the reason.

An episode is stored as PREFIX/episodes/<sha256>.ctape with a manifest beside it; one already there is not
sent again. Large files go in parts, and an interrupted upload resumes where it stopped when rerun.
S3 credentials, region and endpoint come from the AWS configuration (environment, ~/.aws, [upload]
profile / endpoint_url); plain http:// endpoints are refused off loopback unless --allow-insecure.
A store that does not answer is given up on after max_attempts x (connect_timeout_s + 1 +
read_timeout_s) seconds and a little backoff (81 s by default; [upload] in config.toml), with a line
saying so while it is waited for; the episodes stay in the outbox.
The collector runs this in the background (`--quiet`) after each signing and when it starts.

An episode signed in unlinkable mode leaves on its own, at a random time drawn when it was signed (up to
`[consent] upload_delay_max_s`, 6 h by default), so that arrival times do not link episodes; the
collector runs this when that time comes. A run sends at most one unlinkable item (an episode, the record
of a revocation, or the request for more episode keys, which the issuer sees), and none beside an
attributed episode; any other whose time has come draws a new one. One found more than 2 minutes past its
time (the machine was asleep, or nothing ran) does not leave then either: it draws a new time within half
its last bound (6 h, 3 h, 1.5 h, 45 min, 22 min, then 15 min), so a laptop opened after hours sends nothing
that waited at once; at 15 minutes it may leave late, so a laptop never open for long still sends each, by
the sixth time it is opened after its time, one a run. Naming EPISODE chooses which episodes go, not when:
the same rules hold for them. --now sends the named (or all waiting) unlinkable episodes at once, together:
the times they arrive at then tell the receiver they came from one person. They go as through a write-only
drop credential: no HeadObject, GetObject or List request is made for them. None leaves, --now or not,
before the issuer's signed record (fetched each run, from the issuer you enrolled with) counts at least k
members for its month: k is the larger of [consent] min_members in config.toml (5 by default) and the
managed policy's; each that waits is named, with the count, and `codetape status` shows them. Each that
leaves is named with the count that let it (members counted for which month, and k), and `codetape status`
shows those of the last run: the count is the issuer's word (a member who knows the organisation's size
can see an inflated one).

The managed policy governing each episode (its top-level keys and the `[[scope]]` sections naming the
repository it was recorded in) is read again as it stands: an episode it no longer allows stays, one line
saying why (a file under an exclusion, a channel, the size cap, a destination it does not allow). One
signed attributed while that policy now requires unlinkable consent is held and named, and `codetape
status` shows it: `codetape sign --unlinkable EPISODE --yes` signs it again unlinkably (its attributed copy
withdrawn from the outbox), `codetape revoke EPISODE` withdraws it.

Work pushed after signing names its author, unlinkable or not. Before an unlinkable episode leaves, each
run looks again (as of the last fetch or push, no network) whether any of its commits, or any of its files'
final texts as they were before signing masked them, is now on a remote-tracking branch of the repository
it was recorded in (kept at signing in the outbox, never uploaded). If so, or if that repository cannot be
asked, the episode is held and named, and `codetape status` shows it and why: --send-anyway EPISODE sends
it all the same (by the rules above), `codetape revoke EPISODE` withdraws it; `codetape review` lists
what is held and offers both.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from collector.due import Release
    from collector.upload.destinations import Destination
    from collector.upload.outbox import UploadOutcome
    from collector.upload.receipts import Counted
    from collector.upload.relay import RelayStore, Route
    from collector.upload.routes import Unrouted
from collector.due import REVOCATION, TOP_UP
from collector.errors import UsageError
from collector.home import Home
from collector.protocol.clock import utc_now
from collector.text.sizes import byte_size

CONFIG_HINT = '[upload] to = "file:///DIR" or "s3://BUCKET/PREFIX"'


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("upload", help="send signed episodes to the upload destination (file://, s3://)",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("episodes", metavar="EPISODE", nargs="*",
                        help="a signed episode file or id (prefix); default: every one waiting in the outbox "
                        "(naming an unlinkable episode picks it, not its time: see --now)")
    parser.add_argument("--to", metavar="URL", help="file:///DIR or s3://BUCKET/PREFIX (default: [upload] to "
                        "in config.toml)")
    parser.add_argument("--allow-insecure", action="store_true",
                        help="allow a plain http:// S3 endpoint that is not on this machine")
    parser.add_argument("--now", action="store_true",
                        help="send the unlinkable episodes (named, or every one waiting) now and together, "
                        "without their random delay: the times they arrive at can then link them")
    parser.add_argument("--send-anyway", action="store_true",
                        help="the named unlinkable episodes go although work of theirs was pushed after "
                        "signing (whoever holds the repository can then tell they are yours); they still "
                        "wait for their random time")
    parser.add_argument("--quiet", action="store_true", help="print errors only (no progress, no results)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collector.cli.progress import byte_progress
    from collector.due import due_at, release, scheduled
    from collector.episode.resolve import resolve_episode, show
    from collector.policy.config import load_config
    from collector.upload.destinations import configured
    from collector.upload.governing import hold_mode
    from collector.upload.members import hold_back, months
    from collector.upload.outbox import drain, entries, record_run, waiting
    from collector.upload.pushed_since import hold_pushed, send_anyway
    from collector.upload.relay import RelayStore, check_descriptor, policy_relay, route, transport
    from collector.upload.stores import open_store

    home = Home.from_env(args.env)
    if args.send_anyway and not args.episodes:
        raise UsageError("--send-anyway sends the episodes you name: give EPISODE (an id codetape status "
                         "shows)")
    routes = load_config(home).upload.route if args.to is None else ()
    destination = configured(home, args.to, allow_insecure=args.allow_insecure)
    if destination is None and not routes:
        raise UsageError(f"no upload destination: set {CONFIG_HINT} in {home.config}, or give --to URL")
    relay = None if destination is None else route(destination.settings, policy_relay())
    if relay is not None and routes:
        raise UsageError("[upload] relay writes only to [upload] to: it cannot take [[upload.route]]'s "
                         "destinations; remove one of them from config.toml")
    if relay is not None and destination is not None and destination.scheme != "s3":
        raise UsageError(f"[upload] relay takes unlinkable episodes to an s3:// destination, not "
                         f"{destination.url}: the gateway writes to its store")
    if relay is not None and destination is not None:
        check_descriptor(relay, destination)
    if args.episodes:
        paths = [resolve_episode(ref, home) for ref in args.episodes]
    elif routes:  # where each goes is known once it is routed
        paths = [entry.path for entry in entries(home) if entry.state != "revoked"]
    else:
        assert destination is not None
        paths = [entry.path for entry in waiting(home, destination.ref())]
    moment = utc_now()
    episodes = {path.name.removesuffix(".ctape"): path for path in paths}
    for name in episodes if args.send_anyway else ():
        if send_anyway(home, name) and not args.quiet:
            print(f"{name[:8]} goes although work of it may be pushed: its time and k members still apply")
    members = None if relay is None else transport(relay)  # through the relay: the issuer sees no one
    # the consent mode the policy governing each requires now, k members, then nothing pushed
    held = [(item.episode_id, item.line()) for item in hold_mode(home, episodes)]
    for name, _line in held:
        episodes.pop(name, None)
    where, unrouted = _routed(home, episodes, destination, routed=args.to is None, named=bool(args.episodes),
                              relay=relay)
    held += [(item.episode_id, item.line()) for item in unrouted]
    for name in [name for name in episodes if name not in where]:
        episodes.pop(name)
    counted: dict[str, Counted] = {}  # the count each unlinkable episode that may leave relied on
    held += [(item.episode_id, item.line()) for item in hold_back(home, episodes, moment, members, counted)]
    held += [(item.episode_id, item.line()) for item in hold_pushed(home, episodes, moment)]
    for name, line in held:
        episodes.pop(name, None)
        if not args.quiet:
            print(line)
    early = sum((at := due_at(home, eid)) is not None and at > moment for eid in episodes) if args.now else 0
    others = [] if args.episodes or args.now else [*scheduled(home, REVOCATION), *scheduled(home, TOP_UP)]
    plan = release(home, [*episodes, *others], moment, at_once=args.now)
    if not args.quiet:
        _said_waiting(plan, set(episodes), early)
    for warning in _top_up(home, args.quiet) if TOP_UP in plan.send else []:
        print(f"codetape: {warning}", file=sys.stderr)
    through = None if relay is None or destination is None else RelayStore(destination, relay)
    records = [name for name in plan.send if name.endswith(REVOCATION)]
    errors = _revocations(home, records, args.quiet, through)
    send = [episodes[name] for name in plan.send if name in episodes]
    if not send:
        if not args.quiet and not plan.send and not plan.waiting and not held:
            there = "to its destination" if destination is None else f"to {destination.url}"
            print(f"nothing to upload {there}: every signed episode in {home.outbox} is there (or revoked)")
        for error in errors:
            print(f"codetape: {error}", file=sys.stderr)
        return 1 if errors else 0
    unlinkable = set(months({path.name.removesuffix(".ctape"): path for path in send}))
    groups: dict[str, tuple[Destination, list[Path]]] = {}
    for path in send:
        going = where[path.name.removesuffix(".ctape")]
        groups.setdefault(going.url, (going, []))[1].append(path)
    total = sum(path.stat().st_size for path in send)
    label = f"uploading {len(send)} episode{'s' * (len(send) != 1)}"
    outcomes, described = [], []
    with byte_progress(total, label, quiet=args.quiet) as progress:
        for going, paths in groups.values():
            relayed = through if going is destination else None
            dropped = [p for p in paths if relayed and p.name.removesuffix(".ctape") in unlinkable]
            for store_of, part in ((relayed, dropped), (None, [p for p in paths if p not in dropped])):
                if not part:
                    continue
                store = store_of or open_store(going, waiting=None if args.quiet else _say)
                outcomes += drain(home, store, part, concurrency=going.settings.concurrency,
                                  progress=progress)
                described.append(store.ref.describe())
    failed = _errors(outcomes, home, args)
    record_run(home, ", ".join(dict.fromkeys(described)), outcomes, failed[0] if failed else None,
               counted=counted)
    if not args.quiet:
        for outcome in outcomes:
            if outcome.delivered is not None:
                print(_said(outcome))
                count = counted.get(str(outcome.delivered.episode_id))
                if count is not None:
                    print(f"{str(outcome.delivered.episode_id)[:8]}  {count.said()}")
    for error in errors:
        print(f"codetape: {error}", file=sys.stderr)
    for line in failed:
        print(f"codetape: {show(line)}", file=sys.stderr)
    return 1 if errors or failed else 0


def _routed(home: Home, episodes: dict[str, Path], destination: Destination | None, *, routed: bool,
            named: bool, relay: Route | None) -> tuple[dict[str, Destination], list[Unrouted]]:
    """Where each of `episodes` goes: `destination` with --to (not `routed`); else the first destination
    configured (a route naming its repository, `[upload] to`) the policy governing it allows
    (upload/routes.py), those it reached already left out unless named; and those no configured
    destination may take, or that lack the relay their policy requires (`relay`: the gateway key the
    configured relay seals for)."""
    from collector.upload.outbox import entries
    from collector.upload.routes import hold_for_relay
    from collector.upload.routes import route as route_episodes

    if not routed:
        assert destination is not None
        held = hold_for_relay(home, episodes, relay)
        waiting = {item.episode_id for item in held}
        return {name: destination for name in episodes if name not in waiting}, held
    where, unrouted = route_episodes(home, episodes, destination, relay)
    if not named:
        receipts = {entry.episode_id: entry for entry in entries(home)}
        where = {name: going for name, going in where.items()
                 if name not in receipts or receipts[name].waits_for(going.ref())}
    return where, unrouted


def _said_waiting(plan: Release, episodes: set[str], early: int) -> None:
    """What waits for its random time, and what was sent before it (--now)."""
    if early:
        print(f"--now: {early} unlinkable episode{'s' * (early != 1)} sent before the random delay drawn for "
              "each: the times they arrive at can tell the receiver they came from one person")
    later = [at for name, at in plan.waiting if name in episodes]
    if later:
        waits = "s wait for their" if len(later) != 1 else " waits for its"
        print(f"{len(later)} unlinkable episode{waits} random delay (the first due at {_minute(later[0])}); "
              "codetape upload --now sends them now, and gives up that arrival times do not link them")
    records = [at for name, at in plan.waiting if name.endswith(REVOCATION)]
    if records:
        waits = "s wait for their" if len(records) != 1 else " waits for its"
        print(f"{len(records)} revocation record{waits} random time (the first at {_minute(records[0])})")
    keys = [at for name, at in plan.waiting if name == TOP_UP]
    if keys:
        print(f"more episode keys are fetched from the issuer at a random time of their own "
              f"({_minute(keys[0])})")
    if plan.redrawn:
        print(f"{plan.redrawn} whose time had come drew a new one: a run sends at most one, and nothing that "
              "waited while this machine slept or nothing ran (codetape upload --help)")


def _minute(at: datetime) -> str:
    return at.isoformat(timespec="minutes").replace("+00:00", "Z")


def _top_up(home: Home, quiet: bool) -> list[str]:
    """More episode keys from the issuer, at the top-up's own random time (never at a signing); what went
    wrong, one line each: warnings, the upload is not the worse for them (the next signing that finds keys
    low gives the top-up another time, as it would have tried again before)."""
    from collector.consent.enrol import LOW_WATER, fetch_ahead, top_up
    from collector.consent.unlinkable import epoch_of
    from collector.due import delivered

    epoch = epoch_of(utc_now())
    more, problem = top_up(home, epoch)
    following, count, ahead_problem = fetch_ahead(home)
    if not quiet and more:
        print(f"fetched {more} more episode keys authorised for {epoch} from the issuer (fewer than "
              f"{LOW_WATER} were left)")
    if not quiet and count:
        print(f"fetched {count} episode keys authorised for {following} ahead of the new month")
    delivered(home, TOP_UP)
    return [line for line in (problem, ahead_problem) if line is not None]


def _revocations(home: Home, names: list[str], quiet: bool, through: RelayStore | None) -> list[str]:
    """Write the records of revocations whose random time has come (through the relay, when one is set,
    for the episodes delivered to the destination it writes to); a line for each destination that could
    not be written (the record is tried again later)."""
    from collector.policy.config import load_config
    from collector.upload.relay import opener
    from collector.upload.revocation import write_revocation

    open_ref = opener(through, load_config(home).upload)
    problems = []
    for name in names:
        eid = name.removesuffix(REVOCATION)
        done = write_revocation(home, eid, opener=open_ref)
        if done is None:
            continue
        if not quiet:
            for where in done.written_to:
                print(f"{eid[:8]}  revocation record written at {where}")
        problems += [f"{eid}: the revocation record could not be written at {failure}; it is tried again "
                     f"later (at once: codetape revoke --now {eid})" for failure in done.failed]
        if not quiet:
            for kept in done.not_abandoned:
                print(f"{eid[:8]}  not abandoned at {kept}")
    return problems


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _said(outcome: UploadOutcome) -> str:
    done = outcome.delivered
    assert done is not None
    eid = str(done.episode_id)[:8]
    if done.already_there and not done.sent_bytes:
        return f"{eid}  already at {done.destination}: {done.location} (nothing sent)"
    resumed = f", resumed: {done.resumed_parts} parts were already there" if done.resumed_parts else ""
    return f"{eid}  uploaded to {done.destination}: {done.location} ({byte_size(done.size)}{resumed})"


def _errors(outcomes: list[UploadOutcome], home: Home, args: argparse.Namespace) -> list[str]:
    """One line per failed episode; one line in all when the store was out of reach."""
    from collector.episode.resolve import reference
    from collector.upload.errors import TransferFailed, Unreachable
    from collector.upload.outbox import retry_command

    def retry(failed: list[UploadOutcome]) -> str:
        refs = [reference(o.path, home) for o in failed] if args.episodes else []
        return retry_command(refs, args.to, allow_insecure=args.allow_insecure)

    unreachable = next((o for o in outcomes if isinstance(o.error, Unreachable)), None)
    lines: list[str] = []
    if unreachable is not None:
        stuck = [o for o in outcomes if o.skipped or isinstance(o.error, TransferFailed)]
        stay = "it stays" if len(stuck) == 1 else "they stay"
        lines.append(f"{unreachable.error}: {len(stuck)} of {len(outcomes)} episodes not sent ({stay} in the "
                     f"outbox); retry: {retry(stuck)}")
    for outcome in outcomes:
        error = outcome.error
        if error is None or (unreachable is not None and isinstance(error, TransferFailed)):
            continue
        if isinstance(error, TransferFailed):
            lines.append(f"{reference(outcome.path, home)}: {error}; retry: {retry([outcome])}")
        else:
            lines.append(str(error))  # a refusal: it says why, and retrying would not help
    return lines

