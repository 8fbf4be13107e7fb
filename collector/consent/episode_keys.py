"""A member's per-episode Ed25519 keys, each authorised blindly by an issuer, under `Home.enrolment` (0700).

    enrolment/batches/EPOCH-RANDOM.json   one batch as `codetape enroll` fetched it (0600), never rewritten
    enrolment/used                        the used-key ledger: one public key (hex) a line, appended, fsynced

A key is used once its public key is in the ledger. `take_key` appends it there (under a lock, fsynced)
before it returns the key, so no crash can hand one key out twice, and a batch file restored from a
backup cannot make a used key unused: the ledger is not part of any batch. Used keys stay in their batch
(their private halves sign the episode's revocation).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from collector.atomic import atomic_write, locked
from collector.consent.authorisation import Authorisation, b64, unb64
from collector.consent.errors import KeyProblem
from collector.consent.keys import key_id
from collector.home import Home, read_private
from collector.platform.files import fsync_dir

BATCH_FORMAT = "codetape-episode-keys/v1"
LEDGER = "used"
_MAX_BATCH_FILE = 64 * 1024 * 1024


@dataclass(frozen=True)
class EpisodeKey:
    """One per-episode key pair and the issuer's authorisation of its public key."""

    public_key: bytes
    seed: bytes
    authorisation: Authorisation

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)

    @property
    def epoch(self) -> str:
        return self.authorisation.epoch

    def private(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)


def new_key_pair() -> tuple[bytes, bytes]:
    """A fresh Ed25519 key pair: its 32-byte seed and its raw public key (authorised afterwards)."""
    private = Ed25519PrivateKey.generate()
    return private.private_bytes_raw(), private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def batches_dir(home: Home) -> Path:
    return home.enrolment / "batches"


def store_batch(home: Home, keys: list[EpisodeKey]) -> Path:
    """Write one new batch file (0600) and return its path."""
    if not keys:
        raise ValueError("an empty batch")
    directory = home.ensure(batches_dir(home))
    os.chmod(home.enrolment, 0o700)
    epoch = keys[0].epoch
    path = directory / f"{epoch}-{secrets.token_hex(4)}.json"
    document = {"format": BATCH_FORMAT, "keys": [
        {"public_key": b64(key.public_key), "seed": b64(key.seed),
         "authorisation": key.authorisation.to_json()} for key in keys]}
    atomic_write(path, json.dumps(document, indent=1) + "\n")
    return path


def stored_keys(home: Home) -> list[EpisodeKey]:
    """Every key of every batch, used or not, oldest batch first."""
    directory = batches_dir(home)
    if not directory.is_dir():
        return []
    files = sorted(directory.glob("*.json"), key=lambda path: (path.stat().st_mtime_ns, path.name))
    return [key for path in files for key in _read_batch(path)]


def episode_key(home: Home, key_id: str) -> EpisodeKey | None:
    """The stored per-episode key whose id is `key_id` (used or not), or None."""
    return next((key for key in stored_keys(home) if key.key_id == key_id), None)


def used_keys(home: Home) -> set[bytes]:
    """The public keys in the used-key ledger."""
    try:
        text = (home.enrolment / LEDGER).read_text(encoding="ascii")
    except FileNotFoundError:
        return set()
    return {bytes.fromhex(line) for line in text.split() if len(line) == 64}


def unused_counts(home: Home) -> dict[str, int]:
    """How many unused keys there are for each month."""
    used = used_keys(home)
    counts: dict[str, int] = {}
    for key in stored_keys(home):
        if key.public_key not in used:
            counts[key.epoch] = counts.get(key.epoch, 0) + 1
    return dict(sorted(counts.items()))


def take_key(home: Home, epoch: str) -> EpisodeKey:
    """The next unused key authorised for `epoch`, marked used in the ledger (durably) before it is
    returned; KeyProblem when none is left."""
    ledger = home.enrolment / LEDGER
    home.ensure(home.enrolment)
    with locked(ledger):
        used = used_keys(home)
        key = next((key for key in stored_keys(home)
                    if key.epoch == epoch and key.public_key not in used), None)
        if key is None:
            raise KeyProblem(f"no unused episode key authorised for {epoch} "
                             "(fetch a batch: codetape enroll --refresh)")
        append_used(ledger, [key.public_key])
    return key


def append_used(ledger: Path, keys: Iterable[bytes]) -> None:
    existed = ledger.exists()
    fd = os.open(ledger, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, "".join(f"{key.hex()}\n" for key in keys).encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    if not existed:
        fsync_dir(ledger.parent)


def _read_batch(path: Path) -> list[EpisodeKey]:
    data = read_private(path, _MAX_BATCH_FILE, KeyProblem)
    try:
        return _parse_batch(data)
    except (ValueError, TypeError, RecursionError) as exc:
        raise KeyProblem(f"{path}: damaged episode key batch ({exc})") from None


def read_batch_text(text: str) -> list[EpisodeKey]:
    """The keys of a batch file's text (from a backup); KeyProblem when it is damaged."""
    try:
        return _parse_batch(text.encode("utf-8"))
    except (ValueError, TypeError, RecursionError) as exc:
        raise KeyProblem(f"damaged episode key batch in the backup ({exc})") from None


def _parse_batch(data: bytes) -> list[EpisodeKey]:
    document = json.loads(data) if len(data) <= _MAX_BATCH_FILE else None
    if not isinstance(document, dict) or document.get("format") != BATCH_FORMAT:
        raise ValueError(f"not a {BATCH_FORMAT} file")
    return [_key(entry) for entry in document.get("keys", [])]


def _key(entry: object) -> EpisodeKey:
    if not isinstance(entry, dict):
        raise ValueError("a key entry is not an object")
    public, seed = unb64(entry.get("public_key"), "public_key"), unb64(entry.get("seed"), "seed")
    if len(public) != 32 or len(seed) != 32:
        raise ValueError("a key is not 32 bytes")
    key = EpisodeKey(public, seed, Authorisation.from_json(entry.get("authorisation")))
    if key.private().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw) != public:
        raise ValueError("a private key does not match its public key")
    return key

