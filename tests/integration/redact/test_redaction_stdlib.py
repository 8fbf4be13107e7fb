"""False positives on the standard library (issue 24: at most 0.1 per 1,000 lines), scanned as
`python -m bench.redaction stdlib` does: every `.py` file as one text, every finding counts (bench/README.md
lists them, read by eye: test fixtures, documentation examples and test vectors shaped like credentials)."""

from __future__ import annotations

from tests.support.false_positives import stdlib


def test_false_positives_on_the_standard_library_at_most_one_in_10000_lines() -> None:
    found = stdlib()
    assert found.lines > 500_000, f"{found.lines} lines under {found.root}: not the standard library"
    shown = found.findings[:20]  # (rule, file, line, text)
    assert len(found.findings) / found.lines * 1000 <= 0.1, f"{len(found.findings)} in {found.lines}: {shown}"
