"""Recall through the real seal on every corpus, false positives and scan speed on the standard library:
this tree and, with `--baseline NAME=DIR`, other trees (older commits) side by side.

    python -m bench.fresh_recall --baseline before=/tmp/before     # rewrites the README section
    python -m bench.fresh_recall --no-readme
    python -m bench.fresh_recall --corpus tuned --corpus "fresh: github" --no-readme   # only these

Corpora: TUNED (`corpora/redaction_corpus/`, seed 1, 20 a family), HELD-OUT and PARAPHRASED
(`corpora/heldout_corpus/`, seed 1), and the FRESH ones (`corpora/fresh_corpus/`, frozen). Every corpus is
sealed by the tree measured (`corpora/sealed_recall.py`, run in a child process in that tree with this
tree's corpora and harness); recall is the share of values nowhere in full in the sealed bytes or in
`codetape cat`. Only figures are printed: no miss of a fresh corpus is listed.

False positives and MB/s: every `.py` file of the standard library scanned as one text by
`collector.redact.scan` of the tree (`bench.redaction_engines.baseline`), the fastest of `--runs`
rounds that take the trees in turn.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from bench.redaction_engines import Run, baseline, stdlib_texts
from bench.report import command_line, machine, table, write_section
from corpora import heldout_corpus
from corpora.fresh_corpus import load
from corpora.redaction_corpus import Case, build

HERE = Path(__file__).parent
CORPORA = ("tuned", "held-out", "paraphrased", "fresh: trufflehog", "fresh: leakin", "fresh: github",
           "fresh: microsoft", "fresh: apikey")

_CHILD = """
import importlib.util, json, sys, tempfile
from pathlib import Path
sys.path.insert(0, ".")
spec = importlib.util.spec_from_file_location("sealed_recall", sys.argv[1])
harness = sys.modules["sealed_recall"] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(harness)
from corpora.redaction_corpus import Case
cases = [Case(c[0], c[1], c[2], tuple(c[3])) for c in json.load(sys.stdin)]
with tempfile.TemporaryDirectory() as tmp:
    sealed = harness.seal_cases(cases, Path(tmp))
    json.dump({"shown": len(sealed.shown()), "values": sum(len(c.values) for c in cases),
               "seconds": sealed.seconds}, sys.stdout)
"""


def cases_of(corpus: str) -> list[Case]:
    if corpus == "tuned":
        return build(1, 20)
    if corpus == "held-out":
        return heldout_corpus.build(1)
    if corpus == "paraphrased":
        return heldout_corpus.paraphrased(1)
    return load(corpus.removeprefix("fresh: "))


def sealed_recall(tree: Path, cases: list[Case]) -> float:
    """Recall through the seal of the tree at `tree`."""
    harness = HERE.parent / "corpora" / "sealed_recall.py"
    done = subprocess.run([sys.executable, "-c", _CHILD, str(harness)], cwd=tree,
                          input=json.dumps([[c.family, c.context, c.text, list(c.values)] for c in cases]),
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the seal in {tree} failed: {done.stderr.strip()[-2000:]}")
    data = json.loads(done.stdout)
    return 1 - int(data["shown"]) / int(data["values"])


def stdlib(trees: list[Path], texts: list[str], runs: int) -> list[tuple[int, float]]:
    """(findings, MB/s) of each tree's scan on the standard library, the fastest of `runs` rounds that
    take the trees in turn (so that other work on the machine weighs on each alike)."""
    results: list[list[Run]] = [[] for _ in trees]
    for _ in range(runs):
        for n, tree in enumerate(trees):
            results[n].append(baseline(tree, texts))
    out = []
    for runs_of_tree in results:
        fastest = min(runs_of_tree, key=lambda r: r.seconds)
        out.append((sum(len(spans) for spans in fastest.spans), fastest.size / 1e6 / fastest.seconds))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", action="append", default=[], metavar="NAME=DIR",
                        help="also the tree at DIR, named NAME (repeatable)")
    parser.add_argument("--runs", type=int, default=5, help="standard library scans per tree (fastest)")
    parser.add_argument("--no-readme", action="store_true", help="print only, leave bench/README.md alone")
    parser.add_argument("--corpus", action="append", choices=CORPORA, default=[],
                        help="measure only this corpus (repeatable; the others' columns read "
                             "'not measured'): a FRESH corpus stays unmeasured while others are worked on")
    args = parser.parse_args()
    measured = args.corpus or list(CORPORA)
    trees = [tuple(b.split("=", 1)) for b in args.baseline] + [("this tree", str(HERE.parent))]
    texts, lines = stdlib_texts(1)
    recalls = []
    for name, tree in trees:
        recalls.append([f"{sealed_recall(Path(tree), cases_of(corpus)):.2%}" if corpus in measured
                        else "not measured" for corpus in CORPORA])
        print(name, " | ".join(recalls[-1]), flush=True)
    speeds = stdlib([Path(tree) for _, tree in trees], texts, args.runs)
    rows = [[f"`{name}`", *recall, f"{findings / lines * 1000:.3f}", f"{mbs:.1f}"]
            for (name, _), recall, (findings, mbs) in zip(trees, recalls, speeds, strict=True)]
    body = f"""Command: `{command_line()}` ({machine()}).

{table(["tree", *(f"recall, {c}" for c in CORPORA), "false positives / 1,000 stdlib lines",
        "MB/s (stdlib)"], rows)}
"""
    print(body)
    if not args.no_readme:
        write_section("fresh-recall", body)


if __name__ == "__main__":
    main()
