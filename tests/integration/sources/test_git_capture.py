"""The git watcher against real repositories and the real git: each operation becomes the right step."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import git as gitpython
import pytest

from collector.policy.recording import Policy
from collector.protocol.client import Client
from collector.protocol.clock import now_ms
from collector.sources.git.git_watcher import GitWatcher
from schemas.steps import step_from_dict
from tests.support.collector_harness import (
    SECRET,
    codetape,
    episode_steps,
    running,
    wait_capturing,
    wait_recorded,
)
from tests.waiting import TIMEOUT_S, wait_for

ENV = {**os.environ, "GIT_EDITOR": "true", "GIT_AUTHOR_NAME": "Ann Dev", "GIT_COMMITTER_NAME": "Ann Dev",
       "GIT_AUTHOR_EMAIL": "ann@example.org", "GIT_COMMITTER_EMAIL": "ann@example.org",
       "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "LC_ALL": "C"}


class Repo:
    """A work tree driven with the real git, as a developer would."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __call__(self, *args: str) -> str:
        done = subprocess.run(["git", *args], cwd=self.root, env=ENV, capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, f"git {' '.join(args)} failed: {done.stderr}"
        return done.stdout.strip()

    def write(self, name: str, text: str) -> None:
        (self.root / name).parent.mkdir(parents=True, exist_ok=True)
        (self.root / name).write_text(text)

    def commit_file(self, name: str, text: str, message: str) -> str:
        self.write(name, text)
        self("add", name)
        self("commit", "-q", "-m", message)
        return self("rev-parse", "HEAD")


class Recorder:
    """The emit callback: keeps validated steps, lets a test wait for the ones it expects."""

    def __init__(self) -> None:
        self.steps: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def __call__(self, at_ms: int, step: dict[str, Any]) -> None:
        assert abs(at_ms - now_ms()) < 5_000
        step_from_dict({**step, "t_ms": 0})  # every step is valid against the schema
        with self._lock:
            self.steps.append(step)

    def wait(self, predicate: Callable[[dict[str, Any]], bool], what: str,
             timeout: float = TIMEOUT_S) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            with self._lock:
                return next((step for step in self.steps if predicate(step)), None)

        return wait_for(found, timeout, f"a {what} step",
                        detail=lambda: f"got {[s.get('op', s.get('path')) for s in self.steps]}")

    def take(self, op: str, timeout: float = TIMEOUT_S, **fields: Any) -> dict[str, Any]:
        """Wait for the first step of `op` with these fields; later waits see only what came after it."""
        step = self.wait(lambda s: s.get("op") == op and all(s.get(k) == v for k, v in fields.items()),
                         f"{op} {fields}", timeout)
        with self._lock:
            index = self.steps.index(step)
            skipped, self.steps = self.steps[:index], self.steps[index + 1:]
        assert not [s for s in skipped if s.get("op") not in {"branch_create", "checkout"}], skipped
        return step


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".codetape.toml").write_text("")
    r = Repo(root)
    r("init", "-q", "-b", "main")
    (root / ".git" / "info" / "exclude").write_text(".codetape.toml\n")
    return r


@pytest.fixture
def watched(repo: Repo) -> Iterator[tuple[Repo, Recorder]]:
    recorder = Recorder()
    watcher = GitWatcher(repo.root, Policy.load(repo.root), recorder, clock=now_ms)
    watcher.start()
    try:
        yield repo, recorder
    finally:
        watcher.stop()


