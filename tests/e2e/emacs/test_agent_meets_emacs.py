"""Where the developer and the agent meet (tests/e2e/agent_meets_editor.py) in real Emacs with codetape.el
and eglot, the agent the real Codex: recorded once, checked as the dataset's readers read it."""

from __future__ import annotations

import pytest

from tests.e2e.agent_meets_editor import (  # noqa: F401 (the checks every pairing passes)
    Meeting,
    emacs,
    record,
    test_agent_trace_gives_each_line_to_whoever_wrote_it,
    test_every_edit_has_an_origin,
    test_fail_to_pass_lists_both_actors_diffs,
    test_swe_messages_write_file_holds_the_fix,
    test_the_agent_s_write_is_its_own_transition_and_no_reload_carries_it,
    test_the_shares_are_what_was_scripted,
    test_the_transitions_replay_to_the_disk_at_the_commit_and_at_the_end,
)


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Meeting:
    return record("Emacs", emacs, "codex", tmp_path_factory.mktemp("emacs-codex"))
