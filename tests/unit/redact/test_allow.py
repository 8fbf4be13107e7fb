"""The allow-list: a false positive let through by its value's hash or its rule, while sealing; the
summary lists it as allowed; the workspace's `[redaction] allow` is what the seal applies."""

from __future__ import annotations

import logging
from pathlib import Path

import msgspec
import pytest

from collector.episode import open_episode
from collector.home import Home
from collector.journal import JournalWriter
from collector.redact import RuleSet, mask, scan
from collector.redact.scanning.ruleset import value_hash
from collector.seal.redacted import seal_redacted
from collector.seal.summaries import read_summary
from collector.workspace.registry import Registry
from schemas import EpisodeHeader, Step
from schemas.settings import SETTINGS_FILE, WorkspaceSettings
from schemas.steps import NoteStep, OpenStep
from tests.unit.redact.test_steps import run, typed


def no_git(root: Path | None) -> tuple[tuple[str, ...], frozenset[str]]:
    """No git identity, read without starting git (a unit test starts no process)."""
    return (), frozenset()

FIXTURE = "Zx9Qw8Er7Ty6Ui5Op4As"  # a test fixture shaped like a token: the false positive to allow
GH = "ghp_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4"
LINE = f'fixture_token = "{FIXTURE}"'


def test_a_value_allowed_by_hash_stays_and_is_listed_and_a_secret_is_still_redacted() -> None:
    rules = RuleSet.default(allow=[value_hash(FIXTURE)])
    steps: list[Step] = [NoteStep(t_ms=0, source="cli", text=f"{LINE} and {GH}")]
    out, _, summary = run(steps, rules=rules)
    note = out[0]
    assert isinstance(note, NoteStep)
    assert FIXTURE in note.text and GH not in note.text and "«redacted:github-token:1»" in note.text
    assert summary.counts == {"github-token": 1}
    assert summary.allowed == [("generic-secret", value_hash(FIXTURE), mask(FIXTURE))]


def test_a_rule_allowed_lets_its_findings_through_but_not_another_rules() -> None:
    rules = RuleSet.default(allow=["rule:generic-secret"])
    assert scan(LINE, rules) == []
    assert [f.rule for f in scan(f'token = "{GH}"', rules)] == ["github-token"]


def test_a_value_allowed_typed_one_key_at_a_time_ends_unredacted() -> None:
    """Its prefix was found as a password before the last keystrokes; the whole value is allowed."""
    value = "Hx7Kq2mPz9Lw"
    steps: list[Step] = [OpenStep(t_ms=0, source="bridge", path="a.env", text="\n")]
    steps += typed(1, "a.env", 0, 0, f"DB_PASSWORD={value}")
    _, workspace, summary = run(steps, rules=RuleSet.default(allow=[value_hash(value)]))
    assert workspace.text("a.env") == f"DB_PASSWORD={value}\n"
    assert [entry for _, entry, _ in summary.allowed] == [value_hash(value)]


def test_the_policy_takes_hashes_and_rules_only_and_never_echoes_a_value() -> None:
    settings = msgspec.convert(
        {"redaction": {"allow": [value_hash(FIXTURE), "rule:generic-secret"]}}, WorkspaceSettings)
    assert settings.redaction.allow == [value_hash(FIXTURE), "rule:generic-secret"]
    for bad in (FIXTURE, "sha256:abc", "rule:Not A Rule"):
        with pytest.raises(msgspec.ValidationError) as raised:
            msgspec.convert({"redaction": {"allow": [bad]}}, WorkspaceSettings)
        assert bad not in str(raised.value)


def _journal(path: Path, steps: list[Step], root_name: str) -> Path:
    header = msgspec.convert({
        "codetape_version": "0.1.0", "episode_id": "0b9f4c3e-7d3a-4c1e-9a59-2f6f1b4f2a11",
        "started_at": "2026-11-22T10:00:00Z", "workspace": {"root_name": root_name}}, EpisodeHeader)
    with JournalWriter.create(path, header, fsync=lambda fd: None) as journal:
        for step in steps:
            journal.append(step)
    return path


def test_the_seal_applies_the_workspace_allow_list(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    settings = f'[redaction]\nallow = ["{value_hash(FIXTURE)}", "rule:no-such-rule"]\n'
    (root / SETTINGS_FILE).write_text(settings, encoding="utf-8")
    Registry(Home(tmp_path)).accept(root, settings)  # the home the episodes folder is in
    episodes = tmp_path / "episodes"
    episodes.mkdir()
    journal = _journal(tmp_path / "a.journal", [NoteStep(t_ms=0, source="cli", text=f"{LINE}\n{GH}")], "ws")
    with caplog.at_level(logging.WARNING):
        result = seal_redacted(journal, episodes, workspace=root, git_names=no_git)
    assert result is not None
    assert "no-such-rule" in caplog.text  # an unknown rule allows nothing, and the seal goes on
    text = repr(list(open_episode(result.path).step_dicts()))
    assert FIXTURE in text and GH not in text
    summary = read_summary(result.path)
    assert summary is not None and [entry for _, entry, _ in summary.allowed] == [value_hash(FIXTURE)]


def test_an_allow_list_entry_the_user_did_not_accept_is_not_applied(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    Registry(Home(tmp_path)).accept(root, "")  # opted in with an empty file; a pull then added an entry
    (root / SETTINGS_FILE).write_text(f'[redaction]\nallow = ["{value_hash(FIXTURE)}"]\n', encoding="utf-8")
    journal = _journal(tmp_path / "a.journal", [NoteStep(t_ms=0, source="cli", text=LINE)], "ws")
    result = seal_redacted(journal, tmp_path / "episodes", workspace=root, git_names=no_git)
    assert result is not None
    assert FIXTURE not in repr(list(open_episode(result.path).step_dicts()))


def test_without_a_workspace_everything_found_is_redacted(tmp_path: Path) -> None:
    episodes = tmp_path / "episodes"
    episodes.mkdir()
    journal = _journal(tmp_path / "b.journal", [NoteStep(t_ms=0, source="cli", text=LINE)], "elsewhere")
    result = seal_redacted(journal, episodes, git_names=no_git)
    assert result is not None
    assert FIXTURE not in repr(list(open_episode(result.path).step_dicts()))
