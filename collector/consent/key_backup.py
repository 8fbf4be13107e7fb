"""`codetape keys export -o FILE` / `keys import FILE`: the per-episode keys and the used-key ledger, backed
up encrypted with a passphrase.

Losing the home loses the episode keys, and with them the only way to revoke an episode signed in
unlinkable mode. The backup is one JSON file (0600):

    {"format": "codetape-episode-keys-backup/v1", "sealed": {scrypt + ChaCha20-Poly1305, keys.seal}}

sealing `{"batches": {FILE NAME: BATCH JSON TEXT, ...}, "used": [PUBLIC KEY HEX, ...]}` with the format
name as associated data.

Importing never makes a used key usable again. The ledger only grows: the backup's used keys are added
to it. A key this home did not hold before the import (the home was lost, the backup restored in a new
one) is added to the ledger as used whatever the backup says: the backup cannot tell which keys signed
an episode after it was made, so a restored key revokes its episode and signs nothing new. Fetch new
keys with `codetape enroll --refresh`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from collector.atomic import atomic_write, locked
from collector.consent.episode_keys import (
    LEDGER,
    append_used,
    batches_dir,
    read_batch_text,
    stored_keys,
    used_keys,
)
from collector.consent.errors import KeyProblem
from collector.consent.keys import seal, unseal
from collector.home import Home

BACKUP_FORMAT = "codetape-episode-keys-backup/v1"
MAX_BACKUP = 256 * 1024 * 1024


@dataclass(frozen=True)
class Imported:
    batches: int  # batch files added
    keys: int  # keys in the backup
    retired: int  # keys the ledger newly marks used (restored into a home that did not hold them)


def export_keys(home: Home, target: Path, passphrase: str) -> int:
    """Write the backup of every episode key and the ledger to `target` (0600); how many keys."""
    directory = batches_dir(home)
    batches = {path.name: path.read_text(encoding="utf-8")
               for path in sorted(directory.glob("*.json"))} if directory.is_dir() else {}
    if not batches:
        raise KeyProblem("this home holds no episode keys to back up (codetape enroll fetches them)")
    count = len(stored_keys(home))  # reads (and checks) every batch
    plain = json.dumps({"batches": batches, "used": sorted(key.hex() for key in used_keys(home))})
    document = {"format": BACKUP_FORMAT, "sealed": seal(plain.encode("utf-8"), BACKUP_FORMAT.encode(),
                                                        passphrase)}
    atomic_write(target, json.dumps(document) + "\n")
    os.chmod(target, 0o600)
    return count


def import_keys(home: Home, source: Path, passphrase: str) -> Imported:
    """Add the backup's batches and used keys to this home (see the module docstring)."""
    batches, used = _read_backup(source, passphrase)
    held = {key.public_key for key in stored_keys(home)}
    directory = home.ensure(batches_dir(home))
    os.chmod(home.enrolment, 0o700)
    ledger = home.enrolment / LEDGER
    with locked(ledger):
        restored = {key.public_key for text in batches.values() for key in read_batch_text(text)}
        already = used_keys(home)
        retire = sorted((used | (restored - held)) - already)
        append_used(ledger, retire)  # before any batch file: no key is unused for a moment
        added = 0
        for name, text in sorted(batches.items()):
            path = directory / name
            if not path.exists():
                atomic_write(path, text)
                added += 1
    return Imported(added, len(restored), len(retire))


def _read_backup(source: Path, passphrase: str) -> tuple[dict[str, str], set[bytes]]:
    try:
        with open(source, "rb") as handle:
            data = handle.read(MAX_BACKUP + 1)
    except OSError as exc:
        raise KeyProblem(f"cannot read {source}: {exc.strerror}") from None
    try:
        document = json.loads(data) if len(data) <= MAX_BACKUP else None
    except (ValueError, RecursionError):
        document = None
    if not isinstance(document, dict) or document.get("format") != BACKUP_FORMAT or not isinstance(
            document.get("sealed"), dict):
        raise KeyProblem(f"{source} is not a {BACKUP_FORMAT} file (codetape keys export writes one)")
    plain = unseal(document["sealed"], BACKUP_FORMAT.encode(), passphrase, source, "the episode keys' backup")
    try:
        content = json.loads(plain)
        batches, used = content["batches"], content["used"]
        if not isinstance(batches, dict) or not all(
                isinstance(name, str) and isinstance(text, str) and _plain_name(name)
                for name, text in batches.items()):
            raise ValueError("batches")
        return batches, {bytes.fromhex(key) for key in used if isinstance(key, str) and len(key) == 64}
    except (ValueError, KeyError, TypeError) as exc:
        raise KeyProblem(f"{source}: the backup's content is damaged ({exc})") from None


def _plain_name(name: str) -> bool:
    return name.endswith(".json") and "/" not in name and "\\" not in name and not name.startswith(".")
