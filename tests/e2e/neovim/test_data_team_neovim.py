"""The data team's session (tests/e2e/data_team_session.py) in real Neovim 0.11 with codetape's plugin and
pylsp: recorded once, checked as the dataset's readers read it."""

from __future__ import annotations

import pytest

from tests.e2e.data_team_session import Session, SessionChecks, neovim, record, unknown_edits


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    return record("Neovim", neovim, tmp_path_factory.mktemp("neovim"))


class TestSession(SessionChecks):
    """The checks every editor's session passes, on this module's session."""


def test_every_edit_says_whose_work_it_is(session: Session) -> None:
    """The paste, the completion, the typing and the normal-mode keys, each with Neovim's evidence."""
    assert unknown_edits(session) == []
    details = {detail for (detail,) in session.tables.execute("SELECT DISTINCT origin_detail FROM edits")
               .fetchall()}
    assert {"nvim:vim.paste", "nvim:ins-completion keyword", "nvim:InsertCharPre", "nvim:normal o",
            "nvim:normal dd", "nvim:normal x", "nvim:insert <CR>"} <= details, details
