"""MinHash libraries for the near-duplicate rule of the train/eval split (collector/export/split.py): the
signature of what an episode wrote, computed by each library from the same shingles, on this machine.

    .venv/bin/python -m bench.near_duplicates [--sessions 20] [--scale 0.1] [--no-readme]

Each library must be importable (datatrove and rensa are not codetape's dependencies: install them into
the venv to measure them). The texts: what the edits of `--sessions` generated sessions (tests/support/
sessions.py, profile `mixed`) inserted, as the split's signature reads them (split.py `WrittenText`), and
a copy of each with one word in sixty replaced (a near duplicate: Jaccard about 0.83 over its shingles).
For each library: its install weight in a fresh venv (measured apart, see bench/README.md), the time to
import it, the median ms for one episode's signature (its shingles hashed and minhashed, 128
permutations), whether the copy was found by split.py's own banding (16 bands of 8) at its Jaccard NEAR
(0.7), and how
many pairs of different sessions were taken for near duplicates (none should be).
"""

from __future__ import annotations

import argparse
import importlib
import random
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.report import command_line, machine, median, table, write_section
from collector.export.split import BANDS, NEAR, PERMUTATIONS, WrittenText, band_keys, estimate, shingles
from schemas.steps import EditStep
from tests.support.sessions import generate

Signer = Callable[[list[bytes]], list[int]]


def _datasketch() -> Signer:
    from datasketch import MinHash

    def sign(tokens: list[bytes]) -> list[int]:
        made = MinHash(num_perm=PERMUTATIONS, seed=1)
        made.update_batch(tokens)
        return [int(value) for value in made.hashvalues]
    return sign


def _rensa() -> Signer:
    from rensa import RMinHash

    def sign(tokens: list[bytes]) -> list[int]:
        made = RMinHash(num_perm=PERMUTATIONS, seed=1)
        made.update([token.decode("utf-8", "surrogatepass") for token in tokens])
        return list(made.digest())
    return sign


def _datatrove() -> Signer:
    import numpy as np
    from datatrove.pipeline.dedup.minhash import MinhashConfig, MinhashDedupSignature
    from datatrove.utils.hashing import HashConfig, create_hash_func

    config = MinhashConfig(num_buckets=BANDS, hashes_per_bucket=PERMUTATIONS // BANDS,
                           hash_config=HashConfig(precision=32))
    # its __init__ loads a spaCy word tokenizer (spacy is not among its dependencies): made without it,
    # its own get_signature is what runs
    stage = MinhashDedupSignature.__new__(MinhashDedupSignature)
    stage.config, stage.num_hashes, stage._parameters = config, PERMUTATIONS, None
    hashed = create_hash_func(config.hash_config)

    def sign(tokens: list[bytes]) -> list[int]:
        found = np.fromiter((hashed(token) for token in tokens),
                            dtype=np.uint64).reshape((-1, 1))
        return [value for band in stage.get_signature(found) for value in band]
    return sign


LIBRARIES: dict[str, tuple[str, Callable[[], Signer]]] = {
    "datasketch": ("datasketch", _datasketch), "rensa": ("rensa", _rensa),
    "datatrove": ("datatrove.pipeline.dedup.minhash", _datatrove)}


def texts(sessions: int, scale: float) -> list[str]:
    found = []
    for seed in range(sessions):
        written = WrittenText()
        for step in generate(seed, "mixed", scale=scale).steps:
            if isinstance(step, EditStep):
                written.edit(step)
        found.append(written.text())
    return found


def mutated(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    return " ".join(f"x{rng.randrange(10**6)}" if rng.random() < 1 / 60 else word for word in words)


def import_ms(module: str) -> float:
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True,
                          text=True, check=True)
    last = [line for line in done.stderr.splitlines() if line.rstrip().endswith(f"| {module}")]
    return int(last[-1].split("|")[1]) / 1000 if last else float("nan")


def measure(name: str, originals: list[str], copies: list[str]) -> list[Any]:
    module, make = LIBRARIES[name]
    importlib.import_module(module)
    sign = make()
    times, found = [], 0
    for original, copy in zip(originals, copies, strict=True):
        first, second = shingles(original), shingles(copy)
        started = time.perf_counter()
        signature = sign(first)
        times.append((time.perf_counter() - started) * 1000)
        other = sign(second)
        banded = bool(set(band_keys(signature)) & set(band_keys(other)))
        found += banded and estimate(signature, other) >= NEAR
    tokens = median([len(shingles(text)) for text in originals])
    signatures = [sign(shingles(text)) for text in originals]
    wrong = sum(estimate(one, other) >= NEAR
                for i, one in enumerate(signatures) for other in signatures[i + 1:])
    pairs = len(signatures) * (len(signatures) - 1) // 2
    return [name, f"{import_ms(module):.0f}", f"{median(times):.2f}", f"{tokens:,.0f}",
            f"{found} of {len(originals)}", f"{wrong} of {pairs}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--libraries", default="datasketch,rensa,datatrove")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    originals = texts(args.sessions, args.scale)
    rng = random.Random(1)
    copies = [mutated(text, rng) for text in originals]
    rows = [measure(name, originals, copies) for name in args.libraries.split(",")]
    body = (f"{machine()}. Command: `{command_line()}`\n\n"
            + table(["library", "import ms", "signature ms (median)", "shingles (median)",
                     "near copies found", "different sessions taken for near"], rows))
    print(body)
    if not args.no_readme:
        write_section("near-duplicates", body)


if __name__ == "__main__":
    main()