def test_a_pass_during_switch_c_keeps_the_branch_before_the_checkout(
        repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """The debounced pass can run while `git switch -c` writes: its ref snapshot, taken first, lacks the new
    branch, whose reflog git wrote before HEAD's. The pass reads that reflog before HEAD's, so the branch's
    creation comes before the checkout (it came after, once, in a full run of the suite)."""
    repo.commit_file("a.py", "a = 1\n", "first")
    rec = Recorder()
    watcher = GitWatcher(repo.root, Policy.load(repo.root), rec, clock=now_ms)
    watcher._tick()  # the pass that reads the repository as it is, with its commit
    reader = watcher._reader
    assert reader is not None
    before = reader.snapshot()
    repo("switch", "-q", "-c", "topic")
    monkeypatch.setattr(reader, "snapshot", lambda: before)  # taken just before git wrote anything
    watcher._tick()
    monkeypatch.undo()
    watcher._tick()  # the next pass sees the branch's ref: nothing more to say
    assert [s["op"] for s in rec.steps] == ["commit", "branch_create", "checkout"]
    assert rec.steps[1]["ref"] == "refs/heads/topic"


def test_every_kind_of_operation_becomes_its_step(watched: tuple[Repo, Recorder]) -> None:
    repo, rec = watched
    first = repo.commit_file("a.txt", "one\ntwo\n", "first")
    step = rec.take("commit", sha=first)
    assert step["parents"] == [] and step["message"] == "first\n" and step["ref"] == "refs/heads/main"
    assert step["detail"] == "initial"
    assert step["files"] == [{"path": "a.txt", "added": 2, "deleted": 0, "change": "A"}]

    repo("checkout", "-q", "-b", "topic")
    assert rec.take("checkout", ref="refs/heads/topic")["new"] == first
    repo.write("a.txt", "one\nTWO\nthree\nfour\n")
    repo.write("b.txt", "b\n")
    repo("add", "-A")
    repo("commit", "-q", "-m", "second\n\nwith a body")
    second = repo("rev-parse", "HEAD")
    step = rec.take("commit", sha=second, ref="refs/heads/topic")
    assert step["parents"] == [first] and step["message"] == "second\n\nwith a body\n"
    assert step["files"] == [{"path": "a.txt", "added": 3, "deleted": 1, "change": "M"},
                             {"path": "b.txt", "added": 1, "deleted": 0, "change": "A"}]
    repo("mv", "b.txt", "c.txt")
    repo("commit", "-q", "-m", "rename")
    assert rec.take("commit")["files"] == [{"path": "c.txt", "added": 0, "deleted": 0, "change": "R"}]

    repo("checkout", "-q", "main")
    rec.take("checkout", ref="refs/heads/main")
    main2 = repo.commit_file("d.txt", "d\n", "on main")
    rec.take("commit", sha=main2)
    repo("merge", "-q", "--no-edit", "topic")
    merge = repo("rev-parse", "HEAD")
    step = rec.take("merge", sha=merge, ref="refs/heads/main")
    assert step["parents"] == [main2, repo("rev-parse", "topic")]

    repo("tag", "v1")
    assert rec.take("tag", ref="refs/tags/v1")["detail"] == "lightweight"
    repo("tag", "-a", "v2", "-m", "release")
    assert rec.take("tag", ref="refs/tags/v2") == {"kind": "git", "source": "git", "op": "tag",
                                                   "ref": "refs/tags/v2", "new": merge, "detail": "annotated"}
    repo("tag", "-d", "v1")
    assert rec.take("tag", ref="refs/tags/v1")["detail"] == "deleted"

    repo.write("a.txt", "stashed change\n")
    repo("stash")
    pushed = rec.take("stash", detail="push")
    assert pushed["new"] == repo("rev-parse", "refs/stash") and pushed["message"].startswith("WIP on main:")
    repo("stash", "pop")
    assert rec.take("stash")["old"] == pushed["new"]
    repo("checkout", "-q", "--", "a.txt")

    repo("checkout", "-q", "-b", "side", first)
    side = repo.commit_file("e.txt", "e\n", "side work")
    rec.take("commit", sha=side)
    repo("checkout", "-q", "main")
    repo("cherry-pick", "side")
    picked = repo("rev-parse", "HEAD")
    step = rec.take("cherry_pick", sha=picked)
    assert step["parents"] == [merge] and step["files"][0]["path"] == "e.txt"

    repo("checkout", "-q", "topic")
    rec.take("checkout", ref="refs/heads/topic")
    old_topic = repo.commit_file("f.txt", "f\n", "topic work")
    rec.take("commit", sha=old_topic)
    repo("rebase", "-q", "main")
    new_topic = repo("rev-parse", "HEAD")
    assert rec.take("rebase")["detail"] == "start: checkout main"
    pick = rec.take("rebase", sha=new_topic)
    assert pick["detail"] == "pick" and pick["parents"] == [picked] and pick["message"] == "topic work\n"
    finish = rec.take("rebase", ref="refs/heads/topic")
    assert (finish["old"], finish["new"]) == (old_topic, new_topic) and finish["detail"].startswith("finish")

    repo("reset", "-q", "--hard", "HEAD~1")
    assert rec.take("reset", new=picked, old=new_topic)["detail"] == "moving to HEAD~1"
    rec.take("commit", sha=repo.commit_file("g.txt", "g\n", "to amend"))
    repo("commit", "-q", "--amend", "-m", "amended")
    assert rec.take("commit", sha=repo("rev-parse", "HEAD"))["detail"] == "amend"
    repo("revert", "--no-edit", "HEAD")
    assert rec.take("commit", sha=repo("rev-parse", "HEAD"))["detail"] == "revert"

    repo("checkout", "-q", "--detach", "HEAD~1")
    detached = rec.take("checkout", new=repo("rev-parse", "HEAD"))
    assert "ref" not in detached
    repo("checkout", "-q", "main")
    repo("branch", "-D", "side")
    assert rec.take("branch_delete", ref="refs/heads/side")["old"] == side
    repo("merge", "-q", "topic")
    assert rec.take("merge", new=repo("rev-parse", "topic"))["detail"] == "fast-forward"


def test_fetch_pull_and_push_against_a_real_remote(tmp_path: Path) -> None:
    remote, other = tmp_path / "remote.git", Repo(tmp_path / "other")
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True, env=ENV)
    other.root.mkdir()
    other("init", "-q", "-b", "main")
    other.commit_file("a.txt", "a\n", "base")
    other("push", "-q", str(remote), "main")
    subprocess.run(["git", "clone", "-q", str(remote), str(tmp_path / "ws")], check=True, env=ENV)
    repo = Repo(tmp_path / "ws")
    (repo.root / ".git" / "info" / "exclude").write_text(".codetape.toml\n")
    (repo.root / ".codetape.toml").write_text("")
    rec = Recorder()
    watcher = GitWatcher(repo.root, Policy.load(repo.root), rec, clock=now_ms)
    watcher.start()
    try:
        theirs = other.commit_file("b.txt", "b\n", "theirs")
        other("push", "-q", str(remote), "main")
        base = repo("rev-parse", "HEAD")
        repo("fetch", "-q")
        step = rec.take("fetch", ref="refs/remotes/origin/main")
        assert (step["old"], step["new"]) == (base, theirs) and "fast-forward" in step["detail"]
        repo("pull", "-q", "--ff-only")
        assert rec.take("pull", new=theirs)["detail"] == "fast-forward"

        other.commit_file("c.txt", "c\n", "theirs again")
        other("push", "-q", str(remote), "main")
        mine = repo.commit_file("d.txt", "d\n", "mine")
        rec.take("commit", sha=mine)
        repo("pull", "-q", "--no-rebase", "--no-edit")
        rec.take("fetch", ref="refs/remotes/origin/main")
        step = rec.take("pull", sha=repo("rev-parse", "HEAD"))
        assert step["parents"][0] == mine and len(step["parents"]) == 2

        repo("push", "-q")
        assert rec.take("ref_update", ref="refs/remotes/origin/main")["detail"] == "push"

        other("pull", "-q", "--ff-only", str(remote), "main")
        other.commit_file("e.txt", "e\n", "theirs third")
        other("push", "-q", str(remote), "main")
        repo.commit_file("f.txt", "f\n", "mine again")
        rec.take("commit")
        repo("pull", "-q", "--rebase")
        rec.take("fetch", ref="refs/remotes/origin/main")
        assert rec.take("pull")["detail"].startswith("start")
        picked = rec.take("pull", sha=repo("rev-parse", "HEAD"))
        assert picked["detail"] == "pick" and picked["files"] == [
            {"path": "f.txt", "added": 1, "deleted": 0, "change": "A"}]
        assert rec.take("pull", ref="refs/heads/main")["detail"].startswith("finish")
    finally:
        watcher.stop()


