"""`codetape revoke EPISODE`: withdraw your consent to share a signed episode.

Signs a revocation record with the key that signed the episode (Ed25519, its own domain tag, over the
episode's SHA-256 and the time) and writes it beside the episode at every destination its receipts name,
as PREFIX/episodes/<sha256>.revocation.json; receivers (`codetape dataset build`) must leave the episode
out. The key is your own (attributed mode) or, for an episode signed in unlinkable mode, that episode's own
key, kept in CODETAPE_HOME/enrolment (0600): nobody without this home can revoke it, so back the episode
keys up (codetape keys export). Here the episode stays in the outbox, listed as revoked, and is never
uploaded again. A destination that cannot be reached keeps the revocation pending there: run the same
command again to write it.

`codetape revoke --all` withdraws every episode this home signed and has not revoked (those in the outbox
and those only its receipts remember), after asking (--yes: without asking); one that cannot be revoked
is named and the others go on (exit 1).

An episode signed in unlinkable mode is revoked here at once, but its record says the UTC day only and
leaves on its own: at a random time up to `[consent] upload_delay_max_s` later (6 h by default), like an
upload, written by the collector's background upload (or `codetape upload`) when that time comes; so
`--all` does not put every record at the store within the same second, which would tell the receiver
they came from one person. --now writes them at once, and gives that up.

With `[upload] relay` and `gateway_key` set, an unlinkable episode's record goes to `[upload] to` through
the relay, written by the gateway with its own credential (this machine needs none), by hand as by the
background upload; a record at any other destination, and an attributed episode's, goes directly. An
unfinished multipart upload left by an earlier direct upload is not abandoned through the relay (the
gateway writes whole objects only): it is named, and the bucket's AbortIncompleteMultipartUpload
lifecycle rule removes it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from collector.errors import UsageError
from collector.home import Home

MAX_REASON = 4096


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("revoke", help="withdraw a signed episode, here and at every destination",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("episode", metavar="EPISODE", nargs="?",
                        help="a signed episode file, or its id (prefix)")
    parser.add_argument("--all", action="store_true", help="every episode this home signed (asks first)")
    parser.add_argument("--yes", action="store_true", help="with --all: do not ask")
    parser.add_argument("--now", action="store_true",
                        help="unlinkable episodes: write the records at once, not each at a random time of "
                        "its own (the times they arrive at can then link them)")
    parser.add_argument("--reason", metavar="TEXT", help="why, recorded in the signed record")
    parser.add_argument("--passphrase-file", type=Path, metavar="FILE",
                        help="the signing key's passphrase, on FILE's first line (- for stdin)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collector.episode.resolve import resolve_episode
    from collector.upload.errors import RevocationFailed

    if args.reason is not None and len(args.reason) > MAX_REASON:
        raise RevocationFailed(f"--reason is {len(args.reason)} characters; at most {MAX_REASON}")
    if (args.episode is None) == (not args.all):
        raise UsageError("name the EPISODE to revoke, or --all")
    home = Home.from_env(args.env)
    if not args.all:
        revoke_one(resolve_episode(args.episode, home), home, args)
        return 0
    return revoke_all(home, args)


def revoke_all(home: Home, args: argparse.Namespace) -> int:
    """Revoke every episode this home signed and has not revoked; 1 when one of them could not be."""
    from collector.errors import CodetapeError
    from collector.text.oneline import one_line

    paths = signed_here(home)
    if not paths:
        print("nothing to revoke: this home has no signed episode that is not revoked")
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            raise UsageError(f"not revoked: --all withdraws {len(paths)} episodes; run it again with --yes")
        answer = input(f"withdraw all {len(paths)} signed episodes of this home, everywhere? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing revoked")
            return 0
    failed = 0
    for path in paths:
        try:
            revoke_one(path, home, args)
        except CodetapeError as exc:
            print(f"codetape: {path.name}: {one_line(str(exc).removeprefix('codetape: '))}", file=sys.stderr)
            failed += 1
    print(f"revoked {len(paths) - failed} of {len(paths)} episodes")
    return 1 if failed else 0


def signed_here(home: Home) -> list[Path]:
    """The outbox path of every episode this home signed and has not revoked: those in the outbox and those
    only a receipt remembers (the path then names a file that is gone; revoke reads the receipt)."""
    from collector.upload.outbox import entries
    from collector.upload.receipts import read_receipt

    found = {entry.episode_id: entry.path for entry in entries(home) if entry.state != "revoked"}
    try:
        receipts = sorted(home.receipts.glob("*.json"))
    except OSError:
        receipts = []
    for path in receipts:
        eid = path.name.removesuffix(".json")
        if eid not in found and "." not in eid:
            receipt = read_receipt(home, eid)
            if receipt is not None and receipt.revoked is None:
                found[eid] = home.outbox / f"{eid}.ctape"
    return [found[eid] for eid in sorted(found)]


def revoke_one(path: Path, home: Home, args: argparse.Namespace) -> None:
    from collector.cli.commands.sign import ask_passphrase
    from collector.consent.keys import key_path
    from collector.consent.mode import upload_delay_max_s
    from collector.episode.resolve import reference
    from collector.policy.config import load_config
    from collector.upload.destinations import named
    from collector.upload.errors import RevocationFailed
    from collector.upload.relay import opener, relayed
    from collector.upload.revocation import is_episode_key, revoke, signer_of

    config = load_config(home)
    unlinkable = is_episode_key(home, signer_of(path, home))
    # an unlinkable episode's record through the relay, when one is set: the store sees the gateway only
    open_ref = opener(relayed(named(home)) if unlinkable else None, config.upload)
    own_key = not unlinkable and key_path(home).exists()
    passphrase = ask_passphrase(args.passphrase_file, home) if own_key else None
    delay = None if args.now else upload_delay_max_s(home)
    done = revoke(path, home, opener=open_ref, passphrase=passphrase, reason=args.reason, delay_max_s=delay)
    eid = reference(path, home) if path.exists() else path.name.removesuffix(".ctape")
    when = (f"on {done.revoked_at.date().isoformat()}" if done.unlinkable
            else f"at {done.revoked_at.isoformat(timespec='seconds').replace('+00:00', 'Z')}")
    print(f"{'already revoked' if done.already else 'revoked'} {eid} {when}; signed record: {done.record}")
    for where in done.written_to:
        print(f"  record written at {where}")
    if done.due is not None:
        at = done.due.isoformat(timespec="minutes").replace("+00:00", "Z")
        print(f"  its record leaves on its own, at a random time ({at}): the collector's background upload "
              f"writes it then (at once, and linked by when it arrives: codetape revoke --now {eid})")
    elif not done.written_to and not done.failed:
        print("  it was never uploaded, and now never will be")
    for kept in done.not_abandoned:
        print(f"  not abandoned at {kept}")
    if done.failed:
        raise RevocationFailed(f"revoked here, but the record could not be written at {done.failed[0]}"
                               f"{f' (and {len(done.failed) - 1} more)' if len(done.failed) > 1 else ''}; "
                               f"retry: codetape revoke {'--now ' if args.now else ''}{eid}")
