"""Consent: the reviewer's Ed25519 keys, signing an episode and checking a signature.

    keys.py       key pair under Home.keys (init_keys, load_public, load_private)
    statement.py  the consent frame payload and the exact bytes signed
    sign.py       sign_episode (refused when the sharing policy, collector/policy/sharing.py, forbids it)
    verify.py     check_consent (and its parts) for `codetape verify` and `inspect`
    mode.py       the consent mode and the upload delay this home's config.toml asks for (signing_mode)

Unlinkable mode's member side (issue 38; sign_episode(..., unlinkable=...) signs with it):

    blindrsa.py       RFC 9474 RSA blind signatures (RSABSSA-SHA384-PSS-Randomized), from the RFC's steps
    authorisation.py  an issuer's authorisation of one per-episode key; the issuer's signed public record;
                      verify_authorisation(record, public_key, authorisation)
    episode_keys.py   the member's batches of authorised per-episode keys; take_key marks one used first
    enrol.py          `codetape enroll`: trade a one-time secret for a credential, fetch batches blindly
    unlinkable.py     the minimisation before an episode key signs (the day only, major.minor, 100 ms steps);
                      what verify and the dataset build check of an unlinkable statement
    key_backup.py     `codetape keys export|import`: the episode keys and the ledger, sealed with a passphrase
"""

from __future__ import annotations

from collector.consent.errors import ConsentError, KeyProblem, SigningRefused
from collector.consent.keys import KeyInfo, init_keys, load_public
from collector.consent.sign import sign_episode
from collector.consent.verify import check_consent, check_scope, check_signature, signature_status
from schemas.consent import ConsentStatement

__all__ = [
    "ConsentError", "ConsentStatement", "KeyInfo", "KeyProblem", "SigningRefused", "check_consent",
    "check_scope", "check_signature", "init_keys", "load_public", "sign_episode", "signature_status",
]
