"""The maintained engine: Kingfisher's rule set, hundreds of provider formats found in one pass.

Kingfisher (`kingfisher-secret-scanner`, MongoDB, Apache-2.0) compiles its rules (the Betterleaks /
gitleaks rule set plus its own) into one Vectorscan database; a text is scanned in one pass in native
code, without the network. Chosen by measurement over Betterleaks and detect-secrets: `bench/README.md`,
"Redaction engines".

Its findings become codetape `Finding`s named after its rule (`betterleaks.github-pat` -> `github-pat`),
with two adjustments so they feed the same placeholders as codetape's own rules: offsets are character
offsets of the text (Kingfisher counts UTF-8 bytes), and a private key is its body only (codetape keeps
the BEGIN and END lines readable, as its own `private-key` rule does).

The rules are compiled once per process (about 12 s the first time on a machine, then read from
Kingfisher's cache in its user cache directory in under a second). Base64 decoding is off: it reports the
whole encoded blob, and base64 test fixtures are not secrets.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from collector.errors import CodetapeError

PACKAGE = "kingfisher-secret-scanner"
_PREFIXES = ("betterleaks.", "kingfisher.", "veles.secrets/", "custom.")
_BAD = re.compile(r"[^a-z0-9_.-]+")
_NL = r"(?:\\r\\n|\\n|\r?\n)?"  # a line break, or one written as an escape in a string literal
_PEM = re.compile(r"-----BEGIN[A-Z0-9 ]*-----" + _NL + r"(.*?)" + _NL + r"-----END[A-Z0-9 ]*-----", re.DOTALL)


@dataclass(frozen=True)
class Hit:
    """One engine finding: `text[start:end]` is the secret, found by rule `rule` (codetape's naming)."""

    rule: str
    start: int
    end: int


def rule_name(engine_id: str) -> str:
    """Kingfisher's rule id as a codetape rule id (a placeholder's RULE)."""
    name = engine_id
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    name = _BAD.sub("-", name.lower()).strip("-._") or "engine"
    return name[:64]


class Engine:
    """One compiled Kingfisher database and a scanner over it."""

    def __init__(self, scanner: Any, names: Sequence[str], version: str) -> None:
        self._scan = scanner.scan
        self.rules: frozenset[str] = frozenset(names)
        self.version = version

    def scan(self, text: str) -> list[Hit]:
        """Every secret the engine finds in `text` (overlapping findings too: the caller resolves)."""
        if not text:
            return []
        data = text.encode("utf-8", "surrogatepass")
        found = self._scan(data)
        if not found:
            return []
        ascii_only = len(data) == len(text)
        spans: list[tuple[int, int, str]] = []
        for finding in found:
            location = finding.location
            spans.append((location["start_offset"], location["end_offset"], finding.rule_id))
        if not ascii_only:
            spans = _to_chars(data, spans)
        hits: list[Hit] = []
        for start, end, engine_id in spans:
            if end <= start:
                continue
            if text.startswith("-----BEGIN", start):
                start, end = _pem_body(text, start, end)
                if end <= start:
                    continue
            hits.append(Hit(rule_name(engine_id), start, end))
        return hits


def _to_chars(data: bytes, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Byte offsets into `data` as character offsets into the text it encodes."""
    offsets = sorted({b for start, end, _ in spans for b in (start, end)})
    chars: dict[int, int] = {}
    last_b = last_c = 0
    for b in offsets:
        last_c += len(data[last_b:b].decode("utf-8", "surrogatepass" if _whole(data, b) else "replace"))
        chars[b] = last_c
        last_b = b
    return [(chars[start], chars[end], rule) for start, end, rule in spans]


def _whole(data: bytes, at: int) -> bool:
    """`at` is at a character boundary (not a UTF-8 continuation byte)."""
    return at >= len(data) or data[at] & 0xC0 != 0x80


def _pem_body(text: str, start: int, end: int) -> tuple[int, int]:
    """The body of an armoured block found at `[start, end)`, without its BEGIN and END lines."""
    match = _PEM.match(text, start, end)
    if match is None:
        return start, end
    return match.span(1)


@functools.cache
def load() -> Engine:
    """The engine of this process, compiled (or read from Kingfisher's cache) on first use."""
    try:
        import kingfisher_sdk
    except ImportError as exc:
        raise CodetapeError(f"codetape: secret redaction needs {PACKAGE}, which cannot be imported ({exc}); "
                            f"reinstall codetape (pip install --force-reinstall codetape)") from None
    try:
        rules = kingfisher_sdk.Rules(builtins=True, confidence="low")
        scanner = kingfisher_sdk.Scanner(rules, base64=False)
    except (OSError, RuntimeError, ValueError) as exc:
        raise CodetapeError(f"codetape: the {PACKAGE} rules cannot be loaded: {exc}") from None
    names = [rule_name(str(meta["id"])) for meta in rules.metadata()]
    return Engine(scanner, names, f"kingfisher-{kingfisher_sdk.__version__}")
