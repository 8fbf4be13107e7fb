"""The train/eval split: by repository, and never a duplicate on both sides.

Every example of every export, and every row of a dataset's `episodes`, carries its episode's `split`:

    train   the episode is for training
    eval    the episode is for evaluation
    none    in neither: it duplicates episodes on both sides (it would leak whichever side it took)

An episode's side is decided once, in order (a dataset build: the episodes of earlier builds first, then
this build's in source order; `codetape export`: the episodes in the order given), by `SplitIndex.decide`:
the side already taken by (1) its repository, (2) an episode with the same `steps_sha256` (the same
steps: one session signed twice, or by two people), (3) a near duplicate: an episode whose signature (a
MinHash of what its edits and file writes inserted, `WrittenText`) shares a band with its own and whose
estimated Jaccard similarity is at least NEAR (0.7 of the 5-token shingles). When none has a side, the
repository's hash decides: `eval` when the first 8 bytes of SHA-256("codetape-split:" + repository), read
as a big-endian number, modulo 100 are below EVAL_PERCENT, else `train`; so about EVAL_PERCENT % of
repositories are for evaluation, and a repository's episodes are on the same side on every machine. When
these say both sides, the episode's split is `none`.

The rule keeps episodes apart, not examples: two episodes with different steps and no near duplicate
(a session copied in part into a repository on the other side) can hold byte-identical examples.
edits/base/examples.py leaves those out of eval, once every example of an export is written.

The repository (`repository_key`) is the workspace's git remote, normalised (`git:HOST/PATH`: scheme,
user, `.git` and a trailing `/` left out, the host in lower case), else `workspace:ROOT_NAME`, its
folder's name. Two clones of one repository with different remotes (a fork) are two repositories: their
near-duplicate episodes are kept together by rule (3) only. An episode's root commit is not in its header,
so two repositories without a remote and with the same folder name are one (on one side; no leak).

MinHash by rensa (`RMinHash`, PERMUTATIONS 128, SEED 1; bench/README.md, "MinHash for the split's near
duplicates", says why it and not datasketch or datatrove); the banding (BANDS 16 of 8 rows) is codetape's
own, so a signature stored in a dataset is read back without the library's index. rensa is pinned to a
minor version: a release whose digests differ would stop old signatures matching new ones (the
repository and steps_sha256 rules hold regardless).
"""

from __future__ import annotations

import hashlib
import re
import struct
from abc import ABC, abstractmethod
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rensa import RMinHash

from collector.episode.step_data import StepsHash
from collector.policy.remotes import remote_key
from schemas import EpisodeHeader, WorkspaceIdentity
from schemas.steps import EditStep, FileChangeStep, Step

EVAL_PERCENT = 10
SALT = b"codetape-split:"
SPLITS = ("train", "eval", "none")
PERMUTATIONS = 128
SEED = 1
BANDS = 16
NEAR = 0.7
SHINGLE = 5  # tokens
MAX_TEXT = 1 << 20  # characters of an episode's written text read for its signature
BATCH = 4096  # shingles hashed at a time
_TOKEN = re.compile(r"\w+|[^\w\s]")


def repository_of(header: EpisodeHeader, unlinkable: bool) -> str:
    """The repository the split groups an episode by: an unlinkable one without a git remote (signing keeps
    only a shared remote the managed policy lists) is one of its own, `episode:ID`, so no folder name joins
    it to another and they do not all fall on one side (every unlinkable episode's folder is `workspace`;
    one signed before keeps its contributor's)."""
    if unlinkable and not header.workspace.git_remote:
        return f"episode:{header.episode_id}"
    return repository_key(header.workspace)


def repository_key(workspace: WorkspaceIdentity) -> str:
    """The repository an episode was recorded in, as the split groups them (see the module docstring)."""
    remote = (workspace.git_remote or "").strip()
    if not remote:
        return f"workspace:{workspace.root_name}"
    return f"git:{remote_key(remote)}"


def side_of(repository: str) -> str:
    """`train` or `eval` for a repository no episode has given a side yet."""
    digest = hashlib.sha256(SALT + repository.encode("utf-8", "surrogatepass")).digest()
    return "eval" if int.from_bytes(digest[:8], "big") % 100 < EVAL_PERCENT else "train"


