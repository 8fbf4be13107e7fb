"""The issuer's database (SQLite, 0600): who may contribute and how many authorisations each took a month.

    members    (id, name, quota, secret_sha256, credential_sha256, added_on, enrolled_on)
    authorised (member_id, epoch, count)

A one-time enrolment secret and a member credential are each 32 random bytes, stored only as their
SHA-256 (a brute force of 256 random bits is out of reach, so no slow hash is needed). Enrolment clears
the secret's hash in the same transaction that stores the credential's, so a secret works once. The
quota check and the count's increase are one write transaction: a request beyond the month's quota is
refused whole and counts nothing. No table holds a key, an authorisation or a blinded message.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from collector.issuer.errors import IssuerError, Refused

DEFAULT_QUOTA = 100
SCHEMA = """
CREATE TABLE IF NOT EXISTS members (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    quota INTEGER NOT NULL CHECK (quota >= 0),
    secret_sha256 TEXT UNIQUE,
    credential_sha256 TEXT UNIQUE,
    added_on TEXT NOT NULL,
    enrolled_on TEXT
);
CREATE TABLE IF NOT EXISTS authorised (
    member_id INTEGER NOT NULL REFERENCES members(id),
    epoch TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (member_id, epoch)
);
"""


@dataclass(frozen=True)
class Member:
    id: int
    name: str
    quota: int


@contextlib.contextmanager
def open_db(path: Path) -> Iterator[sqlite3.Connection]:
    """The database at `path` (made 0600 with its tables if missing), closed when the block ends;
    autocommit, transactions explicit."""
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        db.executescript(SCHEMA)
        yield db
    finally:
        db.close()


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """32 random bytes, URL-safe, never starting with `-` (a secret given as `--secret -Hk8...` would read as
    an option: one in 64 did)."""
    return "ct" + secrets.token_urlsafe(32)


def add_member(db: sqlite3.Connection, name: str, quota: int, today: str) -> str:
    """Add `name` with a monthly quota; its one-time enrolment secret (returned once, stored hashed)."""
    if not name.strip() or quota < 0:
        raise IssuerError("a member needs a name and a quota of 0 or more")
    secret = new_token()
    try:
        db.execute("INSERT INTO members (name, quota, secret_sha256, added_on) VALUES (?, ?, ?, ?)",
                   (name, quota, digest(secret), today))
    except sqlite3.IntegrityError:
        raise IssuerError(f"there is already a member named {name!r}") from None
    return secret


def enrol(db: sqlite3.Connection, secret: str, today: str) -> tuple[Member, str]:
    """Trade a one-time secret for a member credential (returned once, stored hashed)."""
    credential = new_token()
    with _write(db):
        row = db.execute("SELECT id, name, quota FROM members WHERE secret_sha256 = ?",
                         (digest(secret),)).fetchone()
        if row is None:
            raise Refused("this enrolment secret is unknown or was used already", 403)
        db.execute("UPDATE members SET secret_sha256 = NULL, credential_sha256 = ?, enrolled_on = ? "
                   "WHERE id = ?", (digest(credential), today, row[0]))
    return Member(*row), credential


def member_of(db: sqlite3.Connection, credential: str) -> Member:
    row = db.execute("SELECT id, name, quota FROM members WHERE credential_sha256 = ?",
                     (digest(credential),)).fetchone()
    if row is None:
        raise Refused("unknown member credential (enrol again with a new secret)", 401)
    return Member(*row)


def reserve(db: sqlite3.Connection, member: Member, epoch: str, count: int) -> int:
    """Count `count` more authorisations for `member` in `epoch`, all or none; the new total."""
    with _write(db):
        row = db.execute("SELECT count FROM authorised WHERE member_id = ? AND epoch = ?",
                         (member.id, epoch)).fetchone()
        taken = row[0] if row is not None else 0
        if taken + count > member.quota:
            raise Refused(f"quota: {member.name} may take {member.quota - taken} more of {member.quota} "
                          f"authorisations for {epoch}, asked for {count}; none was signed", 429)
        db.execute("INSERT INTO authorised (member_id, epoch, count) VALUES (?, ?, ?) "
                   "ON CONFLICT (member_id, epoch) DO UPDATE SET count = count + excluded.count",
                   (member.id, epoch, count))
    return taken + count


@dataclass(frozen=True)
class Listed:
    name: str
    quota: int
    enrolled: bool
    authorised: dict[str, int]


def list_members(db: sqlite3.Connection) -> list[Listed]:
    """Every member, whether they enrolled, and how many authorisations they took each month."""
    taken: dict[int, dict[str, int]] = {}
    for member_id, epoch, count in db.execute("SELECT member_id, epoch, count FROM authorised "
                                              "ORDER BY epoch"):
        taken.setdefault(member_id, {})[epoch] = count
    rows = db.execute("SELECT id, name, quota, credential_sha256 IS NOT NULL FROM members ORDER BY name")
    return [Listed(name, quota, bool(enrolled), taken.get(member_id, {}))
            for member_id, name, quota, enrolled in rows]


def members_per_epoch(db: sqlite3.Connection) -> dict[str, int]:
    """How many members took at least one authorisation in each month."""
    rows = db.execute("SELECT epoch, COUNT(DISTINCT member_id) FROM authorised WHERE count > 0 "
                      "GROUP BY epoch")
    return {epoch: count for epoch, count in rows}


class _write:
    """One write transaction (BEGIN IMMEDIATE): committed when the block ends, rolled back on an error."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
