"""A revocation record beside an episode, judged with the episode's signer's key (the upload's own check,
collector/upload/revocation.py). A record that verifies means `revoked`; one that does not still keeps
the episode out (`revocation_invalid`): when in doubt about consent, the data is not used."""

from __future__ import annotations

from collector.consent.keys import decode_public
from collector.dataset.reasons import Rejected
from collector.errors import EpisodeError
from collector.upload.revocation import check_revocation

MAX_RECORD = 256 * 1024  # a statement of at most 64 KiB, its signature, JSON around them


def judge(record: bytes, sha256: str, public_key_b64: str) -> Rejected:
    """Why the episode named `sha256`, signed by `public_key_b64`, is out, given the record beside it."""
    try:
        statement = check_revocation(record, public_key=decode_public(public_key_b64))
    except EpisodeError as exc:
        return Rejected("revocation_invalid", f"a revocation record is beside it but {exc}; left out anyway")
    if statement.episode_sha256 != sha256:
        return Rejected("revocation_invalid", f"the revocation record beside it names another episode "
                        f"({statement.episode_sha256[:16]}...); left out anyway")
    when = statement.revoked_at.isoformat(timespec="seconds").replace("+00:00", "Z")
    why = f" ({statement.reason})" if statement.reason else ""
    return Rejected("revoked", f"revoked by its signer {statement.reviewer.key_id} at {when}{why}")
