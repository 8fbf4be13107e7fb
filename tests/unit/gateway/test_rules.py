"""What an opened request may do: the three writes as the client sends them, the record, and every near
miss refused (`None`), whatever it gets wrong."""

from __future__ import annotations

import base64
import hashlib

import pytest

from collector.gateway.rules import ReadRecord, Write, decide
from collector.ohttp import bhttp
from collector.ohttp.limits import MAX_OBJECT

EPISODE = b"an episode's bytes"
SHA = hashlib.sha256(EPISODE).hexdigest()
OTHER = hashlib.sha256(b"another episode").hexdigest()


def checksum(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def put(path: str, data: bytes, *, if_none_match: bool = True, check: str | None = None) -> bhttp.Request:
    headers = [("x-amz-checksum-sha256", checksum(data) if check is None else check)]
    if if_none_match:
        headers.append(("If-None-Match", "*"))
    return bhttp.Request("PUT", "https", "gateway", path, tuple(headers), data)


def test_the_three_writes_and_the_record() -> None:
    episode = decide(put(f"/episodes/{SHA}.ctape", EPISODE))
    assert isinstance(episode, Write) and episode.key == f"episodes/{SHA}.ctape" and not episode.replace
    manifest = decide(put(f"/episodes/{OTHER}.json", b"{}"))
    assert isinstance(manifest, Write) and manifest.content_type == "application/json"
    record = decide(put(f"/episodes/{OTHER}.revocation.json", b"{}", if_none_match=False))
    assert isinstance(record, Write) and record.replace
    assert decide(bhttp.Request("GET", "https", "gateway", "/issuer/record")) == ReadRecord()


@pytest.mark.parametrize("request_", [
    bhttp.Request("GET", "https", "gateway", f"/episodes/{SHA}.ctape"),  # a read
    bhttp.Request("GET", "https", "gateway", "/episodes/"),  # a list
    bhttp.Request("HEAD", "https", "gateway", f"/episodes/{SHA}.ctape"),
    bhttp.Request("DELETE", "https", "gateway", f"/episodes/{SHA}.ctape"),
    bhttp.Request("GET", "https", "gateway", "/issuer/record", (), b"x"),
    put(f"/elsewhere/{SHA}.ctape", EPISODE),  # outside the episodes
    put(f"/episodes/../{SHA}.ctape", EPISODE),
    put(f"/episodes/{SHA}.ctape/x", EPISODE),
    put(f"/episodes/{SHA.upper()}.ctape", EPISODE),
    put(f"/episodes/{SHA}.txt", EPISODE),
    put(f"/episodes/{OTHER}.ctape", EPISODE),  # an episode that is not what its name says
    put(f"/episodes/{SHA}.ctape", EPISODE, if_none_match=False),  # would replace an episode
    put(f"/episodes/{OTHER}.json", b"{}", if_none_match=False),
    put(f"/episodes/{OTHER}.revocation.json", b"{}"),  # a record must replace any there
    put(f"/episodes/{SHA}.ctape", EPISODE, check=checksum(b"else")),  # the checksum of other bytes
    put(f"/episodes/{SHA}.ctape", EPISODE, check="not base64!"),
    bhttp.Request("PUT", "https", "gateway", f"/episodes/{SHA}.ctape", (("if-none-match", "*"),), EPISODE),
])
def test_anything_else_is_refused(request_: bhttp.Request) -> None:
    assert decide(request_) is None


def test_an_object_above_the_cap_is_refused() -> None:
    big = bytes(MAX_OBJECT + 1)
    assert decide(put(f"/episodes/{hashlib.sha256(big).hexdigest()}.ctape", big)) is None
