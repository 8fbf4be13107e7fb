"""`codetape keys init|show`: the Ed25519 key pair that signs your consent to share an episode.

`init` creates it under CODETAPE_HOME/keys (private key 0600, directory 0700). With a passphrase (typed
at the prompt, or read from --passphrase-file) the private key is encrypted at rest and signing asks
for it. `show` prints the public key and its short id: hand the public key to whoever receives your
episodes, so they can check your signature offline.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collector.consent import KeyInfo
from collector.errors import UsageError
from collector.home import Home


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("keys", help="create or show your signing key", description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="create the signing key pair")
    source = init.add_mutually_exclusive_group()
    source.add_argument("--passphrase-file", type=Path, metavar="FILE",
                        help="encrypt the private key with the passphrase on FILE's first line "
                        "(- for stdin)")
    source.add_argument("--no-passphrase", action="store_true",
                        help="store the private key unencrypted (only file permissions protect it)")
    init.add_argument("--force", action="store_true", help="replace an existing key pair")
    init.set_defaults(func=run_init)
    show = actions.add_parser("show", help="print the public key and its id")
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.set_defaults(func=run_show)


def read_passphrase_file(path: Path, what: str = "passphrase") -> str:
    """The first line of FILE (or of stdin for `-`), without its line ending: a passphrase, or `what`."""
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the {what} from {path}: {exc}") from None
    line = text.splitlines()[0] if text else ""
    if not line:
        raise UsageError(f"{path} holds no {what} (its first line is empty)")
    return line


def prompt_new_passphrase() -> str | None:
    """Ask twice on the terminal; empty means no passphrase."""
    first = getpass.getpass("passphrase for the new signing key (empty for none): ")
    if not first:
        return None
    if getpass.getpass("the same passphrase again: ") != first:
        raise UsageError("the two passphrases differ; run codetape keys init again")
    return first


def run_init(args: argparse.Namespace) -> int:
    from collector.consent import init_keys
    from collector.consent.keys import PUBLIC_FILE, key_path

    home = Home.from_env(args.env)
    if args.passphrase_file is not None:
        passphrase = read_passphrase_file(args.passphrase_file)
    elif args.no_passphrase or not sys.stdin.isatty():
        passphrase = None
    else:
        passphrase = prompt_new_passphrase()
    info = init_keys(home, passphrase=passphrase, force=args.force)
    protection = "encrypted with your passphrase" if info.protected else "not encrypted (no passphrase)"
    print(f"created signing key {info.key_id}: {key_path(home)} ({protection})")
    print(f"public key {info.public_b64} (also in {home.keys / PUBLIC_FILE})")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from collector.consent import load_public
    from collector.consent.keys import key_path

    home = Home.from_env(args.env)
    info = load_public(home)
    if args.json:
        print(json.dumps(describe(info, home)))
    else:
        print(f"key id      {info.key_id}")
        print(f"public key  {info.public_b64}")
        print("algorithm   ed25519")
        print(f"passphrase  {'yes' if info.protected else 'no'}")
        print(f"file        {key_path(home)}")
    return 0


def describe(info: KeyInfo, home: Home) -> dict[str, object]:
    from collector.consent.keys import key_path

    return {"key_id": info.key_id, "public_key": info.public_b64, "algorithm": "ed25519",
            "passphrase": info.protected, "file": str(key_path(home))}
