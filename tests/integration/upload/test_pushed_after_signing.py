"""Issue 68, item 1: work pushed after signing is held before it leaves, and its contributor asked.

Five members sign unlinkably in their clones of one bare "company" repository (a real issuer, k 5); then
alice commits and pushes the files of her episode as they ended. Each member's `codetape upload` (the
real CLI, in its own process) looks at the remote-tracking branches again: alice's episode is held and
named, by `upload` and `status`, and the others arrive at the file:// destination. She sends it anyway
(`upload --send-anyway`), and it leaves by the usual rules. The commit check runs on a real repository."""

from __future__ import annotations

import json
import shutil
import uuid
from datetime import timedelta
from pathlib import Path

from collector.due import due_path
from collector.episode import open_episode
from collector.held import PUSHED
from collector.home import Home
from collector.protocol.clock import utc_now
from collector.reconstruct.keyframes import workspace_after
from collector.upload.pushed_since import Origin, origin_path, pushed_since, read_origin
from tests.cli import codetape as in_process
from tests.cli import codetape_process
from tests.fixtures.make_golden import DIRECTORY
from tests.support.collector_harness import git, opt_in
from tests.support.issuer import Issuer


def company(tmp_path: Path) -> Path:
    """A bare repository with one commit on main: the company's, which every member clones."""
    seed, bare = tmp_path / "seed", tmp_path / "company.git"
    seed.mkdir()
    git(seed, "init", "-q", "-b", "main")
    git(seed, "commit", "-q", "--allow-empty", "-m", "start")
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(bare))
    return bare


def member(issuer: Issuer, tmp_path: Path, bare: Path, dest: Path, name: str, golden: str
           ) -> tuple[Path, Path, str, str]:
    """`name` enrolled, her clone of the company's repository, and one episode signed unlinkably in it:
    (home, clone, episode id, what `sign` said on stderr)."""
    home, clone = tmp_path / name, tmp_path / f"{name}-clone"
    issuer.enrol(home, name, count=3)
    git(tmp_path, "clone", "-q", str(bare), str(clone))
    opt_in(clone, home=home)
    (home / "config.toml").write_text(f'[upload]\nto = "{dest.as_uri()}"\n[consent]\nmode = "unlinkable"\n',
                                      encoding="utf-8")
    episode = tmp_path / f"{name}-{golden}.ctape"
    shutil.copy(DIRECTORY / f"{golden}.ctape", episode)
    eid = str(open_episode(episode).header.episode_id)
    done = in_process(home, "sign", str(episode), "--yes", "--workspace", str(clone))
    assert done.returncode == 0, done.stderr
    return home, clone, eid, done.stderr


def come(home: Path, eid: str) -> None:
    """The item's time is now (as if its random delay had passed)."""
    due_path(Home(home), eid).write_text(f"{(utc_now() - timedelta(seconds=1)).isoformat()}\n900\n")


def arrived(dest: Path) -> int:
    return len(list(dest.rglob("*.ctape")))


