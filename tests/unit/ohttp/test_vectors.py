"""The published vectors: RFC 9458's Appendix A through codetape's OHTTP, RFC 9180's A.1.1 through pyhpke
(the fixtures name where each was copied from)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from pyhpke import AEADId, CipherSuite, KDFId, KEMId, KEMKeyPair

from collector.ohttp import bhttp
from collector.ohttp.encapsulation import _info, open_request, seal_request
from collector.ohttp.keys import GatewayKey, parse_config_hex

FIXTURES = Path(__file__).parents[2] / "fixtures" / "ohttp"


def vector(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return loaded


def test_rfc_9458_appendix_a_request_and_response() -> None:
    v = vector("rfc9458_appendix_a.json")
    config = parse_config_hex(v["key_config"])
    key = GatewayKey(1, X25519PrivateKey.from_private_bytes(bytes.fromhex(v["gateway_private_key"])))
    assert key.config.encode() != config.encode()  # the RFC's key offers two suites, ours one
    assert key.config.public_key == config.public_key and key.config.header() == config.header()
    assert _info(config.header()).hex() == v["info"]
    request = bytes.fromhex(v["request"])
    assert bhttp.decode_request(request) == bhttp.Request("GET", "https", "example.com", "/")
    assert bhttp.encode_request(bhttp.decode_request(request)).startswith(request)
    sealed, sender = seal_request(config, request, ephemeral=bytes.fromhex(v["ephemeral_private_key"]))
    assert sealed.hex() == v["encapsulated_request"]
    opened = open_request(key, sealed)
    assert opened.request == request
    answer = opened.seal_response(bytes.fromhex(v["response"]),
                                  response_nonce=bytes.fromhex(v["response_nonce"]))
    assert answer.hex() == v["encapsulated_response"]
    assert bhttp.decode_response(sender.open_response(answer)) == bhttp.Response(200)


def test_rfc_9180_a_1_1_through_pyhpke() -> None:
    v = vector("rfc9180_a_1_1.json")
    suite = CipherSuite.new(KEMId(v["kem_id"]), KDFId(v["kdf_id"]), AEADId(v["aead_id"]))
    recipient = suite.kem.deserialize_public_key(bytes.fromhex(v["pkRm"]))
    ephemeral = KEMKeyPair(suite.kem.deserialize_private_key(bytes.fromhex(v["skEm"])),
                           suite.kem.deserialize_public_key(bytes.fromhex(v["pkEm"])))
    info = bytes.fromhex(v["info"])
    enc, sender = suite.create_sender_context(recipient, info, eks=ephemeral)
    assert enc.hex() == v["enc"]
    private = suite.kem.deserialize_private_key(bytes.fromhex(v["skRm"]))
    receiver = suite.create_recipient_context(enc, private, info)
    seq = 0
    for encryption in v["encryptions"]:
        while seq < encryption["seq"]:  # the vectors skip sequence numbers: seal (and open) past them
            receiver.open(sender.seal(b"", b""), b"")
            seq += 1
        ct = sender.seal(bytes.fromhex(encryption["pt"]), bytes.fromhex(encryption["aad"]))
        assert ct.hex() == encryption["ct"]
        assert receiver.open(ct, bytes.fromhex(encryption["aad"])).hex() == encryption["pt"]
        seq += 1
    for export in v["exports"]:
        assert sender.export(bytes.fromhex(export["context"]), export["L"]).hex() == export["value"]
        assert receiver.export(bytes.fromhex(export["context"]), export["L"]).hex() == export["value"]
