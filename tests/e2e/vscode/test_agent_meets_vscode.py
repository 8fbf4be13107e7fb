"""Where the developer and the agent meet (tests/e2e/agent_meets_editor.py) in real VS Code (code-server with
the packaged extension, driven in Chromium), the agent the real Claude Code: recorded once, checked as the
dataset's readers read it. VS Code reloads the clean app.py the agent rewrote by itself (the edits table
leaves that reload out); the developer's Enter presses are typed by the extension's heuristic, which its
detail names (editor_extensions/vscode/src/common/origin.ts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.agent_meets_editor import (  # noqa: F401 (the checks every pairing passes)
    Meeting,
    record,
    test_agent_trace_gives_each_line_to_whoever_wrote_it,
    test_every_edit_has_an_origin,
    test_fail_to_pass_lists_both_actors_diffs,
    test_swe_messages_write_file_holds_the_fix,
    test_the_agent_s_write_is_its_own_transition_and_no_reload_carries_it,
    test_the_shares_are_what_was_scripted,
    test_the_transitions_replay_to_the_disk_at_the_commit_and_at_the_end,
    vscode,
)
from tests.e2e.vscode.test_extension_vscode import code_server, vsix  # noqa: F401 (module-scoped fixtures)


@pytest.fixture(scope="module")
def session(code_server: Path, vsix: Path, tmp_path_factory: pytest.TempPathFactory) -> Meeting:  # noqa: F811
    return record("VS Code", vscode(code_server, vsix), "claude-code",
                  tmp_path_factory.mktemp("vscode-claude-code"))
