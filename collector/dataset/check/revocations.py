"""A revocation record beside an episode, judged with the key that signed the episode (the upload's own
check, collector/upload/revocation.py). Only a record that verifies against that key, for that episode,
withdraws it (`revoked`). Anything else (a record signed by another key, one naming another episode,
bytes that are no record) is ignored and the episode stays: anyone who can write to the source could
have put it there. Such a record is a row of `rejected` of its own (`revocation_unverified`)."""

from __future__ import annotations

from collector.consent.keys import decode_public
from collector.dataset.check.reasons import Rejected
from collector.errors import EpisodeError
from collector.upload.revocation import check_revocation

MAX_RECORD = 256 * 1024  # a statement of at most 64 KiB, its signature, JSON around them


def judge(record: bytes, sha256: str, public_key_b64: str) -> Rejected:
    """`revoked` when the record withdraws the episode named `sha256`, signed by `public_key_b64`; else
    `revocation_unverified`, saying why it does not (the episode stays)."""
    try:
        statement = check_revocation(record, public_key=decode_public(public_key_b64))
    except EpisodeError as exc:
        return Rejected("revocation_unverified", f"a revocation record is beside it but {exc}; ignored, the "
                        "episode stays")
    if statement.episode_sha256 != sha256:
        return Rejected("revocation_unverified", f"the revocation record beside it names another episode "
                        f"({statement.episode_sha256[:16]}...); ignored, the episode stays")
    when = statement.revoked_at.isoformat(timespec="seconds").replace("+00:00", "Z")
    why = f" ({statement.reason})" if statement.reason else ""
    return Rejected("revoked", f"revoked by its signer {statement.reviewer.key_id} at {when}{why}")
