"""Unlinkable mode against the receiver workers fear (issue 52, "Done when"): the employer, who holds the
company's repository, the staff list and the laptops' configuration.

Three members, each with her own git identity, time zone, folder name, personal fork, editor build,
settings and agent conversation (alice's goes on across her two episodes, as `claude --continue` does),
work in clones of the company's repository: the same generated editing session (so that what differs is
what codetape adds, not the content), then a commit of their own, `git commit`'s and `git log -1`'s output,
an agent's turn. Their journals are sealed as the collector seals them (their git identity read from their
clone), signed unlinkably with keys a real issuer authorised blindly, uploaded through the shared
write-only drop credential (SeaweedFS), and built with --trust-issuer. Carol pushed her second commit:
`sign` warns her that pushed work is found by its content.

The adversary then tries, for every unpushed commit, every member of the staff list, every whole-hour
offset and every second around the commit (a window: the whole day is the same search, 48 times longer)
to rebuild a commit id the dataset, the signed episodes or their exports hold, in full or abbreviated; it
finds each real id from git's own objects (the search is right) and none in what was shared. It looks for
every name, e-mail, handle, folder, login and host of the staff, and joins every column of every table,
every header and statement field and every uploaded object (tests/support/linkage.py): nobody is named,
and no value is shared by all of one member's episodes and by no other member's.

Issue 67 has the employer read with what the repository knows: the company's history holds every
member's pushed commit and a tag; each member commits under a work e-mail her shell exports (not git
config's), in her zone, on a local branch of her own, resets a WIP commit away, stashes, and her terminal
prints `git describe`, `git log --all`, `--format=raw`, `--date=local`, the stash, `git show` of the WIP
and a failing test with her local time and offset. No 8-digit prefix of any commit her clone holds
unpushed, no branch name, no second or zone of her commits, no name or e-mail of the staff reaches the
employer, and every signed episode still verifies (its replay matches every save).

Issue 85 has the employer know every person and ref the repository does, wherever it stands (the
`ISSUE_85` additions, the same for every member): each pairs with a colleague who never committed (a
`Co-authored-by` trailer of her commits, in the git step's message and `git log`'s output), tags the
pushed commit she starts from (alice's `pre-refactor-backup`, made in her first episode: `git describe
--tags` prints it in both), and her editor writes her `@author` tag into a new file while a pushed file
holds the same tag; bob's clone is a plain clone of his fork, no `upstream` (`git remote -v` and `git
push` print his handle); every clone has the organisation's remote too, and every member tells her agent
to follow `acme-corp`'s style guide. None of them reaches the bucket, the dataset, the card or an export;
the organisation's name stays in the prompt.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from msgspec.structs import replace

from collector.home import Home
from collector.journal.writer import JournalWriter
from collector.redact.localnames import LocalNames
from collector.seal.redacted import seal_redacted
from schemas import EpisodeHeader, Step, step_from_dict
from schemas.header import CaptureSettings, ClientInfo, WorkspaceIdentity
from tests.cli import codetape
from tests.cli import codetape as in_process
from tests.support.dataset_helpers import SCALE
from tests.support.instants import clock_leaks
from tests.support.issuer import Issuer
from tests.support.linkage import duck_at, seen_by_episode, singled_out, unlinkable_member
from tests.support.seaweed import SeaweedFS
from tests.support.sessions import generate


@dataclass(frozen=True)
class Member:
    name: str  # user.name
    email: str
    handle: str  # the owner of her fork
    login: str
    host: str
    offset_h: int  # her time zone
    folder: str  # her clone's folder
    client: tuple[str, str]  # her editor, its exact build
    idle_timeout_s: int
    max_file_bytes: int
    conversation: str  # her agent's conversation id
    work_email: str  # the identity her shell exports for this repository (direnv): not git config's
    branch: str  # her local branch, never pushed


STAFF = {
    "alice": Member("Alice Liddell", "a.liddell@acme.example", "aliddellx", "aliddell", "wonder-laptop", 1,
                    "alice-attrs", ("Visual Studio Code - Insiders", "1.97.0-insider"), 600, 4 << 20,
                    "5f0c7a1e-9d4b-4e8a-b1c2-3d4e5f607182", "alice.liddell@work.acme.example",
                    "fix/negative-add"),
    "bob": Member("Bob Tanaka", "b.tanaka@acme.example", "btanakax", "btanaka", "kyoto-box", 9, "bt-attrs",
                  ("Neovim", "0.11.4"), 1800, 2 << 20, "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
                  "bob.tanaka@work.acme.example", "feature/parse-iso-dates"),
    "carol": Member("Carol Ndiaye", "c.ndiaye@acme.example", "cndiayex", "cndiaye", "dakar-ws", -5,
                    "attrs-work", ("Visual Studio Code", "1.96.2"), 3600, 1 << 20,
                    "0e1d2c3b-4a59-4687-9a6b-5c4d3e2f1a0b", "carol.ndiaye@work.acme.example",
                    "spike/faster-validators"),
}
SEEDS = (0, 3)  # each member's two episodes: the same work for everyone
# ISSUE_85: the colleague each pairs with, who never committed; her tag; the file that holds each one's
# pushed @author tag; who clones his fork without `upstream`; the organisation's remote
CO_AUTHORS = {"alice": ("Dana Okafor", "d.okafor@acme.example"), "bob": ("Erin Vale", "e.vale@acme.example"),
              "carol": ("Femi Adeyemi", "f.adeyemi@acme.example")}
LOCAL_TAGS = {"alice": "pre-refactor-backup", "bob": "before-iso-dates", "carol": "spike-base"}
AUTHORED = "src/dates.py"
FORK_ONLY = "bob"
ORGANISATION = "acme-corp"
ORGANISATION_REMOTE = f"git@github.com:{ORGANISATION}/attrs.git"
OFFSETS = range(-12, 15)  # every whole-hour zone
WINDOW_S = 900  # seconds either side of the commit's true second that the search tries
LONG_HEX = re.compile(r"(?<![0-9a-f])[0-9a-f]{12,64}(?![0-9a-f])")  # too long to match a guess by chance
# where git prints an abbreviated id: `[main abc1234] msg`, `commit abc1234`, `abc1234 msg` (--oneline)
SHORT_HEX = re.compile(r"\[[^\]\s]+ ([0-9a-f]{7,11})\]|\bcommit ([0-9a-f]{7,11})\b|^([0-9a-f]{7,11}) ", re.M)


@dataclass
class Team:
    issuer: Issuer
    seaweed: SeaweedFS
    base: Path
    bucket: str
    record: Path
    receiver: Path
    company: Path  # the company's repository (bare): what the employer holds
    episodes: dict[str, list[Path]] = field(default_factory=dict)  # member -> signed episodes
    commits: dict[str, list[str]] = field(default_factory=dict)  # member -> her unpushed commits
    said: dict[str, str] = field(default_factory=dict)  # member -> what `sign` printed, every time

    @property
    def source(self) -> str:
        return f"s3://{self.bucket}/team"

    def home(self, name: str) -> Path:
        return self.base / name / "codetape"


def git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(root), "GIT_CONFIG_NOSYSTEM": "1",
                               **(env or {})})
    return done.stdout


def company_repository(base: Path) -> Path:
    """The company's repository, with one commit everyone has."""
    bare, seed = base / "company.git", base / "seed"
    git(base, "init", "-q", "--bare", "-b", "main", str(bare))
    seed.mkdir()
    git(seed, "init", "-q", "-b", "main")
    (seed / "README.md").write_text("# attrs at acme\n")
    git(seed, "add", "README.md")
    git(seed, "-c", "user.name=Build Bot", "-c", "user.email=bot@acme.example", "commit", "-q", "-m", "start")
    git(seed, "tag", "v1.0")
    for member in STAFF.values():  # colleagues' pushed work: every name is in everyone's history
        (seed / "README.md").write_text(f"# attrs at acme\n{member.login}\n")
        git(seed, "-c", f"user.name={member.name}", "-c", f"user.email={member.email}", "commit", "-q", "-am",
            "docs: who looks after what")
    authored(seed)
    git(seed, "push", "-q", "--tags", str(bare), "main")
    return bare


