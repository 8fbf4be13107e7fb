"""collector/consent/blindrsa.py against RFC 9474's Appendix A test vectors (rfc9474_vectors.json names
where they were copied from): every intermediate value the RFC gives, for each of its four variants."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from collector.consent import blindrsa
from collector.consent.blindrsa import BlindRSAError, PrivateKey, PublicKey

FIXTURE = json.loads((Path(__file__).parent / "rfc9474_vectors.json").read_text(encoding="utf-8"))
VECTORS: list[dict[str, Any]] = FIXTURE["vectors"]


def _int(text: str) -> int:
    return int(text, 16)


def _bytes(text: str) -> bytes:
    return bytes.fromhex(text)


def _key(vector: dict[str, Any]) -> PrivateKey:
    return PrivateKey(PublicKey(_int(vector["n"]), _int(vector["e"])), _int(vector["d"]), _int(vector["p"]),
                      _int(vector["q"]))


def test_the_fixture_holds_the_rfcs_four_variants() -> None:
    assert "RFC 9474" in FIXTURE["source"]
    assert [v["name"] for v in VECTORS] == list(blindrsa.VARIANTS)


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_every_step_gives_the_rfcs_values(vector: dict[str, Any]) -> None:
    variant = blindrsa.VARIANTS[vector["name"]]
    sk = _key(vector)
    pk = sk.public
    assert _int(vector["sLen"]) == variant.salt_len
    assert bool(_int(vector["is_randomized"])) == variant.randomized
    msg, prefix = _bytes(vector["msg"]), _bytes(vector["msg_prefix"])
    input_msg = _bytes(vector["input_msg"])
    assert input_msg == (prefix + msg if variant.randomized else msg)
    if "encoded_msg" in vector:
        assert blindrsa.emsa_pss_encode(input_msg, pk.n.bit_length() - 1, _bytes(vector["salt"])) == \
            _bytes(vector["encoded_msg"])
    inv = _int(vector["inv"])
    r = pow(inv, -1, pk.n)
    blinded = blindrsa.blind_with(pk, input_msg, _bytes(vector["salt"]), r)
    assert blinded.blinded_msg == _bytes(vector["blinded_msg"])
    assert blinded.inv == inv
    blind_sig = blindrsa.blind_sign(sk, blinded.blinded_msg)
    assert blind_sig == _bytes(vector["blind_sig"])
    sig = blindrsa.finalize(pk, input_msg, blind_sig, inv, variant)
    assert sig == _bytes(vector["sig"])
    assert blindrsa.verify(pk, input_msg, sig, variant)


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_an_altered_message_or_signature_does_not_verify(vector: dict[str, Any]) -> None:
    variant = blindrsa.VARIANTS[vector["name"]]
    pk = _key(vector).public
    input_msg, sig = _bytes(vector["input_msg"]), _bytes(vector["sig"])
    assert not blindrsa.verify(pk, input_msg + b"x", sig, variant)
    assert not blindrsa.verify(pk, input_msg, sig[:-1] + bytes([sig[-1] ^ 1]), variant)
    assert not blindrsa.verify(pk, input_msg, sig[:-1], variant)


def test_finalize_refuses_a_blind_signature_that_is_not_the_signers() -> None:
    vector = VECTORS[0]
    pk = _key(vector).public
    wrong = bytearray(_bytes(vector["blind_sig"]))
    wrong[10] ^= 1
    with pytest.raises(BlindRSAError, match="invalid signature"):
        blindrsa.finalize(pk, _bytes(vector["input_msg"]), bytes(wrong), _int(vector["inv"]))


def test_a_round_trip_with_fresh_randomness_verifies_and_blinding_hides_the_message() -> None:
    vector = VECTORS[0]
    sk = _key(vector)
    pk = sk.public
    input_msg = blindrsa.prepare(b"an episode key")
    assert len(input_msg) == blindrsa.PREFIX_BYTES + len(b"an episode key")
    first, second = blindrsa.blind(pk, input_msg), blindrsa.blind(pk, input_msg)
    assert first.blinded_msg != second.blinded_msg  # the signer sees unrelated values for one message
    sig = blindrsa.finalize(pk, input_msg, blindrsa.blind_sign(sk, first.blinded_msg), first.inv)
    assert blindrsa.verify(pk, input_msg, sig)


def test_blind_sign_refuses_input_of_the_wrong_size_or_out_of_range() -> None:
    sk = _key(VECTORS[0])
    with pytest.raises(BlindRSAError, match="unexpected input size"):
        blindrsa.blind_sign(sk, b"\x01" * 10)
    with pytest.raises(BlindRSAError, match="out of range"):
        blindrsa.blind_sign(sk, b"\xff" * sk.public.modulus_len)