def test_a_repository_created_after_the_watcher_started_is_recorded_from_its_first_commit(
        watched: tuple[Repo, Recorder], tmp_path: Path) -> None:
    root = tmp_path / "later"
    root.mkdir()
    (root / ".codetape.toml").write_text("")
    rec = Recorder()
    watcher = GitWatcher(root, Policy.load(root), rec, clock=now_ms)
    watcher.start()  # watching `root` for a `.git` to appear from here on
    try:
        later = Repo(root)
        later("init", "-q", "-b", "main")
        first = later.commit_file("x.py", "x = 1\n", "first")
        assert rec.take("commit", sha=first)["detail"] == "initial"
        second = later.commit_file("x.py", "x = 2\n", "second")
        assert rec.take("commit", sha=second)["parents"] == [first]
    finally:
        watcher.stop()


def test_a_workspace_inside_a_repository_sees_its_own_paths_only(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.root.mkdir()
    repo("init", "-q", "-b", "main")
    repo.commit_file("top.txt", "top\n", "top")
    ws = repo.root / "pkg"
    ws.mkdir()
    (ws / ".codetape.toml").write_text("")
    rec = Recorder()
    watcher = GitWatcher(ws, Policy.load(ws), rec, clock=now_ms)
    watcher.start()
    try:
        repo.write("pkg/mod.py", "pass\n")
        repo.write("pkg/.env", "TOKEN=1\n")
        repo.write("other.txt", "o\n")
        repo("add", "-A", "-f")
        repo("commit", "-q", "-m", "both")
        step = rec.take("commit", sha=repo("rev-parse", "HEAD"))
        assert step["files"] == [{"path": "mod.py", "added": 1, "deleted": 0, "change": "A"}]  # not its
        # settings file either (issue 36, item 3)
    finally:
        watcher.stop()


def test_every_git_process_the_watcher_starts_is_read_only_and_lock_free(tmp_path: Path, repo: Repo) -> None:
    calls = tmp_path / "calls.log"
    wrapper = tmp_path / "git-wrapper"
    real = shutil.which("git")
    assert real is not None
    log_call = f'printf "%s|%s\\n" "$GIT_OPTIONAL_LOCKS" "$*" >> {calls}'
    wrapper.write_text(f'#!/bin/sh\n{log_call}\nexec {real} "$@"\n')
    wrapper.chmod(0o755)
    gitpython.refresh(str(wrapper))
    try:
        rec = Recorder()
        watcher = GitWatcher(repo.root, Policy.load(repo.root), rec, clock=now_ms)
        watcher.start()
        try:
            shas = [repo.commit_file(f"f{i}.txt", f"{i}\n", f"c{i}") for i in range(5)]
            repo("checkout", "-q", "-b", "x")
            repo("tag", "t")
            repo("stash", "list")
            for sha in shas:
                rec.wait(lambda s, sha=sha: s.get("sha") == sha, f"commit {sha}")
            rec.wait(lambda s: s.get("op") == "tag", "tag")
        finally:
            watcher.stop()
    finally:
        gitpython.refresh(real)
    lines = [line for line in calls.read_text().splitlines() if not line.endswith("|version")]
    assert lines, "the watcher ran no git at all"
    read_only = {"for-each-ref", "rev-list", "diff-tree", "cat-file"}
    for line in lines:
        env, _, args = line.partition("|")
        words = args.split()
        assert env == "0" and words[0] == "--no-optional-locks" and words[1] in read_only, line


@pytest.mark.parametrize("when", ["before any repository", "in place of the repository"])
def test_a_dot_git_that_becomes_a_link_is_never_followed(tmp_path: Path, when: str) -> None:
    """While the watcher runs, `.git` appears as a link to another repository where there was none, or
    the workspace's own `.git` is swapped for one: the next pass reads nothing through it, and `failure`
    says why (the session then stops the watcher and records a `gap`)."""
    other = Repo(tmp_path / "other")
    other.root.mkdir()
    other("init", "-q", "-b", "main")
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".codetape.toml").write_text("")
    ws = Repo(root)
    if when == "in place of the repository":
        ws("init", "-q", "-b", "main")
    rec = Recorder()
    watcher = GitWatcher(root, Policy.load(root), rec, clock=now_ms)
    watcher.start()
    try:
        own = []
        if when == "in place of the repository":
            own.append(ws.commit_file("a.py", "a = 1\n", "first"))
            rec.take("commit", sha=own[0])
            (root / ".git").rename(tmp_path / "moved.git")
        (root / ".git").symlink_to("../other/.git", target_is_directory=True)
        outside = other.commit_file(f"{SECRET}.py", "s = 1\n", f"secret {SECRET}")
        watcher.settle()  # the pass a commit there would have started, run now
        assert SECRET not in repr(rec.steps) and outside not in repr(rec.steps), rec.steps
        assert rec.steps == [], rec.steps
        why = watcher.failure()
    finally:
        watcher.stop()
    assert why is not None and why.startswith(".git is a link (to ../other/.git)"), why