def test_an_episode_whose_work_was_pushed_after_signing_is_held_and_the_others_go(
        issuer: Issuer, tmp_path: Path) -> None:
    bare, dest = company(tmp_path), tmp_path / "dest"
    alice, clone, mine, said = member(issuer, tmp_path, bare, dest, "alice", "full")
    others = [member(issuer, tmp_path, bare, dest, name, "minimal")
              for name in ("bob", "carol", "dan", "erin")]  # the issuer's record counts 5 this month
    assert "work of this episode pushed at any time later" in said  # `sign` says so at signing
    kept = read_origin(Home(alice), mine)
    assert kept is not None and sorted(kept.blobs) == ["NOTES.md", "src/pager.py", "tests/test_paginate.py"]

    for path, text in workspace_after(open_episode(DIRECTORY / "full.ctape")).files().items():
        (clone / path).parent.mkdir(parents=True, exist_ok=True)
        (clone / path).write_text(text, encoding="utf-8", newline="")
        git(clone, "add", path)
    git(clone, "commit", "-q", "-m", "pager")
    git(clone, "push", "-q", "origin", "main")  # the end of her day: her work is the company's now

    come(alice, mine)
    done = codetape_process(alice, "upload")
    assert done.returncode == 0, done.stderr
    assert (f"{mine[:8]} is held: the text of NOTES.md, src/pager.py, tests/test_paginate.py: on a "
            f"remote-tracking branch of {clone.resolve()} since you signed it") in done.stdout
    assert f"codetape upload --send-anyway {mine[:8]}" in done.stdout
    assert f"codetape revoke {mine[:8]}" in done.stdout
    assert arrived(dest) == 0
    status = codetape_process(alice, "status").stdout
    assert "1 unlinkable episode held: work of it was pushed after signing" in status
    assert f"  {mine[:8]}  the text of NOTES.md" in status
    held = json.loads(codetape_process(alice, "status", "--json").stdout)["outbox"]["held_for_pushed"]
    assert [(item["episode_id"], item["files"]) for item in held] == [
        (mine, ["NOTES.md", "src/pager.py", "tests/test_paginate.py"])]

    for home, _clone, eid, _said in others:  # theirs is not pushed: each goes at its time
        come(home, eid)
        done = codetape_process(home, "upload")
        assert done.returncode == 0, done.stderr
        assert "is held" not in done.stdout
    assert arrived(dest) == 4

    done = codetape_process(alice, "upload", "--send-anyway", mine[:8])  # she sends it all the same
    assert done.returncode == 0, done.stderr
    assert f"{mine[:8]} goes although work of it may be pushed" in done.stdout
    assert "is held" not in done.stdout
    assert "held: work of it was pushed" not in codetape_process(alice, "status").stdout
    come(alice, mine)
    done = codetape_process(alice, "upload")
    assert done.returncode == 0, done.stderr
    assert arrived(dest) == 5
    assert not [path for path in dest.rglob("*") if path.name.endswith(".origin")]  # kept locally only
    assert not origin_path(Home(alice), mine).exists()  # and only while it waited (issue 68, left item 2)
    assert not any(origin_path(Home(home), eid).exists() for home, _clone, eid, _said in others)


def test_a_held_episode_withdrawn_is_no_longer_shown_held(issuer: Issuer, tmp_path: Path) -> None:
    bare, dest = company(tmp_path), tmp_path / "dest"
    alice, clone, mine, _said = member(issuer, tmp_path, bare, dest, "frank", "minimal")
    with (alice / "config.toml").open("a", encoding="utf-8") as config:
        config.write("min_members = 1\n")  # k 1: only the pushed work holds it here
    (clone / "hello.py").write_text(workspace_after(open_episode(DIRECTORY / "minimal.ctape")).files()[
        "hello.py"], encoding="utf-8", newline="")
    git(clone, "add", "hello.py")
    git(clone, "commit", "-q", "-m", "hello")
    git(clone, "push", "-q", "origin", "main")
    come(alice, mine)
    assert f"{mine[:8]} is held: the text of hello.py" in codetape_process(alice, "upload").stdout
    assert f"  {mine[:8]}  the text of hello.py" in codetape_process(alice, "status").stdout
    assert origin_path(Home(alice), mine).exists()
    done = codetape_process(alice, "revoke", mine[:8])  # she withdraws it
    assert done.returncode == 0, done.stderr
    assert "held: work of it was pushed" not in codetape_process(alice, "status").stdout
    assert not origin_path(Home(alice), mine).exists()  # its real commit ids and blob ids go with it
    assert not (Home(alice).outbox / PUSHED).exists()
    done = codetape_process(alice, "upload", "--now")
    assert done.returncode == 0, done.stderr
    assert arrived(dest) == 0


def test_a_commit_pushed_after_signing_holds_the_episode_and_so_does_a_repository_gone(
        tmp_path: Path) -> None:
    bare = company(tmp_path)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(bare), str(clone))
    (clone / "work.py").write_text("print('mine')\n", encoding="utf-8")
    git(clone, "add", "work.py")
    git(clone, "commit", "-q", "-m", "mine")
    commit, eid = git(clone, "rev-parse", "HEAD"), str(uuid.uuid4())
    origin = Origin(str(clone), [commit], {})
    assert pushed_since(eid, origin) is None  # not pushed yet
    git(clone, "push", "-q", "origin", "main")
    held = pushed_since(eid, origin)
    assert held is not None and held.commits == [commit] and held.files == []
    assert held.why().startswith(f"1 of its commits: on a remote-tracking branch of {clone}")
    shutil.rmtree(clone)
    gone = pushed_since(eid, origin)
    assert gone is not None and gone.problem == f"the repository at {clone} cannot be asked"
