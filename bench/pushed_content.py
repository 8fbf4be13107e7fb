"""Work pushed after signing found by its content (issue 88): how often the rule holds an episode for work
that is not its own, how often it finds its own rewritten, and what it costs each upload run.

    .venv/bin/python -m bench.pushed_content [--history REPO] [--sample 400] [--window 50]
                                             [--commits 10000] [--pushed 10,100,1000] [--runs 3]
                                             [--no-readme]

False holds: each of the last `--sample` commits of a real history (`--history`, this repository by
default: many authors' sessions, one code base) is taken as an episode's commit (its message and the lines
it adds, fingerprinted as signing does: collector/upload/fingerprints.py) and compared
(pushed_content.compare) with the `--window` commits that follow it, as if they had been pushed by others
since signing; a hold is a false one (the commit itself is never among them). `Fix typo`: the same, the
episode's commit and the first commit after it both named `Fix typo`. Found: the same commits
rewritten as a squash would be (a new message, a line inserted in the middle of the largest file's added
lines, one unrelated file more), each compared with the window and its rewrite. Both at several
thresholds.

Cost: a company repository of `--commits` commits made with `git fast-import` (each changes one of 200
files by a few generated lines), a clone with one unpushed commit of the contributor's, fingerprinted as
signing does (`take`); then `--pushed` N commits reach the bare repository and the clone fetches; one
upload run's check of one episode (`pushed_since`: the id checks that were there before, and `find`, the
content check) is timed, median of `--runs`.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.report import command_line, machine, table, write_section
from collector.upload.fingerprints import (
    Commit,
    message_hash,
    normalise_message,
    read_commits,
    shingle_hashes,
    words,
)
from collector.upload.pushed_content import Fingerprints, compare, find, take
from collector.upload.pushed_since import Origin, pushed_since

THRESHOLDS = (0.3, 0.5, 0.7)
_GIT_ENV = {"PATH": "/usr/bin:/bin", "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Build Bot",
            "GIT_AUTHOR_EMAIL": "bot@acme.example", "GIT_COMMITTER_NAME": "Build Bot",
            "GIT_COMMITTER_EMAIL": "bot@acme.example"}
WORDS = ("total", "rate", "items", "page", "size", "offset", "value", "index", "name", "count", "limit",
         "start", "result", "config", "path", "buffer")


def fingerprint(commit: Commit) -> Fingerprints:
    normal = normalise_message(commit.message)
    shingles = set[str]().union(*(shingle_hashes(lines) for lines in commit.added.values()))
    return Fingerprints([(message_hash(normal), words(normal))], sorted(shingles), ["0" * 40])


def squash_of(commit: Commit, rng: random.Random) -> Commit:
    """`commit` as a squash gives it: a new message, a line inserted in its largest file's added lines, and
    one file more."""
    added = {path: list(lines) for path, lines in commit.added.items()}
    if added:
        largest = max(added, key=lambda path: len(added[path]))
        lines = added[largest]
        lines.insert(len(lines) // 2, f"    squashed_{rng.randrange(1 << 30)} = True")
    added["squash/extra.py"] = [f"extra_{rng.randrange(1 << 30)} = {n}" for n in range(3)]
    return Commit("f" * 40, "Squashed: the week's work", added)


def false_holds(history: str, sample: int, window: int) -> tuple[dict[float, list[int]], int, int]:
    """threshold -> [held for others' work, by message, held when one of those is named as it is (`Fix
    typo`), found in its own squash], the sample's size and how many of it have shingles."""
    commits = read_commits(history, ["--no-merges", f"-{sample + window}"])
    if commits is None:
        raise SystemExit(f"cannot read the history of {history}")
    commits.reverse()  # oldest first: each is followed by what came after it
    rng = random.Random(88)
    found = {threshold: [0, 0, 0, 0] for threshold in THRESHOLDS}
    taken = commits[:sample]
    with_shingles = 0
    for at, commit in enumerate(taken):
        kept = fingerprint(commit)
        with_shingles += bool(kept.shingles)
        after = commits[at + 1:at + 1 + window]
        typo = fingerprint(Commit(commit.sha, "Fix typo", commit.added))
        named = [Commit(after[0].sha, "Fix typo\n", after[0].added), *after[1:]] if after else []
        squash = squash_of(commit, rng)
        for threshold in THRESHOLDS:
            matches = compare(kept, after, threshold)
            found[threshold][0] += bool(matches)
            found[threshold][1] += any(match.message for match in matches)
            found[threshold][2] += bool(compare(typo, named, threshold))
            found[threshold][3] += bool(compare(kept, [*after, squash], threshold))
    return found, len(taken), with_shingles


def git(root: Path, *args: str, data: bytes | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=root, input=data, capture_output=True, check=True,
                          env={**_GIT_ENV, "HOME": str(root)})
    return done.stdout.decode()


def stream(count: int, first: int, rng: random.Random, branch: str = "refs/heads/main") -> bytes:
    """`count` fast-import commits onto `branch`, each replacing one of 200 files by a few generated
    lines."""
    parts = []
    for n in range(first, first + count):
        message = f"change {n}: {rng.choice(WORDS)} {rng.choice(WORDS)}\n"
        body = "".join(f"    {rng.choice(WORDS)}_{rng.randrange(1000)} = {rng.choice(WORDS)}({n}, {k})\n"
                       for k in range(rng.randint(3, 12))).encode()
        parts.append(f"commit {branch}\ncommitter Build Bot <bot@acme.example> {1_790_000_000 + n} +0000\n"
                     .encode() + b"data %d\n%s\n" % (len(message), message.encode())
                     + f"M 644 inline src/module_{n % 200}.py\n".encode()
                     + b"data %d\n%s\n" % (len(body), body))
        if n == first and first:
            parts[-1] = parts[-1].replace(b"\nM 644", f"\nfrom {branch}^0\nM 644".encode(), 1)
    return b"".join(parts)


def cost(commits: int, pushed: list[int], runs: int) -> dict[int, dict[str, float]]:
    """N pushed -> medians of the id checks, the content check, and how many matched (0: unrelated)."""
    rng = random.Random(10)
    result: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="codetape-bench-pushed-") as scratch:
        base = Path(scratch)
        bare = base / "company.git"
        git(base, "init", "-q", "--bare", "-b", "main", str(bare))
        git(bare, "fast-import", "--quiet", data=stream(commits, 0, rng))
        made = commits
        for count in pushed:
            clone = base / f"clone-{count}"
            git(base, "clone", "-q", str(bare), str(clone))
            (clone / "src" / "mine.py").write_text("".join(f"def mine_{n}(total):\n    return total * {n}\n"
                                                           for n in range(6)), encoding="utf-8")
            git(clone, "add", "src/mine.py")
            git(clone, "commit", "-q", "-m", "Clamp negative totals in add (ticket 4711)")
            mine = git(clone, "rev-parse", "HEAD").strip()
            blob = {"src/mine.py": git(clone, "rev-parse", "HEAD:src/mine.py").strip()}
            kept = take(str(clone), [mine], {"src/mine.py": (clone / "src" / "mine.py").read_text("utf-8")})
            assert kept is not None
            git(bare, "fast-import", "--quiet", data=stream(count, made, rng))
            made += count
            git(clone, "fetch", "-q", "origin")
            origin = Origin(str(clone), [mine], blob, fingerprints=kept)
            ids, content, matched = [], [], 0
            for _ in range(runs):
                began = time.perf_counter()
                pushed_since("bench", Origin(str(clone), [mine], blob))
                ids.append(time.perf_counter() - began)
                began = time.perf_counter()
                matched = len(find(str(clone), kept) or [])
                content.append(time.perf_counter() - began)
            assert pushed_since("bench", origin) is None  # unrelated: nothing held
            result[count] = {"ids": statistics.median(ids), "content": statistics.median(content),
                             "matched": matched}
            shutil.rmtree(clone)
    return result


def render(holds: tuple[dict[float, list[int]], int, int], costs: dict[int, dict[str, float]], commits: int,
           window: int, load: tuple[float, ...]) -> str:
    found, sample, shingled = holds
    hold_rows = [(f"{threshold:.1f}", f"{row[0]} ({100 * row[0] / sample:.1f} %)", row[1],
                  f"{row[2]} ({100 * row[2] / sample:.1f} %)", f"{row[3]} ({100 * row[3] / sample:.1f} %)")
                 for threshold, row in found.items()]
    cost_rows = [(f"{count:,}", f"{row['ids'] * 1000:.0f} ms", f"{row['content'] * 1000:.0f} ms",
                  int(row["matched"])) for count, row in costs.items()]
    loads = f"load {load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    return (f"`{command_line()}`; {machine()}; {loads}.\n\n"
            f"False holds: {sample} commits of this repository's history ({shingled} with shingles), each "
            f"against the {window} commits after it; found: each against them and its own squash.\n\n"
            + table(["threshold", "held by others' work (false holds)", "of which by message",
                     "false holds, both named `Fix typo`", "found in its squash"], hold_rows)
            + f"\n\nCost per upload run and episode, a {commits:,}-commit company repository, N unrelated "
            "commits pushed since signing (medians):\n\n"
            + table(["N pushed since signing", "id checks (before)", "content check (`find`)", "matched"],
                    cost_rows) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--history", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--sample", type=int, default=400)
    parser.add_argument("--window", type=int, default=50)
    parser.add_argument("--commits", type=int, default=10_000)
    parser.add_argument("--pushed", default="10,100,1000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()
    holds = false_holds(args.history, args.sample, args.window)
    costs = cost(args.commits, [int(count) for count in args.pushed.split(",")], args.runs)
    body = render(holds, costs, args.commits, args.window, load)
    print(body)
    if not args.no_readme:
        write_section("pushed-content", body)


if __name__ == "__main__":
    main()
