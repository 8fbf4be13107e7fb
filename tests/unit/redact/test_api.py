"""The public redaction API other parts of codetape code against."""

from __future__ import annotations

import hashlib

import pytest

from collector.errors import UsageError
from collector.redact import Finding, RedactionSummary, RuleSet, scan
from collector.redact.scanning.ruleset import value_hash
from collector.seal.redacted import seal_transform
from schemas.steps import NoteStep


def test_scan_finds_a_provider_token_with_its_span() -> None:
    text = 'key = "AKIAQ3EGUIJ2ZK4PLMXW"\n'
    assert scan(text, RuleSet.default()) == [Finding("aws-access-key", 7, 27, "AKIAQ3EGUIJ2ZK4PLMXW")]


def test_extra_patterns_and_allow_list_are_explicit() -> None:
    token = "ghp_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4"
    text = f"ticket INTERNAL-7F3K9Q2 and token {token}"
    rules = RuleSet.default()
    assert [f.rule for f in scan(text, rules)] == ["github-token"]
    custom = RuleSet.default(extra_patterns=[r"INTERNAL-[0-9A-Z]{7}"])
    assert [f.rule for f in scan(text, custom)] == ["custom", "github-token"]
    allowed = RuleSet.default(allow=["ghp_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4"])
    assert scan(text, allowed) == []
    # a rule allowed is one rule: another (the engine's, or "token" before the value) still finds it
    found = scan(text, RuleSet.default(allow=["rule:github-token"]))
    assert [f.value for f in found] == [token] and found[0].rule != "github-token"
    # a value allowed by its hash is let through whichever rule finds it
    assert scan(text, RuleSet.default(allow=[value_hash(token)])) == []
    assert value_hash(token) == "sha256:" + hashlib.sha256(token.encode()).hexdigest()
    # the version names codetape's rules and the engine's, and says when the developer added to them
    assert rules.version == f"{RuleSet.VERSION}+{rules.scanner.version}"
    assert custom.version == f"{rules.version}+custom1"


def test_a_bad_extra_pattern_is_one_clear_error() -> None:
    with pytest.raises(UsageError, match=r"redaction pattern '\(oops' is not a valid regular expression"):
        RuleSet.default(extra_patterns=["(oops"])
    with pytest.raises(UsageError, match="matches the empty string"):
        RuleSet.default(extra_patterns=["x*"])
    with pytest.raises(UsageError, match="unknown redaction rule 'nope'"):
        RuleSet.default(allow=["rule:nope"])


def test_seal_transform_redacts_and_summarises() -> None:
    transform = seal_transform()
    token = "xoxb-2841930571-8812093311-Qm7RkT2vXw9LpZs4NcYb6HdF"
    out = list(transform(iter([NoteStep(t_ms=0, source="cli", text=f"slack {token}"),
                               NoteStep(t_ms=5, source="cli", text=f"again {token}")])))
    assert [s.kind for s in out] == ["note", "note", "redaction"]
    assert token not in repr(out)
    summary = transform.summary
    assert isinstance(summary, RedactionSummary)
    assert summary.rules_version == RuleSet.default().version
    assert summary.counts == {"slack-token": 1}
    assert summary.masked == [("«redacted:slack-token:1»", "xoxb-…" + token[-3:])]
