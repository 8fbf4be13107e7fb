"""300 git operations back to back while the watcher reads: none fails, every commit made is recorded.

The operations never conflict by construction (every commit adds its own new file), so any failure of
the developer's git would be the watcher's fault: a lock taken, a file held. The oracle for "the commits
made" is computed after each operation with `rev-list`: commits reachable now that were not before.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from collector.policy.recording import Policy
from collector.protocol.clock import now_ms
from collector.sources.git.git_watcher import GitWatcher
from tests.integration.sources.test_git_capture import ENV, Recorder
from tests.waiting import wait_for

pytestmark = pytest.mark.eval  # an evaluation: scripts/test --all runs it

OPERATIONS = 300


class Developer:
    """Runs git as a developer would and keeps the oracle: the commits each operation made, in order."""

    def __init__(self, root: Path, seed: int) -> None:
        self.root = root
        self.rng = random.Random(seed)
        self.ran = 0
        self.failures: list[str] = []
        self.made: list[str] = []
        self.serial = 0

    def git(self, *args: str) -> str:
        """One of the developer's operations."""
        self.ran += 1
        return self.read(*args)

    def read(self, *args: str) -> str:
        """git run by the test itself (the oracle); it must not fail either."""
        done = subprocess.run(["git", *args], cwd=self.root, env=ENV, capture_output=True, text=True,
                              check=False)
        if done.returncode != 0:
            self.failures.append(f"git {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout.strip()

    def tips(self) -> list[str]:
        return [*self.read("for-each-ref", "--format=%(objectname)").split(), self.read("rev-parse", "HEAD")]

    def making(self, *args: str) -> None:
        """Run one operation that may create commits and note which ones it did, parents first."""
        before = self.tips()
        self.git(*args)
        made = self.read("rev-list", "--reverse", "--topo-order", "HEAD", "--branches", "--tags", "--not",
                         *before)
        self.made.extend(made.split())

    def branches(self) -> list[str]:
        return self.read("for-each-ref", "--format=%(refname:short)", "refs/heads/").split()

    def others(self) -> list[str]:
        current = self.read("branch", "--show-current")
        return [b for b in self.branches() if b != current]

    def step(self) -> None:
        self.serial += 1
        n = self.serial
        roll = self.rng.random()
        others = self.others()
        if roll < 0.30:
            (self.root / f"c{n}.txt").write_text(f"{n}\n")
            self.git("add", f"c{n}.txt")
            self.making("commit", "-q", "-m", f"commit {n}")
        elif roll < 0.40 or not others:
            self.git("checkout", "-q", "-b", f"b{n}")
        elif roll < 0.52:
            self.git("switch", "-q", self.rng.choice(others))
        elif roll < 0.58:
            self.making("merge", "-q", "--no-edit", self.rng.choice(others))
        elif roll < 0.63:
            self.making("rebase", "-q", self.rng.choice(others))
        elif roll < 0.68:
            self.cherry_pick(self.rng.choice(others))
        elif roll < 0.74:
            self.stash(n)
        elif roll < 0.79:
            self.git("tag", f"t{n}") if n % 2 else self.git("tag", "-a", f"t{n}", "-m", f"tag {n}")
        elif roll < 0.82:
            tags = self.read("tag", "--list").split()
            self.git("tag", "-d", self.rng.choice(tags)) if tags else self.git("log", "--oneline", "-3")
        elif roll < 0.86:
            self.making("commit", "-q", "--amend", "-m", f"amended {n}")
        elif roll < 0.89 and self.read("rev-list", "--count", "HEAD") != "1":
            self.git("reset", "-q", "--hard", "HEAD~1")
        elif roll < 0.91:
            self.git("branch", "-D", self.rng.choice(others))
        elif roll < 0.93:
            self.git("checkout", "-q", "--detach", "HEAD")
        else:
            self.git("status", "--short")
            self.git("diff", "--stat", "HEAD")

    def cherry_pick(self, branch: str) -> None:
        for sha in self.read("rev-list", "--no-merges", branch, "--not", "HEAD").split():
            names = self.read("diff-tree", "--no-commit-id", "--name-only", "-r", sha).split()
            absent = all(not self.read("ls-tree", "HEAD", "--", name) for name in names)
            if names and absent:
                self.making("cherry-pick", sha)
                return

    def stash(self, n: int) -> None:
        tracked = self.read("ls-files").split()
        target = self.root / self.rng.choice(tracked)
        target.write_text(target.read_text() + f"wip {n}\n")
        self.git("stash", "-q")
        if self.rng.random() < 0.5:
            self.git("stash", "pop", "-q")
            self.git("checkout", "-q", "--", target.name)
        else:
            self.git("stash", "drop", "-q")


@pytest.mark.parametrize(("quiet", "max_delay"), [(0.05, 0.5), (0.002, 0.02)], ids=["default", "eager"])
def test_300_operations_never_fail_and_every_commit_is_recorded_in_order(
        tmp_path: Path, quiet: float, max_delay: float) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".codetape.toml").write_text("")
    dev = Developer(root, seed=1234)
    dev.git("init", "-q", "-b", "main")
    (root / ".git" / "info" / "exclude").write_text(".codetape.toml\n")
    rec = Recorder()
    watcher = GitWatcher(root, Policy.load(root), rec, clock=now_ms, quiet=quiet, max_delay=max_delay)
    watcher.start()
    try:
        (root / "base.txt").write_text("base\n")
        dev.git("add", "base.txt")
        dev.git("commit", "-q", "-m", "base")
        dev.made.append(dev.read("rev-parse", "HEAD"))
        while dev.ran < OPERATIONS:
            dev.step()
        wait_for(lambda: len([s for s in rec.steps if "sha" in s]) >= len(dev.made),
                 what=f"the {len(dev.made)} commits made to be recorded",
                 detail=lambda: f"{len([s for s in rec.steps if 'sha' in s])} recorded")
        watcher.settle()  # and what came after the last commit (a stash, a tag) is read now too
    finally:
        watcher.stop()
    assert dev.failures == []
    assert dev.ran >= OPERATIONS
    recorded = [s["sha"] for s in rec.steps if "sha" in s]
    assert recorded == dev.made
    assert set(dev.git("rev-list", "--all").split()) <= set(recorded)
    ops = {s["op"] for s in rec.steps}
    assert {"commit", "checkout", "branch_create", "merge", "rebase", "cherry_pick", "stash", "tag",
            "reset", "branch_delete"} <= ops
    assert dev.git("stash", "list") == ""
    pushes = [s for s in rec.steps if s["op"] == "stash" and s.get("detail") == "push"]
    drops = [s for s in rec.steps if s["op"] == "stash" and s.get("detail") != "push"]
    assert len(pushes) == len(drops) > 0
