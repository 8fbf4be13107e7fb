"""Credentials and base64: basic auth written out in code to be encoded, and credentials already encoded.

Written out: code that builds an `Authorization: Basic ...` header itself encodes a literal
`user:password` string: `btoa("api:...")`, `base64.b64encode(b"user:...")`, `Buffer.from("...:")`,
`base64_encode('user:...')`, `Base64.strict_encode64("...")`,
`Convert.ToBase64String(Encoding.UTF8.GetBytes("..."))`, `base64.StdEncoding.EncodeToString([]byte("..."))`.
The password is the secret (a password's or a token's test), or, when the password is empty (`"KEY:"`),
the user: an API key sent as the user name, then a machine-made token (the rule `ENCODED_AUTH`).

Encoded: a run of base64 (`encoded_runs`: 16 characters to 64 KiB of the standard alphabet, on one line
or wrapped at 64 or 76 columns as `base64` and PEM write it) that decodes to UTF-8 text: a Kubernetes
Secret's `data` (`.dockerconfigjson`, a whole `.env`), `echo ... | base64 -d`, a header's value, the value
of an assignment whatever its name (`ENV_FILE_B64=...`, `--data=...`; a run after any other `=` is a piece
of a longer token). The
scanner (`scanner.py`) scans the decoded text with the same rules, and when it holds a secret, or is
itself basic auth's `user:password` (`basic_credentials`, the same test as the written-out password:
a Docker config's `auth`), the whole run is the secret (rule `base64-secret`): a part of an encoding
hides nothing.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterator

from collector.redact.rules.keywords import value
from collector.redact.rules.rule import Rule, compile_verbose
from collector.redact.rules.values import machine_made, password_like, token_like

DECODED = "base64-secret"  # the rule id of a base64 run whose decoded text holds a secret
MIN_RUN = 16  # characters of base64: 12 bytes, the shortest `user:password` worth decoding
MAX_RUN = 64 * 1024
WRAPS = (64, 76)  # the widths `base64`, PEM and MIME wrap lines at
PRINTABLE_SHARE = 0.95
NAME_CAP = 64  # characters of the name an assigned run may follow (`_assigned`)

_CALLS = r"(?i:btoa|b64encode|base64_encode|encode64|strict_encode64|encodetostring|getbytes|buffer\.from)"
_LINE = re.compile(r"\r?\n([ \t]*)([A-Za-z0-9+/]+={0,2})(?![A-Za-z0-9+/=_\-])")
_BASIC = re.compile(r"(?P<u>[\w.@+~\-]{1,128}):(?:(?P<v>\S{1,512})|(?P<v2>))")


def _credential(match: re.Match[str]) -> bool:
    """The password by a password's or a token's test; a user with no password, machine-made."""
    found = value(match)
    if match.group("v") is not None:
        return password_like(found, quoted=True) or token_like(found, quoted=True)
    return token_like(found, quoted=True) and machine_made(found)


ENCODED_AUTH: tuple[Rule, ...] = (
    Rule("basic-auth", compile_verbose(_CALLS + r"""\([ \t]*(?:\[\]byte\()?[bBuU]?(?P<q>["'`])
         (?:[^"'`:\s]{1,128}:(?P<v>[^"'`\s]{1,512})|(?P<v2>[^"'`:\s]{16,512}):)(?P=q)"""),
         ("btoa", "b64encode", "base64_encode", "encode64", "encodetostring", "getbytes", "buffer.from"),
         fold=True, priority=2, token=True, check=_credential,
         prefilter=_CALLS + r"\([ \t]*(?:\[\]byte\()?[bBuU]?[\"'`][^\"'`:\s]+:"),
)


def _table() -> bytes:
    """Each byte of a text's Latin-1 form (`encoded_runs`) as its class: base64's alphabet `a`, anything
    else a space."""
    table = bytearray(b" " * 256)
    for byte in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/":
        table[byte] = ord("a")
    return bytes(table)


_CLASSES = _table()
_SHORTEST = b"a" * MIN_RUN
_TOKEN = frozenset("_-=")  # a token's characters that are not base64's alphabet: no run begins or ends so
# the characters base64 of text can begin with: its first byte printable ASCII, a tab or a line break
# (6-bit values 2, 3, 8-31), or a UTF-8 sequence's first byte (48-61)
_FIRST = frozenset("CDIJKLMNOPQRSTUVWXYZabcdefwxyz0123456789")
_PADS = ("", "", "==", "=")  # padding for a run of so many characters past a multiple of 4
_WHITE = str.maketrans("", "", "\t\r\n")
# a name that an assignment's `=` follows: at the start of a word, a letter, `_` or an option's `-` first
_NAME_END = re.compile(r"(?<![\w.\-+/=])[A-Za-z_\-][\w.\-]*\Z")
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # control characters


def encoded_runs(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, decoded text) of every base64 run of `text` that decodes to text: valid UTF-8, nearly
    all of it printable. A run that fills a line at a wrapping width goes on over the lines below it at the
    same indentation.

    Runs are found in native code, the text's characters mapped to classes (`_CLASSES`, one byte per
    character: its Latin-1 form, `?` for any other) and searched for `MIN_RUN` letters of the alphabet
    in a row: a regular expression over every character would cost as much as the rest of the scan."""
    classes = text.encode("ascii" if text.isascii() else "latin-1", "replace").translate(_CLASSES)
    at, size = 0, len(classes)
    while (found := classes.find(_SHORTEST, at)) >= 0:
        at = end = classes.find(b" ", found + MIN_RUN) % (size + 1)  # -1 (to the end): size
        if end < size and text[end] == "=":  # padding
            end += 2 if text.startswith("==", end) else 1
            at = end
        if ((found and text[found - 1] in _TOKEN and not _assigned(text, found))
                or (end < size and (text[end] in _TOKEN or classes[end] == 0x61))):
            continue  # a piece of a token base64 has no letter for, or a run padded mid-way
        start = found
        if text[start] not in _FIRST:
            if text[start - 1:start] != "\\" or text[start] not in "nrt":
                continue  # no text's encoding begins so (a name: `AbstractBaseClass`, `getDefaultValue`)
            start += 1  # after an escaped line break
        if end - start > MAX_RUN:
            continue
        pieces = [text[start:end]]
        if len(pieces[0]) in WRAPS and _fills_line(text, start, end):
            end = _wrapped(text, end, len(pieces[0]), pieces)
            at = max(at, end)
        decoded = decode("".join(pieces))
        if decoded is not None:
            yield start, end, decoded


def _assigned(text: str, start: int) -> bool:
    """The run at `start` is the value of `NAME=` (`ENV_FILE_B64=...`, `export CONFIG=...`, `--data=...`,
    `?payload=...`): a name of up to `NAME_CAP` characters, beginning a word, just before it."""
    if text[start - 1] != "=":
        return False
    return _NAME_END.search(text, max(0, start - 1 - NAME_CAP), start - 1) is not None


def _fills_line(text: str, start: int, end: int) -> bool:
    """Nothing but indentation before the run on its line, nothing after it."""
    line = text.rfind("\n", 0, start) + 1
    return not text[line:start].strip(" \t") and text.startswith(("\n", "\r\n"), end)


def _wrapped(text: str, end: int, width: int, pieces: list[str]) -> int:
    """The end of a run wrapped at `width` over the lines after `end` (each line's run added to `pieces`):
    lines of that width at the same indentation, up to the first shorter one."""
    indent = text[text.rfind("\n", 0, end - width) + 1:end - width]
    total = width
    while total <= MAX_RUN and (line := _LINE.match(text, end)) is not None and line.group(1) == indent:
        piece = line.group(2)
        if len(piece) > width or (len(piece) < width and not text.startswith(("\n", "\r\n"), line.end())
                                  and line.end() != len(text)):
            break
        pieces.append(piece)
        end, total = line.end(), total + len(piece)
        if len(piece) < width or piece.endswith("="):
            break
    return end


def decode(encoded: str) -> str | None:
    """The text `encoded` (standard base64, padding optional) stands for, or None: not base64, not UTF-8,
    or not text (fewer than `PRINTABLE_SHARE` of its characters printable or white space)."""
    if len(encoded) % 4 == 1:
        return None
    try:
        decoded = binascii.a2b_base64(encoded + _PADS[len(encoded) % 4], strict_mode=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    if not decoded or decoded.translate(_WHITE).isprintable():
        return decoded or None
    return decoded if len(_UNPRINTABLE.findall(decoded)) <= (1 - PRINTABLE_SHARE) * len(decoded) else None


def basic_credentials(decoded: str) -> bool:
    """`decoded` is basic auth's `user:password` (a Docker config's `auth`): the password passes a
    password's or a token's test, or a machine-made user has no password."""
    match = _BASIC.fullmatch(decoded.strip())
    if match is None:
        return False
    if not match.group("v"):
        user = match.group("u")
        return token_like(user, quoted=True) and machine_made(user)
    return _credential(match)
