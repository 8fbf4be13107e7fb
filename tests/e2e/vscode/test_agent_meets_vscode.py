"""Where the developer and the agent meet (tests/e2e/agent_meets_editor.py) in real VS Code (code-server with
the packaged extension, driven in Chromium), the agent the real Claude Code: recorded once, checked as the
dataset's readers read it. VS Code reloads the clean app.py the agent rewrote by itself (the edits table
leaves that reload out); the developer's Enter presses are typed by the extension's heuristic, which its
detail names (editor_extensions/vscode/src/common/origin.ts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.agent_meets_editor import Meeting, MeetingChecks, record, vscode
from tests.e2e.vscode.test_extension_vscode import code_server, vsix  # noqa: F401 (module-scoped fixtures)


@pytest.fixture(scope="module")
def session(code_server: Path, vsix: Path, tmp_path_factory: pytest.TempPathFactory) -> Meeting:  # noqa: F811
    return record("VS Code", vscode(code_server, vsix), "claude-code",
                  tmp_path_factory.mktemp("vscode-claude-code"))


class TestMeeting(MeetingChecks):
    """The checks every pairing passes, on this module's session."""