def authored(seed: Path) -> None:
    """ISSUE_85: a pushed file holding every member's `@author` tag."""
    (seed / AUTHORED).parent.mkdir(exist_ok=True)
    tags = "".join(f"# @author {member.name}\n" for member in STAFF.values())
    (seed / AUTHORED).write_text(f'"""Dates."""\n{tags}', encoding="utf-8")
    git(seed, "add", AUTHORED)
    git(seed, "-c", "user.name=Build Bot", "-c", "user.email=bot@acme.example", "commit", "-q", "-m", "dates")


def clone(team: Team, who: str) -> Path:
    member = STAFF[who]
    root = team.base / who / "src" / member.folder
    root.parent.mkdir(parents=True)
    if who == FORK_ONLY:  # ISSUE_85: a plain clone of his fork, no `upstream`
        git(root.parent, "clone", "-q", str(team.company), str(root))
        git(root, "remote", "set-url", "origin", f"git@github.com:{member.handle}/attrs.git")
    else:
        git(root.parent, "clone", "-q", "-o", "upstream", str(team.company), str(root))
        git(root, "remote", "add", "origin", f"git@github.com:{member.handle}/attrs.git")  # her fork
    git(root, "remote", "add", "company", ORGANISATION_REMOTE)  # ISSUE_85: the organisation's
    git(root, "config", "user.name", member.name)
    git(root, "config", "user.email", member.email)
    done = in_process(team.home(who), "init", str(root))  # opted in: sign finds it, and asks its repository
    assert done.returncode == 0, done.stderr
    return root


