"""Errors of uploading and revoking; each says what to do next, the retry command included.

    CodetapeError (collector.errors)
    └── UploadError
        ├── DestinationError   a destination (--to, [upload] in config.toml) is malformed or refused (exit 2)
        ├── UploadRefused      this episode may not leave: unsigned, tampered, not your key, policy, revoked
        ├── TransferFailed     the store refused or garbled a request, or a local file could not be read
        │   └── Unreachable    the store could not be reached (after botocore's retries)
        ├── NotAbandoned       an unfinished multipart upload this road cannot abandon (the relay's)
        └── RevocationFailed   a revocation cannot be signed, or not written at every destination
"""

from __future__ import annotations

from collector.errors import CodetapeError


class UploadError(CodetapeError):
    pass


class DestinationError(UploadError):
    exit_code = 2


class UploadRefused(UploadError):
    pass


class TransferFailed(UploadError):
    pass


class Unreachable(TransferFailed):
    pass


class NotAbandoned(UploadError):
    pass


class RevocationFailed(UploadError):
    pass
