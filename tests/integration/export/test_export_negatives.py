"""The generated training corpus has negatives for the labels to find (issue 72, item 4): exported through
the real CLI, generated training sessions (tests/support/sessions.py with tests/support/mistakes.py's wrong
attempts and agent writes) give `stepwise` rows whose wrong attempts are steps labelled false with nothing
left, an agent's writes as steps of their own, `kto` rows for suggestions taken and then deleted, and no
row that repeats another exactly in any training export."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from collector.episode import write_episode_file
from tests.cli import codetape
from tests.support.sessions import Session, generate

SEEDS = range(1, 9)
SCALE = 0.05
SAME = {
    "kto": ("prompt", "completion"),
    "dpo": ("prompt", "chosen", "rejected"),
    "stepwise": ("prompt", "completions"),
}  # what makes two rows the same example


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Session]]:
    """The episodes' folder, and the sessions by episode id."""
    folder = tmp_path_factory.mktemp("episodes")
    sessions = {}
    for seed in SEEDS:
        session = generate(seed, "training", scale=SCALE)
        write_episode_file(folder / f"training-{seed}.ctape", session.header, session.steps)
        sessions[str(session.header.episode_id)] = session
    return folder, sessions


def exported(tmp_path: Path, folder: Path, fmt: str) -> list[dict[str, Any]]:
    out = tmp_path / fmt
    done = codetape(
        tmp_path / "home", "export", *map(str, sorted(folder.iterdir())), "--format", fmt, "-o", str(out)
    )
    assert done.returncode == 0, done.stderr
    return [
        json.loads(line)
        for path in sorted(out.iterdir())
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def test_wrong_attempts_are_false_steps_and_agents_write_steps_of_their_own(
    tmp_path: Path, corpus: tuple[Path, dict[str, Session]]
) -> None:
    folder, sessions = corpus
    rows = exported(tmp_path, folder, "stepwise")
    labels: Counter[tuple[str, bool]] = Counter()
    attempted = 0
    for row in rows:
        session = sessions[row["name"].split(":")[0]]
        for (first, last), label, share, actor in zip(
            row["completion_steps"],
            row["labels"],
            row["surviving_shares"],
            row["completion_actors"],
            strict=True,
        ):
            labels[actor, label] += 1
            if actor == "agent":
                assert session.steps[first].kind == "file_change", (row["name"], first)
            inside = [a for a in session.attempts if first in a]
            if inside:  # a wrong attempt's burst: all it inserted deleted before the green run
                attempted += 1
                assert (actor, label, last in inside[0]) == ("developer", False, True), row["name"]
                assert share in (0.0, -1.0), row["name"]  # (-1.0: a burst of its line break and indentation)
    assert attempted and labels["developer", False] >= attempted, labels
    assert labels["agent", True] + labels["agent", False] > 0, labels
    assert labels["developer", False] < labels["developer", True], labels


def test_suggestions_taken_and_deleted_are_false_kto_rows_with_nothing_of_them_left(
    tmp_path: Path, corpus: tuple[Path, dict[str, Session]]
) -> None:
    folder, sessions = corpus
    deleted = []
    for row in exported(tmp_path, folder, "kto"):
        episode_id, step = row["name"].split(":")
        if any(int(step) in attempt for attempt in sessions[episode_id].attempts):
            deleted.append(row)
    # taken whole, deleted with its line 4-15 s later; what the developer typed next at the caret may be
    # taken for text written in its place (offers.py: the place still grows), else nothing is left there
    assert any(row["settled"] == "" for row in deleted), deleted
    for row in deleted:
        assert (row["label"], row["outcome"], row["survived_to_end"], row["survived_30s"]) == (
            False,
            "overwritten",
            0.0,
            False,
        ), row
        assert 4_000 <= row["reverted_within_ms"] <= 16_000, row


@pytest.mark.parametrize("fmt", sorted(SAME))
def test_no_row_repeats_another(tmp_path: Path, corpus: tuple[Path, dict[str, Session]], fmt: str) -> None:
    folder, _ = corpus
    rows = exported(tmp_path, folder, fmt)
    assert rows
    same = Counter(json.dumps([row[key] for key in SAME[fmt]]) for row in rows)
    assert [count for count in same.values() if count > 1] == []
