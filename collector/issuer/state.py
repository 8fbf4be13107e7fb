"""The issuer's folder (0700; every file 0600), by default CODETAPE_HOME/issuer:

    issuer.json      its name and format
    identity.key     the Ed25519 identity key (PKCS#8 PEM) that signs the public record
    months/EPOCH.key one RSA key per month (PKCS#8 PEM, 3072 bits): the epoch's blind-signing key
    issuer.sqlite3   members, hashed secrets and credentials, authorisations counted per member and month
    issuer.log       what the server did: enrolments, how many authorisations for whom, refusals

The keys are protected by the folder's permissions only. Nothing here is a member's per-episode key, an
authorisation or a blinded message: the server signs and forgets them.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from collector.atomic import atomic_write
from collector.consent import blindrsa
from collector.consent.authorisation import check_epoch, issuer_id, next_epoch, sign_record
from collector.issuer.errors import IssuerError
from collector.issuer.members import members_per_epoch, open_db

STATE_FORMAT = "codetape-issuer-state/v1"
RSA_BITS = 3072


def epoch_of(now: datetime) -> str:
    """The month (epoch) a UTC time falls in."""
    return f"{now.year:04d}-{now.month:02d}"


def signing_epochs(now: datetime) -> tuple[str, str]:
    """The months the issuer signs for at `now`: this one and the next (for batches fetched ahead)."""
    current = epoch_of(now)
    return current, next_epoch(current)


@dataclass
class IssuerState:
    """An issuer's folder, its keys loaded as needed; safe to share between the server's threads."""

    root: Path
    name: str
    identity: ed25519.Ed25519PrivateKey
    _months: dict[str, blindrsa.PrivateKey] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def issuer(self) -> str:
        return issuer_id(self.identity.public_key().public_bytes_raw())

    @property
    def database(self) -> Path:
        return self.root / "issuer.sqlite3"

    @property
    def log(self) -> Path:
        return self.root / "issuer.log"

    def month_key(self, epoch: str, *, create: bool = False) -> blindrsa.PrivateKey | None:
        """The month's signing key; made (and kept) when `create` and there is none yet."""
        with self._lock:
            key = self._months.get(epoch)
            if key is not None:
                return key
            path = self.root / "months" / f"{check_epoch(epoch)}.key"
            if path.exists():
                key = blindrsa.PrivateKey.from_cryptography(_load_rsa(path))
            elif create:
                key = blindrsa.PrivateKey.generate(RSA_BITS)
                atomic_write(path, key.to_cryptography().private_bytes(
                    Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
            else:
                return None
            self._months[epoch] = key
            return key

    def ensure_months(self, now: datetime) -> tuple[str, str]:
        """Make sure this month's and the next month's keys exist; the two months."""
        epochs = signing_epochs(now)
        for epoch in epochs:
            self.month_key(epoch, create=True)
        return epochs

    def epochs(self) -> list[str]:
        """Every month the issuer has a key for, oldest first."""
        return sorted(path.stem for path in (self.root / "months").glob("*.key"))

    def record(self, now: datetime) -> bytes:
        """The public record: each month's public key and how many members took authorisations under it,
        signed by the identity key."""
        with open_db(self.database) as db:
            counts = members_per_epoch(db)
        months: dict[str, tuple[blindrsa.PublicKey, int]] = {}
        for epoch in self.epochs():
            key = self.month_key(epoch)
            if key is not None:
                months[epoch] = (key.public, counts.get(epoch, 0))
        return sign_record(self.identity, self.name, now.isoformat(timespec="seconds"), months)


def init_issuer(root: Path, name: str, now: datetime) -> IssuerState:
    """Make a new issuer in `root`: identity key, this and next month's keys, the database."""
    if (root / "identity.key").exists():
        raise IssuerError(f"{root} already holds an issuer (codetape issuer export -o ISSUER.pub shows it)")
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(root, 0o700)
    (root / "months").mkdir(exist_ok=True, mode=0o700)
    identity = ed25519.Ed25519PrivateKey.generate()
    atomic_write(root / "issuer.json", json.dumps({"format": STATE_FORMAT, "name": name}) + "\n")
    pem = identity.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    atomic_write(root / "identity.key", pem)
    state = IssuerState(root, name, identity)
    state.ensure_months(now)
    with open_db(state.database):
        pass
    return state


def load_issuer(root: Path) -> IssuerState:
    """The issuer in `root`; IssuerError when there is none or it is damaged."""
    try:
        document = json.loads((root / "issuer.json").read_text(encoding="utf-8"))
        identity = load_pem_private_key((root / "identity.key").read_bytes(), password=None)
    except FileNotFoundError:
        raise IssuerError(f"no issuer in {root} (make one: codetape issuer init {root})") from None
    except (OSError, ValueError) as exc:
        raise IssuerError(f"{root}: the issuer's files are damaged ({exc})") from None
    if (not isinstance(document, dict) or document.get("format") != STATE_FORMAT
            or not isinstance(identity, ed25519.Ed25519PrivateKey)):
        raise IssuerError(f"{root}: not a codetape issuer folder ({STATE_FORMAT})")
    return IssuerState(root, str(document.get("name", "")), identity)


def _load_rsa(path: Path) -> rsa.RSAPrivateKey:
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise IssuerError(f"{path}: cannot load the month's key ({exc})") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise IssuerError(f"{path} is not an RSA key")
    return key
