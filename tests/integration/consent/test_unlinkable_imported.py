"""Imported agent sessions against the employer (issue 58, item 4, "Done when"): three members each run
the pinned Claude Code and Codex once on the scripted model, in a folder, on a branch, under a login, with
a fork of their own. Each imports both transcripts (`codetape import`), looks at what would be shared
(`sign --dry-run`, the review's manifest), signs unlinkably with a key the issuer authorised blindly,
uploads through the shared drop credential (SeaweedFS), and the receiver builds the dataset with
--trust-issuer.

The transcripts carry what names and links her: the session id, the folder (`cwd`), the branch
(`gitBranch`), the exact agent version, wall-clock times, her home in the prompt. The employer, who also
holds the laptops (the transcripts themselves), looks for each of them in everything it receives (every
table, every signed episode, what each export makes of it) and joins every value an episode shows
(tests/support/linkage.py): nothing names a member, and nothing all of one member's episodes show is in
no other member's.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from collector.home import Home
from tests.cli import codetape
from tests.support.issuer import Issuer
from tests.support.linkage import duck_at, seen_by_episode, singled_out, unlinkable_member
from tests.support.real_agents import versions
from tests.support.seaweed import SeaweedFS
from tests.support.transcripts import SECRET, transcript, workspace

AGENTS = ("claude-code", "codex")
FORMATS = ("jsonl", "swe-messages", "atif", "agent-trace")


@dataclass(frozen=True)
class Member:
    login: str
    folder: str
    handle: str


STAFF = {"alice": Member("aliddell", "alice-attrs", "aliddellx"),
         "bob": Member("btanaka", "bt-attrs", "btanakax"),
         "carol": Member("cndiaye", "attrs-work", "cndiayex")}


@dataclass
class Team:
    base: Path
    seaweed: SeaweedFS
    bucket: str
    record: Path
    receiver: Path
    episodes: dict[str, list[Path]] = field(default_factory=dict)
    transcripts: dict[str, list[Path]] = field(default_factory=dict)
    said: dict[str, str] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return f"s3://{self.bucket}/team"

    def home(self, who: str) -> Path:
        return self.base / who / "codetape"

    def user(self, who: str) -> Path:
        return self.base / who / "home" / STAFF[who].login


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def work(team: Team, who: str) -> None:
    """Her two agent sessions, imported, looked at, signed and uploaded."""
    member, home, user = STAFF[who], team.home(who), team.user(who)
    root = team.base / who / "src" / member.folder
    workspace(root)
    git(root, "remote", "add", "origin", f"git@github.com:{member.handle}/attrs.git")
    git(root, "checkout", "-q", "-b", f"{member.handle}/fix-add")
    assert codetape(home, "init", str(root)).returncode == 0
    team.transcripts[who] = [transcript(agent, root, user) for agent in AGENTS]
    team.episodes[who], team.said[who] = [], ""
    for agent, path in zip(AGENTS, team.transcripts[who], strict=True):
        done = codetape(home, "import", agent, str(path), env={"HOME": str(user)})  # her machine's names
        assert done.returncode == 0, done.stderr
        episode = re.search(r"as episode ([0-9a-f]{8})", done.stdout)
        assert episode is not None, done.stdout
        shown = codetape(home, "sign", episode.group(1), "--dry-run")
        assert shown.returncode == 0 and "1 prompt to agents will be shared" in shown.stdout, shown.stderr
        assert SECRET not in shown.stdout and str(user) not in shown.stdout
        signed = codetape(home, "sign", episode.group(1), "--yes")
        assert signed.returncode == 0, signed.stderr
        team.said[who] += shown.stdout + signed.stdout + signed.stderr
        [path] = [p for p in Home(home).outbox.glob(f"{episode.group(1)}*.ctape")]
        team.episodes[who].append(path)
    done = codetape(home, "upload", "--now", env=team.seaweed.drop_env())
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory, seaweed: SeaweedFS) -> Iterator[Team]:
    base = tmp_path_factory.mktemp("imported")
    issuer = Issuer(base).init()
    try:
        issuer.start()
        world = Team(base, seaweed, seaweed.bucket("imported"), base / "ISSUER.pub", base / "receiver")
        unlinkable_member(world.receiver, world.source, world.seaweed.endpoint)
        for who in STAFF:
            unlinkable_member(world.home(who), world.source, world.seaweed.endpoint)
            issuer.enrol(world.home(who), who, quota=10, count=3)
        for who in STAFF:
            work(world, who)
        issuer.export(world.record)
        yield world
    finally:
        issuer.stop()


def personal(team: Team, who: str) -> list[str]:
    """What her transcripts hold that names or tags her: session ids, folders, branch, exact versions,
    wall-clock seconds, her home and login."""
    member = STAFF[who]
    values = [member.login, member.folder, member.handle, str(team.user(who)), f"{member.handle}/fix-add"]
    for path in team.transcripts[who]:
        text = path.read_text(encoding="utf-8")
        values += re.findall(r'"(?:sessionId|session_id|id)":"([0-9a-f-]{36})"', text)[:1]
        values += re.findall(r'"timestamp":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)', text)[:3]
    return values


def shared_texts(team: Team, out: Path, tmp_path: Path) -> str:
    """Everything the employer receives, as one text: every table, every signed episode (`cat`, `inspect`)
    and what each export makes of it."""
    con = duck_at(out)
    texts = []
    for (table,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall():
        texts.append(json.dumps(con.execute(f"SELECT * FROM {table}").fetchdf().to_dict("records"),
                                default=str, ensure_ascii=False))
    for path in (path for paths in team.episodes.values() for path in paths):
        texts += [codetape(team.receiver, *command, str(path)).stdout
                  for command in (("cat",), ("inspect", "--json"))]
        for fmt in FORMATS:
            target = tmp_path / fmt / path.stem
            done = codetape(team.receiver, "export", str(path), "--format", fmt, "-o", str(target))
            assert done.returncode == 0, done.stderr
            texts += [file.read_text(encoding="utf-8") for file in target.rglob("*") if file.is_file()]
    return "\n".join(texts)


def test_imported_sessions_neither_name_their_contributor_nor_link_her_episodes(team: Team,
                                                                               tmp_path: Path) -> None:
    out = tmp_path / "dataset"
    done = codetape(team.receiver, "dataset", "build", team.source, "-o", str(out), "--trust-issuer",
                    str(team.record), "--min-contributors", "3", "--workers", "1", env=team.seaweed.env())
    assert done.returncode == 0, done.stderr
    assert duck_at(out).execute("SELECT count(*) FROM episodes").fetchone() == (6,)
    everything = shared_texts(team, out, tmp_path)
    assert '"imported": "claude-code"' in everything and '"imported": "codex"' in everything
    pinned = versions()
    for who in STAFF:
        found = personal(team, who)
        assert len(found) >= 10, found  # (the search found what the transcripts hold)
        for value in found:
            assert value not in everything, f"{who}'s {value!r} reached the employer"
    for exact in (pinned["claude-code"], pinned["codex"], SECRET, str(team.base)):
        assert exact not in everything, f"{exact!r} reached the employer"
    values = seen_by_episode(team.episodes, out, team.seaweed, team.bucket)
    for member, shared in singled_out(team.episodes, values).items():
        assert not shared, f"{member}'s episodes all show, and no one else's do: {shared[:5]}"
