"""`TextRedactor.find` scans a repeated text once while the registry stays the same, and afresh after."""

from __future__ import annotations

from collector.redact.placeholders import Registry
from collector.redact.scanning.ruleset import RuleSet
from collector.redact.stream.text import TextRedactor

GH = "ghp_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4"
VALUE = "Xq7pLm2vRt9w"  # no rule finds it alone (too short for generated.py): only once it is known


def test_a_repeated_text_gives_the_same_findings() -> None:
    redactor = TextRedactor(RuleSet.default(), Registry())
    text = f"token {GH} in a diagnostic"
    first = redactor.redact(text)
    assert GH not in first
    version = redactor.registry.version
    assert redactor.redact(text) == first
    assert redactor.registry.version == version  # nothing registered the second time


def test_a_value_registered_later_is_found_in_a_text_seen_before() -> None:
    redactor = TextRedactor(RuleSet.default(), Registry())
    text = f"the value {VALUE} again"
    assert redactor.redact(text) == text
    secret = redactor.registry.secret_for("generic", VALUE)
    assert redactor.redact(text) == f"the value {secret.placeholder} again"


def test_an_alias_added_later_is_found_in_a_text_seen_before() -> None:
    redactor = TextRedactor(RuleSet.default(), Registry())
    secret = redactor.registry.secret_for("generic", VALUE)
    text = "left behind: Rt9wZk4sQQ"
    assert redactor.redact(text) == text
    redactor.registry.alias("Rt9wZk4sQQ", secret)
    assert redactor.redact(text) == f"left behind: {secret.placeholder}"


def test_every_change_to_the_known_values_counts() -> None:
    registry = Registry()
    secret = registry.secret_for("generic", VALUE, growable=True)
    assert registry.version == 1
    registry.secret_for("generic", VALUE)  # known already: no change
    assert registry.version == 1
    secret.growable = True
    assert registry.grow(secret, VALUE + "9z") and registry.version == 2
    registry.alias("Rt9wZk4sQQ", secret)
    assert registry.version == 3
