"""False positives on text other than Python, from the files `scripts/setup` installs on every machine
(Debian's golang-go and git): the Go standard library's non-test sources and shell scripts, git's own
shell scripts, scanned as `python -m bench.redaction others` does. Every finding counts (bench/README.md
lists them, read by eye: Go's are constants named like tokens, and a doc comment's signing key)."""

from __future__ import annotations

import pytest

from tests.support.false_positives import false_positives, other_languages

pytestmark = pytest.mark.eval  # an evaluation on corpora (1.5 M lines): scripts/test --all runs it

PINNED = ("Go standard library (non-test .go)", "Go's shell scripts (*.sh, *.bash)", "git's shell scripts")


def test_false_positives_on_go_and_shell_at_most_one_in_10000_lines() -> None:
    corpora = other_languages()
    missing = [name for name in PINNED if not corpora.get(name, (None, []))[1]]
    assert not missing, f"{missing}: not installed; run scripts/setup (it installs golang-go and git)"
    lines = findings = 0
    for name in PINNED:
        root, paths = corpora[name]
        found = false_positives(root, paths)
        lines += found.lines
        findings += len(found.findings)
    assert lines > 1_500_000
    assert findings / lines * 1000 <= 0.1, f"{findings} findings in {lines} lines"
