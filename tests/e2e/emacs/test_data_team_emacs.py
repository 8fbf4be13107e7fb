"""The data team's session (tests/e2e/data_team_session.py) in real Emacs with codetape.el and eglot (the
proxy in front of pylsp): recorded once, checked as the dataset's readers read it."""

from __future__ import annotations

import pytest

from tests.e2e.data_team_session import Session, SessionChecks, emacs, record, unknown_edits


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    return record("Emacs", emacs, tmp_path_factory.mktemp("emacs"))


class TestSession(SessionChecks):
    """The checks every editor's session passes, on this module's session."""


def test_every_edit_says_whose_work_it_is(session: Session) -> None:
    """The yank, the completion, the typing and the kill, each with the command that made it: typing, then
    M-/ within one of eglot's batches no longer makes the batch `unknown`."""
    assert unknown_edits(session) == []
    details = {detail for (detail,) in session.tables.execute("SELECT DISTINCT origin_detail FROM edits")
               .fetchall()}
    assert {"emacs:yank", "emacs:dabbrev-expand", "emacs:kill-line"} <= details, details