def commit(root: Path, member: Member, message: str, when: datetime) -> str:
    """A commit of hers, at `when` in her zone; its id."""
    (root / "work.py").write_text(f"# {message.splitlines()[0]}\n", encoding="utf-8")
    git(root, "add", "work.py")
    git(root, "commit", "-q", "-m", message, env=shell(member, when))
    return git(root, "rev-parse", "HEAD").strip()


def shell(member: Member, when: datetime) -> dict[str, str]:
    """Her shell's environment at `when`: her zone, and the work identity direnv exports there."""
    stamp = when.astimezone(timezone(timedelta(hours=member.offset_h))).isoformat()
    zone = f"Etc/GMT{'-' if member.offset_h > 0 else '+'}{abs(member.offset_h)}"  # POSIX signs are reversed
    return {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp, "TZ": zone, "GIT_AUTHOR_NAME": member.name,
            "GIT_AUTHOR_EMAIL": member.work_email, "GIT_COMMITTER_NAME": member.name,
            "GIT_COMMITTER_EMAIL": member.work_email}


def printed(root: Path, member: Member, when: datetime, *args: str) -> dict[str, object]:
    """A command step of `git ARGS` run in her shell, with what it printed."""
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(root), "GIT_CONFIG_NOSYSTEM": "1",
                               **shell(member, when)})
    return {"kind": "command", "source": "shell", "command_line": " ".join(["git", *args]),
            "exit_code": done.returncode, "output_tail": done.stdout + done.stderr}


