"""What a repository that names many people costs an unlinkable signing (issue 85, item 1): every
`Name <e-mail>` of every trailer in `git log --all --reflog` joins the identities that signing masks
(collector/consent/repository.py), matched as one trie-shaped regular expression (consent/scrub.py).

    .venv/bin/python -m bench.trailer_identities [--identities 10000] [--runs 3] [--no-readme]

Each case is a company repository (bare) made with `git fast-import`: one commit per trailer identity,
each with a `Co-authored-by: Name <e-mail>` of its own (made-up names, distinct), against the same
repository without trailers; a clone of it (its remote-tracking branch holds them all) with one unpushed
commit of the contributor's, opted in. The episode is a generated session (`mixed`, tests/support/
sessions.py at the dataset tests' scale) recorded there; `codetape sign EPISODE --unlinkable --yes
--workspace CLONE` runs as a subprocess, as a contributor runs it, against a real `codetape issuer serve`
on loopback (the home enrolled first, with keys enough: no fetch at the signing), the cases
alternating, `--runs` times each; the medians are reported, with the time `read_repository` takes in this
process and how many identities it reads.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from msgspec.structs import replace

from bench.report import command_line, machine, table, write_section
from collector.consent.repository import read_repository
from collector.episode import write_episode_file
from schemas.header import WorkspaceIdentity
from tests.cli import environment
from tests.support.dataset_helpers import SCALE
from tests.support.issuer import Issuer
from tests.support.sessions import generate

_SYLLABLES = ("ka", "lo", "mi", "ra", "tu", "ve", "shi", "an", "do", "el", "qui", "zo", "ne", "ba", "ri",
              "sa")
_GIT_ENV = {"PATH": "/usr/bin:/bin", "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Build Bot",
            "GIT_AUTHOR_EMAIL": "bot@acme.example", "GIT_COMMITTER_NAME": "Build Bot",
            "GIT_COMMITTER_EMAIL": "bot@acme.example"}


def people(count: int, seed: int = 85) -> list[tuple[str, str]]:
    """`count` distinct made-up names and e-mails."""
    rng = random.Random(seed)
    found: dict[str, str] = {}
    while len(found) < count:
        first = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        last = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        found.setdefault(f"{first} {last}", f"{first.lower()}.{last.lower()}@acme.example")
    return list(found.items())


def git(root: Path, *args: str, data: bytes | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=root, input=data, capture_output=True, check=True,
                          env={**_GIT_ENV, "HOME": str(root)})
    return done.stdout.decode()


def company(base: Path, identities: int) -> Path:
    """A bare repository of max(1, `identities`) commits, each but the first naming a co-author of its own
    in a trailer when `identities`."""
    bare = base / "company.git"
    git(base, "init", "-q", "--bare", "-b", "main", str(bare))
    stream = []
    when = 1_790_000_000
    for n, (name, email) in enumerate(people(identities) if identities else [("", "")]):
        message = f"change {n}\n" + (f"\nCo-authored-by: {name} <{email}>\n" if name else "")
        body = f"# attrs at acme\n{n}\n".encode()
        stream.append(b"commit refs/heads/main\n"
                      + f"committer Build Bot <bot@acme.example> {when + 60 * n} +0000\n".encode()
                      + b"data %d\n%s\n" % (len(message.encode()), message.encode())
                      + b"M 644 inline README.md\ndata %d\n%s\n" % (len(body), body))
    git(bare, "fast-import", "--quiet", data=b"".join(stream))
    return bare


def clone(base: Path, bare: Path, home: Path) -> Path:
    """The contributor's clone, opted in for `home`, with an unpushed commit of hers."""
    root = base / "attrs"
    git(base, "clone", "-q", str(bare), str(root))
    (root / "work.py").write_text("# fix\n", encoding="utf-8")
    git(root, "add", "work.py")
    git(root, "-c", "user.name=Alice Liddell", "-c", "user.email=a.liddell@acme.example", "commit", "-q",
        "-m", "parser: fix\n\nCo-authored-by: Dana Okafor <d.okafor@acme.example>")
    done = subprocess.run([sys.executable, "-m", "collector", "init", str(root)], env=environment(home),
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"codetape init failed: {done.stderr.strip()}")
    return root


def episode(path: Path, root: Path, number: int) -> Path:
    """A generated session recorded in `root`."""
    made = generate(number, "mixed", scale=SCALE)
    header = replace(made.header, episode_id=uuid.uuid4(), started_at=datetime.now(UTC),
                     workspace=WorkspaceIdentity(root_name=root.name, head_at_start=None, git_remote=None))
    write_episode_file(path, header, made.steps)
    return path


def measure(identities: int, runs: int) -> dict[int, dict[str, float]]:
    """case (identities) -> the medians: signing's wall time, read_repository's, and identities read."""
    times: dict[int, list[float]] = {0: [], identities: []}
    reading: dict[int, list[float]] = {0: [], identities: []}
    counts: dict[int, int] = {}
    with tempfile.TemporaryDirectory(prefix="codetape-bench-trailers-") as scratch:
        base = Path(scratch)
        issuer = Issuer(base).init().start()
        try:
            roots, homes = {}, {}
            for case in times:
                where = base / f"case-{case}"
                where.mkdir()
                homes[case] = where / "home"
                issuer.enrol(homes[case], f"member-{case}", quota=200, count=runs + 5)
                roots[case] = clone(where, company(where, case), homes[case])
            for run in range(runs):
                for case in times:
                    began = time.perf_counter()
                    known = read_repository(roots[case])
                    reading[case].append(time.perf_counter() - began)
                    assert known is not None
                    counts[case] = len(known.identities)
                    path = episode(base / f"episode-{case}-{run}.ctape", roots[case], run)
                    began = time.perf_counter()
                    command = [sys.executable, "-m", "collector", "sign", str(path), "--unlinkable", "--yes",
                               "--workspace", str(roots[case])]
                    done = subprocess.run(command, env=environment(homes[case]), capture_output=True,
                                          text=True, check=False)
                    times[case].append(time.perf_counter() - began)
                    if done.returncode != 0:
                        raise SystemExit(f"signing failed: {done.stderr.strip()}")
        finally:
            issuer.stop()
            shutil.rmtree(base, ignore_errors=True)
    return {case: {"sign": statistics.median(times[case]), "read": statistics.median(reading[case]),
                   "identities": counts[case]} for case in times}


def render(found: dict[int, dict[str, float]], runs: int, load: tuple[float, ...]) -> str:
    rows = [(f"{case:,} trailer identities", f"{int(row['identities']):,}", f"{row['read']:.2f} s",
             f"{row['sign']:.2f} s") for case, row in found.items()]
    loads = f"load {load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    return (f"`{command_line()}`; {machine()}; {loads}; medians of {runs} runs each.\n\n"
            + table(["company history", "identities read", "read_repository", "`codetape sign --unlinkable`"],
                    rows) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--identities", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()
    body = render(measure(args.identities, args.runs), args.runs, load)
    print(body)
    if not args.no_readme:
        write_section("trailer-identities", body)


if __name__ == "__main__":
    main()
