"""RSA blind signatures, RFC 9474, as the variant RSABSSA-SHA384-PSS-Randomized, step by step.

No maintained Python package implements RFC 9474, so this module follows the RFC's section 4 (Prepare,
Blind, BlindSign, Finalize, Verify) with RFC 8017's EMSA-PSS encoding (section 9.1.1) written out, and
`cryptography` for what it does itself: key generation and RSASSA-PSS-VERIFY, which is RFC 9474's Verify.
tests/unit/consent/test_blindrsa.py checks it against the RFC's Appendix A test vectors (all four variants:
`Variant` holds the salt length and whether the message is prefixed with 32 random bytes).

The signer's private operation (RSASP1) is constant time in the exponent (gmpy2's `powmod_sec`, per prime
with the CRT) and RSA-blinded as well: the message is multiplied by r^e for a fresh random r before it and
by r^-1 after it, so what the non-constant-time parts (the CRT recombination) see is unrelated to the
input. The result is checked with the public exponent before it leaves (BlindSign's step 3, which also
stops a fault in the CRT from leaking a factor of n).
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass

import gmpy2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

PREFIX_BYTES = 32  # RFC 9474 section 4.1: the randomizing prefix
HASH_BYTES = 48  # SHA-384


class BlindRSAError(ValueError):
    """An RFC 9474 operation failed ("invalid input", "signing failure", "invalid signature", ...)."""


@dataclass(frozen=True)
class Variant:
    """One of RFC 9474 section 5's RSABSSA variants (all SHA-384 with MGF1-SHA-384)."""

    name: str
    salt_len: int
    randomized: bool


SHA384_PSS_RANDOMIZED = Variant("RSABSSA-SHA384-PSS-Randomized", HASH_BYTES, True)
VARIANTS = {v.name: v for v in (
    SHA384_PSS_RANDOMIZED,
    Variant("RSABSSA-SHA384-PSSZERO-Randomized", 0, True),
    Variant("RSABSSA-SHA384-PSS-Deterministic", HASH_BYTES, False),
    Variant("RSABSSA-SHA384-PSSZERO-Deterministic", 0, False),
)}


@dataclass(frozen=True)
class PublicKey:
    n: int
    e: int

    @property
    def modulus_len(self) -> int:
        return (self.n.bit_length() + 7) // 8

    def to_cryptography(self) -> rsa.RSAPublicKey:
        return rsa.RSAPublicNumbers(self.e, self.n).public_key()

    @classmethod
    def from_cryptography(cls, key: rsa.RSAPublicKey) -> PublicKey:
        numbers = key.public_numbers()
        return cls(numbers.n, numbers.e)


@dataclass(frozen=True)
class PrivateKey:
    public: PublicKey
    d: int
    p: int
    q: int

    @classmethod
    def generate(cls, bits: int = 3072) -> PrivateKey:
        """A fresh key with e = 65537 (RFC 9474 section 6.2: a key for blind signing only)."""
        return cls.from_cryptography(rsa.generate_private_key(public_exponent=65537, key_size=bits))

    @classmethod
    def from_cryptography(cls, key: rsa.RSAPrivateKey) -> PrivateKey:
        numbers = key.private_numbers()
        return cls(PublicKey.from_cryptography(key.public_key()), numbers.d, numbers.p, numbers.q)

    def to_cryptography(self) -> rsa.RSAPrivateKey:
        p, q, d = self.p, self.q, self.d
        return rsa.RSAPrivateNumbers(p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q),
                                     rsa.rsa_crt_iqmp(p, q),
                                     rsa.RSAPublicNumbers(self.public.e, self.public.n)).private_key()


@dataclass(frozen=True)
class Blinded:
    """What Blind returns: the blinded message for the signer, and what the client keeps to finalize."""

    blinded_msg: bytes
    inv: int


# --- section 4.1: Prepare ------------------------------------------------------------------------------

def prepare(msg: bytes, variant: Variant = SHA384_PSS_RANDOMIZED) -> bytes:
    """PrepareRandomize (32 random bytes, then msg) or PrepareIdentity: the input_msg that is signed."""
    return secrets.token_bytes(PREFIX_BYTES) + msg if variant.randomized else msg


# --- section 4.2: Blind ----------------------------------------------------------------------------------

def blind(pk: PublicKey, input_msg: bytes, variant: Variant = SHA384_PSS_RANDOMIZED) -> Blinded:
    """Blind(pk, msg) with a fresh salt and a fresh blinding factor r."""
    return blind_with(pk, input_msg, secrets.token_bytes(variant.salt_len), _random_unit(pk.n))


def blind_with(pk: PublicKey, input_msg: bytes, salt: bytes, r: int) -> Blinded:
    """Blind(pk, msg) with the salt and blinding factor given (the test vectors fix both)."""
    encoded = emsa_pss_encode(input_msg, pk.n.bit_length() - 1, salt)  # steps 1-2
    m = bytes_to_int(encoded)  # step 3
    if math.gcd(m, pk.n) != 1:  # steps 4-5
        raise BlindRSAError("invalid input: the encoded message is not coprime with n")
    try:
        inv = pow(r, -1, pk.n)  # step 7
    except ValueError:
        raise BlindRSAError("blinding error: r is not invertible mod n") from None  # step 8
    x = rsavp1(pk, r)  # step 9
    z = (m * x) % pk.n  # step 10
    return Blinded(int_to_bytes(z, pk.modulus_len), inv)  # steps 11-12


