"""Issue 88, Done when: work pushed after signing is found by its content, as the employer finds it.

Through a real issuer, a local S3-compatible store (SeaweedFS, the write-only drop credential) and a
running collector. Alice (the only member: `[consent] min_members = 1`) signs seven unlinkable episodes,
each recorded in her clone of its own bare "company" repository and each ending with a real commit of
hers to `calc.py`. Then, per repository: the commit is amended by one line and pushed; rebased onto a
main that changed the same file; cherry-picked onto another branch where the file differs; squashed with
one more line under a new message; a two-line fix with a 3-word message rebased and pushed. In the last
two, bob pushes an unrelated commit to the same file (a different fix of the same bug; `Fix typo`, the
message of alice's own commit) and alice pushes nothing. One `codetape upload --now` holds the first
five, each named with the commit that matched and by what, and sends the other two; her collector's
status answer (the editors' status line) counts five, `codetape status` and the review name them. The
setup runs once for the module."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from collector.episode import open_episode, write_episode_file
from collector.home import Home
from collector.upload.asked import held_items
from collector.upload.pushed_since import pushed_since, read_origin
from tests.cli import codetape as in_process
from tests.cli import codetape_process
from tests.fixtures.make_golden import header, rng, sha, steps
from tests.support.collector_harness import git, opt_in, start_daemon
from tests.support.issuer import Issuer
from tests.support.seaweed import SeaweedFS
from tests.waiting import wait_for

BASE = ('"""Invoice arithmetci."""\n\n\n'
        "def add(a, b):\n"
        "    return a + b\n\n\n"
        "def scale(total, rate):\n"
        '    """Scale teh total by the rate."""\n'
        "    return total * rate\n")
CLAMPED = BASE.replace("    return a + b\n", (
    "    total = a + b\n"
    "    if total < 0:\n"
    '        log.warning("negative total %s clamped to zero", total)\n'
    "        total = 0\n"
    "    return total\n"))
FIX = "Clamp negative totals in add (ticket 4711)"
SMALL = BASE.replace("    return a + b\n", "    clamped = max(0, a + b)  # ticket 4711\n    return clamped\n")
TYPO = BASE.replace("Scale teh total", "Scale the total")
BOB = ("-c", "user.name=Bob Bobson", "-c", "user.email=b.bobson@acme.example")


@dataclass
class Case:
    name: str
    clone: Path
    bob: Path
    eid: str = ""


def company(root: Path) -> tuple[Path, Path]:
    """A bare repository whose main holds BASE as calc.py, and bob's clone of it."""
    seed, bare, bob = root / "seed", root / "company.git", root / "bob"
    seed.mkdir(parents=True)
    git(seed, "init", "-q", "-b", "main")
    (seed / "calc.py").write_text(BASE, encoding="utf-8")
    git(seed, "add", "calc.py")
    git(seed, "commit", "-q", "-m", "start")
    git(root, "clone", "-q", "--bare", str(seed), str(bare))
    git(root, "clone", "-q", str(bare), str(bob))
    return bare, bob


def bob_commits(case: Case, text: str, message: str, branch: str = "main") -> None:
    git(case.bob, "checkout", "-q", "-B", branch, f"origin/{branch}" if branch == "main" else "HEAD")
    (case.bob / "calc.py").write_text(text, encoding="utf-8")
    git(case.bob, *BOB, "commit", "-q", "-am", message)
    git(case.bob, "push", "-q", "origin", branch)


def commit_and_record(home: Path, case: Case, after: str, message: str) -> Path:
    """Alice's edit of calc.py, committed in her clone, as the episode the collector would have sealed."""
    (case.clone / "calc.py").write_text(after, encoding="utf-8")
    git(case.clone, "commit", "-q", "-am", message)
    commit = git(case.clone, "rev-parse", "HEAD")
    lines = BASE.count("\n")
    episode = home.parent / f"{case.name}.ctape"
    write_episode_file(episode, header(str(uuid.uuid4())), steps(
        {"kind": "open", "t_ms": 0, "source": "bridge", "path": "calc.py", "language_id": "python",
         "version": 1, "text": BASE},
        {"kind": "edit", "t_ms": 900, "source": "bridge", "path": "calc.py", "version": 2,
         "changes": [{"range": rng(0, 0, lines, 0), "text": after}]},
        {"kind": "save", "t_ms": 1500, "source": "bridge", "path": "calc.py", "sha256": sha(after)},
        {"kind": "git", "t_ms": 2000, "source": "git", "op": "commit", "sha": commit, "message": message}))
    return episode


