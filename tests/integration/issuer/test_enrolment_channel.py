"""The enrolment client keeps the secret and the credential in the channel it checked (issue 53, item 2):
`codetape enroll` to a real issuer on loopback with `http_proxy` naming a recording proxy on loopback,
and through a front on loopback that answers with a redirect to another server, recording too. Before,
urllib sent the secret to the proxy in clear and followed the redirect with `Authorization: Bearer`."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from collector.consent.enrol import EnrolmentError, http_transport
from tests.cli import codetape
from tests.support.issuer import Issuer


class Recorder:
    """A loopback HTTP server that records every request (its line and headers) and answers as told."""

    def __init__(self, status: int = 502, headers: dict[str, str] | None = None) -> None:
        self.seen: list[tuple[str, dict[str, str]]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                recorder.seen.append((self.requestline, dict(self.headers.items())))
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_CONNECT = _any

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorders() -> Iterator[list[Recorder]]:
    made: list[Recorder] = []
    yield made
    for recorder in made:
        recorder.close()


def test_a_proxy_in_the_environment_never_sees_a_loopback_enrolment(issuer: Issuer, tmp_path: Path,
                                                                    recorders: list[Recorder]) -> None:
    proxy = Recorder()
    recorders.append(proxy)
    secret = issuer.add_member("grace", 5)
    env = {"http_proxy": proxy.url, "HTTP_PROXY": proxy.url, "https_proxy": proxy.url, "no_proxy": ""}
    done = codetape(tmp_path / "grace", "enroll", issuer.url, f"--secret={secret}", "--count", "2", env=env)
    assert done.returncode == 0, done.stderr
    refresh = codetape(tmp_path / "grace", "enroll", "--refresh", "--count", "1", env=env)
    assert refresh.returncode == 0, refresh.stderr
    assert proxy.seen == []  # neither the secret nor the credential went through it


def test_a_redirect_is_refused_and_the_credential_goes_nowhere_else(recorders: list[Recorder]) -> None:
    elsewhere = Recorder(status=200)
    front = Recorder(status=307, headers={"Location": f"{elsewhere.url}/v1/keys"})
    recorders.extend([elsewhere, front])
    with pytest.raises(EnrolmentError, match=r"answered with a redirect \(307\) to .*codetape follows none"):
        http_transport("POST", f"{front.url}/v1/keys", b"{}", "the-credential")
    assert len(front.seen) == 1 and front.seen[0][1].get("Authorization") == "Bearer the-credential"
    assert elsewhere.seen == []
