"""What one sealed request carries at most: one whole object (an episode, its manifest or a revocation
record) of MAX_OBJECT bytes. The gateway refuses more, the upload never sends more, and signing refuses
an unlinkable episode that would be larger while a relay is set, so none is ever sent around the relay."""

MAX_OBJECT = 64 * 1024 * 1024
