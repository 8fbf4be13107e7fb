"""Fixtures shared by every tier. Keep each one tiny."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from schemas import EpisodeHeader, WorkspaceIdentity


@pytest.fixture
def episode_header() -> EpisodeHeader:
    """A valid header with a fresh episode id."""
    return EpisodeHeader(codetape_version="0.1.0", episode_id=uuid.uuid4(),
                         started_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
                         workspace=WorkspaceIdentity(root_name="demo"))
