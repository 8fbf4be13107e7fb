"""Errors of the issuer.

    CodetapeError (collector.errors)
    └── IssuerError       the issuer's folder is missing, damaged or already made (exit 1)
        └── Refused       a request the issuer answers with no: an unknown or used secret, an unknown
                          credential, a quota exceeded, a month it does not sign for
"""

from __future__ import annotations

from collector.errors import CodetapeError


class IssuerError(CodetapeError):
    pass


class Refused(IssuerError):
    """`status` is the HTTP status the server answers with."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.status = status
