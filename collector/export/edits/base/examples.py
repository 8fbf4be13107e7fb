"""No example on both sides of the split: an `eval` example identical to a `train` one is left out of eval,
and counted, as a lab measures contamination (split.py keeps episodes apart; two episodes in unrelated
repositories, with different steps, can still hold byte-identical examples: a file copied from one
repository to another and edited the same way, a vendored library, a shared template).

An example's key is a hash (blake2b, KEY_BYTES) of the fields that make it the example it is, the text a
model is given and the text it is to give, without what only says where it comes from (episode, steps,
times, split, repository):

    zeta          input, output (the excerpt before and after: the same pair under other `events` is the
                  same answer to learn)
    zeta2         cursor_path, cursor_position, edit_history, expected_patches (`uncommitted_diff`
                  and `revision` place it in a repository; `rejected_patch` is a preference about it)
    swe-messages  messages but the system message (which names the repository); the same for
                  swe-messages-developer
    dpo, dpo-fim  prompt, chosen, rejected (and dpo's suffix)
    kto           prompt, completion (the same suggestion judged either way is the same text to learn)
    stepwise      prompt, completions (the same steps labelled otherwise are the same text to learn)

Within one export (a dataset build, a `codetape export` run), an eval example whose key a train example
has is left out of its file. Against the files a dataset's earlier builds published (their snapshots name
them, byte for byte): an eval example of this build is left out when an earlier train example has its
key, and a train example of this build when an earlier eval example has it (a published eval set stays as
it is). Only keys are held, KEY_BYTES each, never the texts, and of the earlier examples only those
this export has too (their count of leaks is made on disk); the files are read a line at a time.

`dedup` takes the earlier examples as (split, key) pairs, whatever gives them: `parsed` reads the files
(`codetape export`, and a dataset's files its key index lacks), a dataset build takes most from its index
(collector/dataset/output/example_keys.py); the rule is the same. What it left in this export's files
(`Deduped.kept`) is what a build indexes.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from collector.atomic import atomic_file
from collector.scratch_db import open_scratch

KEY_BYTES = 16


def _zeta(record: dict[str, Any]) -> list[Any]:
    return [record["input"], record["output"]]


def _zeta2(record: dict[str, Any]) -> list[Any]:
    return [record["cursor_path"], record["cursor_position"], record["edit_history"],
            record["expected_patches"]]


def _swe_messages(record: dict[str, Any]) -> list[Any]:
    return [message for message in record["messages"] if message.get("role") != "system"]


def _pair(record: dict[str, Any]) -> list[Any]:
    return [record["prompt"], record["chosen"], record["rejected"], record.get("suffix")]


def _judged(record: dict[str, Any]) -> list[Any]:
    return [record["prompt"], record["completion"]]


def _steps(record: dict[str, Any]) -> list[Any]:
    return [record["prompt"], record["completions"]]


def _tagged(record: dict[str, Any]) -> str:
    return next((tag[6:] for tag in record.get("tags", ()) if tag.startswith("split:")), "none")


# format -> (the fields its key is made of, its record's split)
KEYS: dict[str, tuple[Callable[[dict[str, Any]], list[Any]], Callable[[dict[str, Any]], str]]] = {
    "zeta": (_zeta, lambda record: str(record["codetape"]["split"])),
    "zeta2": (_zeta2, _tagged),
    "swe-messages": (_swe_messages, lambda record: str(record["split"])),
    "swe-messages-developer": (_swe_messages, lambda record: str(record["split"])),
    "dpo": (_pair, lambda record: str(record["split"])),
    "dpo-fim": (_pair, lambda record: str(record["split"])),
    "kto": (_judged, lambda record: str(record["split"])),
    "dpo-agent": (_pair, lambda record: str(record["split"])),
    "stepwise": (_steps, lambda record: str(record["split"])),
}
LEFT_OUT = "eval examples identical to a train example"  # the result's `skipped` reason


def example_key(fmt: str, record: dict[str, Any]) -> bytes:
    """The record's key (see the module docstring)."""
    fields = KEYS[fmt][0](record)
    text = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=KEY_BYTES).digest()


def keyed(fmt: str, line: bytes) -> tuple[str, bytes]:
    """One line of an export file in `fmt`: its split and its key."""
    record = json.loads(line)
    return KEYS[fmt][1](record), example_key(fmt, record)


class Files(Protocol):
    """The files of one format's export, by name."""

    def lines(self, name: str) -> Iterator[bytes]:
        """The file's lines, one at a time (blank ones left out)."""

    def rewrite(self, name: str, drop: set[int]) -> None:
        """Replace the file by its lines but those numbered in `drop` (0-based, as `lines` gives them)."""


@dataclass
class Deduped:
    """What `dedup` did for one format: examples left out of this export's files, by the side they were on;
    eval examples of earlier files identical to an earlier train example (published before this rule: left
    as they are, counted)."""

    left_out: Counter[str] = field(default_factory=Counter)
    earlier_leaks: int = 0
    kept: dict[str, list[tuple[str, bytes]]] = field(default_factory=dict)  # new file -> its examples left in


