"""No example on both sides of the split, against a dataset's earlier files (collector/export/edits/base/
examples.py `dedup`), holding only this export's keys (issue 107): the same files left out as the rule
over every earlier key held in memory gives, for generated files in every order; and what it holds does
not grow with the earlier examples."""

from __future__ import annotations

import json
import tracemalloc
from collections import Counter
from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from collector.export.edits.base.examples import KEY_BYTES, dedup, kept, keyed, parsed


class MemoryFiles:
    """Export files held as lines, by name (examples.Files)."""

    def __init__(self, files: dict[str, list[bytes]]) -> None:
        self.files = files

    def lines(self, name: str) -> Iterator[bytes]:
        yield from (line for line in self.files[name] if line.strip())

    def rewrite(self, name: str, drop: set[int]) -> None:
        self.files[name] = list(kept(self.files[name], drop))


def line(split: str, text: str) -> bytes:
    return (json.dumps({"prompt": "p", "completion": text, "split": split}) + "\n").encode()


def reference(files: dict[str, list[bytes]], new: list[str], earlier: list[str]) -> tuple[dict[str, set[int]],
                                                                                           Counter[str], int]:
    """The rule as issue 72 wrote it: every earlier key held in memory."""
    train, held = set(), Counter[bytes]()
    for name in earlier:
        for split, key in (keyed("kto", line) for line in files[name] if line.strip()):
            if split == "train":
                train.add(key)
            elif split == "eval":
                held[key] += 1
    leaks = sum(count for key, count in held.items() if key in train)
    drops: dict[str, set[int]] = {}
    left = Counter[str]()
    waiting = []
    for name in new:
        for number, (split, key) in enumerate(keyed("kto", line) for line in files[name] if line.strip()):
            if split == "train" and key in held:
                drops.setdefault(name, set()).add(number)
                left["train"] += 1
            elif split == "train":
                train.add(key)
            elif split == "eval":
                waiting.append((name, number, key))
    for name, number, key in waiting:
        if key in train:
            drops.setdefault(name, set()).add(number)
            left["eval"] += 1
    return drops, left, leaks


lines = st.lists(st.builds(line, st.sampled_from(["train", "eval", "none"]), st.sampled_from("abcdef")),
                 max_size=6)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from("ABCDEFGH"), lines, min_size=1), st.data())
def test_the_files_left_out_are_the_rule_over_every_earlier_key(files: dict[str, list[bytes]],
                                                                  data: st.DataObject) -> None:
    names = data.draw(st.permutations(sorted(files)))
    cut = data.draw(st.integers(0, len(names)))
    new, earlier = list(names[:cut]), list(names[cut:])
    drops, left, leaks = reference(files, new, earlier)
    memory = MemoryFiles({name: list(lines) for name, lines in files.items()})
    done = dedup("kto", memory, new, parsed("kto", memory, earlier))
    assert done.left_out == left and done.earlier_leaks == leaks
    for name in files:
        assert memory.files[name] == list(kept(files[name], drops.get(name, set()))), name


def test_what_it_holds_does_not_grow_with_the_earlier_examples() -> None:
    """120,000 distinct earlier examples against 20,000 (the rule over every earlier key held them: some 90
    bytes a key); a few of them this export's. Its peak grows by less than the 16 bytes of each earlier key
    more alone (holding them would take ~9 MB more): a margin that another thread of the process allocating
    while it is traced (tracemalloc counts them all; 0.6 MB once in CI's tiers) does not cross."""
    peaks = []
    sizes = (20_000, 120_000)
    for count in sizes:
        files = {f"old{k}": [line("train" if k % 3 else "eval", f"old {k} {n}") for n in range(20)]
                 for k in range(count // 20)}
        files["new"] = [line("eval", "old 1 0"), line("train", "old 0 0"), line("eval", "mine")]
        tracemalloc.start()
        memory = MemoryFiles(files)
        done = dedup("kto", memory, ["new"], parsed("kto", memory, [name for name in files if name != "new"]))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert done.left_out == {"eval": 1, "train": 1}, done
    assert peaks[1] - peaks[0] < (sizes[1] - sizes[0]) * KEY_BYTES, peaks
