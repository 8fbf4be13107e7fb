"""`codetape dataset purge-report OUT` and `codetape dataset key init|show`: the receiver's signed proof that
purged episodes left every snapshot (collector/dataset/output/purge_report.py), and the key that signs it
(collector/dataset/output/receiver_key.py)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from collector.errors import UsageError
from collector.home import Home

REPORT_HELP = """List every episode purged from the dataset OUT after it was built (revoked by its signer, or
past its signed retain_until): per episode id, when its rows left the dataset and each earlier snapshot
(each build's record read again now: purged, ended by a compaction, or pending until the next build
finishes the purge), and which files held its rows, with the copies that replaced them and whether the
originals are still there. It holds no episode content: no row, text, statement or signer key id; the
SHA-256 of the episode's file (its name at the source) is in it, as in the contributor's receipt.

It is signed with the receiver's key (codetape dataset key init, once; codetape dataset key show prints
the public key to hand to contributors and auditors). Written to -o FILE, or printed. --episode ID keeps
one episode's purges only (the report to hand its contributor).

    codetape dataset purge-report OUT -o purges.json
    codetape dataset purge-report --verify purges.json --key receiver.pub

--verify FILE checks a report's signature against --key (the receiver's public key, base64 or its
receiver.pub file; default: this home's receiver key) and prints what it says; exit 1 when it does not
verify."""

KEY_HELP = """The receiver's Ed25519 key, which signs purge reports: CODETAPE_HOME/receiver/identity.key
(0600, protected by the folder's permissions) and receiver.pub beside it. It is not your contributor
signing key (codetape keys)."""


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = actions.add_parser("purge-report", help="the receiver's signed list of purged episodes",
                                description=REPORT_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    report.add_argument("target", metavar="OUT", help="the dataset (with --verify: the report FILE)")
    report.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the report here")
    report.add_argument("--episode", metavar="ID", help="only this episode id's purges")
    report.add_argument("--verify", action="store_true", help="check the report FILE's signature instead")
    report.add_argument("--key", metavar="KEY", help="with --verify: the receiver's public key, or its file")
    report.set_defaults(func=run_report)
    key = actions.add_parser("key", help="create or show the receiver's key (signs purge reports)",
                             description=KEY_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = key.add_subparsers(dest="verb", metavar="ACTION", required=True)
    init = verbs.add_parser("init", help="create the receiver's key pair")
    init.add_argument("--force", action="store_true", help="replace an existing one")
    init.set_defaults(func=run_key_init)
    show = verbs.add_parser("show", help="print the receiver's public key and its id")
    show.add_argument("--json", action="store_true", help="one JSON object")
    show.set_defaults(func=run_key_show)


def run_key_init(args: argparse.Namespace) -> int:
    from collector.dataset.output.receiver_key import PUBLIC_FILE, init_receiver_key, receiver_folder

    home = Home.from_env(args.env)
    info = init_receiver_key(home, force=args.force)
    print(f"receiver key {info.key_id}: {info.public_b64}")
    print(f"hand {receiver_folder(home) / PUBLIC_FILE} to whoever checks your purge reports")
    return 0


def run_key_show(args: argparse.Namespace) -> int:
    from collector.dataset.output.receiver_key import load_receiver_key

    _private, info = load_receiver_key(Home.from_env(args.env))
    if args.json:
        print(json.dumps({"key_id": info.key_id, "public_key": info.public_b64}))
    else:
        print(f"{info.public_b64}  (receiver key {info.key_id})")
    return 0


def run_report(args: argparse.Namespace) -> int:
    home = Home.from_env(args.env)
    if args.verify:
        return _verify(Path(args.target), args.key, home)
    if args.key is not None:
        raise UsageError("--key is for --verify: a report is signed with this home's receiver key")
    from collector.cli.dataset_snapshots import open_dataset
    from collector.dataset.output.purge_report import report_body, sign_report
    from collector.dataset.output.receiver_key import load_receiver_key
    from collector.protocol.clock import utc_now

    private, info = load_receiver_key(home)  # before reading the dataset: without a key nothing is made
    out, manifest = open_dataset(args.target, home)
    if args.episode is not None and not any(purge.episode_id == args.episode for purge in manifest.purges):
        raise UsageError(f"--episode: {out.url} purged no episode {args.episode}")
    body = report_body(out, manifest, utc_now(), info, args.episode)
    data = sign_report(body, private)
    if args.output is None:
        sys.stdout.write(data.decode("utf-8"))
        return 0
    from collector.atomic import atomic_write

    atomic_write(args.output, data, mode=0o644)
    count = len(body["episodes"])
    incomplete = sum(not item["complete"] for item in body["episodes"])
    pending = f"; {incomplete} not complete yet (the next build finishes them)" if incomplete else ""
    print(f"wrote {args.output}: {count} purged episode{'s' * (count != 1)}{pending}, signed by receiver key "
          f"{info.key_id}")
    return 0


def _verify(path: Path, key: str | None, home: Home) -> int:
    from collector.dataset.output.purge_report import verify_report
    from collector.dataset.output.receiver_key import load_receiver_key, public_key_from

    public = public_key_from(key) if key is not None else load_receiver_key(home)[1].public_key
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    body = verify_report(data, public)
    print(f"{path}: signed by receiver key {body['receiver']['key_id']}, made {body['made_at']} for "
          f"{body['dataset']}")
    for item in body["episodes"]:
        shown = ", ".join(f"build {state['build']} {state['state']}"
                          + (f" {state['rows_left_at']}" if state["rows_left_at"] else "")
                          for state in item["snapshots"]) or "no earlier snapshot held it"
        status = "complete" if item["complete"] else "NOT complete"
        print(f"  {item['episode_id']} {item['reason']}, purged by build {item['purged_by_build']} at "
              f"{item['rows_left_dataset_at']}: {len(item['files'])} files; {shown}; {status}")
    return 0
