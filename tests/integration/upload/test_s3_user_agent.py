"""What an S3 store learns of the client from the requests of `codetape upload` (issue 52, item 4): a fixed
User-Agent, `codetape`, the same on every machine. botocore's own names its version and boto3's, Python's,
the OS's and its kernel's, and the retry mode; its `amz-sdk-request` header the configured `max_attempts`.
The headers are read as a store reads them: a small HTTP server on loopback that answers as S3 does."""

from __future__ import annotations

import hashlib
import http.server
import platform
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from tests.cli import codetape
from tests.fixtures.make_golden import DIRECTORY


class Store(http.server.BaseHTTPRequestHandler):
    """Keeps every request's method and headers; answers HEAD and GET with 404, PUT with 200."""

    seen: ClassVar[list[tuple[str, dict[str, str]]]] = []

    def _answer(self, status: int, body: bytes = b"") -> None:
        self.seen.append((self.command, dict(self.headers)))
        self.send_response(status)
        if status == 200:
            self.send_header("ETag", f'"{hashlib.md5(body).hexdigest()}"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_PUT(self) -> None:
        self._answer(200, self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def do_HEAD(self) -> None:
        self._answer(404)

    def do_GET(self) -> None:
        self._answer(404)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def store() -> Iterator[tuple[str, list[tuple[str, dict[str, str]]]]]:
    seen: ClassVar[list[tuple[str, dict[str, str]]]] = []
    handler = type("Seen", (Store,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def test_every_request_of_an_upload_says_codetape_and_nothing_of_the_machine(
        store: tuple[str, list[tuple[str, dict[str, str]]]], tmp_path: Path) -> None:
    endpoint, seen = store
    home = tmp_path / "home"
    assert codetape(home, "keys", "init", "--no-passphrase").returncode == 0
    episode = tmp_path / "minimal.ctape"
    shutil.copy(DIRECTORY / "minimal.ctape", episode)
    signed = codetape(home, "sign", str(episode), "--yes")
    assert signed.returncode == 0, signed.stderr
    (home / "config.toml").write_text(f'[upload]\nto = "s3://drop/team"\nendpoint_url = "{endpoint}"\n'
                                      "max_attempts = 7\n", encoding="utf-8")
    env = {"AWS_ACCESS_KEY_ID": "codetape-test", "AWS_SECRET_ACCESS_KEY": "codetape-test-secret",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null",
           "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true",
           "AWS_SDK_UA_APP_ID": "alice-laptop"}  # an app id of one's own is not sent either
    done = codetape(home, "upload", env=env)  # a process of its own: the real interpreter and OS
    assert done.returncode == 0, done.stderr
    assert "PUT" in [method for method, _headers in seen]
    for method, headers in seen:
        assert headers["User-Agent"] == "codetape", (method, headers["User-Agent"])
        assert "amz-sdk-request" not in {name.lower() for name in headers}, (method, headers)
        everything = " ".join(headers.values())
        for machine in (platform.python_version(), platform.release(), "Botocore", "alice-laptop"):
            assert machine not in everything, (method, machine)