def amended(case: Case) -> None:
    comment = "    # a reviewer asked: clamp, never raise\n"
    asked = CLAMPED.replace("    if total < 0:\n", comment + "    if total < 0:\n")
    (case.clone / "calc.py").write_text(asked, encoding="utf-8")
    git(case.clone, "commit", "-q", "-a", "--amend", "--no-edit")
    git(case.clone, "push", "-q", "origin", "main")


def rebased_onto(scaled: str, message: str) -> Callable[[Case], None]:
    """Bob changes the same file on main first (`scale`'s line); she rebases her commit onto it and pushes."""
    def rebased(case: Case) -> None:
        bob_commits(case, BASE.replace("total * rate", scaled), message)
        git(case.clone, "pull", "-q", "--rebase", "origin", "main")
        git(case.clone, "push", "-q", "origin", "main")

    return rebased


def cherry_picked(case: Case) -> None:
    mine = git(case.clone, "rev-parse", "HEAD")
    git(case.clone, "checkout", "-q", "-b", "release", "origin/main~0")
    release = BASE.replace("arithmetci", "arithmetic (release 2)")
    (case.clone / "calc.py").write_text(release, encoding="utf-8")
    git(case.clone, "commit", "-q", "-am", "Release 2")
    git(case.clone, "cherry-pick", "-x", mine)
    git(case.clone, "push", "-q", "origin", "release")  # main, with her commit as it was, stays unpushed


def squashed(case: Case) -> None:
    (case.clone / "calc.py").write_text(CLAMPED.replace("total * rate", "total * rate  # rate as a fraction"),
                                        encoding="utf-8")
    git(case.clone, "commit", "-q", "-am", "One more")
    git(case.clone, "reset", "-q", "--soft", "origin/main")
    git(case.clone, "commit", "-q", "-m", "Invoice fixes before the release")
    git(case.clone, "push", "-q", "origin", "main")


def other_fix(case: Case) -> None:
    bob_commits(case, BASE.replace("return a + b", "return max(0, a + b)"), "Never return a negative total")


def other_typo(case: Case) -> None:
    bob_commits(case, BASE.replace("arithmetci", "arithmetic"), "Fix typo")


CASES: dict[str, tuple[str, str, Callable[[Case], None]]] = {  # name: her text, her message, what follows
    "amend": (CLAMPED, FIX, amended),
    "rebase": (CLAMPED, FIX, rebased_onto("round(total * rate, 2)", "Round scaled totals")),
    "cherry-pick": (CLAMPED, FIX, cherry_picked),
    "squash": (CLAMPED, FIX, squashed),
    "small": (SMALL, "Clamp negative totals", rebased_onto("total * rate / 100", "Rates are percentages")),
    "other-fix": (CLAMPED, FIX, other_fix),
    "other-typo": (TYPO, "Fix typo", other_typo),
}
HELD = ("amend", "rebase", "cherry-pick", "squash", "small")


@dataclass
class Run:
    cases: dict[str, Case]
    home: Path
    upload: str
    status: str
    counted: int
    reasons: dict[str, str]
    arrived: int
    origins_left: set[str]


def bucket_episodes(seaweed: SeaweedFS, bucket: str) -> int:
    return len([key for key in seaweed.keys(bucket) if key.endswith(".ctape")])


