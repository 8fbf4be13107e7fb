"""What a request the gateway opened may do, decided from its text alone (no store, no clock).

A write: `PUT /episodes/<sha256>.ctape`, `.json` or `.revocation.json`, the whole object in the request
(at most MAX_OBJECT bytes), its SHA-256 in `x-amz-checksum-sha256` (base64, checked here and passed to
the store, which checks it again), `If-None-Match: *` for an episode and its manifest and never for a
revocation record (a record replaces any found there). An episode's bytes must hash to its name. A read:
`GET /issuer/record`, nothing else. Every other request is `None`: refused, and the answer does not say why.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from collector.ohttp import bhttp
from collector.ohttp.limits import MAX_OBJECT
from collector.upload.destinations import EPISODE_TYPE
from collector.upload.relay import PATH_RECORD

KEY_RE = re.compile(r"/(episodes/([0-9a-f]{64})\.(ctape|json|revocation\.json))")
TYPES = {"ctape": EPISODE_TYPE, "json": "application/json",
         "revocation.json": "application/json"}


@dataclass(frozen=True)
class Write:
    key: str  # below the gateway's prefix: episodes/<sha256>.<kind>
    data: bytes
    checksum: str
    replace: bool
    content_type: str


@dataclass(frozen=True)
class ReadRecord:
    """The issuer's members record, as the gateway keeps a copy."""


def decide(request: bhttp.Request) -> Write | ReadRecord | None:
    if request.method == "GET" and request.path == PATH_RECORD and not request.content:
        return ReadRecord()
    if request.method != "PUT" or len(request.content) > MAX_OBJECT:
        return None
    match = KEY_RE.fullmatch(request.path)
    checksum = request.header("x-amz-checksum-sha256")
    if match is None or checksum is None:
        return None
    key, name, kind = match.groups()
    digest = hashlib.sha256(request.content).digest()
    try:
        if base64.b64decode(checksum, validate=True) != digest:
            return None
    except (binascii.Error, ValueError):
        return None
    replace = kind == "revocation.json"
    if (request.header("if-none-match") == "*") == replace:
        return None
    if kind == "ctape" and digest.hex() != name:
        return None
    return Write(key, request.content, checksum, replace, TYPES[kind])
