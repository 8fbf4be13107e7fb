"""What a clone tells the employer's copy of the repository to match (collector/consent/repository.py,
issue 67), read from a real repository: unpushed commits wherever git keeps them, every identity it
records, the identities a remote-tracking branch's files hold, the local branches; and `sign --unlinkable`
refusing when no repository can be asked."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from collector.consent.repository import all_tags, read_repository
from collector.redact.gitnames import held_by_repository
from tests.cli import codetape

FIXTURE = Path(__file__).parents[2] / "fixtures" / "episodes" / "full.ctape"


def git(root: Path, *args: str, who: str = "Alice Liddell <a.liddell@acme.example>") -> str:
    name, email = who[:-1].split(" <")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(root), "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": name,
           "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True,
                          env=env).stdout.strip()


def commit(root: Path, text: str, **who: str) -> str:
    (root / "work.py").write_text(text, encoding="utf-8")
    git(root, "add", "work.py", **who)
    git(root, "commit", "-q", "-m", text, **who)
    return git(root, "rev-parse", "HEAD")


def test_the_clone_tells_every_unpushed_commit_identity_and_branch(tmp_path: Path) -> None:
    company, seed, mine = tmp_path / "company.git", tmp_path / "seed", tmp_path / "mine"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(company))
    seed.mkdir()
    git(seed, "init", "-q", "-b", "main")
    (seed / "AUTHORS").write_text("Bob Tanaka <b.tanaka@acme.example>\n", encoding="utf-8")
    git(seed, "add", "AUTHORS", who="Bob Tanaka <b.tanaka@acme.example>")
    pushed = commit(seed, "start\n", who="Bob Tanaka <b.tanaka@acme.example>")
    git(seed, "push", "-q", str(company), "main")
    git(tmp_path, "clone", "-q", str(company), str(mine))
    git(mine, "config", "user.name", "Alice Liddell")
    (mine / "AUTHORS").write_text("Alice Liddell\n", encoding="utf-8")  # committed, never pushed
    git(mine, "add", "AUTHORS")
    wip = commit(mine, "wip\n")
    git(mine, "reset", "-q", "--hard", "HEAD~1")  # only the reflog holds it now
    git(mine, "switch", "-q", "-c", "fix/negative-add")
    on_branch = commit(mine, "fix\n")
    (mine / "work.py").write_text("stashed\n", encoding="utf-8")
    git(mine, "stash", "-q")

    known = read_repository(mine, env={})
    assert known is not None
    assert {wip, on_branch} <= set(known.unpushed) and pushed not in known.unpushed
    stash = git(mine, "rev-parse", "refs/stash")
    assert stash in known.unpushed
    assert {"Alice Liddell", "a.liddell@acme.example", "Bob Tanaka", "b.tanaka@acme.example"} <= set(
        known.identities)
    assert known.branches == ("fix/negative-add",)  # main is on the remote
    # the local HEAD's AUTHORS names Alice, but only Bob's is on a remote-tracking branch
    assert held_by_repository(mine, ["Alice Liddell", "Bob Tanaka"]) == {"Bob Tanaka"}
    assert read_repository(tmp_path / "elsewhere", env={}) is None


def test_sign_unlinkable_refuses_when_no_repository_can_be_asked(tmp_path: Path) -> None:
    home = tmp_path / "home"
    episode = tmp_path / "episode.ctape"
    shutil.copyfile(FIXTURE, episode)
    done = codetape(home, "sign", "--unlinkable", "--yes", str(episode))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("codetape: ")
    assert "--workspace DIR" in done.stderr


def test_the_clone_tells_trailers_remotes_owners_local_tags_and_the_lines_holding_an_identity(
        tmp_path: Path) -> None:
    """Issue 85: every trailer's `Name <e-mail>` (the reflog's too), the remotes that name an owner, the
    tags at unpushed commits, and path by path the pushed lines that hold an identity."""
    company, seed, mine = tmp_path / "company.git", tmp_path / "seed", tmp_path / "mine"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(company))
    seed.mkdir()
    git(seed, "init", "-q", "-b", "main")
    (seed / "dates.py").write_text("# @author Alice Liddell\nimport time\n", encoding="utf-8")
    git(seed, "add", "dates.py", who="Bob Tanaka <b.tanaka@acme.example>")
    git(seed, "commit", "-q", "-m", "dates\n\nSigned-off-by: Erin Vale <e.vale@acme.example>\n"
        "Link: <https://lists.acme.example/r/1234@acme.example>", who="Bob Tanaka <b.tanaka@acme.example>")
    git(seed, "tag", "v1.0")
    git(seed, "push", "-q", "--tags", str(company), "main")
    git(tmp_path, "clone", "-q", str(company), str(mine))
    git(mine, "remote", "set-url", "origin", "git@github.com:aliddell/attrs.git")  # her fork, no upstream
    git(mine, "remote", "add", "company", "https://github.com/acme/attrs.git")
    git(mine, "tag", "pre-refactor-backup")  # at a pushed commit: local only as a recorded episode saw it
    git(mine, "commit", "-q", "--allow-empty", "-m",
        "wip\n\nCo-authored-by: Dana Okafor <d.okafor@acme.example>")
    git(mine, "commit", "-q", "--allow-empty", "--amend", "-m",
        "fix\n\nHelped-by: Fay Moss <f.moss@acme.example>")  # the wip commit: only the reflog holds it now
    git(mine, "tag", "-a", "-m", "before the refactor", "keep")  # annotated: its commit is the tag's peeled

    known = read_repository(mine, env={})
    assert known is not None
    assert {"Dana Okafor", "d.okafor@acme.example", "Erin Vale", "e.vale@acme.example", "Fay Moss",
            "f.moss@acme.example"} <= set(known.identities)  # Dana's: the amended-away commit's
    assert not [value for value in known.identities if "lists.acme.example" in value or "https" in value]
    assert {(remote.host, remote.owner, remote.repo) for remote in known.remotes} == {
        ("github.com", "aliddell", "attrs"), ("github.com", "acme", "attrs")}
    assert "aliddell" not in known.identities  # an owner is no bare word to mask
    assert known.sharing(["git@github.com:acme/attrs.git"]).owners == ("aliddell",)
    assert known.tags == ("keep",)  # at her unpushed commit; not v1.0 nor pre-refactor-backup (pushed)
    assert known.held_lines == {"dates.py": frozenset({"# @author Alice Liddell"})}
    assert all_tags(mine) == ("keep", "pre-refactor-backup", "v1.0")
