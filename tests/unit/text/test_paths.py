"""Which workspace-relative paths an episode may hold (collector/text/paths.py)."""

from __future__ import annotations

import os

from collector.text.paths import path_problem


def test_a_name_that_is_not_utf8_is_refused_without_repeating_it() -> None:
    name = os.fsdecode(b"per%cent\xe9.txt")  # as the file watcher reads it: surrogateescape
    assert path_problem(name) == "its name is not UTF-8"
    assert path_problem("per%centé.txt") is None
