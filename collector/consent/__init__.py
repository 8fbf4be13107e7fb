"""Consent: the reviewer's Ed25519 keys, the sharing policy, signing an episode and checking a signature.

    keys.py       key pair under Home.keys (init_keys, load_public, load_private)
    licence.py    which licence a repository's LICENSE / COPYING files are
    policy.py     SigningPolicy: [policy] in .codetape.toml merged with CODETAPE_HOME/policy.toml
    statement.py  the consent frame payload and the exact bytes signed
    sign.py       sign_episode
    verify.py     check_consent (and its parts) for `codetape verify` and `inspect`
"""

from __future__ import annotations

from collector.consent.errors import ConsentError, KeyProblem, PolicyError, SigningRefused
from collector.consent.keys import KeyInfo, init_keys, load_public
from collector.consent.licence import FoundLicence, detect, find_licences
from collector.consent.policy import SigningPolicy, load_signing_policy
from collector.consent.sign import sign_episode
from collector.consent.verify import check_consent, check_scope, check_signature, signature_status
from schemas.consent import ConsentStatement

__all__ = [
    "ConsentError", "ConsentStatement", "FoundLicence", "KeyInfo", "KeyProblem", "PolicyError",
    "SigningPolicy", "SigningRefused", "check_consent", "check_scope", "check_signature", "detect",
    "find_licences", "init_keys", "load_public", "load_signing_policy", "sign_episode", "signature_status",
]