def test_a_worktree_and_a_submodule_are_found_through_their_gitfiles(tmp_path: Path) -> None:
    """`git worktree add` and `git submodule add` leave a `.git` file naming a git directory outside the
    work tree (`gitdir: PATH`): that is followed, and their commits are recorded."""
    main = Repo(tmp_path / "main")
    main.root.mkdir()
    main("init", "-q", "-b", "main")
    main.commit_file("base.py", "base = 1\n", "base")
    main("worktree", "add", "-q", str(tmp_path / "wt"))
    source = Repo(tmp_path / "source")
    source.root.mkdir()
    source("init", "-q", "-b", "main")
    source.commit_file("lib.py", "lib = 1\n", "lib")
    main("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(source.root), "sub")
    for root in (tmp_path / "wt", main.root / "sub"):
        assert (root / ".git").is_file()
        (root / ".codetape.toml").write_text("")
        rec = Recorder()
        watcher = GitWatcher(root, Policy.load(root), rec, clock=now_ms)
        watcher.start()
        try:
            sha = Repo(root).commit_file("x.py", "x = 1\n", "in the gitfile's repository")
            step = rec.take("commit", sha=sha)
        finally:
            watcher.stop()
        assert step["files"] == [{"path": "x.py", "added": 1, "deleted": 0, "change": "A"}], root


def git_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in steps if s["kind"] == "git"]


