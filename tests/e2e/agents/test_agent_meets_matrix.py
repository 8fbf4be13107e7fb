"""Where the developer and the agent meet (tests/e2e/agent_meets_editor.py): the pairings the e2e tier leaves
to the evaluations, so that the whole matrix of the three editors and the two agents runs in CI (the e2e
tier has Neovim + Claude Code, Emacs + Codex and VS Code + Claude Code, each in its own module). Each
pairing is recorded once, and checked as every pairing is."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.agent_meets_editor import Meeting, MeetingChecks, emacs, neovim, record, vscode
from tests.e2e.vscode.test_extension_vscode import code_server, vsix  # noqa: F401 (module-scoped fixtures)

pytestmark = pytest.mark.eval
PAIRINGS = [("Neovim", "codex"), ("Emacs", "claude-code"), ("VS Code", "codex")]


@pytest.fixture(scope="module", params=PAIRINGS, ids=[f"{editor}+{agent}" for editor, agent in PAIRINGS])
def session(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Meeting]:
    editor, agent = request.param
    if editor == "VS Code":
        drive = vscode(request.getfixturevalue("code_server"), request.getfixturevalue("vsix"))
    else:
        drive = neovim if editor == "Neovim" else emacs
    yield record(editor, drive, agent, tmp_path_factory.mktemp(f"{editor}-{agent}".replace(" ", "-")))


class TestMeeting(MeetingChecks):
    """The checks every pairing passes, on this module's session."""
