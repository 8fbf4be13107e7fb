"""`--trust KEYS`: the signers whose episodes a build accepts.

KEYS is a file with one key per line (`#` starts a comment), as contributors hand over the
`ed25519.pub` that `codetape keys show` prints, or the keys themselves separated by commas. A key is its
base64 Ed25519 public key or its 16-hex-digit id (the first 16 hex digits of the key's SHA-256).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from collector.consent.keys import decode_public
from collector.errors import UsageError
from schemas.consent import ConsentReviewer

_KEY_ID = re.compile(r"^[0-9a-f]{16}$")
MAX_TRUST_FILE = 16 * 1024 * 1024


@dataclass(frozen=True)
class Trust:
    """Accepted signers, by public key (base64) or by key id."""

    keys: frozenset[str]

    def admits(self, reviewer: ConsentReviewer) -> bool:
        return reviewer.public_key in self.keys or reviewer.key_id in self.keys

    def describe(self) -> list[str]:
        return sorted(self.keys)


def parse_trust(text: str) -> Trust:
    """The keys KEYS names (a file, else a comma-separated list); UsageError naming a bad one."""
    path = Path(text)
    if path.is_file():
        try:
            with open(path, encoding="utf-8") as handle:
                content = handle.read(MAX_TRUST_FILE + 1)
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"--trust: cannot read {path}: {exc}") from None
        if len(content) > MAX_TRUST_FILE:
            raise UsageError(f"--trust: {path} is larger than {MAX_TRUST_FILE >> 20} MiB")
        entries = [line.split("#", 1)[0].strip() for line in content.splitlines()]
        where = str(path)
    else:
        entries = [part.strip() for part in text.split(",")]
        where = "--trust"
    keys = frozenset(_key(entry, where) for entry in entries if entry)
    if not keys:
        raise UsageError(f"{where} names no key (one base64 public key or 16-hex-digit key id per line)")
    return Trust(keys)


def _key(entry: str, where: str) -> str:
    if _KEY_ID.match(entry):
        return entry
    try:
        decode_public(entry)
    except ValueError as exc:
        shown = entry if len(entry) <= 60 and entry.isprintable() else repr(entry[:60])
        raise UsageError(f"{where}: {shown} is not a file, a public key ({exc}) or a key id; give a file of "
                         "keys, the base64 key `codetape keys show` prints, or its 16-hex-digit id") from None
    return entry
