"""Why an episode is left out of a dataset: one reason per row of the `rejected` table, checked in this
order (the first that applies is the one recorded), and `Rejected`, which the checks raise to say so.

One reason is not an episode's: `revocation_unverified` is the row of a revocation record that does not
verify against the key that signed the episode beside it. The record is ignored and the episode stays
(whoever can write to the source cannot withdraw someone else's episode); the row says it was seen."""

from __future__ import annotations

from typing import Literal

Reason = Literal[
    "hash_mismatch", "too_large", "format", "unsigned", "signature", "revoked", "expired",
    "untrusted_signer", "unauthorised", "licence", "policy", "manifest_mismatch", "replay", "consent_scope",
    "origin", "duplicate", "key_reused", "id_conflict", "revocation_unverified",
]

REASONS: dict[Reason, str] = {
    "hash_mismatch": "its bytes do not hash to the name it is stored under (changed at rest, or misnamed)",
    "too_large": "it is above the build's size caps (the file, or the rows it would become)",
    "format": "not a readable episode within the format's limits (container, frames, steps)",
    "unsigned": "it carries no consent frame",
    "signature": "its signature does not verify, or its statement is not bound to these bytes",
    "revoked": "its signer revoked it: a signed revocation record is beside it (when it arrived after the "
               "episode was built, the next build removes its rows)",
    "expired": "its signed retain_until is past: it expired the day after that date (UTC, or --as-of); "
               "when it expired after the episode was built, the build removes its rows from every snapshot",
    "untrusted_signer": "signed by a key that --trust does not list",
    "unauthorised": "--trust-issuer: no valid authorisation of its key by the trusted issuer (an unknown "
                    "issuer or month, a forged or altered authorisation, or a key that is not a per-episode "
                    "key the issuer authorised, and --trust does not list it)",
    "licence": "signed under a licence that is no SPDX expression (an id or a WITH exception not on the SPDX "
               "lists), or without a licence or under one --allow-licence does not permit",
    "policy": "--require-policy: signed under another managed policy (its SHA-256 in the statement) or "
              "under none",
    "manifest_mismatch": "the manifest beside it names other bytes, another episode or another signer",
    "replay": "its steps do not replay exactly (an edit to a closed file, a save whose hash differs, ...)",
    "consent_scope": "its consent statement does not describe its steps (files, time range, step count)",
    "origin": "less of what it wrote is of the origins --origin keeps than --origin-share wants "
              "(collector/dataset/check/origins.py)",
    "duplicate": "the same content, signed by the same key, as an episode already in the dataset",
    "key_reused": "signed by a per-episode key (unlinkable mode) that signed another episode already in the "
                  "dataset: a key authorises one episode",
    "id_conflict": "the same episode id and signer as an episode already in the dataset, with other content: "
                   "which one the signer meant cannot be told, and the one already there stays",
    "revocation_unverified": "a revocation record beside the episode does not verify against the key that "
                             "signed it: the record is ignored, the episode stays (not an episode left out)",
}


class Rejected(Exception):
    """An episode is left out, and why (control flow inside the transform: a row, never an error)."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.reason: Reason = reason
        self.detail = detail
