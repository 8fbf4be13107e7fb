"""codetape's own commands are not recorded as `command` steps (issue 51, item 3)."""

from __future__ import annotations

import pytest

from collector.sources.shell.own_commands import own_command, runs_codetape_line


@pytest.mark.parametrize("line", [
    "codetape review", "codetape collector stop", "  codetape status --json ",
    "/home/me/.local/bin/codetape doctor",
    "CODETAPE_HOME=/tmp/h codetape episodes", "env -i codetape keys init", "command codetape inspect abc",
    "time codetape replay abc", "codetape cat abc > steps.jsonl", "'codetape' 'status'",
    "codetape run -- pytest -q",  # its own step records pytest
])
def test_a_line_that_runs_codetape_is_not_recorded(line: str) -> None:
    assert runs_codetape_line(line)


@pytest.mark.parametrize("line", [
    "pytest -q", "codetape status && pytest", "codetape status; make", "codetape cat abc | jq .",
    "(codetape status)", "echo codetape status", "git commit -m 'codetape review'", "vim codetape.py",
    "codetape-other status", "codetape status\npytest", "codetape 'status", "",
])
def test_a_line_that_does_more_or_something_else_is_recorded(line: str) -> None:
    assert not runs_codetape_line(line)


def test_a_step_s_argv_or_line_decides() -> None:
    assert own_command({"kind": "command", "argv": ["/opt/bin/codetape", "review"]})
    assert not own_command({"kind": "command", "argv": ["pytest"]})
    assert own_command({"kind": "command", "command_line": "codetape doctor"})
    assert not own_command({"kind": "command", "command_line": 42})
