"""The split decided out of memory equals the split decided in memory (issue 78): on the golden episodes
(tests/fixtures/episodes) and on a generated corpus of 3,000 (tests/support/split_corpus.py: repositories
of 1 to 50 episodes, 10 % near duplicates, 1 % repeated steps), every episode's split, the near-duplicate
and leak counts are the ones recorded from the in-memory SplitIndex before the split moved to disk."""

from __future__ import annotations

import hashlib
from pathlib import Path

from collector.consent.statement import signed_unlinkably
from collector.episode import open_episode
from collector.episode.step_data import StepsHash
from collector.export.split import SplitIndex, WrittenText, duplicates, leaks, repository_of
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


def placed(members: list[Member]) -> list[str]:
    index = SplitIndex()
    return [index.place(*member) for member in members]


def test_the_golden_episodes_split_as_recorded() -> None:
    members = golden()
    assert len(members) == 9
    splits = placed(members)
    assert splits == ["train"] * 9


def test_a_generated_corpus_splits_as_recorded() -> None:
    members = list(corpus(3000))
    splits = placed(members)
    assert {split: splits.count(split) for split in set(splits)} == GENERATED_COUNTS
    assert hashlib.sha256(",".join(splits).encode()).hexdigest() == GENERATED
    assert duplicates((steps, signature) for _repository, steps, signature in members) == GENERATED_DUPLICATES
    sided = [
        (split, steps, signature)
        for (_repository, steps, signature), split in zip(members, splits, strict=True)
        if split != "none"
    ]
    assert leaks(sided) == 0
