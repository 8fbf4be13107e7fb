"""Errors of the review: trimming, the final choices. Caught at the command boundary like every other.

    CodetapeError (collector.errors)
    ├── UsageError          a trim that does nothing (a glob matching no file, an empty range), exit 2
    └── ReviewError         the episode cannot be trimmed, discarded or queued as asked (exit 1)
"""

from __future__ import annotations

from collector.errors import CodetapeError


class ReviewError(CodetapeError):
    pass
