"""Unlinkable mode's per-episode pseudonyms (issue 52, item 1): no commit id nor agent conversation id of
an episode, full or abbreviated, is in what it signs; inside the episode each stays the same."""

from __future__ import annotations

import json
import re
from pathlib import Path

from collector.consent.pseudonyms import Pseudonyms
from collector.consent.unlinkable import minimise_episode
from collector.episode import open_episode
from schemas import step_to_dict
from schemas.common import plain
from tests.fixtures.make_golden import COMMIT, DIRECTORY, HEAD

OTHER = "0123456789abcdef0123456789abcdef01234567"


def test_a_commit_id_and_its_abbreviations_have_one_pseudonym_of_the_same_length() -> None:
    names = Pseudonyms([COMMIT, HEAD])
    full = names.commit(COMMIT)
    assert re.fullmatch(r"[0-9a-f]{40}", full) and full not in (COMMIT, HEAD)
    assert names.commit(COMMIT[:7]) == full[:7] and names.commit(COMMIT[:12]) == full[:12]
    text = f"[main {COMMIT[:7]}] fix\n{HEAD[:9]} earlier\nThis reverts commit {COMMIT}.\nblob {OTHER}"
    assert names.text(text) == (f"[main {full[:7]}] fix\n{names.commit(HEAD)[:9]} earlier\n"
                                f"This reverts commit {full}.\nblob {OTHER}")  # an unknown id stays
    assert names.text("deadbeefcafe") == "deadbeefcafe" and names.text(COMMIT[:6]) == COMMIT[:6]


def test_two_episodes_give_the_same_commit_unrelated_pseudonyms() -> None:
    first, second = Pseudonyms([COMMIT]), Pseudonyms([COMMIT])
    assert first.commit(COMMIT) != second.commit(COMMIT)
    assert first.agent_session("abc-123") == first.agent_session("abc-123") != second.agent_session("abc-123")
    key = b"k" * 32
    assert Pseudonyms([COMMIT], key).commit(COMMIT) == Pseudonyms([COMMIT], key).commit(COMMIT)


def test_the_minimised_episode_holds_no_commit_id_and_keeps_the_history_s_shape(tmp_path: Path) -> None:
    minimised = open_episode(minimise_episode(DIRECTORY / "full.ctape", tmp_path / "m.ctape", "coarse"))
    steps = [step_to_dict(step) for step in minimised.steps()]
    everything = json.dumps([plain(minimised.header), steps])
    for commit in (COMMIT, HEAD):
        assert commit[:7] not in everything
    commit, update = (s for s in steps if s["kind"] == "git")
    assert commit["parents"] == [minimised.header.workspace.head_at_start]
    assert (update["old"], update["new"]) == (commit["parents"][0], commit["sha"])
    assert commit["message"] == "pager: keep the last page"  # the content stays
    original = [step_to_dict(step) for step in open_episode(DIRECTORY / "full.ctape").steps()]
    assert len(steps) == len(original)


def test_an_agent_conversation_id_becomes_this_episode_s_pseudonym(tmp_path: Path) -> None:
    """A conversation that goes on across a seal (`claude --continue`) no longer joins the two episodes."""
    from tests.fixtures.make_golden import AGENT_SESSION

    def signed_steps() -> list[dict[str, object]]:
        path = minimise_episode(DIRECTORY / "agents.ctape", tmp_path / "a.ctape", "coarse")
        return [step_to_dict(step) for step in open_episode(path).steps()]

    first, second = signed_steps(), signed_steps()
    sessions = {s["session"] for s in first if "session" in s}
    assert len(sessions) == 1 and AGENT_SESSION not in json.dumps(first)
    assert sessions.isdisjoint(s.get("session") for s in second)


def test_git_log_s_date_keeps_its_day_only_in_the_signed_episode() -> None:
    from collector.consent.unlinkable import pseudonymised
    from schemas import step_from_dict

    log = f"commit {COMMIT}\nAuthor: «user» <«user»>\nDate:   Thu Nov 26 08:47:47 2026 +0100\n\n    fix\n"
    step = step_from_dict({"kind": "command", "t_ms": 0, "source": "shell", "command_line": "git log -1",
                           "output_tail": log})
    names = Pseudonyms([COMMIT])
    said = step_to_dict(pseudonymised(step, names))["output_tail"]
    assert said == (f"commit {names.commit(COMMIT)}\nAuthor: «user» <«user»>\nDate:   Thu Nov 26 2026\n\n"
                    "    fix\n")
