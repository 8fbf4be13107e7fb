"""What a consent statement says about the exclusions: a keyed hash of them, never their text.

The globs kept out of an episode (the workspace's capture exclusions, the sharing policy's mandatory ones,
the reviewer's) can name what they hide (`/acme-merger/`), so the statement binds them without saying
them: `scope.excluded_sha256` is HMAC-SHA256 over the episode id and the sorted, distinct globs as compact
JSON, keyed with a key derived from the signer's private key. Nobody else can test a guessed glob against
it; the signer can recompute it from the globs (`exclusions_digest`) to show what was excluded.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Iterable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

DOMAIN = b"codetape/exclusions/v1\0"


def exclusions_digest(private: Ed25519PrivateKey, episode_id: uuid.UUID | str, globs: Iterable[str]) -> str:
    """The hex HMAC-SHA256 a statement binds for `globs` excluded from episode `episode_id`."""
    key = hashlib.sha256(DOMAIN + private.private_bytes_raw()).digest()
    message = json.dumps({"episode_id": str(episode_id), "excluded": sorted(set(globs))},
                         sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hmac.new(key, DOMAIN + message, hashlib.sha256).hexdigest()