def test_the_collector_records_git_operations_into_the_episode(tmp_path: Path) -> None:
    """The real daemon: a session's git watcher puts commits, a branch switch and a stash in the episode."""
    repo = Repo(tmp_path / "ws")
    repo.root.mkdir()
    repo("init", "-q", "-b", "main")
    home = tmp_path / "home"
    assert codetape(home, "init", str(repo.root)).returncode == 0
    (repo.root / ".git" / "info" / "exclude").write_text(".codetape.toml\n")
    with running(home) as daemon, Client.connect(daemon.home, autostart=False) as client:
        assert client.hello(repo.root, "test")["recording"]
        wait_capturing(client, repo.root, ("GitWatcher",))
        repo.commit_file("a.py", "a = 1\n", "first")
        repo("switch", "-q", "-c", "topic")
        repo.commit_file("a.py", "a = 2\n", "second")
        repo.write("a.py", "a = 3\n")
        repo("stash")
        repo("switch", "-q", "main")
        wait_recorded(daemon.home, repo.root, lambda steps: len(git_steps(steps)) >= 6, "the 6 git steps")
        sealed = codetape(home, "seal", "--json", str(repo.root))
        assert sealed.returncode == 0, sealed.stderr
    steps = git_steps(episode_steps(Path(json.loads(sealed.stdout)["path"])))
    commits = [s["sha"] for s in steps if "sha" in s]
    assert commits == repo("log", "--reverse", "--format=%H", "topic").split()
    assert [s["op"] for s in steps] == ["commit", "branch_create", "checkout", "commit", "stash", "checkout"]


