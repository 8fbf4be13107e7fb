"""What the review's free-text masks cost a trim: `mask_contents` alone over 2,000 commands with about
1.8 KB of output each, masking the lines of excluded files, left-out agent prompts and excluded names.

    .venv/bin/python -m bench.review_masks [--runs 3] [--no-readme]

Two corpora of made-up words (seed 1): `distinct`, 5,000 random lowercase words, so that a line masked
rarely shares a stretch of 8 characters with the text it is looked for in (what prose and logs mostly
do); `shared`, 15 words only, the same in the outputs, the prompts and the excluded lines, so that nearly
every place of the text begins some line (the worst case). The masks: 200 prompts of 2 to 14 words, 400
excluded lines of 8 words, the names of 20 excluded files (`notes/file-N.md`). Medians of `--runs`.
"""

from __future__ import annotations

import argparse
import random
import string
import time

from bench.report import command_line, machine, median, python_ms, table, write_section
from collector.redact import RedactionSummary
from collector.review.contents import FreeText, mask_contents
from collector.review.spans import name_regex
from schemas import Step, step_from_dict

COMMANDS = 2000


def corpus(kind: str) -> tuple[list[Step], list[str], set[str]]:
    """The commands, the prompts and the excluded lines of one corpus."""
    rng = random.Random(1)
    if kind == "distinct":
        vocab = ["".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(2, 9)))
                 for _ in range(5000)]
    else:
        vocab = ["alpha", "beta", "gamma", "delta", "fix", "the", "login", "bug", "refactor", "parser",
                 "tests", "cache", "layer", "retry", "budget"]
    prompts = [" ".join(rng.choice(vocab) for _ in range(rng.randint(2, 14))) + f" #{n}" for n in range(200)]
    lines = {" ".join(rng.choice(vocab) for _ in range(8)) for _ in range(400)}
    steps = [step_from_dict({"kind": "command", "t_ms": n, "source": "run", "exit_code": 0,
                             "argv": ["claude", "-p", prompts[n % 200]] if n % 10 == 0 else ["ls", "notes"],
                             "output_tail": "\n".join(" ".join(rng.choice(vocab) for _ in range(10))
                                                      for _ in range(30)) + "\nfile-3.md\n"})
             for n in range(COMMANDS)]
    return steps, prompts, lines


def timed(steps: list[Step], masks: FreeText, runs: int) -> float:
    took = []
    for _ in range(runs):
        began = time.perf_counter()
        for _step in mask_contents(steps, masks, RedactionSummary()):
            pass
        took.append(time.perf_counter() - began)
    return median(took)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    names = name_regex([f"notes/file-{n}.md" for n in range(20)])
    rows = []
    for kind in ("distinct", "shared"):
        steps, prompts, lines = corpus(kind)
        megabytes = sum(len(getattr(step, "output_tail", "") or "") for step in steps) / 1e6
        for what, masks in (("200 prompts", FreeText.of((), prompts, None)),
                            ("400 excluded lines, 20 names", FreeText.of(lines, (), names)),
                            ("all of them", FreeText.of(lines, prompts, names))):
            seconds = timed(steps, masks, args.runs)
            rows.append((f"{kind}: {what}", f"{megabytes:.1f}", f"{seconds:.2f} s",
                         f"{megabytes / seconds:.1f}"))
            print(" | ".join(rows[-1]), flush=True)
    body = "\n".join([
        f"`{command_line()}`: {machine()}; this machine's Python loop {python_ms():.0f} ms; medians of "
        f"{args.runs} runs.", "",
        table(["corpus: masks", "MB of output", "time", "MB/s"], rows),
    ])
    print(body)
    if not args.no_readme:
        write_section("review-masks", body)


if __name__ == "__main__":
    main()
