"""Where the developer and the agent meet (tests/e2e/agent_meets_editor.py) in real Neovim with codetape's
plugin, the agent the real Claude Code: recorded once, checked as the dataset's readers read it."""

from __future__ import annotations

import pytest

from tests.e2e.agent_meets_editor import Meeting, MeetingChecks, neovim, record


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Meeting:
    return record("Neovim", neovim, "claude-code", tmp_path_factory.mktemp("neovim-claude-code"))


class TestMeeting(MeetingChecks):
    """The checks every pairing passes, on this module's session."""