def test_a_reflog_that_became_a_link_out_of_the_repository_is_never_read(tmp_path: Path) -> None:
    """The real daemon: `.git/logs/HEAD` is swapped for a link to a file outside, which holds a reflog
    line naming the secret; git then commits through the link. The commit is recorded (found from the
    refs), the line behind the link never is."""
    repo = Repo(tmp_path / "ws")
    repo.root.mkdir()
    repo("init", "-q", "-b", "main")
    home = tmp_path / "home"
    assert codetape(home, "init", str(repo.root)).returncode == 0
    (repo.root / ".git" / "info" / "exclude").write_text(".codetape.toml\n")
    first = repo.commit_file("a.py", "a = 1\n", "first")
    outside = tmp_path / "outside"
    outside.mkdir()
    with running(home) as daemon, Client.connect(daemon.home, autostart=False) as client:
        assert client.hello(repo.root, "test")["recording"]
        wait_capturing(client, repo.root, ("GitWatcher",))
        log = repo.root / ".git" / "logs" / "HEAD"
        shutil.move(log, outside / "HEAD")
        log.symlink_to(outside / "HEAD")
        with open(outside / "HEAD", "a") as lines:
            lines.write(f"{first} {first} Ann <a@b.c> 1700000000 +0000\treset: moving to {SECRET}\n")
        second = repo.commit_file("a.py", "a = 2\n", "second")
        wait_recorded(daemon.home, repo.root, lambda steps: any(s.get("sha") == second for s in steps),
                      "the second commit")
        sealed = codetape(home, "seal", "--json", str(repo.root))
        assert sealed.returncode == 0, sealed.stderr
    episode = Path(json.loads(sealed.stdout)["path"])
    cat = codetape(home, "cat", str(episode))
    assert cat.returncode == 0 and SECRET not in cat.stdout
    assert [s.get("sha") for s in git_steps(episode_steps(episode))] == [second]


def test_a_dot_git_that_is_a_link_to_another_repository_is_never_read(tmp_path: Path) -> None:
    """The real daemon: the workspace's `.git` is a link to another repository's, in place before the
    session starts; commits are made there and through the link. Nothing of that repository (message,
    file names, shas) reaches the journal, the episode or `codetape cat`; the status and a `gap` say why."""
    other = Repo(tmp_path / "other")
    other.root.mkdir()
    other("init", "-q", "-b", "main")
    shas = [other.commit_file(f"{SECRET}-1.py", "a = 1\n", f"first {SECRET}")]
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".git").symlink_to("../other/.git", target_is_directory=True)
    home = tmp_path / "home"
    assert codetape(home, "init", str(root)).returncode == 0
    with running(home) as daemon, Client.connect(daemon.home, autostart=False) as client:
        assert client.hello(root, "test")["recording"]
        wait_capturing(client, root, ("FileWatcher",))
        shas.append(other.commit_file(f"{SECRET}-2.py", "a = 2\n", f"second {SECRET}"))
        shas.append(Repo(root).commit_file("through.py", "a = 3\n", f"through the link {SECRET}"))
        (root / "after.txt").write_text("after\n")
        journal = wait_recorded(daemon.home, root, lambda steps: any(s.get("path") == "after.txt"
                                                                     for s in steps), "the change after")
        assert [s["kind"] for s in from_git(journal)] == ["gap"], from_git(journal)
        status = next(w for w in client.request("status")["workspaces"] if Path(w["root"]) == root.resolve())
        logged = [line for line in daemon.log_text().splitlines() if ".git is a link" in line]
        sealed = codetape(home, "seal", "--json", str(root))
        assert sealed.returncode == 0, sealed.stderr
    episode = Path(json.loads(sealed.stdout)["path"])
    cat = codetape(home, "cat", str(episode))
    assert cat.returncode == 0, cat.stderr
    for text in (repr(journal), repr(episode_steps(episode)), cat.stdout):
        assert SECRET not in text and not [sha for sha in shas if sha[:12] in text]
    why = (".git is a link (to ../other/.git), which codetape never follows, so git operations are not "
           "recorded; make .git the repository itself to record them")
    assert len(logged) == 1, logged
    assert logged[0].endswith(f"ERROR {root.resolve()}: GitWatcher could not start: {why}"), logged
    assert "GitWatcher" not in status["capture"]
    assert status["capture_stopped"] == {"GitWatcher": f"the git watcher could not start ({why})"}
    [gap] = from_git(episode_steps(episode))
    assert gap["kind"] == "gap", gap
    assert gap["detail"].startswith(f"the git watcher could not start ({why}): "), gap


def from_git(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The steps the git watcher recorded, and the `gap` its session recorded for it."""
    return [s for s in steps if s.get("source") == "git"]
