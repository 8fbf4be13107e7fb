"""The gateway's key configuration as RFC 9458 section 3 spells it, the key file, and the relay settings
that pin it."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from collector.ohttp.encapsulation import Unsealed, open_request, seal_request
from collector.ohttp.keys import KeyConfigError, new_key, ohttp_keys, parse_config, read_key, write_key
from collector.upload.errors import DestinationError
from collector.upload.relay import route
from schemas.config import UploadSettings


def test_a_key_file_reads_back_and_seals_for_its_configuration(tmp_path: Path) -> None:
    key = new_key(7)
    path = tmp_path / "key.json"
    write_key(path, key)
    assert path.stat().st_mode & 0o777 == 0o600
    again = read_key(path)
    assert again.config == key.config == parse_config(key.config.encode())
    sealed, sender = seal_request(again.config, b"hello")
    opened = open_request(key, sealed)
    assert opened.request == b"hello" and sender.open_response(opened.seal_response(b"hi")) == b"hi"
    with pytest.raises(KeyConfigError, match="exists"):
        write_key(path, new_key())
    assert ohttp_keys([key.config]) == struct.pack(">H", len(key.config.encode())) + key.config.encode()


def test_a_request_for_another_key_or_altered_does_not_open() -> None:
    key, other = new_key(1), new_key(1)
    sealed, _ = seal_request(key.config, b"hello")
    for wrong in (sealed[:-1] + bytes([sealed[-1] ^ 1]), sealed[:20], b"", sealed[:4] + b"\x02" + sealed[5:]):
        with pytest.raises(Unsealed):
            open_request(key, wrong)
    with pytest.raises(Unsealed):
        open_request(other, sealed)


@pytest.mark.parametrize("text", [
    "", "zz", "01",  # not hex, too short
    "01002131e1f05a740102115220e9af918f738674aec95f54db6e04eb705aae8e798155000400010001",  # another KEM
    "01002031e1f05a740102115220e9af918f738674aec95f54db6e04eb705aae8e798155000400010003",  # no AES-128-GCM
    "01002031e1f05a740102115220e9af918f738674aec95f54db6e04eb705aae8e798155000500010001",  # bad length
])
def test_a_configuration_codetape_cannot_use_is_one_line(text: str) -> None:
    with pytest.raises(KeyConfigError):
        parse_config(bytes.fromhex(text) if all(c in "0123456789abcdef" for c in text) and len(text) % 2 == 0
                     else b"\x00")


def test_the_relay_settings_go_together_and_refuse_plain_http_off_loopback() -> None:
    hexed = new_key(1).config.encode().hex()
    assert route(UploadSettings()) is None
    got = route(UploadSettings(relay="http://127.0.0.3:8080/gateway", gateway_key=hexed))
    assert got is not None and got.key.key_id == 1
    for settings in (UploadSettings(relay="https://relay.example/"), UploadSettings(gateway_key=hexed),
                     UploadSettings(relay="http://relay.example/", gateway_key=hexed),
                     UploadSettings(relay="https://relay.example/", gateway_key="not hex")):
        with pytest.raises(DestinationError):
            route(settings)
