"""`codetape export --format stepwise` through the real CLI, over generated debugging sessions
(tests/support/debugging.py: a failing test, guesses typed and deleted, the fix, the tests green) and
generated training sessions (tests/support/sessions.py: hours of typing, test runs now failing, now not):
the export folder loaded whole with `datasets.load_dataset("json")`, every row tokenized by TRL's own
`PRMTrainer.tokenize_row` (TRL 0.29.0's, tests/support/trl_prm.py), each step's label on its last token
and its tokens decoding to exactly the step exported. In a debugging session the bursts of a guess are
false (a revert removed all they inserted), the revert and the fix true."""

from __future__ import annotations

from pathlib import Path

import datasets
import pytest

from collector.episode import write_episode_file
from tests.cli import codetape
from tests.support.debugging import STATEMENT, Debugging, debugging
from tests.support.sessions import generate
from tests.support.trl_dpo import byte_tokenizer
from tests.support.trl_prm import SEPARATOR, read_back, tokenized

SEEDS = (1, 2, 3, 4)
SCALE = 0.1
COLUMNS = ["prompt", "completions", "labels", "surviving_shares", "completion_steps", "completion_actors",
           "outside_writes", "name", "failing_step", "passing_step", "split"]


@pytest.fixture(scope="module")
def episodes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Debugging]]:
    """The episodes' folder, and the debugging sessions by episode id."""
    folder = tmp_path_factory.mktemp("episodes")
    fixing = {}
    for seed in SEEDS:
        session = debugging(seed)
        write_episode_file(folder / f"debugging-{seed}.ctape", session.header, session.steps)
        fixing[str(session.header.episode_id)] = session
    for seed in SEEDS[:2]:
        training = generate(seed, "training", scale=SCALE)
        write_episode_file(folder / f"training-{seed}.ctape", training.header, training.steps)
    return folder, fixing


def test_stepwise_rows_label_the_guesses_false_and_prm_tokenizes_every_one(
        tmp_path: Path, episodes: tuple[Path, dict[str, Debugging]]) -> None:
    folder, fixing = episodes
    out = tmp_path / "stepwise"
    done = codetape(tmp_path / "home", "export", *map(str, sorted(folder.iterdir())), "--format", "stepwise",
                    "-o", str(out))
    assert done.returncode == 0, done.stderr
    files = sorted(str(path) for path in out.iterdir())
    assert len(files) == len(SEEDS) + 2
    rows = datasets.load_dataset("json", data_files=files, split="train", cache_dir=str(tmp_path / "hf"))
    assert rows.column_names == COLUMNS

    seen = set()
    for row in rows:
        assert len(row["completions"]) == len(row["labels"]) == len(row["completion_steps"]) > 0
        assert all(diff.startswith("--- a/") for diff in row["completions"])
        assert row["failing_step"] < row["completion_steps"][0][0]
        assert row["completion_steps"][-1][1] < row["passing_step"]
        episode_id = row["name"].split(":")[0]
        session = fixing.get(episode_id)
        if session is None:
            continue
        seen.add(episode_id)
        runs = [index for index, step in enumerate(session.steps) if step.kind == "test_run"]
        assert (row["failing_step"], row["passing_step"]) == (runs[0], runs[-1])  # one: the first to green
        assert row["prompt"].startswith(f"The task:\n{STATEMENT}\n\nThe tests failed (pytest -q "
                                        "tests/test_clamp.py)")
        assert "FAILED tests/test_clamp.py::test_high: AssertionError: assert 12 == 10" in row["prompt"]
        for (first, last), label in zip(row["completion_steps"], row["labels"], strict=True):
            if first in session.reverts:
                assert label, (first, last)  # a revert deletes: nothing of its own to take back
            elif last < session.reverts[-1]:
                assert not label, (first, last)  # a guess's: all it inserted deleted
            else:
                assert label, (first, last)  # the fix
    assert seen == set(fixing)  # a row for every debugging session

    tokenizer = byte_tokenizer()
    for row in rows:
        prompt, steps = read_back(tokenized(dict(row), tokenizer), tokenizer, row["prompt"])
        assert prompt == row["prompt"]
        assert steps == [(text + SEPARATOR, label) for text, label in zip(row["completions"], row["labels"],
                                                                         strict=True)]