def episode_steps(root: Path, member: Member, seed: int, when: datetime, head: str) -> tuple[
        EpisodeHeader, list[Step], str]:
    """Her episode: the generated session, then her commit, what git printed, an agent's turn."""
    made = generate(seed, "mixed", scale=SCALE)
    before: list[dict[str, object]] = []
    if seed == SEEDS[0]:
        before += tagged(root, member, when)
        before.append(printed(root, member, when, "switch", "-c", member.branch))
    wip = commit(root, member, f"wip: try the case from ticket {seed}", when - timedelta(minutes=5))
    before += [printed(root, member, when, "reset", "--hard", "HEAD~1"),  # only the reflog holds it now
               printed(root, member, when, "reflog", "-3")]
    (root / "scratch.py").write_text(f"# an idea {seed}\n", encoding="utf-8")
    git(root, "add", "scratch.py")
    before.append(printed(root, member, when, "stash", "push", "-m", f"idea {seed}"))
    message = f"parser: fix the case from ticket {seed}{paired(member)}"
    sha = commit(root, member, message, when)
    last = made.steps[-1].t_ms if made.steps else 0
    committed = git(root, "log", "-1", f"--format=[{member.branch} %h] %s")
    log = git(root, "log", "-1")
    local = datetime.fromtimestamp(int(git(root, "log", "-1", "--format=%ct")),
                                   timezone(timedelta(hours=member.offset_h)))
    after = [printed(root, member, when, *args) for args in (
        ("describe", "--tags"), ("log", "--all", "--oneline", "--decorate"), ("log", "--format=raw", "-3"),
        ("log", "--date=local", "-2"), ("stash", "list"), ("status",), ("branch", "-v"), ("show", wip))]
    colleagues = ", ".join(f"{other.name} <{other.email}>" for other in STAFF.values())
    after.append({"kind": "file_change", "source": "watcher", "path": "REVIEW.md", "change": "created",
                  "text": f"# review\n\nby {member.name} <{member.work_email}>, with {colleagues}\n"
                          f"tried {wip[:10]} (reset), at {local.isoformat()}\n"
                          f"author {member.name} <{member.email}> {int(local.timestamp())} "
                          f"{local.strftime('%z')}\n"})  # a file she wrote: file text, masked by span
    after += by_value(member, local, log)
    after.append({"kind": "test_run", "source": "pytest", "exit_status": 1, "args": ["-x"],
                  "tests": [{"nodeid": "tests/test_parser.py::test_dates", "outcome": "failed",
                             "summary": f"AssertionError: parsed {local.isoformat()} as None"}]})
    own: list[dict[str, object]] = [*before,
        {"kind": "agent", "source": "agent", "agent": "claude-code", "hook": "UserPromptSubmit",
         "event": "prompt", "session": member.conversation, "prompt": "fix the parser"},
        {"kind": "git", "source": "git", "op": "commit", "sha": sha, "parents": [head],
         "message": f"{message}\n", "ref": f"refs/heads/{member.branch}"},
        {"kind": "command", "source": "shell", "command_line": "git commit -am fix", "exit_code": 0,
         "output_tail": committed},
        {"kind": "command", "source": "shell", "command_line": "git log -1", "exit_code": 0,
         "output_tail": log},
        *after,
    ]
    own += issue_85_steps(root, member, when)
    steps = [*made.steps,
             *(step_from_dict({**step, "t_ms": last + 1000 * (n + 1)}) for n, step in enumerate(own))]
    header = replace(
        made.header, episode_id=uuid.uuid4(), started_at=when - timedelta(minutes=30),
        workspace=WorkspaceIdentity(root_name=member.folder, head_at_start=head,
                                    git_remote=f"git@github.com:{member.handle}/attrs.git"),
        client=ClientInfo(name=member.client[0], version=member.client[1]),
        capture=CaptureSettings(idle_timeout_s=member.idle_timeout_s, max_file_bytes=member.max_file_bytes))
    return header, steps, sha


