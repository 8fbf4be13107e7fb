"""`codetape revoke EPISODE`: withdraw your consent to share a signed episode.

Signs a revocation record with your key (Ed25519, its own domain tag, over the episode's SHA-256 and the
time) and writes it beside the episode at every destination its receipts name, as
PREFIX/episodes/<sha256>.revocation.json; receivers (`codetape dataset build`) must leave the episode out.
Here the episode stays in the outbox, listed as revoked, and is never uploaded again. A destination that
cannot be reached keeps the revocation pending there: run the same command again to write it.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collector.upload.destinations import Store
    from collector.upload.ref import DestinationRef
from collector.home import Home

MAX_REASON = 4096


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("revoke", help="withdraw a signed episode, here and at every destination",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("episode", metavar="EPISODE", help="a signed episode file, or its id (prefix)")
    parser.add_argument("--reason", metavar="TEXT", help="why, recorded in the signed record")
    parser.add_argument("--passphrase-file", type=Path, metavar="FILE",
                        help="the signing key's passphrase, on FILE's first line (- for stdin)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collector.cli.commands.sign import ask_passphrase
    from collector.episode.resolve import reference, resolve_episode
    from collector.upload.destinations import load_config
    from collector.upload.errors import RevocationFailed
    from collector.upload.revocation import revoke
    from collector.upload.stores import reopen

    if args.reason is not None and len(args.reason) > MAX_REASON:
        raise RevocationFailed(f"--reason is {len(args.reason)} characters; at most {MAX_REASON}")
    home = Home.from_env(args.env)
    path = resolve_episode(args.episode, home)
    settings = load_config(home).upload

    def opener(ref: DestinationRef) -> Store:
        return reopen(ref, settings)

    done = revoke(path, home, opener=opener, passphrase=ask_passphrase(args.passphrase_file, home),
                  reason=args.reason)
    eid = reference(path, home)
    when = done.revoked_at.isoformat(timespec="seconds").replace("+00:00", "Z")
    print(f"{'already revoked' if done.already else 'revoked'} {eid} at {when}; signed record: {done.record}")
    for where in done.written_to:
        print(f"  record written at {where}")
    if not done.written_to and not done.failed:
        print("  it was never uploaded, and now never will be")
    if done.failed:
        raise RevocationFailed(f"revoked here, but the record could not be written at {done.failed[0]}"
                               f"{f' (and {len(done.failed) - 1} more)' if len(done.failed) > 1 else ''}; "
                               f"retry: codetape revoke {eid}")
    return 0