@pytest.fixture(scope="module")
def run(issuer: Issuer, seaweed: SeaweedFS, tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("by-content")
    bucket = seaweed.bucket("drop-pushed-by-content")
    home = root / "alice"
    issuer.enrol(home, "alice", count=len(CASES) + 2)
    (home / "config.toml").write_text(
        f'[upload]\nto = "s3://{bucket}/team"\nendpoint_url = "{seaweed.endpoint}"\n'
        '[consent]\nmode = "unlinkable"\nmin_members = 1\n', encoding="utf-8")
    cases = {}
    for name, (after, message, _then) in CASES.items():
        bare, bob = company(root / name)
        case = Case(name, root / name / "alice", bob)
        git(root / name, "clone", "-q", str(bare), str(case.clone))
        opt_in(case.clone, home=home)
        episode = commit_and_record(home, case, after, message)
        done = in_process(home, "sign", str(episode), "--yes", "--workspace", str(case.clone))
        assert done.returncode == 0, done.stderr
        case.eid = str(open_episode(episode).header.episode_id)
        cases[name] = case
    for name, (_after, _message, then) in CASES.items():
        then(cases[name])  # after signing: what each did with her commit, or bob with his

    upload = codetape_process(home, "upload", "--now", env=seaweed.drop_env())
    assert upload.returncode == 0, upload.stderr
    print(upload.stdout)
    arrived = bucket_episodes(seaweed, bucket)
    daemon = start_daemon(home, env=seaweed.drop_env())
    try:
        def status_answer() -> int:
            with daemon.client() as client:
                return int(client.request("status")["held"])

        wait_for(lambda: status_answer() == len(HELD), what="her collector counting the held episodes",
                 detail=lambda: daemon.log.read_text(encoding="utf-8")[-2000:])
        counted = status_answer()
    finally:
        daemon.stop()
    status = codetape_process(home, "status").stdout
    reasons = {item.episode_id: "; ".join(item.reasons) for item in held_items(Home(home))}
    left = {name for name, case in cases.items() if read_origin(Home(home), case.eid) is not None}
    return Run(cases, home, upload.stdout, status, counted, reasons, arrived, left)


@pytest.mark.parametrize("name", HELD)
def test_rewritten_work_is_held_and_named_with_what_matched(run: Run, name: str) -> None:
    case = run.cases[name]
    short = case.eid[:8]
    line = next((line for line in run.upload.splitlines() if line.startswith(f"{short} is held")), None)
    assert line is not None, run.upload
    if name == "cherry-pick":
        pushed = git(case.clone, "rev-parse", "origin/release")
    else:
        pushed = git(case.clone, "rev-parse", "origin/main")
    expected = {
        "amend": "(its message and 2 of 3 line shingles)",  # the comment breaks one run of 3
        "rebase": "(its message and 3 of 3 line shingles)",
        "cherry-pick": "(its message and 3 of 3 line shingles)",
        "squash": "(3 of 3 line shingles)",  # a new message: by its lines
        "small": "(its message and 2 of 2 line shingles)",  # 3 words: the message with its lines
    }[name]
    assert f"its content in commit {pushed[:12]} {expected}" in line, line
    assert f"  {short}  its content in commit {pushed[:12]} {expected}" in run.status, run.status
    assert f"its content in commit {pushed[:12]} {expected}" in run.reasons[case.eid]  # `codetape review`
    assert name in run.origins_left  # kept while it waits


@pytest.mark.parametrize("name", ["other-fix", "other-typo"])
def test_unrelated_pushed_work_does_not_hold_it(run: Run, name: str) -> None:
    eid = run.cases[name].eid
    assert f"{eid[:8]} is held" not in run.upload and eid not in run.reasons
    assert name not in run.origins_left  # it left: what was kept of its origin went


def test_the_held_stay_out_of_the_bucket_and_the_collector_counts_them(run: Run) -> None:
    assert run.arrived == len(CASES) - len(HELD)
    assert run.counted == len(HELD)
    assert f"{len(HELD)} unlinkable episodes held: work of it was pushed after signing" in run.status
    held = json.loads(codetape_process(run.home, "status", "--json").stdout)["outbox"]["held_for_pushed"]
    assert sorted(item["episode_id"] for item in held) == sorted(run.cases[name].eid for name in HELD)
    assert all(item["matched"] and item["commits"] == [] for item in held)


def test_the_origin_keeps_hashes_only_and_one_kept_before_fingerprints_still_reads(run: Run) -> None:
    case = run.cases["amend"]
    path = Home(run.home).outbox / f"{case.eid}.origin"
    assert path.stat().st_mode & 0o777 == 0o600
    kept = json.loads(path.read_text(encoding="utf-8"))["fingerprints"]
    assert kept["tips"] and len(kept["shingles"]) == 3 and kept["messages"][0][1] == 7
    assert "clamp" not in path.read_text(encoding="utf-8").casefold()  # hashes, not the text
    old = Home(run.home).outbox / "00000000-0000-4000-8000-000000000000.origin"
    old.write_text(json.dumps({"root": str(case.clone), "commits": [], "blobs": {}, "sent_anyway": False}))
    try:
        before = read_origin(Home(run.home), old.name.removesuffix(".origin"))
        assert before is not None and before.fingerprints is None
        assert pushed_since(old.name.removesuffix(".origin"), before) is None  # ids only, none pushed
    finally:
        old.unlink()