class WrittenText:
    """What an episode's edits inserted and its writes to disk outside the editor hold, in order, up to
    MAX_TEXT characters: the text its signature is made of."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._size = 0

    def edit(self, step: EditStep) -> None:
        for change in step.changes:
            self._add(change.text)

    def file_change(self, step: FileChangeStep) -> None:
        if step.text is not None:
            self._add("\n" + step.text + "\n")

    def step(self, step: Step) -> None:
        if type(step) is EditStep:
            self.edit(step)
        elif type(step) is FileChangeStep:
            self.file_change(step)

    def _add(self, text: str) -> None:
        if text and self._size < MAX_TEXT:
            text = text[:MAX_TEXT - self._size]
            self._parts.append(text)
            self._size += len(text)

    def text(self) -> str:
        return "".join(self._parts)

    def signature(self) -> list[int] | None:
        """The MinHash signature (PERMUTATIONS values), or None when the text has no shingle."""
        return signature(self.text())


def each_shingle(text: str) -> Iterator[bytes]:
    """The text's shingles, one at a time and repeats included: each run of SHINGLE tokens (words, and every
    other non-space character), joined by a space, UTF-8; one shingle of all the tokens when there are
    fewer. (A repeat leaves a MinHash as it was: each value is a minimum.)"""
    window: deque[str] = deque(maxlen=SHINGLE)
    count = 0
    for token in _TOKEN.finditer(text):
        window.append(token.group())
        count += 1
        if count >= SHINGLE:
            yield " ".join(window).encode("utf-8", "surrogatepass")
    if 0 < count < SHINGLE:
        yield " ".join(window).encode("utf-8", "surrogatepass")


def shingles(text: str) -> list[bytes]:
    """The text's distinct shingles (each_shingle's, once each)."""
    return list(dict.fromkeys(each_shingle(text)))


def signature(text: str) -> list[int] | None:
    """The text's MinHash signature, its shingles hashed BATCH at a time (a worker holds one batch, not
    every shingle of a MiB of text: tens of MB); None when it has none."""
    made, batch, seen = RMinHash(num_perm=PERMUTATIONS, seed=SEED), [], False
    for shingle in each_shingle(text):
        batch.append(shingle)
        if len(batch) == BATCH:
            made.update(batch)
            batch.clear()
            seen = True
    if batch:
        made.update(batch)
    elif not seen:
        return None
    return list(made.digest())


def band_keys(signature: list[int]) -> list[bytes]:
    """The signature's BANDS band keys: the band's number and its rows' values."""
    rows = PERMUTATIONS // BANDS
    return [struct.pack(f">B{rows}I", band, *signature[band * rows:(band + 1) * rows])
            for band in range(BANDS)]


def estimate(one: list[int], other: list[int]) -> float:
    """Their Jaccard similarity as the signatures estimate it: the share of equal values."""
    return sum(a == b for a, b in zip(one, other, strict=True)) / PERMUTATIONS


class SplitRule(ABC):
    """`decide`'s order and rule, over where the sides taken so far are kept (memory: SplitIndex; a
    dataset build's on-disk store: dataset/output/split_store.py)."""

    @abstractmethod
    def repository_side(self, repository: str) -> str | None:
        """The side the first episode of `repository` took."""

    @abstractmethod
    def steps_side(self, steps_sha256: str) -> str | None:
        """The side the first episode with these steps took."""

    @abstractmethod
    def near(self, signature: list[int] | None) -> set[str]:
        """The sides of the near duplicates of `signature`: remembered signatures sharing a band with it
        whose estimate is at least NEAR."""

    @abstractmethod
    def remember(self, repository: str, steps_sha256: str, signature: list[int] | None, split: str) -> None:
        """Keep a side taken (train or eval): the first for its repository and steps; its signature."""

    def decide(self, repository: str, steps_sha256: str, signature: list[int] | None) -> str:
        """The split of an episode with these (see the module docstring); not remembered: `add` it."""
        sides = {self.repository_side(repository), self.steps_side(steps_sha256)} - {None}
        sides.update(self.near(signature))
        sides.discard("none")
        if len(sides) > 1:
            return "none"
        found = sides.pop() if sides else None
        return found if found is not None else side_of(repository)

    def add(self, repository: str, steps_sha256: str, signature: list[int] | None, split: str) -> None:
        """Remember an episode's split (one on neither side gives none to what matches it)."""
        if split != "none":
            self.remember(repository, steps_sha256, signature, split)

    def place(self, repository: str, steps_sha256: str, signature: list[int] | None) -> str:
        """decide, then add."""
        split = self.decide(repository, steps_sha256, signature)
        self.add(repository, steps_sha256, signature, split)
        return split


