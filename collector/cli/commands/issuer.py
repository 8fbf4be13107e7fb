"""`codetape issuer init|serve|member add|member list|export`: run an issuer, the service that authorises
members' per-episode keys blindly for unlinkable consent (in a company: the works council's or HR's, never the
receiver's). It knows who may contribute and how many authorisations each took a month; it never sees an
episode or a per-episode key.

`init [DIR]` makes the issuer's folder (default CODETAPE_HOME/issuer): an Ed25519 identity key and one RSA
key per month (this month's and the next; later months are made as they come). `serve --listen
HOST:PORT` answers enrolment over HTTP (plain HTTP: put TLS in front of anything not on loopback).
`member add NAME [--quota N]` adds a member and prints a one-time enrolment secret to hand over, alone
on the last line; the quota is authorisations per month, and a request beyond it is refused whole.
`member list` shows each member, whether they enrolled, and how many authorisations they took a month.
`export -o ISSUER.pub` writes the public record receivers verify authorisations with: each month's public
key and how many members took authorisations under it, signed by the identity key.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from collector.cli.listen import listen_address
from collector.errors import UsageError
from collector.home import Home

DEFAULT_QUOTA = 100


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("issuer", help="run an issuer that authorises per-episode keys blindly",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="make the issuer's keys and database")
    init.add_argument("dir", nargs="?", type=Path, help="the issuer's folder (default: CODETAPE_HOME/issuer)")
    init.add_argument("--name", default="codetape issuer", help="the issuer's name in its public record")
    init.set_defaults(func=run_init)
    serve = actions.add_parser("serve", help="answer enrolment and authorisation requests over HTTP")
    serve.add_argument("--listen", default="127.0.0.1:8787", metavar="HOST:PORT",
                       help="address to listen on (default 127.0.0.1:8787; port 0 picks a free one)")
    _dir_option(serve)
    serve.set_defaults(func=run_serve)
    member = actions.add_parser("member", help="manage the members who may enrol")
    member_actions = member.add_subparsers(dest="member_action", metavar="ACTION", required=True)
    add = member_actions.add_parser("add", help="add a member; prints a one-time enrolment secret")
    add.add_argument("name", help="who the member is (for the issuer's records only)")
    add.add_argument("--quota", type=_count, default=DEFAULT_QUOTA,
                     help=f"authorisations per month (default {DEFAULT_QUOTA})")
    add.add_argument("--json", action="store_true", help="print one JSON object")
    _dir_option(add)
    add.set_defaults(func=run_member_add)
    listing = member_actions.add_parser("list", help="list members, enrolled or not, and their counts")
    listing.add_argument("--json", action="store_true", help="print one JSON object per member")
    _dir_option(listing)
    listing.set_defaults(func=run_member_list)
    export = actions.add_parser("export", help="write the public record receivers verify with")
    export.add_argument("-o", "--output", type=Path, required=True, metavar="ISSUER.pub",
                        help="where to write it (- for stdout)")
    _dir_option(export)
    export.set_defaults(func=run_export)


def _dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", type=Path, help="the issuer's folder (default: CODETAPE_HOME/issuer)")


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("a quota is 0 or more")
    return value


def issuer_dir(args: argparse.Namespace, given: Path | None) -> Path:
    if given is not None:
        return given.expanduser().resolve()
    home = Home.from_env(args.env)
    return home.ensure(home.root) / "issuer"


def run_init(args: argparse.Namespace) -> int:
    from collector.issuer.state import init_issuer
    from collector.protocol.clock import utc_now

    root = issuer_dir(args, args.dir)
    state = init_issuer(root, args.name, utc_now())
    print(f"issuer {state.issuer} ({state.name}) in {root}")
    print(f"monthly keys: {', '.join(state.epochs())}")
    print(f"next: codetape issuer member add NAME{_dir_arg(args.dir, root)}, "
          f"then codetape issuer serve{_dir_arg(args.dir, root)}")
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from collector.issuer.server import IssuerServer
    from collector.issuer.state import load_issuer
    from collector.platform.process import raise_open_file_limit
    from collector.protocol.clock import utc_now

    host, port = listen_address(args.listen)
    raise_open_file_limit()  # idle connections must not take every file this process may open
    state = load_issuer(issuer_dir(args, args.dir))
    state.ensure_months(utc_now())
    try:
        server = IssuerServer((host, port), state, utc_now)
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.listen}: {exc.strerror or exc}") from None

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    bound_host, bound_port = server.server_address[:2]
    server.note(f"serving issuer {state.issuer}")
    print(f"issuer {state.issuer} listening on http://{bound_host!s}:{bound_port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    print("issuer stopped", file=sys.stderr)
    return 0


def run_member_add(args: argparse.Namespace) -> int:
    from collector.issuer.members import add_member, open_db
    from collector.issuer.state import load_issuer
    from collector.protocol.clock import utc_now

    state = load_issuer(issuer_dir(args, args.dir))
    with open_db(state.database) as db:
        secret = add_member(db, args.name, args.quota, utc_now().date().isoformat())
    if args.json:
        print(json.dumps({"name": args.name, "quota": args.quota, "issuer": state.issuer, "secret": secret}))
        return 0
    print(f"added {args.name}: up to {args.quota} authorisations a month")
    print("hand over this one-time enrolment secret (the member keeps it out of ps: saved to a file, "
          "codetape enroll URL --secret-file FILE, or --secret-file - to paste it):")
    print(secret)
    return 0


def run_member_list(args: argparse.Namespace) -> int:
    from collector.issuer.members import list_members, open_db
    from collector.issuer.state import load_issuer

    state = load_issuer(issuer_dir(args, args.dir))
    with open_db(state.database) as db:
        members = list_members(db)
    for member in members:
        if args.json:
            print(json.dumps({"name": member.name, "quota": member.quota, "enrolled": member.enrolled,
                              "authorised": member.authorised}))
            continue
        counts = ", ".join(f"{epoch}: {count}" for epoch, count in member.authorised.items()) or "none"
        state_word = "enrolled" if member.enrolled else "not enrolled yet"
        print(f"{member.name}  quota {member.quota}/month  {state_word}  authorised: {counts}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from collector.atomic import atomic_write
    from collector.issuer.state import load_issuer
    from collector.protocol.clock import utc_now

    state = load_issuer(issuer_dir(args, args.dir))
    record = state.record(utc_now())
    if str(args.output) == "-":
        sys.stdout.write(record.decode("utf-8"))
        return 0
    atomic_write(args.output, record, mode=0o644)
    print(f"wrote the public record of issuer {state.issuer} to {args.output}")
    return 0



def _dir_arg(given: Path | None, root: Path) -> str:
    return f" --dir {root}" if given is not None else ""
