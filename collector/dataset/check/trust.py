"""`--trust KEYS`: the signers whose episodes a build accepts.

KEYS is a file or the keys themselves separated by commas. A key is its base64 Ed25519 public key or its
16-hex-digit id (the first 16 hex digits of the key's SHA-256). The file takes what contributors hand
over, as many as there are, with `#` starting a comment: what `codetape keys show` prints (its `key id`
and `public key` lines, which must agree; the other lines are skipped), a line of `codetape keys show
--json`, the `ed25519.pub` file (one key a line), or bare keys and key ids, one a line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from collector.consent.keys import decode_public, key_id
from collector.errors import UsageError
from schemas.consent import ConsentReviewer

_KEY_ID = re.compile(r"^[0-9a-f]{16}$")
_LABELLED = re.compile(r"^(key id|public key|algorithm|passphrase|file)(?:\s+(.*))?$")  # `keys show`
MAX_TRUST_FILE = 16 * 1024 * 1024
HINT = ("give what `codetape keys show` prints, the base64 public key or its 16-hex-digit key id, one a "
        "line")


@dataclass(frozen=True)
class Trust:
    """Accepted signers, by public key (base64) or by key id."""

    keys: frozenset[str]

    def admits(self, reviewer: ConsentReviewer) -> bool:
        return reviewer.public_key in self.keys or reviewer.key_id in self.keys

    def describe(self) -> list[str]:
        return sorted(self.keys)


def parse_trusts(texts: Sequence[str]) -> Trust:
    """The keys every `--trust KEYS` names, together (each given adds its keys)."""
    return Trust(frozenset().union(*(parse_trust(text).keys for text in texts)))


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
        keys = _file_keys(content, str(path))
        where = str(path)
    else:
        keys = {_key(part.strip(), "--trust") for part in text.split(",") if part.strip()}
        where = "--trust"
    if not keys:
        raise UsageError(f"{where} names no key; {HINT}")
    return Trust(frozenset(keys))


def _file_keys(content: str, where: str) -> set[str]:
    """The keys of a trust file; a `key id` line is dropped when the `public key` line after it is its key."""
    keys: set[str] = set()
    pending: tuple[str, str] | None = None  # a `key id` line not yet paired with a `public key` line
    for number, raw in enumerate(content.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        at = f"{where}:{number}"
        if not line:
            continue
        if line.startswith("{"):
            keys.add(_json_key(line, at))
            continue
        labelled = _LABELLED.match(line)
        if labelled is None:
            keys.add(_key(line, at))
            continue
        label, value = labelled.group(1), (labelled.group(2) or "").strip()
        if label == "key id":
            if pending is not None:
                keys.add(pending[0])
            pending = (_key_id(value, at), at)
        elif label == "public key":
            public = _key(value, at)
            if pending is not None and pending[0] != key_id(decode_public(public)):
                raise UsageError(f"{pending[1]}: key id {pending[0]} is not the id of the public key on "
                                 f"line {number}; copy what `codetape keys show` prints again")
            keys.add(public)
            pending = None
        elif label == "algorithm" and value != "ed25519":
            raise UsageError(f"{at}: algorithm {value!r}: codetape keys are ed25519")
    if pending is not None:
        keys.add(pending[0])
    return keys


def _json_key(line: str, at: str) -> str:
    """The public key of a `codetape keys show --json` line (its key_id, when given, must be that key's)."""
    try:
        shown = json.loads(line)
    except ValueError:
        shown = None
    if not isinstance(shown, dict) or not isinstance(shown.get("public_key"), str):
        raise UsageError(f"{at}: not a line of `codetape keys show --json` (an object with public_key)")
    public = _key(shown["public_key"], at)
    if shown.get("key_id") not in (None, key_id(decode_public(public))):
        raise UsageError(f"{at}: key_id {shown.get('key_id')} is not the id of its public_key")
    return public


def _key_id(entry: str, at: str) -> str:
    if not _KEY_ID.match(entry):
        raise UsageError(f"{at}: {_shown(entry)} is not a key id (16 hex digits); {HINT}")
    return entry


def _key(entry: str, where: str) -> str:
    if _KEY_ID.match(entry):
        return entry
    try:
        decode_public(entry)
    except ValueError as exc:
        raise UsageError(f"{where}: {_shown(entry)} is not a file, a public key ({exc}) or a key id; "
                         f"{HINT}") from None
    return entry


def _shown(entry: str) -> str:
    return entry if len(entry) <= 60 and entry.isprintable() else repr(entry[:60])
