"""Errors of keys, policy and signing; verification failures are EpisodeErrors (the file is bad).

    CodetapeError (collector.errors)
    └── ConsentError          signing cannot go ahead (exit 1)
        ├── KeyProblem        no key, a damaged key file, a wrong or missing passphrase
        └── SigningRefused    the episode or the repository (licence, policy) may not be signed as it is
"""

from __future__ import annotations

from collector.errors import CodetapeError


class ConsentError(CodetapeError):
    pass


class KeyProblem(ConsentError):
    pass


class SigningRefused(ConsentError):
    pass

