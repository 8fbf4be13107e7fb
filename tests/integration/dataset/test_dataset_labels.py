"""The labels a lab trains on, from a real episode through the real `dataset build`, read with DuckDB.

A real collector records a developer fixing add() in calc.py: `codetape task start`, the editor's edits
(the bridge's steps) typing a debug print above the function, a real pytest run (the codetape plugin)
that fails, the fix typed, the debug line deleted, a second real run that passes, a real git commit, and
then `codetape task done --outcome abandoned`: the developer said abandoned while the tests passed. The
episode is signed, uploaded and built; `edits` says the debug line survived nothing and which step
removed it, the fix survived to the end and into the commit; `episodes` and `tasks` say the outcome is
`tests` (pass) and list the developer's `abandoned` beside it, with the confidence halved."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from collector.consent import init_keys
from collector.home import Home
from collector.protocol.clock import now_ms
from tests.cli import codetape
from tests.support.collector_harness import env_for, git, running, settle, wait_recorded
from tests.support.dataset_helpers import Contributor, duck, sign, upload

BUGGY = "def add(a, b):\n    return a - b\n"
DEBUG = "print(add(2, 2))\n"
FIXED = "def add(a, b):\n    return a + b\n"
TEST = "from calc import add\n\n\ndef test_add():\n    assert add(2, 2) == 4\n"


def _at(line: int, character: int) -> dict[str, int]:
    return {"line": line, "character": character}


def _edit(start: tuple[int, int], end: tuple[int, int], text: str) -> dict[str, Any]:
    return {"kind": "edit", "source": "bridge", "path": "calc.py", "origin": "typed",
            "origin_detail": "nvim:insert", "changes": [{"range": {"start": _at(*start), "end": _at(*end)},
                                                         "text": text}]}


def _save(ws: Path, text: str) -> dict[str, Any]:
    (ws / "calc.py").write_text(text, encoding="utf-8")  # what the editor writes as it saves
    return {"kind": "save", "source": "bridge", "path": "calc.py"}


def _pytest(home: Path, ws: Path, runs: int) -> None:
    """A real pytest in the workspace (codetape's plugin reports it), then wait until it is recorded."""
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=ws,
                   env={**env_for(home), "PYTHONDONTWRITEBYTECODE": "1"}, capture_output=True, timeout=120,
                   check=False)
    wait_recorded(Home(home), ws, lambda steps: sum(s["kind"] == "test_run" for s in steps) >= runs,
                  f"test run {runs} recorded")


def _record(base: Path) -> tuple[Path, Path]:
    """(home, the sealed episode) of the session above."""
    home, ws = base / "home", base / "ws"
    ws.mkdir(parents=True)
    (ws / "calc.py").write_text(BUGGY, encoding="utf-8")
    (ws / "test_calc.py").write_text(TEST, encoding="utf-8")
    (ws / ".gitignore").write_text("__pycache__/\n", encoding="utf-8")
    git(ws, "init", "-q", "-b", "main")
    git(ws, "add", ".")
    git(ws, "commit", "-q", "-m", "add, with a bug")
    assert codetape(home, "init", str(ws)).returncode == 0
    ws = ws.resolve()
    with running(home) as daemon, daemon.client() as client:
        assert client.hello(ws, "bridge", client={"name": "Neovim", "version": "0.11.4"},
                            position_encoding="utf-16")["recording"]
        assert codetape(home, "task", "start", "fix add", "--dir", str(ws)).returncode == 0
        client.send_step(now_ms(), {"kind": "open", "source": "bridge", "path": "calc.py", "text": BUGGY,
                                    "language_id": "python"})
        client.send_step(now_ms(), _edit((0, 0), (0, 0), DEBUG))  # the debug line
        client.send_step(now_ms(), _save(ws, DEBUG + BUGGY))
        settle(client)
        _pytest(home, ws, 1)  # red
        client.send_step(now_ms(), _edit((2, 13), (2, 14), "+"))  # the fix
        client.send_step(now_ms(), _edit((0, 0), (1, 0), ""))  # the debug line deleted
        client.send_step(now_ms(), _save(ws, FIXED))
        settle(client)
        _pytest(home, ws, 2)  # green
        git(ws, "commit", "-q", "-am", "fix add")
        wait_recorded(Home(home), ws, lambda steps: any(s["kind"] == "git" and s.get("op") == "commit"
                                                          for s in steps), "the commit recorded")
        done = codetape(home, "task", "done", "--outcome", "abandoned", "--dir", str(ws))
        assert done.returncode == 0, done.stderr
    sealed = sorted((home / "episodes").glob("*.ctape"))
    assert len(sealed) == 1, sealed
    return home, sealed[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("labels")
    home, episode = _record(base)
    person = Contributor(Home(home))
    init_keys(person.home)
    sign(person, episode)
    upload(person, (base / "source").as_uri())
    out = base / "out"
    done = codetape(base / "team", "dataset", "build", str(base / "source"), "-o", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    return out


def test_the_debug_line_is_reverted_where_it_was_deleted_and_the_fix_survives_into_the_commit(built: Path
                                                                                             ) -> None:
    con = duck(built)
    rows = con.execute(
        "SELECT step, inserted, deleted, survived_to_end, survived_to_commit, reverted_at_step, "
        "reverted_within_ms, t_ms FROM edits ORDER BY step").fetchall()
    (debug, fix, deletion) = rows
    assert debug[1] == DEBUG and fix[1] == "+" and deletion[2] == DEBUG
    assert debug[3:6] == (0.0, 0.0, deletion[0])  # not in the commit either: it had gone before
    assert debug[6] == deletion[7] - debug[7]
    assert fix[3:7] == (1.0, 1.0, None, None)
    assert deletion[3:] == (None, None, None, None, deletion[7])  # inserted nothing: no share at all
    burst = con.execute("SELECT kind, survived_to_end, survived_to_commit FROM transitions "
                        "WHERE kind = 'edit' ORDER BY action").fetchall()
    assert ("edit", 1.0, 1.0) in burst  # the burst of the fix and the deletion: what it held, all kept


def test_the_outcome_rests_on_the_tests_and_shows_the_developer_said_abandoned(built: Path) -> None:
    con = duck(built)
    episode = con.execute("SELECT task, task_outcome, outcome, outcome_signal, outcome_confidence, "
                          "outcome_signals FROM episodes").fetchall()
    assert len(episode) == 1
    task, said, outcome, signal, confidence, signals = episode[0]
    assert (task, said, outcome, signal) == ("fix add", "abandoned", "pass", "tests")
    assert confidence == pytest.approx(0.45)  # red then green (0.9), halved: the developer disagrees
    verdicts = [(one["signal"], one["verdict"]) for one in signals]
    assert verdicts == [("tests", "pass"), ("self-reported", "abandoned"), ("commit", "pass")]
    tasks = con.execute("SELECT task, statement, outcome, outcome_signal, outcome_confidence, "
                        "len(outcome_signals), done_step IS NOT NULL FROM tasks").fetchall()
    assert tasks == [(0, "fix add", "pass", "tests", pytest.approx(0.45), 3, True)]


def test_the_card_scores_outcomes_survival_and_ai_share(built: Path) -> None:
    readme = (built / "README.md").read_text(encoding="utf-8")
    card = readme[readme.index("## Scorecard"):readme.index("## Loading")]
    assert "| episodes by outcome (signal) | pass 1 (tests 1); signals disagree in 1" in card
    # the debug line (0) and the fix (1) inserted something; the deletion did not
    assert "of the 2 edit changes that inserted something" in card and "none left: 50%" in card
    assert "| AI share | 0.0% of the characters written" in card
