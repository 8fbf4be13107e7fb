"""`codetape keys init|show|export|import`: the Ed25519 key pair that signs your consent to share an
episode, and the backup of your per-episode keys.

`init` creates it under CODETAPE_HOME/keys (private key 0600, directory 0700). With a passphrase (typed
at the prompt, or read from --passphrase-file) the private key is encrypted at rest and signing asks
for it. `show` prints the public key and its short id: hand the public key to whoever receives your
episodes, so they can check your signature offline.

`export -o FILE` writes the per-episode keys of unlinkable mode (codetape enroll) and the record of which
signed an episode into one file encrypted with a passphrase (scrypt, ChaCha20-Poly1305): without them
nobody can revoke an episode you signed unlinkable, so keep it where losing this machine does not lose it.
`import FILE` adds them back. A key this home did not hold is imported as used (a backup cannot tell which
keys signed after it was made): it revokes its episode and signs nothing new.
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
    export = actions.add_parser("export", help="back the per-episode keys up, encrypted with a passphrase")
    export.add_argument("-o", "--output", type=Path, metavar="FILE", required=True)
    export.add_argument("--passphrase-file", type=Path, metavar="FILE",
                        help="the backup's passphrase, on FILE's first line (- for stdin)")
    export.add_argument("--force", action="store_true", help="replace FILE if it exists")
    export.set_defaults(func=run_export)
    restore = actions.add_parser("import", help="add per-episode keys back from a backup")
    restore.add_argument("backup", type=Path, metavar="FILE")
    restore.add_argument("--passphrase-file", type=Path, metavar="FILE",
                         help="the backup's passphrase, on FILE's first line (- for stdin)")
    restore.set_defaults(func=run_import)


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


def backup_passphrase(path: Path | None, *, twice: bool) -> str:
    """The backup's passphrase: from --passphrase-file, else typed (twice for a new backup)."""
    if path is not None:
        return read_passphrase_file(path)
    if not sys.stdin.isatty():
        raise UsageError("give the backup's passphrase with --passphrase-file FILE (- for stdin)")
    first = getpass.getpass("passphrase of the episode keys' backup: ")
    if not first:
        raise UsageError("the backup needs a passphrase")
    if twice and getpass.getpass("the same passphrase again: ") != first:
        raise UsageError("the two passphrases differ; nothing was written")
    return first


def run_export(args: argparse.Namespace) -> int:
    from collector.consent.key_backup import export_keys

    if args.output.exists() and not args.force:
        raise UsageError(f"{args.output} exists (--force replaces it)")
    count = export_keys(Home.from_env(args.env), args.output,
                        backup_passphrase(args.passphrase_file, twice=True))
    print(f"backed up {count} episode keys and the record of which signed an episode: {args.output}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from collector.consent.key_backup import import_keys

    done = import_keys(Home.from_env(args.env), args.backup, backup_passphrase(args.passphrase_file,
                                                                                twice=False))
    print(f"imported {done.keys} episode keys ({done.batches} batch files new to this home); "
          f"{done.retired} newly marked used (they revoke their episodes and sign nothing new)")
    return 0


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
