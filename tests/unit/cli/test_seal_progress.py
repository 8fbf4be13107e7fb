"""`codetape seal` says what it is doing when it takes more than a second (the first seal of a fresh
collector on a loaded machine): the line comes once the time has passed, and never for quick work."""

from __future__ import annotations

import pytest

from collector.cli.commands.seal import said_after
from tests.waiting import wait_for


def test_the_line_comes_once_the_work_outlasts_the_time(capsys: pytest.CaptureFixture[str]) -> None:
    said: list[str] = []
    with said_after(0.0, "sealing ..."):  # the work below lasts until the line is out
        wait_for(lambda: said.append(capsys.readouterr().err) or "sealing ...\n" in "".join(said),
                 what="the progress line")
    assert "".join(said) == "sealing ...\n"


def test_quick_work_says_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with said_after(60.0, "sealing ..."):
        pass
    assert capsys.readouterr().err == ""
