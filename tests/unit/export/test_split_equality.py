"""The split decided out of memory equals the split decided in memory (issue 78): on the golden episodes
(tests/fixtures/episodes) and on a generated corpus of 3,000 (tests/support/split_corpus.py: repositories
of 1 to 50 episodes, 10 % near duplicates, 1 % repeated steps), every episode's split, the near-duplicate
and leak counts are the ones recorded from the in-memory SplitIndex before the split moved to disk."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from collector.consent.statement import signed_unlinkably
from collector.dataset.output.split_counts import split_counts
from collector.dataset.output.split_store import StoredSplit
from collector.episode import open_episode
from collector.episode.step_data import StepsHash
from collector.export.split import SplitIndex, SplitRule, WrittenText, duplicates, leaks, repository_of
from tests.support.split_corpus import Member, corpus

GOLDEN = Path(__file__).parents[2] / "fixtures" / "episodes"
# recorded with the in-memory SplitIndex (commit "Issue 78, item 1: the split's equality test")
GENERATED = "1133cadd0a3d864cbc5588b3a89b808d3606847a4fae3533e43743e11ec6c786"
GENERATED_COUNTS = {"train": 2502, "eval": 428, "none": 70}
GENERATED_DUPLICATES = (57, 466)


def golden() -> list[Member]:
    found = []
    for path in sorted(GOLDEN.glob("*.ctape")):
        episode = open_episode(path)
        digest, written = StepsHash(), WrittenText()
        for step in episode.steps():
            digest.add(step)
            written.step(step)
        repository = repository_of(episode.header, signed_unlinkably(episode.consent))
        found.append((repository, digest.hexdigest(), written.signature()))
    return found


def placed(members: list[Member], index: SplitRule) -> list[str]:
    return [index.place(*member) for member in members]


def stored(folder: Path, before: list[Member], splits: list[str]) -> StoredSplit:
    """A store filled with `before` placed as `splits` (what earlier builds left), as a build fills it."""
    index = StoredSplit(folder / "split.sqlite")
    index.fill((*member, split) for member, split in zip(before, splits, strict=True))
    return index


@pytest.fixture(params=["memory", "stored", "stored after a build"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def split_all(members: list[Member], kind: str, folder: Path) -> list[str]:
    """Every member's split, by an index of `kind`: in memory; on disk; on disk, the first half placed by
    an earlier build (filled into the store from its splits), the rest placed against it."""
    if kind == "memory":
        return placed(members, SplitIndex())
    if kind == "stored":
        index = stored(folder, [], [])
        try:
            return placed(members, index)
        finally:
            index.close()
    half = len(members) // 2
    first = placed(members[:half], SplitIndex())
    index = stored(folder, members[:half], first)
    try:
        return first + placed(members[half:], index)
    finally:
        index.close()


def test_the_golden_episodes_split_as_recorded(kind: str, tmp_path: Path) -> None:
    members = golden()
    assert len(members) == 9
    splits = split_all(members, kind, tmp_path)
    assert splits == ["train"] * 9


def test_a_generated_corpus_splits_as_recorded(kind: str, tmp_path: Path) -> None:
    members = list(corpus(3000))
    splits = split_all(members, kind, tmp_path)
    assert {split: splits.count(split) for split in set(splits)} == GENERATED_COUNTS
    assert hashlib.sha256(",".join(splits).encode()).hexdigest() == GENERATED
    assert duplicates((steps, signature) for _repository, steps, signature in members) == GENERATED_DUPLICATES
    sided = [
        (split, steps, signature)
        for (_repository, steps, signature), split in zip(members, splits, strict=True)
        if split != "none"
    ]
    assert leaks(sided) == 0


def test_the_end_of_build_counts_on_disk_equal_the_in_memory_ones(tmp_path: Path) -> None:
    members = list(corpus(3000))
    splits = split_all(members, "memory", tmp_path)
    rows = [
        (split, steps, signature)
        for (_repository, steps, signature), split in zip(members, splits, strict=True)
    ]
    counts = split_counts(rows)
    assert counts.sizes == dict(sorted(GENERATED_COUNTS.items()))
    assert (counts.same_steps, counts.near) == GENERATED_DUPLICATES
    assert counts.leaks == 0
    # a split that breaks the rule (every third episode on the other side): leaks counted alike
    broken = [
        ("eval" if n % 3 == 0 and split == "train" else split, steps, signature)
        for n, (split, steps, signature) in enumerate(rows)
    ]
    expected = leaks(member for member in broken if member[0] != "none")
    assert expected > 100
    assert split_counts(broken).leaks == expected


def test_the_golden_episodes_end_of_build_counts_on_disk_equal_the_in_memory_ones(tmp_path: Path) -> None:
    members = golden()
    splits = split_all(members, "memory", tmp_path)
    rows = [(split, steps, signature)
            for (_repository, steps, signature), split in zip(members, splits, strict=True)]
    counts = split_counts(rows)
    recorded = duplicates((steps, signature) for _split, steps, signature in rows)
    assert (counts.same_steps, counts.near) == recorded == (3, 0)  # three copies of one session's steps
    assert counts.leaks == leaks(row for row in rows if row[0] != "none") == 0
    assert counts.sizes == {"train": 9}
