"""Placeholders, the registry of values, masked previews and the redaction summary."""

from __future__ import annotations

import stat
from pathlib import Path

from collector.redact import RedactionSummary, mask
from collector.redact.placeholders import Registry
from collector.seal.summaries import read_summary, summary_path, write_summary
from schemas.steps import NoteStep, RedactionStep


def test_one_placeholder_per_value_numbered_per_rule() -> None:
    registry = Registry()
    a = registry.secret_for("github-token", "ghp_one")
    b = registry.secret_for("aws-access-key", "AKIA1")
    c = registry.secret_for("github-token", "ghp_two")
    assert registry.secret_for("github-token", "ghp_one") is a
    assert [a.placeholder, b.placeholder, c.placeholder] == [
        "«redacted:github-token:1»", "«redacted:aws-access-key:1»", "«redacted:github-token:2»"]


def test_a_seeded_registry_continues_after_existing_placeholders() -> None:
    registry = Registry({"github-token": 3})
    assert registry.secret_for("github-token", "ghp_x").placeholder == "«redacted:github-token:4»"


def test_a_growing_value_keeps_its_placeholder_and_its_old_values() -> None:
    registry = Registry()
    secret = registry.secret_for("generic-secret", "hunter2X", growable=True)
    assert registry.grow(secret, "hunter2X9") and secret.value == "hunter2X9"
    assert registry.get("hunter2X") is secret  # a re-run sees the shorter value again
    assert [v for _, _, v in registry.known_in("x hunter2X9 y")] == [secret]
    assert not registry.grow(secret, "hunt")  # never shorter
    registry.secret_for("generic-secret", "hunter2X9")  # seen elsewhere: no longer growable
    assert not registry.grow(secret, "hunter2X99")


def test_known_values_and_aliases_are_found_short_ones_as_whole_tokens() -> None:
    registry = Registry()
    short = registry.secret_for("generic-secret", "pw9x!z")
    long = registry.secret_for("github-token", "ghp_Zq8vM2nL4xR7tY1w")
    registry.alias("Zq8vM2nL4x", long)
    found = [(s, e, secret) for s, e, secret in registry.known_in("pw9x!zz pw9x!z ghp_Zq8vM2nL4xR7tY1w")]
    assert (8, 14, short) in found and (0, 6, short) not in found
    assert (15, 35, long) in found and (19, 29, long) in found


def test_masked_previews_show_little() -> None:
    assert mask("AKIAQ3EGUIJ2ZK4PLMXW", 4) == "AKIA…XW"
    assert mask("Tr0ub4dor&3xq") == "Tr…q"
    assert mask("MIIEowIBAAK\nCAQEAwq3J8\nAAKC==\n") == "MIIE…C=="


def test_summary_round_trips_and_is_private(tmp_path: Path) -> None:
    summary = RedactionSummary("2026.11.1", {"github-token": 2}, [("«redacted:github-token:1»", "ghp_…gU4")],
                               {"«redacted:github-token:1»": 3})
    episode = tmp_path / "abc.ctape"
    write_summary(summary_path(episode), summary)
    assert summary_path(episode).name == "abc.redactions.json"
    assert stat.S_IMODE(summary_path(episode).stat().st_mode) == 0o600
    assert read_summary(episode) == summary
    assert read_summary(tmp_path / "none.ctape") is None


def test_summary_from_an_episodes_redaction_steps() -> None:
    steps = [NoteStep(t_ms=0, source="cli", text="x"),
             RedactionStep(t_ms=1, source="redact", rule="github-token",
                           placeholder="«redacted:github-token:2»", count=3),
             RedactionStep(t_ms=1, source="redact", rule="github-token",
                           placeholder="«redacted:github-token:1»", count=1)]
    summary = RedactionSummary.from_steps(steps, "2026.11.1")
    assert summary.counts == {"github-token": 2} and summary.masked == []
    assert summary.occurrences == {"«redacted:github-token:2»": 3, "«redacted:github-token:1»": 1}
