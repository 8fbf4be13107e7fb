"""The same findings as another tree, text by text: the check that a change to the scan's speed changed
nothing the scan finds or how a secret typed key by key is hidden.

    .venv/bin/python -m bench.redaction_same /work/notes/base9
    .venv/bin/python -m bench.redaction_same DIR --typed-every 1 --others

Whole texts, each scanned by `collector.redact.scan` of each tree (in a child process in that tree, as
`bench.redaction_engines.baseline` times it) and compared finding by finding as (rule, start, end,
value): every `.py` file of the standard library, the TUNED corpus (`corpora/redaction_corpus/`, seeds 1-3,
40 cases a family), the HELD-OUT corpus and its paraphrases (`corpora/heldout_corpus/`, seeds 1-3), and
with `--others` the other languages' files of `bench.redaction others`. Typed: every `--typed-every`th
text of those corpora, and the first `--typed-chars` characters of every `--typed-stdlib`th standard
library file, typed one character per edit through `redact_steps` (the buffers' scans around each edit,
the keystroke window, placeholders): every output step compared. The fresh corpora are never read.

Exit status 1 when anything differs, with the first differences (corpus, text, what each tree found).
The typed texts are most of its time: 12-15 minutes a tree on a shared 2-core machine (`--typed-every 0`:
a minute).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench.redaction_engines import stdlib_texts
from corpora.heldout_corpus import build as heldout
from corpora.heldout_corpus import paraphrased
from corpora.redaction_corpus import build as tuned
from tests.support.false_positives import other_languages, read

HERE = Path(__file__).parent
SEEDS = (1, 2, 3)

_CHILD = """
import hashlib, json, sys
from collector.redact import RuleSet, redact_steps, scan
from schemas import step_to_dict
from bench.redaction import typed_steps
rules = RuleSet.default()
job = json.load(sys.stdin)
found = [[[f.rule, f.start, f.end, f.value] for f in scan(text, rules)] for text in job["scanned"]]
typed = []
for text in job["typed"]:
    steps = [step_to_dict(step) for step in redact_steps(typed_steps(text), "utf-16", rules)]
    dumped = json.dumps(steps, sort_keys=True, default=str)
    typed.append([len(steps), hashlib.sha256(dumped.encode("utf-8", "surrogatepass")).hexdigest()])
json.dump({"found": found, "typed": typed}, sys.stdout)
"""

Texts = dict[str, list[str]]


def corpora(others: bool) -> Texts:
    """The texts scanned whole, by corpus."""
    texts: Texts = {"stdlib": stdlib_texts(1)[0],
                    "tuned": [c.text for seed in SEEDS for c in tuned(seed, 40)],
                    "held-out": [c.text for seed in SEEDS for c in heldout(seed)],
                    "paraphrased": [c.text for seed in SEEDS for c in paraphrased(seed)]}
    if others:
        for name, (_, paths) in other_languages().items():
            texts[f"others: {name}"] = [read(path) for path in paths]
    return texts


def typed(texts: Texts, every: int, stdlib_every: int, chars: int) -> Texts:
    """The texts typed key by key, by corpus."""
    out = {name: texts[name][::every] for name in ("tuned", "held-out", "paraphrased")}
    out["stdlib heads"] = [text[:chars] for text in texts["stdlib"][::stdlib_every]]
    return out


def findings(tree: Path, scanned: Sequence[str], keyed: Sequence[str]) -> dict[str, list[list[object]]]:
    """What the tree at `tree` finds in each of `scanned`, and the steps it writes for each of `keyed`
    typed (their number and a digest of them)."""
    done = subprocess.run([sys.executable, "-c", _CHILD], cwd=tree, capture_output=True, text=True,
                          input=json.dumps({"scanned": list(scanned), "typed": list(keyed)}), check=False)
    if done.returncode != 0:
        raise SystemExit(f"the scan in {tree} failed: {done.stderr.strip()[-2000:]}")
    result: dict[str, list[list[object]]] = json.loads(done.stdout)
    return result


def flat(groups: Texts) -> tuple[list[str], list[tuple[str, int]]]:
    """The texts of every group in one list, and each one's (group, index)."""
    texts, where = [], []
    for name, group in groups.items():
        texts += group
        where += [(name, n) for n in range(len(group))]
    return texts, where


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("baseline", type=Path, help="the other tree (a worktree of an earlier commit)")
    parser.add_argument("--typed-every", type=int, default=4, help="type every Nth corpus text (0: none)")
    parser.add_argument("--typed-stdlib", type=int, default=20, help="type the head of every Nth stdlib file")
    parser.add_argument("--typed-chars", type=int, default=1500, help="characters of a stdlib file typed")
    parser.add_argument("--others", action="store_true", help="also the other languages' files")
    parser.add_argument("--show", type=int, default=10, help="differences listed")
    args = parser.parse_args()
    groups = corpora(args.others)
    keyed = typed(groups, args.typed_every, args.typed_stdlib, args.typed_chars) if args.typed_every else {}
    scanned, where = flat(groups)
    keyed_texts, keyed_where = flat(keyed)
    results = []
    for tree in (args.baseline, HERE.parent):
        started = time.perf_counter()
        results.append(findings(tree, scanned, keyed_texts))
        print(f"{tree}: {time.perf_counter() - started:.0f} s", flush=True)
    base, this = results
    differ = [(where[n], a, b) for n, (a, b) in enumerate(zip(base["found"], this["found"], strict=True))
              if a != b]
    differ_typed = [(keyed_where[n], a, b) for n, (a, b) in
                    enumerate(zip(base["typed"], this["typed"], strict=True)) if a != b]
    for name, group in groups.items():
        count = sum(len(base["found"][n]) for n, (g, _) in enumerate(where) if g == name)
        bad = sum(1 for (g, _), _, _ in differ if g == name)
        print(f"{name}: {len(group)} texts, {count} findings in the baseline, {bad} texts differ")
    for name, group in keyed.items():
        steps = sum(int(str(base["typed"][n][0])) for n, (g, _) in enumerate(keyed_where) if g == name)
        bad = sum(1 for (g, _), _, _ in differ_typed if g == name)
        print(f"typed {name}: {len(group)} texts, {steps} steps out in the baseline, {bad} texts differ")
    for ((name, n), a, b) in (differ + differ_typed)[: args.show]:
        print(f"DIFFERS {name} #{n}: baseline {a}\n        this tree {b}")
    if differ or differ_typed:
        raise SystemExit(1)
    print("the same findings and typed steps for every text")


if __name__ == "__main__":
    main()
