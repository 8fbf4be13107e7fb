"""The data team's session (tests/e2e/data_team_session.py) in real VS Code (code-server with the packaged
extension, driven in Chromium): recorded once, checked as the dataset's readers read it. Stopping
code-server is VS Code going with app.py open: the collector closes it (issue 37, item 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.data_team_session import Session, SessionChecks, record, unknown_edits, vscode
from tests.e2e.vscode.test_extension_vscode import code_server, vsix  # noqa: F401 (module-scoped fixtures)


@pytest.fixture(scope="module")
def session(code_server: Path, vsix: Path, tmp_path_factory: pytest.TempPathFactory) -> Session:  # noqa: F811
    return record("VS Code", vscode(code_server, vsix), tmp_path_factory.mktemp("vscode"))


class TestSession(SessionChecks):
    """The checks every editor's session passes, on this module's session."""


def test_only_the_deletion_is_unknown(session: Session) -> None:
    """A deletion (Backspace) inserts nothing, so the extension has no evidence for it; VS Code gives a line
    break (Enter) no keyboard selection kind, so the three typed are `typed` by the extension's heuristic,
    which its detail names (editor_extensions/vscode/src/common/origin.ts); every other change says whose it
    is from the editor's own evidence."""
    assert unknown_edits(session) == [""]
    details = {detail for (detail,) in session.tables.execute("SELECT DISTINCT origin_detail FROM edits")
               .fetchall()}
    assert {"vscode:DocumentPasteEditProvider", "vscode:acceptSelectedSuggestion",
            "vscode:TextEditorSelectionChangeKind.Keyboard", "vscode:TextDocumentChangeReason.Undo",
            "vscode:TextDocumentChangeReason.Redo",
            "vscode:Enter (heuristic: a lone line break at the caret)"} <= details, details
