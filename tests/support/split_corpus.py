"""A generated corpus for the train/eval split (collector/export/split.py), as episodes' (repository,
steps_sha256, signature), in source order: repositories of 1 to 50 episodes, 10 % of the episodes near
duplicates of an earlier one (its text with one word in sixty replaced, as bench/near_duplicates.py makes
them: Jaccard about 0.83), 1 % exact repeats of an earlier one's steps hash; the others' texts are drawn
from a small vocabulary, so unrelated ones share a band now and then. Seeded: the same corpus on every
machine. Used by the split's equality test and by bench/split_scale.py."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator

from collector.export.split import signature

WORDS = 120  # words of an episode's text
VOCABULARY = [f"w{n}" for n in range(400)]

Member = tuple[str, str, list[int] | None]  # repository, steps_sha256, signature


def mutated(text: str, rng: random.Random) -> str:
    """The text with one word in sixty (on average) replaced."""
    words = text.split(" ")
    return " ".join(f"x{rng.randrange(10**6)}" if rng.random() < 1 / 60 else word for word in words)


def corpus(count: int, seed: int = 78, start: int = 0) -> Iterator[Member]:
    """`count` episodes (see the module docstring); `start` numbers them on from an earlier call's end (its
    texts are not recalled: near duplicates and repeats then point into this call's episodes only)."""
    rng = random.Random(seed)
    texts: list[str] = []
    steps: list[str] = []
    repository, left = "", 0
    for n in range(start, start + count):
        if left == 0:
            repository, left = f"git:example.org/r{n}", rng.randint(1, 50)
        left -= 1
        draw = rng.random()
        if texts and draw < 0.10:
            text = mutated(texts[rng.randrange(len(texts))], rng)
            digest = hashlib.sha256(f"steps {n}".encode()).hexdigest()
        elif steps and draw < 0.11:
            text = " ".join(rng.choices(VOCABULARY, k=WORDS))
            digest = steps[rng.randrange(len(steps))]
        else:
            text = " ".join(rng.choices(VOCABULARY, k=WORDS))
            digest = hashlib.sha256(f"steps {n}".encode()).hexdigest()
        texts.append(text)
        steps.append(digest)
        if len(texts) > 4096:  # near duplicates of the last few thousand: a bounded generator
            texts.pop(0)
            steps.pop(0)
        yield repository, digest, signature(text) if n % 97 else None  # now and then, no text at all
