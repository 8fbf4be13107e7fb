"""Recall per family, this tree's scan beside another tree's: no family may lose what it had.

    python -m bench.redaction_families --baseline /work/main          # rewrites the README section
    python -m bench.redaction_families --baseline DIR --no-readme

Every corpus, each case scanned by `collector.redact.scan` of each tree (in a child process there,
`bench.redaction_engines.baseline`): TUNED (`corpora/redaction_corpus/`, seeds 1-2, 40 a family) by
family, HELD-OUT and PARAPHRASED (`corpora/heldout_corpus/`, seed 1) by kind of line, and each FRESH
corpus (`corpora/fresh_corpus/`, frozen) as a whole. A value counts as found when every character of
every occurrence is inside a finding (`bench.redaction_engines.found`). Besides the table: how many
providers (a held-out or fresh case's family) lost or gained a value, and each tree's scan time over
every case (one run each, trees in turn).
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

from bench.redaction_engines import Run, baseline, found
from bench.report import command_line, machine, table, write_section
from corpora import heldout_corpus
from corpora.fresh_corpus import load
from corpora.redaction_corpus import Case, build

HERE = Path(__file__).resolve().parent.parent
FRESH = ("trufflehog", "leakin", "github", "microsoft", "apikey", "secretlint", "sonar", "credsweeper",
         "community")


def corpora() -> dict[str, list[Case]]:
    out = {"tuned": build(1, 40) + build(2, 40), "held-out": heldout_corpus.build(1),
           "paraphrased": heldout_corpus.paraphrased(1)}
    out.update({f"fresh: {name}": load(name) for name in FRESH})
    return out


def groups(corpus: str, case: Case) -> str:
    """The row a case counts in: the tuned corpus's family, the held-out kind of line, a fresh corpus."""
    if corpus == "tuned":
        return f"tuned: {case.family}"
    if corpus in ("held-out", "paraphrased"):
        return f"{corpus}: {case.context}"
    return corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, required=True, help="the other tree (a worktree)")
    parser.add_argument("--no-readme", action="store_true", help="print only, leave bench/README.md alone")
    args = parser.parse_args()
    cases = [(corpus, case) for corpus, listed in corpora().items() for case in listed]
    texts = [case.text for _, case in cases]
    trees = {"before": args.baseline.resolve(), "after": HERE}
    runs: dict[str, Run] = {name: baseline(tree, texts) for name, tree in trees.items()}
    rows: dict[str, dict[str, list[int]]] = defaultdict(lambda: {name: [0, 0] for name in trees})
    providers: dict[str, dict[str, list[int]]] = defaultdict(lambda: {name: [0, 0] for name in trees})
    for n, (corpus, case) in enumerate(cases):
        for name, run in runs.items():
            hit = found(case, run.spans[n])
            for counts in (rows[groups(corpus, case)][name], providers[f"{corpus}/{case.family}"][name]):
                counts[0] += hit
                counts[1] += 1
    body_rows = []
    for group, by in rows.items():
        before, after = (by[name][0] / by[name][1] for name in trees)
        mark = "**lost**" if after < before else ("gained" if after > before else "=")
        body_rows.append([group, f"{by['after'][1]:,}", f"{before:.1%}", f"{after:.1%}", mark])
    lost = sorted(p for p, by in providers.items() if by["after"][0] < by["before"][0])
    gained = sorted(p for p, by in providers.items() if by["after"][0] > by["before"][0])
    size = runs["after"].size / 1e6
    speed = ", ".join(f"{name} {run.seconds:.1f} s ({size / run.seconds:.2f} MB/s)"
                      for name, run in runs.items())
    body = f"""Command: `{command_line()}` ({machine()}); before: `{args.baseline}`, after: this tree.

{table(["family or kind of line", "cases", "before", "after", ""], body_rows)}

Providers (a held-out, paraphrased or fresh case's family, and the tuned families: {len(providers):,}) that
lost a value: {len(lost)}{(" (" + ", ".join(lost) + ")") if lost else ""}; that gained one: {len(gained)}.
Scan time over all {len(cases):,} cases ({size:.1f} MB), one run each: {speed}.
"""
    print(body)
    if not args.no_readme:
        write_section("redaction-families", body)


if __name__ == "__main__":
    main()
