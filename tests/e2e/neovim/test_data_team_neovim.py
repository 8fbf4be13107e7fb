"""The data team's session (tests/e2e/data_team_session.py) in real Neovim 0.11 with codetape's plugin and
pylsp: recorded once, checked as the dataset's readers read it."""

from __future__ import annotations

import pytest

from tests.e2e.data_team_session import (  # noqa: F401 (the checks every editor's session passes)
    Session,
    neovim,
    record,
    test_agent_trace_attributes_the_agent_s_lines_to_the_ai,
    test_atif_gives_the_agent_its_own_steps,
    test_origin_human_keeps_the_episode_at_its_human_share,
    test_the_agent_s_fix_survived_to_the_end_and_to_the_commit,
    test_the_agent_s_write_is_a_transition_of_its_own_with_origin_agent,
    test_the_debug_line_typed_then_deleted_did_not_survive,
    test_the_editor_s_going_closed_its_document,
    test_the_fail_to_pass_diff_is_in_the_tables,
    test_the_outcome_rests_on_the_tests_with_its_confidence,
    test_the_transitions_replay_to_the_disk_at_the_commit_and_at_the_end,
    unknown_edits,
)


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    return record("Neovim", neovim, tmp_path_factory.mktemp("neovim"))


def test_every_edit_says_whose_work_it_is(session: Session) -> None:
    """The paste, the completion, the typing and the normal-mode keys, each with Neovim's evidence."""
    assert unknown_edits(session) == []
    details = {detail for (detail,) in session.tables.execute("SELECT DISTINCT origin_detail FROM edits")
               .fetchall()}
    assert {"nvim:vim.paste", "nvim:ins-completion keyword", "nvim:InsertCharPre", "nvim:normal o",
            "nvim:normal dd", "nvim:normal x", "nvim:insert <CR>"} <= details, details
