"""What unlinkable signing remembers of this home's earlier episodes, as SHA-256 digests in a file beside
the enrolment that never leaves the machine: the unpushed lines they held (review/continued.py), the tags
they saw made (local_tags.py). One digest a line, sorted."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from collector.atomic import atomic_write
from collector.home import Home


def digest(text: str) -> str:
    """The SHA-256 of `text`'s UTF-8 bytes, in hex."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def read_ledger(home: Home, name: str) -> set[str]:
    """The digests the ledger `name` holds (none when it is missing or unreadable)."""
    try:
        return set((home.enrolment / name).read_text(encoding="ascii").split())
    except (OSError, UnicodeDecodeError):
        return set()


def write_ledger(home: Home, name: str, digests: Iterable[str]) -> None:
    """The ledger `name` replaced by `digests` (atomically)."""
    atomic_write(home.ensure(home.enrolment) / name, "".join(f"{value}\n" for value in sorted(set(digests))))