# --- section 4.3: BlindSign ------------------------------------------------------------------------------

def blind_sign(sk: PrivateKey, blinded_msg: bytes) -> bytes:
    """BlindSign(sk, blinded_msg): the signer's answer; it learns nothing of the message."""
    pk = sk.public
    if len(blinded_msg) != pk.modulus_len:
        raise BlindRSAError("unexpected input size")
    m = bytes_to_int(blinded_msg)  # step 1
    if m >= pk.n:
        raise BlindRSAError("message representative out of range")
    s = rsasp1(sk, m)  # step 2
    if rsavp1(pk, s) != m:  # steps 3-4
        raise BlindRSAError("signing failure")
    return int_to_bytes(s, pk.modulus_len)  # step 5


# --- section 4.4: Finalize -------------------------------------------------------------------------------

def finalize(pk: PublicKey, input_msg: bytes, blind_sig: bytes, inv: int,
             variant: Variant = SHA384_PSS_RANDOMIZED) -> bytes:
    """Finalize(pk, msg, blind_sig, inv): the signature on input_msg, checked before it is returned."""
    if len(blind_sig) != pk.modulus_len:  # step 1
        raise BlindRSAError("unexpected input size")
    z = bytes_to_int(blind_sig)  # step 2
    s = (z * inv) % pk.n  # step 3
    sig = int_to_bytes(s, pk.modulus_len)  # step 4
    if not verify(pk, input_msg, sig, variant):  # steps 5-6
        raise BlindRSAError("invalid signature")
    return sig


# --- section 4.5: Verification ---------------------------------------------------------------------------

def verify(pk: PublicKey, input_msg: bytes, sig: bytes, variant: Variant = SHA384_PSS_RANDOMIZED) -> bool:
    """RSASSA-PSS-VERIFY (RFC 8017 section 8.1.2) with SHA-384, MGF1-SHA-384 and the variant's salt length."""
    if len(sig) != pk.modulus_len:
        return False
    try:
        pk.to_cryptography().verify(
            sig, input_msg, padding.PSS(mgf=padding.MGF1(hashes.SHA384()), salt_length=variant.salt_len),
            hashes.SHA384())
    except InvalidSignature:
        return False
    return True


# --- RFC 8017 primitives ---------------------------------------------------------------------------------

def emsa_pss_encode(msg: bytes, em_bits: int, salt: bytes) -> bytes:
    """EMSA-PSS-ENCODE (RFC 8017 section 9.1.1) with SHA-384 and MGF1-SHA-384."""
    m_hash = hashlib.sha384(msg).digest()  # step 2
    em_len = (em_bits + 7) // 8
    if em_len < HASH_BYTES + len(salt) + 2:  # step 3
        raise BlindRSAError("encoding error: the key is too small for this salt")
    m_prime = bytes(8) + m_hash + salt  # step 5
    h = hashlib.sha384(m_prime).digest()  # step 6
    ps = bytes(em_len - len(salt) - HASH_BYTES - 2)  # step 7
    db = ps + b"\x01" + salt  # step 8
    db_mask = mgf1_sha384(h, em_len - HASH_BYTES - 1)  # step 9
    masked = bytearray(a ^ b for a, b in zip(db, db_mask, strict=True))  # step 10
    masked[0] &= 0xFF >> (8 * em_len - em_bits)  # step 11
    return bytes(masked) + h + b"\xbc"  # step 12


def mgf1_sha384(seed: bytes, length: int) -> bytes:
    """MGF1 (RFC 8017 appendix B.2.1) with SHA-384."""
    out = b"".join(hashlib.sha384(seed + counter.to_bytes(4, "big")).digest()
                   for counter in range((length + HASH_BYTES - 1) // HASH_BYTES))
    return out[:length]


def rsavp1(pk: PublicKey, s: int) -> int:
    """RSAVP1 (RFC 8017 section 5.2.2): s^e mod n (public values only)."""
    if not 0 <= s < pk.n:
        raise BlindRSAError("signature representative out of range")
    return pow(s, pk.e, pk.n)


def rsasp1(sk: PrivateKey, m: int) -> int:
    """RSASP1 (RFC 8017 section 5.2.1) with the CRT, each exponentiation with gmpy2's `powmod_sec`
    (constant time in the exponent), on an RSA-blinded input: m * r^e, unblinded by r^-1 after."""
    n, p, q = sk.public.n, sk.p, sk.q
    r = _random_unit(n)
    blinded = gmpy2.mpz(m) * gmpy2.powmod(r, sk.public.e, n) % n
    sp = gmpy2.powmod_sec(blinded % p, sk.d % (p - 1), p)
    sq = gmpy2.powmod_sec(blinded % q, sk.d % (q - 1), q)
    h = gmpy2.invert(q, p) * (sp - sq) % p
    s = (sq + q * h) * gmpy2.invert(r, n) % n
    return int(s)


def bytes_to_int(data: bytes) -> int:
    return int.from_bytes(data, "big")


def int_to_bytes(value: int, length: int) -> bytes:
    return value.to_bytes(length, "big")


def _random_unit(n: int) -> int:
    """random_integer_uniform(1, n) that is invertible mod n (RFC 9474 section 4.2 step 6)."""
    while True:
        r = secrets.randbelow(n - 1) + 1
        if math.gcd(r, n) == 1:
            return r
