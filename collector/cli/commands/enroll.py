"""`codetape enroll URL --secret S [--count N]` / `codetape enroll --refresh`: enrol with an issuer and
fetch per-episode keys it authorised without seeing them.

The first call trades the one-time enrolment secret your issuer handed you for a member credential, kept
in CODETAPE_HOME/enrolment (0600), then makes N fresh Ed25519 key pairs (one per future episode) and has
each public key authorised through an RSA blind signature (RFC 9474): the issuer signs without seeing the
key and cannot recognise the authorisation later. Every authorisation is checked against the issuer's
signed public record before the batch is stored (0600). `--refresh` fetches another batch: for this
month while fewer than 5 of its keys are left, else for the next month (`--month YYYY-MM` chooses).
The issuer caps authorisations per member and month and refuses a batch beyond the cap whole.

`codetape sign --unlinkable` (or `[consent] mode = "unlinkable"`) signs with these keys, one per episode.
Later batches come by themselves: a signing that finds no key left for this month fetches 20 first, and
one that leaves fewer than 5 fetches 20 after; in a month's last 3 days (UTC), a signing also fetches 20
for the next month once, so that its first signing needs no issuer. When the issuer cannot be reached,
the signing that needed a key is refused in one line (the episode stays unsigned; nothing falls back to
your own key), and a top-up or a fetch ahead that failed is said in one line and tried again at the next
signing.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from collector.errors import CodetapeError, UsageError
from collector.home import Home

if TYPE_CHECKING:
    from collector.consent.authorisation import IssuerRecord



def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("enroll", help="enrol with an issuer and fetch blindly authorised episode keys",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", nargs="?", help="the issuer's URL (https://, or http:// on loopback)")
    secret = parser.add_mutually_exclusive_group()
    secret.add_argument("--secret", help="the one-time enrolment secret the issuer handed you")
    secret.add_argument("--secret-file", type=Path, metavar="FILE",
                        help="read the secret from FILE's first line (- for stdin; keeps it out of ps)")
    parser.add_argument("--count", type=_count,
                        help="how many keys to fetch (default: a batch, 20)")
    parser.add_argument("--refresh", action="store_true", help="fetch another batch with your credential")
    parser.add_argument("--month", metavar="YYYY-MM", help="the month to fetch keys for")
    parser.add_argument("--issuer-record", type=Path, metavar="ISSUER.pub",
                        help="the issuer's record as receivers got it: refuse an issuer whose identity or "
                        "month key differs (a key of your own would single your episodes out)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def _count(text: str) -> int:
    from collector.consent.enrol import MAX_PER_REQUEST

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 < value <= MAX_PER_REQUEST:
        raise argparse.ArgumentTypeError(f"a batch is 1 to {MAX_PER_REQUEST} keys")
    return value


def run(args: argparse.Namespace) -> int:
    from collector.consent.authorisation import check_epoch
    from collector.consent.enrol import (
        BATCH,
        EnrolmentError,
        enrol,
        fetch_batch,
        load_enrolment,
        refresh_epoch,
    )
    from collector.consent.episode_keys import unused_counts
    from collector.protocol.clock import utc_now

    home = Home.from_env(args.env)
    published = _published(args.issuer_record) if args.issuer_record is not None else None
    if args.month is not None:
        try:
            check_epoch(args.month)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    if args.refresh:
        if args.url is not None or args.secret is not None or args.secret_file is not None:
            raise UsageError("--refresh uses the credential you enrolled with: give no URL or secret")
        enrolment = load_enrolment(home)
        enrolled_now = False
    else:
        if args.url is None or (args.secret is None and args.secret_file is None):
            raise UsageError("enrolling needs the issuer's URL and --secret (or --refresh, once enrolled)")
        secret = args.secret if args.secret is not None else _read_secret(args.secret_file)
        home.ensure(home.root)
        enrolment = enrol(home, args.url, secret, published=published)
        enrolled_now = True
    epoch = args.month or refresh_epoch(home, utc_now())
    try:
        keys = fetch_batch(home, enrolment, epoch, args.count or BATCH, published=published)
    except CodetapeError as exc:
        if not enrolled_now:
            raise
        raise EnrolmentError(f"enrolled with issuer {enrolment.issuer}, but no keys were fetched: {exc} "
                             "(try again: codetape enroll --refresh)") from None
    left = unused_counts(home)
    if args.json:
        print(json.dumps({"issuer": enrolment.issuer, "url": enrolment.url, "enrolled": enrolled_now,
                          "epoch": epoch, "fetched": len(keys), "unused": left}))
        return 0
    if enrolled_now:
        print(f"enrolled with issuer {enrolment.issuer} at {enrolment.url}")
    print(f"fetched {len(keys)} episode keys authorised for {epoch}")
    print("unused keys: " + ", ".join(f"{month}: {count}" for month, count in left.items()))
    return 0


def _published(path: Path) -> IssuerRecord:
    from collector.consent.authorisation import read_record

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    return read_record(data)


def _read_secret(path: Path) -> str:
    from collector.cli.commands.keys import read_passphrase_file

    return read_passphrase_file(path, what="enrolment secret")