@dataclass
class SplitIndex(SplitRule):
    """The sides taken so far, by repository, by steps_sha256 and by signature band, in memory."""

    repositories: dict[str, str] = field(default_factory=dict)
    steps: dict[str, str] = field(default_factory=dict)
    bands: dict[bytes, list[int]] = field(default_factory=dict)  # -> indexes into `signatures`
    signatures: list[tuple[list[int], str]] = field(default_factory=list)

    def repository_side(self, repository: str) -> str | None:
        return self.repositories.get(repository)

    def steps_side(self, steps_sha256: str) -> str | None:
        return self.steps.get(steps_sha256)

    def near(self, signature: list[int] | None) -> set[str]:
        if signature is None:
            return set()
        candidates = {index for key in band_keys(signature) for index in self.bands.get(key, ())}
        return {self.signatures[index][1] for index in candidates
                if estimate(signature, self.signatures[index][0]) >= NEAR}

    def remember(self, repository: str, steps_sha256: str, signature: list[int] | None, split: str) -> None:
        self.repositories.setdefault(repository, split)
        self.steps.setdefault(steps_sha256, split)
        if signature is not None:
            index = len(self.signatures)
            self.signatures.append((signature, split))
            for key in band_keys(signature):
                self.bands.setdefault(key, []).append(index)


def leaks(members: Iterable[tuple[str, str, list[int] | None]]) -> int:
    """Of (split, steps_sha256, signature) of episodes on a side (train or eval), how many have one with the
    same steps_sha256, or a near-duplicate signature, on the other side."""
    by_side: dict[str, SplitIndex] = {"train": SplitIndex(), "eval": SplitIndex()}
    listed = list(members)
    for split, steps, signature in listed:
        by_side[split].add(split, steps, signature, split)
    other = {"train": "eval", "eval": "train"}
    return sum(steps in by_side[other[split]].steps or bool(by_side[other[split]].near(signature))
               for split, steps, signature in listed)


def assign(episodes: Iterable[tuple[str, str, Iterable[Step]]]) -> dict[str, str]:
    """The split of each episode (id, its repository: `repository_of`, its steps), decided in the order
    given, as a dataset build decides them: what `codetape export` writes when no dataset said it."""
    index, found = SplitIndex(), {}
    for episode_id, repository, steps in episodes:
        digest, written = StepsHash(), WrittenText()
        for step in steps:
            digest.add(step)
            written.step(step)
        found[episode_id] = index.place(repository, digest.hexdigest(), written.signature())
    return found


def duplicates(members: Iterable[tuple[str, list[int] | None]]) -> tuple[int, int]:
    """Of episodes' (steps_sha256, signature): how many have the same steps as another, and how many more
    a near-duplicate signature of another with other steps."""
    listed = list(members)
    same = Counter(steps for steps, _signature in listed)
    bands: dict[bytes, list[int]] = {}
    for index, (_steps, signature) in enumerate(listed):
        for key in band_keys(signature) if signature is not None else ():
            bands.setdefault(key, []).append(index)
    near = 0
    for index, (steps, signature) in enumerate(listed):
        if same[steps] > 1 or signature is None:
            continue
        candidates = {other for key in band_keys(signature) for other in bands[key]} - {index}
        near += any(listed[other][0] != steps and estimate(signature, listed[other][1] or []) >= NEAR
                    for other in candidates if listed[other][1] is not None)
    return sum(count for count in same.values() if count > 1), near
