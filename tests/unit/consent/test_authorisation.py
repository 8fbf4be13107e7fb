"""An issuer's public record and the authorisations it checks (collector/consent/authorisation.py),
with a real blind signature run in this process: the issuer's side (blind_sign) sees only the blinded
message."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from collector.consent import blindrsa
from collector.consent.authorisation import (
    Authorisation,
    RecordError,
    key_message,
    next_epoch,
    read_record,
    sign_record,
    verify_authorisation,
)
from collector.consent.episode_keys import new_key_pair

MONTH_KEY = blindrsa.PrivateKey.generate(2048)
IDENTITY = Ed25519PrivateKey.generate()


def record_bytes(members: int = 3) -> bytes:
    return sign_record(IDENTITY, "works council", "2026-11-25T12:00:00+00:00",
                       {"2026-11": (MONTH_KEY.public, members)})


def authorise(epoch: str, public: bytes, issuer: str) -> Authorisation:
    message = blindrsa.prepare(key_message(epoch, public))
    blinded = blindrsa.blind(MONTH_KEY.public, message)
    blind_sig = blindrsa.blind_sign(MONTH_KEY, blinded.blinded_msg)
    signature = blindrsa.finalize(MONTH_KEY.public, message, blind_sig, blinded.inv)
    return Authorisation(issuer, epoch, message[:32], signature)


def test_a_blindly_signed_key_verifies_and_survives_its_json_form() -> None:
    record = read_record(record_bytes())
    assert record.name == "works council" and record.months["2026-11"].members == 3
    _, public = new_key_pair()
    authorisation = authorise("2026-11", public, record.issuer)
    again = Authorisation.from_json(json.loads(json.dumps(authorisation.to_json())))
    assert again == authorisation
    assert verify_authorisation(record, public, again) is None
    _, other = new_key_pair()
    assert "does not verify" in str(verify_authorisation(record, other, authorisation))


def test_a_record_altered_forged_or_of_another_issuer_is_refused() -> None:
    document = json.loads(record_bytes())
    document["body"]["months"]["2026-11"]["members"] = 30
    with pytest.raises(RecordError, match="signature does not verify"):
        read_record(json.dumps(document).encode())
    impostor = Ed25519PrivateKey.generate()
    forged = sign_record(impostor, "works council", "2026-11-25T12:00:00+00:00",
                         {"2026-11": (MONTH_KEY.public, 3)})
    pinned = IDENTITY.public_key().public_bytes_raw()
    with pytest.raises(RecordError, match=r"not .*'s"):
        read_record(forged, identity=pinned)
    assert read_record(record_bytes(), identity=pinned).identity == pinned
    with pytest.raises(RecordError, match="format"):
        read_record(b'{"format": "something else"}')


def test_months_and_messages_are_well_formed() -> None:
    assert next_epoch("2026-11") == "2026-12"
    assert next_epoch("2026-12") == "2027-01"
    with pytest.raises(ValueError, match="YYYY-MM"):
        key_message("2026-13", bytes(32))
    assert key_message("2026-11", bytes(32)) == b"codetape/episode-key/v1\x002026-11\x00" + bytes(32)
