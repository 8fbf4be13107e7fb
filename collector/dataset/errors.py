"""Errors of a dataset build. An episode left out is not one of them: it is a row of `rejected`.

    CodetapeError (collector.errors)
    └── DatasetError        the build cannot go on
        ├── OutputRefused   OUT is not a dataset this build may add to: another SOURCE, another --trust,
        │                   or files that are not a codetape dataset's (exit 2)
        ├── OutputFailed    OUT could not be read or written
        └── EngineMissing   --engine ray, and Ray is not installed
"""

from __future__ import annotations

from collector.errors import CodetapeError


class DatasetError(CodetapeError):
    pass


class OutputRefused(DatasetError):
    exit_code = 2


class OutputFailed(DatasetError):
    pass


class EngineMissing(DatasetError):
    pass
