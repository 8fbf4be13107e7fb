"""A text holding a string literal with escaped line breaks (a test failure's repr, JSON) is redacted as
if its escapes were read: a name and its value on the next line are still a name and its value."""

from __future__ import annotations

from collector.redact import RedactionSummary, RuleSet, redact_steps
from collector.redact.stream.text import read_escapes
from schemas import step_from_dict, step_to_dict

SECRET = "87d00e9baf9899cbbf4d5417d20a13f9"
MANIFEST = f'        - name: JWT_SECRET\n          value: "{SECRET}"\n'


def test_escapes_are_read_as_a_string_literal_would_be() -> None:
    assert read_escapes(r"a\nb\t\"c\" \\n") == 'a\nb\t"c" \\n'


def test_a_value_below_its_name_in_a_repr_is_redacted() -> None:
    step = step_from_dict({
        "kind": "test_run", "t_ms": 0, "source": "pytest", "exit_status": 1, "tests": [
            {"nodeid": "tests/test_deploy.py::test_manifest", "outcome": "failed",
             "summary": f"AssertionError: assert {MANIFEST!r} == ''"}]})
    assert SECRET in step_to_dict(step)["tests"][0]["summary"]  # the fixture holds it, escaped around it
    out = list(redact_steps([step], "utf-16", RuleSet.default(), RedactionSummary()))
    assert all(SECRET not in repr(step_to_dict(s)) for s in out)
    assert "«redacted:" in repr(step_to_dict(out[-1]))
