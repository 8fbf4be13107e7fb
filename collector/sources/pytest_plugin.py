"""The `codetape` pytest plugin of codetape's own environment (entry point `pytest11`).

It is the plugin every interpreter runs (collector/sources/pytest_path/codetape_pytest.py), told where
the collector of this home listens when no launcher said so (`CODETAPE_COLLECTOR_SOCKET`). When a
launcher also put the plugin's folder on `PYTHONPATH`, pytest loads one of the two: both are named
`codetape`, and `-p no:codetape` disables either.
"""

from __future__ import annotations

import os

import pytest

from collector.sources.pytest_path.codetape_pytest import SOCKET_ENV, configure


def pytest_configure(config: pytest.Config) -> None:
    configure(config, _socket_path)


def _socket_path() -> str | None:
    """The socket a launcher named, else this home's (asked only in a folder with workspace settings)."""
    named = os.environ.get(SOCKET_ENV)
    if named:
        return named
    # pytest's start-up: codetape's home only when no socket is named in the environment
    from collector.errors import CodetapeError
    from collector.home import Home

    try:
        return str(Home.from_env().socket)
    except CodetapeError:  # a home that is not the user's alone: nothing is sent there
        return None