def dedup(fmt: str, files: Files, new: Iterable[str], earlier: Iterable[tuple[str, bytes]] = ()) -> Deduped:
    """Leave out of `new` files (this export's) the examples identical to one on the other side, as the
    module docstring says; `earlier`: the (split, key) of every example published before (`parsed` from
    their files, or from a dataset's index), never changed. What it holds: this export's keys, and of the
    earlier examples only those keys this export has too; the count of earlier eval examples identical to
    an earlier train one is made on disk (`_EarlierLeaks`): a dataset of a million episodes has tens of
    millions of earlier examples."""
    mine = [(name, list(_keys(fmt, files, name))) for name in new]
    trains = {key for _name, keys in mine for split, key in keys if split == "train"}
    evals = {key for _name, keys in mine for split, key in keys if split == "eval"}
    train: set[bytes] = set()  # earlier train keys an eval example here has, then this export's train keys
    held: set[bytes] = set()  # earlier eval keys a train example of this export has
    with _EarlierLeaks() as leaks:
        for split, key in earlier:
            if split == "train" and key in evals:
                train.add(key)
            elif split == "eval" and key in trains:
                held.add(key)
            leaks.add(split, key)
        done = Deduped(earlier_leaks=leaks.count())
    drops: dict[str, set[int]] = {}
    waiting: list[tuple[str, list[tuple[int, bytes]]]] = []  # this export's eval files: numbered keys
    for name, keys in mine:
        numbered = []
        for number, (split, key) in enumerate(keys):
            if split == "train" and key in held:
                drops.setdefault(name, set()).add(number)
                done.left_out["train"] += 1
            elif split == "train":
                train.add(key)
            elif split == "eval":
                numbered.append((number, key))
        if numbered:
            waiting.append((name, numbered))
    for name, numbered in waiting:
        found = {number for number, key in numbered if key in train}
        if found:
            drops.setdefault(name, set()).update(found)
            done.left_out["eval"] += len(found)
    for name, numbers in drops.items():
        files.rewrite(name, numbers)
    done.kept = {name: [pair for number, pair in enumerate(keys) if number not in drops.get(name, ())]
                 for name, keys in mine}
    return done


def parsed(fmt: str, files: Files, names: Iterable[str]) -> Iterator[tuple[str, bytes]]:
    """The (split, key) of every example of the files `names`, read from them (a line at a time)."""
    for name in names:
        yield from _keys(fmt, files, name)


class _EarlierLeaks:
    """The earlier examples' keys by side, in a scratch SQLite file made at the first one (collector/
    scratch_db.py: its page cache is all the memory it keeps): how many eval ones a train one has too."""

    BATCH = 8_192  # keys written at a time (about a MiB held)

    def __init__(self) -> None:
        self.folder: tempfile.TemporaryDirectory[str] | None = None
        self.db: sqlite3.Connection | None = None
        self.pending: list[tuple[bytes, int]] = []

    def __enter__(self) -> _EarlierLeaks:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.db is not None:
            self.db.close()
        if self.folder is not None:
            self.folder.cleanup()

    def add(self, split: str, key: bytes) -> None:
        if split in ("train", "eval"):
            self.pending.append((key, split == "train"))
            if len(self.pending) >= self.BATCH:
                self._flush()

    def count(self) -> int:
        """Earlier eval examples (each one, not each key) whose key an earlier train example has."""
        self._flush()
        if self.db is None:
            return 0
        self.db.execute("CREATE INDEX by_side ON keys (train, key)")
        query = ("SELECT count(*) FROM keys AS e WHERE e.train = 0 AND EXISTS "
                 "(SELECT 1 FROM keys AS t WHERE t.train = 1 AND t.key = e.key)")
        found: int = self.db.execute(query).fetchone()[0]
        return found

    def _flush(self) -> None:
        if not self.pending:
            return
        if self.db is None:
            self.folder = tempfile.TemporaryDirectory(prefix="codetape-examples-")
            self.db = open_scratch(Path(self.folder.name) / "keys.sqlite",
                                   "CREATE TABLE keys (key BLOB, train INT)")
        self.db.execute("BEGIN")
        self.db.executemany("INSERT INTO keys VALUES (?, ?)", self.pending)
        self.db.execute("COMMIT")
        self.pending = []


@dataclass
class LocalFiles:
    """Files in a local folder (`codetape export`'s)."""

    folder: Path

    def lines(self, name: str) -> Iterator[bytes]:
        with open(self.folder / name, "rb") as file:
            yield from (line for line in file if line.strip())

    def rewrite(self, name: str, drop: set[int]) -> None:
        path = self.folder / name
        with open(path, "rb") as source, atomic_file(path) as staged:
            staged.file.writelines(kept(source, drop))


def kept(lines: Iterable[bytes], drop: set[int]) -> Iterator[bytes]:
    """The lines but those numbered in `drop` (blank lines kept, and not numbered)."""
    number = 0
    for line in lines:
        if line.strip():
            number += 1
            if number - 1 in drop:
                continue
        yield line


def _keys(fmt: str, files: Files, name: str) -> Iterator[tuple[str, bytes]]:
    for line in files.lines(name):
        yield keyed(fmt, line)
