"""Where the developer and the agent meet (tests/e2e/agent_meets_editor.py) in real Emacs with codetape.el
and eglot, the agent the real Codex: recorded once, checked as the dataset's readers read it."""

from __future__ import annotations

import pytest

from tests.e2e.agent_meets_editor import Meeting, MeetingChecks, emacs, record


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Meeting:
    return record("Emacs", emacs, "codex", tmp_path_factory.mktemp("emacs-codex"))


class TestMeeting(MeetingChecks):
    """The checks every pairing passes, on this module's session."""