def by_value(member: Member, local: datetime, log: str) -> list[dict[str, object]]:
    """Times a tool spells its own way (issue 84): a SummaryWriter's run folder and event file, listed by
    `ls`, and a notebook whose cell ran `!git log -1` (git's default date: the year between the time and
    the offset), saved as Jupyter saves it."""
    run = f"runs/{local:%b%d_%H-%M-%S}_{member.host}"
    events = f"{run}/events.out.tfevents.{int(local.timestamp())}.{member.host}.25854.0"
    cell = {"cell_type": "code", "execution_count": 3, "metadata": {}, "source": ["!git log -1"],
            "outputs": [{"name": "stdout", "output_type": "stream", "text": log.splitlines(keepends=True)}]}
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return [{"kind": "file_change", "source": "watcher", "path": events, "change": "created",
             "text": "brain.Event:2\n"},
            {"kind": "command", "source": "shell", "command_line": "ls -R runs", "exit_code": 0,
             "output_tail": f"runs:\n{run.split('/')[1]}\n\n{run}:\n{events.rsplit('/', 1)[1]}\n"},
            {"kind": "file_change", "source": "watcher", "path": "analysis.ipynb", "change": "created",
             "text": json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"}]


def who_is(member: Member) -> str:
    return next(name for name, one in STAFF.items() if one is member)


def paired(member: Member) -> str:
    """ISSUE_85: the trailer of her fix: the colleague she paired with, who never committed."""
    name, email = CO_AUTHORS[who_is(member)]
    return f"\n\nCo-authored-by: {name} <{email}>"


def tagged(root: Path, member: Member, when: datetime) -> list[dict[str, object]]:
    """ISSUE_85: she tags the pushed commit she starts from, in her first episode (a command, and the git
    step the watcher makes of the new tag); `git describe --tags` prints it in both her episodes."""
    head, tag = git(root, "rev-parse", "HEAD").strip(), LOCAL_TAGS[who_is(member)]
    return [printed(root, member, when, "tag", tag),
            {"kind": "git", "source": "git", "op": "tag", "ref": f"refs/tags/{tag}", "new": head,
             "detail": "lightweight"}]


def issue_85_steps(root: Path, member: Member, when: datetime) -> list[dict[str, object]]:
    """ISSUE_85: `git remote -v`, a push to her fork (what GitHub answers), a prompt naming the
    organisation, and a new file her editor gives her `@author` tag (a pushed file holds it)."""
    pushed = (f"To github.com:{member.handle}/attrs.git\n"
              f" * [new branch]      {member.branch} -> {member.branch}\n"
              f"remote: Create a pull request for '{member.branch}' on GitHub by visiting:\n"
              f"remote:      https://github.com/{member.handle}/attrs/pull/new/{member.branch}\n")
    steps: list[dict[str, object]] = [
        {"kind": "file_change", "source": "watcher", "path": "src/validators.py", "change": "created",
         "text": f'"""Validators."""\n# @author {member.name}\n'},
        printed(root, member, when, "remote", "-v"),
        {"kind": "command", "source": "shell", "command_line": f"git push -u origin {member.branch}",
         "exit_code": 0, "output_tail": pushed},
        {"kind": "agent", "source": "agent", "agent": "claude-code", "hook": "UserPromptSubmit",
         "event": "prompt", "session": member.conversation,
         "prompt": f"follow the {ORGANISATION} style guide for dates"}]
    return steps


def sealed(team: Team, who: str, root: Path, header: EpisodeHeader, steps: list[Step]) -> Path:
    """Her journal sealed as her collector seals it: her names and git identity masked."""
    member, home = STAFF[who], Home(team.home(who))
    journal = home.ensure(home.journals) / f"{header.episode_id}.journal"
    with JournalWriter.create(journal, header, fsync=lambda fd: None) as writer:
        for step in steps:
            writer.append(step)
    names = LocalNames.of(homes=[str(team.base / who)], logins=[member.login], hosts=[member.host])
    result = seal_redacted(journal, home.ensure(home.episodes), workspace=root, names=names)
    assert result is not None
    return result.path


def record(team: Team, who: str) -> None:
    member, home = STAFF[who], team.home(who)
    root = clone(team, who)
    day = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    team.episodes[who], team.commits[who], team.said[who] = [], [], ""
    for number, seed in enumerate(SEEDS):
        head = git(root, "rev-parse", "HEAD").strip()
        when = day + timedelta(hours=number, seconds=37 * seed)
        header, steps, sha = episode_steps(root, member, seed, when, head)
        if who == "carol" and number == 1:
            git(root, "push", "-q", "upstream", "HEAD:main")  # her second commit reaches the company's
            git(root, "fetch", "-q", "upstream")
        else:
            team.commits[who].append(sha)
        unsigned = sealed(team, who, root, header, steps)
        done = in_process(home, "sign", str(unsigned), "--yes")
        assert done.returncode == 0, done.stderr
        team.said[who] += done.stdout + done.stderr
        team.episodes[who].append(Home(home).outbox / f"{header.episode_id}.ctape")
    done = codetape(home, "upload", "--now", env=team.seaweed.drop_env())
    assert done.returncode == 0, done.stderr
    if who == "carol":  # her push took her first episode's commit too, after she signed it: it is held
        first = team.episodes[who][0].name.removesuffix(".ctape")
        assert f"{first[:8]} is held: 1 of its commits: on a remote-tracking branch" in done.stdout
        done = codetape(home, "upload", "--now", "--send-anyway", first, env=team.seaweed.drop_env())
        assert done.returncode == 0, done.stderr  # she sends it all the same (issue 68, item 1)


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory, seaweed: SeaweedFS) -> Iterator[Team]:
    base = tmp_path_factory.mktemp("employer")
    issuer = Issuer(base).init()
    try:
        issuer.start()
        world = Team(issuer, seaweed, base, seaweed.bucket("employer"), base / "ISSUER.pub",
                     base / "receiver", company_repository(base))
        unlinkable_member(world.receiver, world.source, world.seaweed.endpoint)
        for who in STAFF:
            unlinkable_member(world.home(who), world.source, world.seaweed.endpoint)
            issuer.enrol(world.home(who), who, quota=10, count=3)
        for who in STAFF:
            record(world, who)
        issuer.export(world.record)
        yield world
    finally:
        issuer.stop()


def built(team: Team, tmp_path: Path) -> Path:
    out = tmp_path / "dataset"
    done = codetape(team.receiver, "dataset", "build", team.source, "-o", str(out), "--trust-issuer",
                    str(team.record), "--min-contributors", "3", "--workers", "1", env=team.seaweed.env())
    assert done.returncode == 0, done.stderr
    return out


def shared_texts(team: Team, out: Path, tmp_path: Path) -> list[str]:
    """Everything the employer receives, as text: every value of every table, the dataset's card and its
    other text files, every signed episode (its steps, header and statement) and what each export makes
    of it."""
    con = duck_at(out)
    texts = []
    for (table,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall():
        rows = con.execute(f"SELECT * FROM {table}").fetchdf().to_dict("records")
        texts.append(json.dumps(rows, default=str))
    texts += [_read(file) for file in out.rglob("*")  # the card and every other text the build wrote
              if file.is_file() and file.suffix in (".md", ".json", ".jsonl", ".yaml", ".txt")]
    for path in (path for paths in team.episodes.values() for path in paths):
        texts += [codetape(team.receiver, *command, str(path)).stdout
                  for command in (("cat",), ("inspect", "--json"))]
        for fmt in ("jsonl", "swe-messages", "agent-trace", "progsnap2", "atif", "zeta2"):
            target = tmp_path / fmt / path.stem
            done = codetape(team.receiver, "export", str(path), "--format", fmt, "-o", str(target))
            assert done.returncode == 0, done.stderr
            texts += [_read(file) for file in target.rglob("*") if file.is_file()]
    return texts


def _read(path: Path) -> str:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return path.read_text(encoding="utf-8", errors="replace")


def commit_like(text: str) -> set[str]:
    """The hex runs of `text` a commit id could be: any of 12 digits or more (a shorter run anywhere, a
    number among them, matches one of a million guesses by chance), and the shorter ones where git prints
    an abbreviated id."""
    return set(LONG_HEX.findall(text)) | {run for groups in SHORT_HEX.findall(text) for run in groups if run}


def commit_id(body: bytes) -> str:
    return hashlib.sha1(b"commit %d\0" % len(body) + body, usedforsecurity=False).hexdigest()


def brute_force(repo: Path, sha: str, wanted: set[str]) -> list[tuple[str, int, int, str]]:
    """Who, when and in which zone make a commit with `sha`'s tree, parents and message whose id, in full
    or abbreviated to the length of a hex run in `wanted`, is in `wanted`, and which run it matched: the
    employer's search, with the staff list."""
    by_length = {length: {run for run in wanted if len(run) == length} for length in {len(r) for r in wanted}}
    raw = git(repo, "cat-file", "commit", sha).encode()
    head, message = raw.split(b"\n\n", 1)
    lines = [line for line in head.split(b"\n") if line.startswith((b"tree ", b"parent "))]
    true_second = int(git(repo, "log", "-1", "--format=%ct", sha))
    zones = [f"{'-' if hours < 0 else '+'}{abs(hours):02d}00".encode() for hours in OFFSETS]
    found = []
    for member, email in ((one, email) for one in STAFF.values() for email in (one.email, one.work_email)):
        who = f"{member.name} <{email}>".encode()
        for second in range(true_second - WINDOW_S, true_second + WINDOW_S + 1):
            for hours, zone in zip(OFFSETS, zones, strict=True):
                ident = who + b" %d " % second + zone
                body = b"\n".join([*lines, b"author " + ident, b"committer " + ident]) + b"\n\n" + message
                candidate = commit_id(body)
                for length, runs in by_length.items():
                    if candidate[:length] in runs:
                        found.append((member.name, second, hours, candidate[:length]))
    return found


def test_the_employer_can_neither_name_a_contributor_nor_link_her_episodes(team: Team,
                                                                           tmp_path: Path) -> None:
    out = built(team, tmp_path)
    assert duck_at(out).execute("SELECT count(*) FROM episodes").fetchone() == (6,)
    everything = "\n".join(shared_texts(team, out, tmp_path))

    # the commit ids: the search finds each real id (it is right), and none in what was shared
    shared_hex = commit_like(everything)
    named: list[str] = []  # the commits a guess names the author of
    for who, commits in team.commits.items():
        repo = team.base / who / "src" / STAFF[who].folder
        for sha in commits:
            second = int(git(repo, "log", "-1", "--format=%ct", sha))
            assert not [run for run in shared_hex if sha.startswith(run)]
            # one search a commit, for its own abbreviated id (the search is right: it finds the commit)
            # and for every shared run
            searched = brute_force(repo, sha, {*shared_hex, sha[:7]})
            truth = (STAFF[who].name, second, STAFF[who].offset_h)
            assert [(name, at, zone) for name, at, zone, run in searched if run == sha[:7]][:1] == [truth]
            # about 290,000 guesses a commit against the shared runs of 7 digits or more: a run that is
            # no commit's (a random pseudonym) is hit by chance in about one run of ten, by a guess
            # naming its author about one time in three. Never the commit itself; and a commit rebuilt
            # with another second or zone (a re-timed id) would name its author for every commit, where
            # chance names one in a thousand runs
            found = [(name, at, zone) for name, at, zone, run in searched if run != sha[:7]]
            assert truth not in found, f"{who}'s {sha} was rebuilt"
            named += [sha] if any(name == STAFF[who].name for name, _, _ in found) else []
    assert len(named) <= 1, f"commits rebuilt with their author's name: {named}"

    # names: the staff list's every name, e-mail (git config's and the shell's), handle, folder, login and
    # host, though everyone's history names every colleague
    for member in STAFF.values():
        for value in (member.name, member.email, member.work_email, member.handle, member.folder,
                      member.login, member.host, member.conversation, member.client[1]):
            assert value not in everything, f"{value!r} reached the employer"

    # what only her clone holds: every unpushed commit (her branch, the stash, a WIP reset away) by any
    # prefix of 8 digits, wherever it stands; her local branch; the second and the zone of her commits
    for who, member in STAFF.items():
        repo = team.base / who / "src" / member.folder
        unpushed = git(repo, "rev-list", "--all", "--reflog", "--not", "--remotes").split()
        assert len(unpushed) >= 6  # two commits, two WIPs, two stashes (and their index commits)
        for sha in unpushed:  # 8 digits, not 7: what is shared holds some 500,000 places a 7-digit run of
            # hex could start (pseudonyms, digests), so 22 ids' 7-digit prefixes would match by chance in
            # about 4 runs of 100; 8 digits, 1 in 400
            assert sha[:8] not in everything, f"{who}'s unpushed commit {sha} reached the employer"
        assert member.branch not in everything
        for sha in unpushed:
            seconds = int(git(repo, "log", "-1", "--format=%ct", sha))
            local = datetime.fromtimestamp(seconds, timezone(timedelta(hours=member.offset_h)))
            for form in (str(seconds), local.isoformat(), local.strftime("%H:%M:%S"), local.strftime("%z")
                         if member.offset_h else str(seconds)):
                assert form not in everything, f"{who}'s commit time {form} reached the employer"
            # by value (issue 84): its clock time with any separator (the run folder's 10-00-00), its epoch
            # value at any precision (the event file's name)
            assert not clock_leaks(everything, local), f"{who}'s commit time reached the employer"

    # and the episodes still replay, every save's text as on disk
    for path in (path for paths in team.episodes.values() for path in paths):
        done = codetape(team.receiver, "verify", str(path))
        assert done.returncode == 0, done.stdout + done.stderr

    # joins: nothing all of one member's episodes show that no one else's do
    values = seen_by_episode(team.episodes, out, team.seaweed, team.bucket)
    for name, shared in singled_out(team.episodes, values).items():
        assert not shared, f"{name}'s episodes all show, and no one else's do: {shared[:5]}"


def test_a_pushed_commit_gets_the_warning_and_unpushed_ones_do_not(team: Team) -> None:
    assert re.search(r"\b1 of this episode's \d+ commit\(s\) are on a remote branch", team.said["carol"])
    assert "on a remote branch" not in team.said["alice"] + team.said["bob"]
    assert "could not check" not in "".join(team.said.values())
    # each member's second episode goes on with the REVIEW.md the first held, unpushed: she is told
    for said in team.said.values():
        assert "were in an episode you signed unlinkably before: a receiver links the two" in said


def test_issue_85_no_person_or_ref_the_repository_knows_reaches_the_employer(team: Team,
                                                                            tmp_path: Path) -> None:
    """A co-author who never committed, a fork's owner without `upstream`, a local tag printed in two
    episodes, an `@author` tag in a new file while a pushed file holds it: in no byte of the bucket, the
    dataset (its card too), the signed episodes or their exports; the organisation's name stays in ordinary
    text, and every signed episode still verifies."""
    for who, member in STAFF.items():
        root = team.base / who / "src" / member.folder
        assert CO_AUTHORS[who][0] in git(root, "log", "--all", "--format=%B")  # a trailer, no commit
        assert CO_AUTHORS[who][1] not in git(root, "log", "--all", "--format=%ae%n%ce")
        assert LOCAL_TAGS[who] in git(root, "describe", "--tags")
        tagged_at = git(root, "rev-parse", f"{LOCAL_TAGS[who]}^{{commit}}")
        assert tagged_at in git(root, "rev-list", "--remotes")  # a pushed commit: local as she made it
    assert "upstream" not in git(team.base / FORK_ONLY / "src" / STAFF[FORK_ONLY].folder, "remote")

    out = built(team, tmp_path)
    texts = shared_texts(team, out, tmp_path)
    texts += [_read(path) for path in out.rglob("*") if path.is_file()]  # the card, croissant.json, ...
    admin = team.seaweed.client(attempts=3)
    texts += [admin.get_object(Bucket=team.bucket, Key=key)["Body"].read().decode("utf-8", "replace")
              for key in team.seaweed.keys(team.bucket)]
    everything = "\n".join(texts)
    for value in (*(value for pair in CO_AUTHORS.values() for value in pair), *LOCAL_TAGS.values(),
                  STAFF["alice"].name, STAFF[FORK_ONLY].handle, f"github.com:{ORGANISATION}/",
                  f"{ORGANISATION}/attrs"):
        assert value not in everything, f"{value!r} reached the employer"
    for member in STAFF.values():
        assert member.handle not in everything
    assert f"follow the {ORGANISATION} style guide" in everything  # a bare word: not a remote's owner
    assert "# @author «user»" in everything  # her tag in the new file, masked
    for path in (path for paths in team.episodes.values() for path in paths):
        done = codetape(team.receiver, "verify", str(path))
        assert done.returncode == 0, done.stdout + done.stderr
