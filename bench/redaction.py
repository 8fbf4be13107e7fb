"""Redaction quality and speed: recall on the tuned and the held-out corpus, false positives on the
standard library.

    python -m bench.redaction                       # everything; rewrites the README section
    python -m bench.redaction corpus --per-family 40 --seeds 3
    python -m bench.redaction heldout --seeds 3     # the held-out corpus, misses listed
    python -m bench.redaction stdlib --show 20      # every finding on the stdlib, with its line
    python -m bench.redaction others --show 100     # the same on Go, zsh, git, Neovim, Emacs, JS
    python -m bench.redaction sealing               # redact_steps over generated coding sessions

`corpora/redaction_corpus/` is the TUNED corpus (written with codetape's rules), `corpora/heldout_corpus/`
the HELD-OUT one (written from the providers' key formats, never used to write a rule); the engines
compared and the held-out figures per engine are in `bench/redaction_engines.py`.

Recall counts a value as found when every character of every occurrence is inside a finding of
`collector.redact.scan`. "Typed" feeds each corpus text through `redact_steps` one character per edit
step (as an editor sends keystrokes) and counts a case as hidden when no step of the output holds any
value or any piece of it longer than 4 characters. The standard library scan reads every .py file under
`sysconfig.get_paths()["stdlib"]` and counts every finding as a false positive; `others` does the same
on text other than Python that `scripts/setup` installs (both in tests/support/false_positives.py, which
the tests that bound the rates use too).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from dataclasses import dataclass, field

from bench.report import command_line, machine, table, write_section
from collector.redact import RedactionSummary, RuleSet, redact_steps, scan
from collector.text.digest import sha256_text
from corpora.heldout_corpus import build as heldout_cases
from corpora.redaction_corpus import Case, build
from schemas import Step, step_to_dict
from schemas.steps import ContentChange, EditStep, OpenStep, RedactionStep, SaveStep
from schemas.steps.base import Position, Range
from tests.support.false_positives import Stdlib, false_positives, other_languages, stdlib
from tests.support.sessions import generate

LEAK = 4  # characters of a secret a step may show (the "few characters" of a stray piece)


@dataclass
class Recall:
    values: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    cases: Counter[str] = field(default_factory=Counter)
    typed: Counter[str] = field(default_factory=Counter)
    typed_hidden: Counter[str] = field(default_factory=Counter)
    stray: int = 0  # findings on a corpus text that cover no expected value
    misses: list[tuple[str, str, str]] = field(default_factory=list)
    chars: int = 0
    seconds: float = 0.0


def covered(case: Case, rules: RuleSet, recall: Recall) -> None:
    started = time.perf_counter()
    findings = scan(case.text, rules)
    recall.seconds += time.perf_counter() - started
    recall.chars += len(case.text)
    inside: set[int] = set()
    for f in findings:
        inside.update(range(f.start, f.end))
    expected: set[int] = set()
    recall.cases[case.family] += 1
    for value in case.values:
        recall.values[case.family] += 1
        ok = True
        at = case.text.find(value)
        while at != -1:
            span = range(at, at + len(value))
            expected.update(span)
            ok = ok and all(i in inside for i in span)
            at = case.text.find(value, at + 1)
        if ok:
            recall.found[case.family] += 1
        else:
            recall.misses.append((case.family, case.context, value))
    recall.stray += sum(1 for f in findings if not any(i in expected for i in range(f.start, f.end)))


def typed_steps(text: str) -> list[Step]:
    """An empty buffer, the text typed one character per edit, then a save."""
    steps: list[Step] = [OpenStep(t_ms=0, source="bridge", path="case.txt", text="")]
    line = col = 0
    for n, ch in enumerate(text):
        at = {"line": line, "character": col}
        steps.append(EditStep(t_ms=n + 1, source="bridge", path="case.txt", changes=[
            ContentChange(range=Range(start=Position(**at), end=Position(**at)), text=ch)]))
        line, col = (line + 1, 0) if ch == "\n" else (line, col + (2 if ord(ch) > 0xFFFF else 1))
    steps.append(SaveStep(t_ms=len(text) + 1, source="bridge", path="case.txt", sha256=sha256_text(text)))
    return steps


def typed_hidden(case: Case, rules: RuleSet) -> bool:
    out = list(redact_steps(typed_steps(case.text), "utf-16", rules))
    # every field but hashes (a sha256 may hold five hex digits of a hex token by chance)
    dumped = "\x00".join(repr({k: v for k, v in step_to_dict(step).items() if k != "sha256"}) for step in out)
    placeholders = [step.placeholder for step in out if isinstance(step, RedactionStep)]
    for value in case.values:
        # a piece that is part of a placeholder ("pypi-" of «redacted:pypi-token:1») is no leak
        pieces = {value[i : i + LEAK + 1] for i in range(len(value) - LEAK)}
        pieces = {p for p in pieces if not any(p in ph for ph in placeholders)}
        if any(piece in dumped for piece in pieces):
            return False
    return True


def corpus(seeds: int, per_family: int, typed_every: int) -> Recall:
    rules = RuleSet.default()
    recall = Recall()
    for seed in range(1, seeds + 1):
        for n, case in enumerate(build(seed, per_family)):
            covered(case, rules, recall)
            if typed_every and n % typed_every == 0:
                recall.typed[case.family] += 1
                recall.typed_hidden[case.family] += typed_hidden(case, rules)
    return recall


def heldout(seeds: int) -> Recall:
    """Recall on the held-out corpus, per kind of line (`Recall`'s families are the contexts here)."""
    rules = RuleSet.default()
    recall = Recall()
    for seed in range(1, seeds + 1):
        for case in heldout_cases(seed):
            covered(Case(case.context, case.family, case.text, case.values), rules, recall)
    return recall


def others() -> dict[str, Stdlib]:
    """`false_positives` on each corpus of `other_languages`."""
    rules = RuleSet.default()
    return {name: false_positives(root, paths, rules) for name, (root, paths) in other_languages().items()}


@dataclass
class Sealing:
    name: str
    steps: int
    seconds: float
    out: int


def sealing(seeds: int) -> list[Sealing]:
    rules = RuleSet.default()
    results = []
    for profile in ("edit-heavy", "mixed"):
        for seed in range(1, seeds + 1):
            session = generate(seed, profile)
            started = time.perf_counter()
            encoding = session.header.position_encoding
            out = list(redact_steps(session.steps, encoding, rules, RedactionSummary()))
            results.append(Sealing(session.name, len(session.steps), time.perf_counter() - started, len(out)))
    return results


def render(recall: Recall, std: Stdlib, seal: list[Sealing], args: argparse.Namespace, held: Recall) -> str:
    total_values = sum(recall.values.values())
    total_found = sum(recall.found.values())
    rows = []
    for family in recall.values:
        typed = recall.typed[family]
        rows.append([family, recall.cases[family], recall.values[family],
                     f"{recall.found[family] / recall.values[family]:.1%}",
                     f"{recall.typed_hidden[family]}/{typed}" if typed else "-"])
    rows.append(["**all**", sum(recall.cases.values()), total_values, f"**{total_found / total_values:.2%}**",
                 f"{sum(recall.typed_hidden.values())}/{sum(recall.typed.values())}"])
    by_rule = Counter(rule for rule, *_ in std.findings)
    fp_rate = len(std.findings) / std.lines * 1000
    listed = "\n".join(f"- `{rule}` {path}:{line}: `{source}`" for rule, path, line, source in std.findings)
    seal_rows = [[s.name, s.steps, f"{s.seconds:.2f}", f"{s.steps / s.seconds:,.0f}", s.out - s.steps]
                 for s in seal]
    misses = "\n".join(f"- {family}/{context}: `{value[:12]}…` ({len(value)} characters)"
                       for family, context, value in recall.misses[:20]) or "- none"
    held_rows = [[context, held.values[context], f"{held.found[context] / held.values[context]:.1%}"]
                 for context in held.values]
    held_total = sum(held.found.values()) / sum(held.values.values())
    held_rows.append(["**all**", sum(held.values.values()), f"**{held_total:.2%}**"])
    missed = Counter(provider for _, provider, _ in held.misses)
    held_misses = ", ".join(f"{provider} {n}" for provider, n in missed.most_common()) or "none"
    return f"""Command: `{command_line()}` ({machine()}).

**Tuned corpus.** `corpora/redaction_corpus/` (written together with codetape's rules, so 100 % here says
nothing about formats nobody tuned for: see the held-out corpus below) generates realistic secrets in
realistic places, seeded: values in
each provider's real format (prefixes, lengths, alphabets; JWTs with real JSON header and claims, PEM and
OpenSSH keys with real DER/openssh headers, 64/70-column lines) inside the code, configuration, shell
commands, logs, test output and commit messages that hold them in practice: `~/.aws/credentials`, boto3
and Terraform, STS JSON, the console's CSV; a GCP service-account JSON; Azure connection strings, SAS URLs,
`az` commands; clone URLs, `.npmrc`, `.pypirc`, `twine`; SDK constructors in Python/JS/Go/Java/C#/Ruby/PHP/
Rust/Kotlin; `.env`, Dockerfile `ENV`, Kubernetes env and Secrets, compose files; YAML/JSON/TOML/INI/
properties/XML/HCL; `curl -H`, `mysql -p`, `docker login -p`, `sshpass`, `helm --password`; DSNs, JDBC,
ADO.NET and libpq strings; request logs, tracebacks, pytest failures.
{args.seeds} seeds x {args.per_family} cases per family; every {args.typed_every}th case is also typed one
character per edit through `redact_steps`.

{table(["family", "cases", "values", "recall (scan)", "typed: hidden in every step"], rows)}

**Held-out corpus** (`corpora/heldout_corpus/`, {args.seeds} seeds: ~280 provider formats from the providers'
own descriptions of their keys, never used to write a rule; engines compared in the next section):

{table(["kind of line", "values", "recall (scan)"], held_rows)}

Values missed, by provider (of {args.seeds * 6} per provider, one per kind of line and seed; a
provider missed on every kind of line has a format no rule set here knows): {held_misses}.

Findings on corpus texts that cover no expected value: {recall.stray}. Scan speed on the corpus (short
texts dense with secrets, so per-call overhead dominates): {recall.chars / 1e6 / recall.seconds:.1f} MB/s.
Values missed (first 20):

{misses}

**False positives on the standard library.** Every `.py` file under `{std.root}`
({std.files:,} files, {std.lines:,} lines, {std.mb:.1f} MB), also alone with
`python -m bench.redaction stdlib`. Findings: **{len(std.findings)}**, i.e. **{fp_rate:.3f} per 1,000 lines**
(target <= 0.1); by rule: {", ".join(f"{rule} {n}" for rule, n in by_rule.most_common()) or "none"}.
Throughput: **{std.mb / std.seconds:.1f} MB/s**, {std.lines / std.seconds:,.0f} lines/s (target >= 20 MB/s).
Every finding, inspected: test fixtures, documentation examples and test vectors that are shaped like
credentials (a netrc test's passwords, AES test keys, a doc example's `passwd='geheim$parole'`):

{listed or "- none"}

**Sealing.** `redact_steps` over the generated coding sessions of `tests/support/sessions.py` (every keystroke
an edit step; no secrets in them, so this is the cost every seal pays on top of `seal_journal`'s own 2 s per
60,000 steps): the window, the buffers, and a scan of the lines around every edit. A secret typed one key
at a time costs one re-run of the window (at most 4,096 steps, from its middle when it can).

{table(["session", "steps", "seconds", "steps/s", "steps added"], seal_rows)}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", nargs="?", default="all",
                        choices=["all", "corpus", "heldout", "stdlib", "others", "sealing"])
    parser.add_argument("--seeds", type=int, default=3, help="corpus seeds (1..N)")
    parser.add_argument("--per-family", type=int, default=40, help="corpus cases per family and seed")
    parser.add_argument("--typed-every", type=int, default=4, help="type every Nth case through redact_steps")
    parser.add_argument("--sessions", type=int, default=2, help="generated sessions per profile for sealing")
    parser.add_argument("--show", type=int, default=40, help="findings or misses to print")
    parser.add_argument("--no-readme", action="store_true", help="print only, leave bench/README.md alone")
    args = parser.parse_args()
    if args.what == "corpus":
        recall = corpus(args.seeds, args.per_family, args.typed_every)
        for family in recall.values:
            print(f"{family:18} {recall.found[family]}/{recall.values[family]} "
                  f"typed {recall.typed_hidden[family]}/{recall.typed[family]}")
        for miss in recall.misses[: args.show]:
            print("missed", *miss)
        return
    if args.what == "heldout":
        held = heldout(args.seeds)
        for context in held.values:
            print(f"{context:10} {held.found[context]}/{held.values[context]}")
        for miss in held.misses[: args.show]:
            print("missed", *miss)
        return
    if args.what == "stdlib":
        std = stdlib()
        print(f"{std.files} files, {std.lines} lines, {len(std.findings)} findings, "
              f"{len(std.findings) / std.lines * 1000:.3f}/1k lines, {std.mb / std.seconds:.1f} MB/s")
        for finding in std.findings[: args.show]:
            print(*finding)
        return
    if args.what == "others":
        for name, found in others().items():
            rate = len(found.findings) / found.lines * 1000
            print(f"{name}: {found.files} files, {found.lines} lines, {len(found.findings)} findings, "
                  f"{rate:.3f}/1k lines, {found.mb / found.seconds:.1f} MB/s")
            for finding in found.findings[: args.show]:
                print("   ", *finding)
        return
    if args.what == "sealing":
        for s in sealing(args.sessions):
            print(f"{s.name}: {s.steps} steps in {s.seconds:.2f} s ({s.steps / s.seconds:,.0f} steps/s)")
        return
    recall = corpus(args.seeds, args.per_family, args.typed_every)
    std = stdlib()
    seal = sealing(args.sessions)
    body = render(recall, std, seal, args, heldout(args.seeds))
    print(body)
    if not args.no_readme:
        write_section("redaction", body)


if __name__ == "__main__":
    main()
