"""Only findings in what is shared are signed (issue 53, item 5): an episode whose only AWS key was in a file
the review excluded kept its `redaction` step and the statement's count for the rule, telling a receiver
that the excluded file held an AWS key."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from collector.consent.statement import parse_statement, unpack_payload
from collector.episode import open_episode
from collector.home import Home
from schemas import step_to_dict
from tests.cli import codetape
from tests.fixtures.make_golden import DIRECTORY, FULL_HEADER

RULE = "aws-access-key"  # its one placeholder is in NOTES.md's text, in the golden episode's last gap


def signed(tmp_path: Path, *trims: str) -> tuple[list[dict[str, object]], dict[str, int]]:
    home = tmp_path / "home"
    assert codetape(home, "keys", "init", "--no-passphrase").returncode == 0
    episode = tmp_path / "full.ctape"
    shutil.copy(DIRECTORY / "full.ctape", episode)
    done = codetape(home, "sign", str(episode), *trims, "--yes")
    assert done.returncode == 0, done.stderr
    path = Home(home).outbox / f"{FULL_HEADER.episode_id}.ctape"
    consent = open_episode(path).consent
    assert consent is not None
    counts = parse_statement(unpack_payload(consent)[1]).redaction.counts
    return [step_to_dict(step) for step in open_episode(path).steps()], counts


def test_a_rule_whose_values_were_all_excluded_is_not_signed(tmp_path: Path) -> None:
    steps, counts = signed(tmp_path / "kept")
    assert counts == {RULE: 1} and any(s.get("rule") == RULE for s in steps)  # shared: said
    steps, counts = signed(tmp_path / "excluded", "--exclude", "NOTES.md")
    assert counts == {}
    assert not [s for s in steps if s["kind"] == "redaction"], json.dumps(steps)
    assert RULE not in json.dumps(steps)
