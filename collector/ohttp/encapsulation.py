"""A request sealed for the gateway, and its response sealed back (RFC 9458 sections 4.3 and 4.4).

The client: `seal_request` gives the encapsulated request and the `Sender` that opens the answer. The
gateway: `open_request` gives the request and the `Opened` that seals the answer. HPKE (RFC 9180, base
mode) is pyhpke's (bench/README.md: measured against the alternative); the response's key schedule (an
HKDF extract and two expands) and AES-128-GCM are `cryptography`'s. Anything that does not open raises
`Unsealed`, one message whatever failed, so an answer never says which check it was.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pyhpke import AEADId, CipherSuite, KDFId, KEMId, KEMKeyPair
from pyhpke.context_interface import ContextInterface

from collector.ohttp.keys import GatewayKey, KeyConfig

REQUEST_LABEL = b"message/bhttp request"
RESPONSE_LABEL = b"message/bhttp response"
HEADER_BYTES = 7
ENC_BYTES = 32
KEY_BYTES = 16  # AES-128-GCM's Nk
NONCE_BYTES = 12  # its Nn
RESPONSE_NONCE_BYTES = max(KEY_BYTES, NONCE_BYTES)
TAG_BYTES = 16

_SUITE = CipherSuite.new(KEMId.DHKEM_X25519_HKDF_SHA256, KDFId.HKDF_SHA256, AEADId.AES128_GCM)


class Unsealed(ValueError):
    """An encapsulated message that does not open: another key, another suite, cut short or altered."""

    def __init__(self) -> None:
        super().__init__("the message does not open")


def _info(header: bytes) -> bytes:
    return REQUEST_LABEL + b"\x00" + header


def _response_key(context: ContextInterface, enc: bytes, response_nonce: bytes) -> tuple[bytes, bytes]:
    secret = context.export(RESPONSE_LABEL, RESPONSE_NONCE_BYTES)
    extract = hmac.HMAC(enc + response_nonce, hashes.SHA256())
    extract.update(secret)
    prk = extract.finalize()
    key = HKDFExpand(hashes.SHA256(), KEY_BYTES, b"key").derive(prk)
    nonce = HKDFExpand(hashes.SHA256(), NONCE_BYTES, b"nonce").derive(prk)
    return key, nonce


@dataclass(frozen=True)
class Sender:
    """The client's side of one exchange: opens the gateway's answer to the request it sealed."""

    context: ContextInterface
    enc: bytes

    def open_response(self, encapsulated: bytes) -> bytes:
        if len(encapsulated) < RESPONSE_NONCE_BYTES + TAG_BYTES:
            raise Unsealed()
        response_nonce = encapsulated[:RESPONSE_NONCE_BYTES]
        key, nonce = _response_key(self.context, self.enc, response_nonce)
        try:
            return AESGCM(key).decrypt(nonce, encapsulated[RESPONSE_NONCE_BYTES:], b"")
        except InvalidTag:
            raise Unsealed() from None


def seal_request(config: KeyConfig, request: bytes, *,
                 ephemeral: bytes | None = None) -> tuple[bytes, Sender]:
    """The encapsulated request for `config`'s key; `ephemeral` (a private key) only for test vectors."""
    header = config.header()
    recipient = _SUITE.kem.deserialize_public_key(config.public_key)
    eks = None
    if ephemeral is not None:
        private = _SUITE.kem.deserialize_private_key(ephemeral)
        eks = KEMKeyPair(private, _SUITE.kem.deserialize_public_key(_public_of(ephemeral)))
    enc, context = _SUITE.create_sender_context(recipient, _info(header), eks=eks)
    return header + enc + context.seal(request, b""), Sender(context, enc)


def _public_of(private: bytes) -> bytes:
    public = X25519PrivateKey.from_private_bytes(private).public_key()
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class Opened:
    """The gateway's side of one exchange: the request, and what seals its answer."""

    request: bytes
    context: ContextInterface
    enc: bytes

    def seal_response(self, response: bytes, *, response_nonce: bytes | None = None) -> bytes:
        """The encapsulated response; `response_nonce` only for test vectors (else fresh random bytes)."""
        nonce_bytes = secrets.token_bytes(RESPONSE_NONCE_BYTES) if response_nonce is None else response_nonce
        key, nonce = _response_key(self.context, self.enc, nonce_bytes)
        return nonce_bytes + AESGCM(key).encrypt(nonce, response, b"")


def open_request(key: GatewayKey, encapsulated: bytes) -> Opened:
    """The request sealed for `key`; Unsealed for anything else."""
    header = encapsulated[:HEADER_BYTES]
    if len(encapsulated) < HEADER_BYTES + ENC_BYTES + TAG_BYTES or header != key.config.header():
        raise Unsealed()
    enc = encapsulated[HEADER_BYTES:HEADER_BYTES + ENC_BYTES]
    private = _SUITE.kem.deserialize_private_key(key.private_bytes())
    try:
        context = _SUITE.create_recipient_context(enc, private, _info(header))
        request = context.open(encapsulated[HEADER_BYTES + ENC_BYTES:], b"")
    except Exception:  # pyhpke raises its own errors (and cryptography's) for a bad enc or tag
        raise Unsealed() from None
    return Opened(request, context, enc)
