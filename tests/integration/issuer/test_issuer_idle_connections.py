"""Idle and half-sent connections do not lock members out of the issuer (issue 53, item 3).

Anyone who can reach the issuer can open connections without a credential. A real `codetape issuer
serve`, started with a soft limit of 200 open files (its hard limit higher, as a systemd unit's 1,024
against the kernel's), holds MAX_CONNECTIONS + 100 connections that sent half a request; a member's `GET
/v1/record` is answered within READ_TIMEOUT_S + 1 s. Before, the 200th connection took the last file
the server could open and the member got no answer."""

from __future__ import annotations

import json
import socket
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from collector.consent.enrol import PATH_AUTHORISE, PATH_RECORD
from collector.issuer.server import MAX_CONNECTIONS, READ_TIMEOUT_S
from tests.support.issuer import Issuer
from tests.waiting import wait_for


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[Issuer]:
    server = Issuer(tmp_path).init()
    try:
        yield server.start(open_files=200)
    finally:
        server.stop()


def test_half_sent_requests_do_not_keep_a_member_from_an_answer(limited: Issuer, tmp_path: Path) -> None:
    host, port = limited.url.removeprefix("http://").split(":")
    held = []
    try:
        for _ in range(MAX_CONNECTIONS + 100):
            sock = socket.create_connection((host, int(port)), timeout=5)
            sock.sendall(f"POST {PATH_AUTHORISE} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n".encode())
            held.append(sock)
        began = time.monotonic()
        with urllib.request.urlopen(f"{limited.url}{PATH_RECORD}", timeout=READ_TIMEOUT_S + 1) as answer:
            assert answer.status == 200 and answer.read()
        assert time.monotonic() - began < READ_TIMEOUT_S + 1
    finally:
        for sock in held:
            sock.close()
    log = limited.directory / "issuer.log"
    shed = wait_for(lambda: log.read_text().count("refused a connection still sending its request"),
                    what="a log line per connection shed")
    assert shed >= 100


def test_a_client_s_text_cannot_write_a_line_into_the_log(limited: Issuer) -> None:
    body = json.dumps({"epoch": "\nforged line", "blinded": ["AA"]}).encode()
    request = urllib.request.Request(f"{limited.url}{PATH_AUTHORISE}", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400
    lines = (limited.directory / "issuer.log").read_text().splitlines()
    assert [line for line in lines if "forged line" in line] == [line for line in lines if "refused" in line
                                                                 and "forged line" in line] != []
