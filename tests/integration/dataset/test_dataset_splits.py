"""The train/eval split of a real dataset build and its exports (collector/export/split.py): by repository,
and no episode with the same steps (steps_sha256) or a near-duplicate diff on both sides, in `episodes`
(read with DuckDB), in the zeta export's examples, and counted on the card.

The world: sessions of the bench's generator, each recorded in a repository of its own (a git remote), and
copied the way the data team's 1,000-episode benchmark copies them: the same steps under other episode ids
(the same session signed again), under another repository (a fork), and a near copy (its last steps left
out) under a third. The copies' ids are chosen so that a split by episode id (what codetape did before)
puts copies of one session on both sides."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

from msgspec.structs import replace

from collector.episode import write_episode_file
from collector.export.split import repository_key, side_of
from schemas import WorkspaceIdentity
from tests.cli import codetape
from tests.support.dataset_helpers import SCALE, contributor, duck, sign, upload
from tests.support.sessions import generate


def _remote(side: str, skip: int = 0) -> str:
    """A remote whose repository the split's hash puts on `side` (the `skip`-th such)."""
    found = [f"https://example.org/team/repo{n}.git" for n in range(400)
             if side_of(repository_key(WorkspaceIdentity(root_name="project",
                                                         git_remote=f"https://example.org/team/repo{n}.git")))
             == side]
    return found[skip]


def _by_episode_id(episode_id: uuid.UUID) -> str:
    """Where a split by episode id put an episode: SHA-256("codetape-split:" + id) mod 100 below 10: eval."""
    digest = hashlib.sha256(b"codetape-split:" + str(episode_id).encode()).digest()
    return "eval" if int.from_bytes(digest[:8], "big") % 100 < 10 else "train"


def _ids(count: int) -> list[uuid.UUID]:
    """`count` episode ids, the first one put on eval by a split by episode id, the rest on train."""
    ids = [uuid.UUID(int=n, version=4) for n in range(1, 1000)]
    return ([i for i in ids if _by_episode_id(i) == "eval"][:1]
            + [i for i in ids if _by_episode_id(i) == "train"][:count - 1])


def test_no_episode_duplicate_or_near_duplicate_is_on_both_sides(tmp_path: Path) -> None:
    alice = contributor(tmp_path, "alice")
    episodes = alice.home.ensure(alice.home.episodes)
    written: dict[str, Path] = {}

    def record(name: str, seed: int, remote: str, episode_id: uuid.UUID, drop: int = 0) -> None:
        made = generate(seed, "mixed", scale=SCALE)
        workspace = replace(made.header.workspace, git_remote=remote)
        header = replace(made.header, episode_id=episode_id, workspace=workspace)
        path = episodes / f"{name}.ctape"
        write_episode_file(path, header, made.steps[:len(made.steps) - drop], level=3)
        written[name] = sign(alice, path)

    eval_repo, train_repo, fork_repo, near_repo = (_remote("eval"), _remote("train"), _remote("train", 1),
                                                   _remote("train", 2))
    for n, episode_id in enumerate(_ids(3)):  # one session signed three times, in one repository
        record(f"copy{n}", 1, eval_repo, episode_id)
    record("fork", 1, fork_repo, uuid.UUID(int=20_001, version=4))  # its steps again, in another repository
    record("other", 2, train_repo, uuid.UUID(int=20_002, version=4))
    record("near", 2, near_repo, uuid.UUID(int=20_003, version=4), drop=60)  # most of its steps
    record("alone", 3, train_repo, uuid.UUID(int=20_004, version=4))
    record("evaluated", 4, _remote("eval", 1), uuid.UUID(int=20_005, version=4))
    upload(alice, (tmp_path / "source").as_uri())
    out = tmp_path / "out"
    done = codetape(tmp_path / "team", "dataset", "build", str(tmp_path / "source"), "-o", str(out),
                    "--exports", "zeta")
    assert done.returncode == 0, done.stderr

    con = duck(out)
    sides = dict(con.execute("SELECT episode_id, split FROM episodes").fetchall())
    assert len(sides) == 8 and set(sides.values()) <= {"train", "eval"}
    by_steps = con.execute("SELECT steps_sha256, count(DISTINCT split) FROM episodes GROUP BY 1").fetchall()
    assert len(by_steps) == 5 and all(count == 1 for _steps, count in by_steps)  # copies and fork: one hash
    by_repository = con.execute("SELECT repository, count(DISTINCT split) FROM episodes GROUP BY 1")
    assert all(count == 1 for _repository, count in by_repository.fetchall())
    copies = {split for (split,) in con.execute(
        "SELECT DISTINCT split FROM episodes WHERE repository IN (?, ?)",
        [repository_key(WorkspaceIdentity(root_name="p", git_remote=eval_repo)),
         repository_key(WorkspaceIdentity(root_name="p", git_remote=fork_repo))]).fetchall()}
    assert len(copies) == 1  # two repositories the hash puts apart: the fork takes the first one's side
    near = {split for (split,) in con.execute(
        "SELECT DISTINCT split FROM episodes WHERE repository = ?",
        [repository_key(WorkspaceIdentity(root_name="p", git_remote=near_repo))]).fetchall()}
    other = {split for (split,) in con.execute(
        "SELECT DISTINCT split FROM episodes e WHERE steps_sha256 IN (SELECT steps_sha256 FROM episodes "
        "WHERE repository = ?) AND repository = ?",
        [repository_key(WorkspaceIdentity(root_name="p", git_remote=train_repo))] * 2).fetchall()}
    assert near == other  # the near copy is on its original's side

    examples: dict[str, set[str]] = {"train": set(), "eval": set(), "none": set()}
    for path in (out / "exports" / "zeta").rglob("*.zeta.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            example = json.loads(line)
            meta = example["codetape"]
            assert meta["split"] == sides[meta["episode_id"]]  # the export says the table's split
            examples[meta["split"]].add(json.dumps([example["events"], example["input"], example["output"]]))
    assert examples["eval"] and examples["train"]
    assert not examples["eval"] & examples["train"]  # no eval example is byte-identical to a train one

    manifest = json.loads((out / "_manifest.json").read_text(encoding="utf-8"))
    sizes = dict(con.execute("SELECT split, count(*) FROM episodes GROUP BY 1 ORDER BY 1").fetchall())
    assert manifest["split_leaks"] == 0 and manifest["splits"] == sizes
    assert (f"splits: train {sizes.get('train', 0)}, eval {sizes.get('eval', 0)}, none 0 episodes "
            "(episodes.split, by repository); 0 episodes with a duplicate on the other side") in done.stdout
    card = (out / "README.md").read_text(encoding="utf-8")
    assert (f"| split sizes (episodes) | train {sizes.get('train', 0)}, eval {sizes.get('eval', 0)}, none 0 |"
            in card)
    assert "| duplicate rate | 50.0 % (4 of 8 episodes have the same steps as another) |" in card
    assert ("| near-duplicate rate | 25.0 % (2 of 8 episodes have a near-duplicate diff, other steps) |"
            in card)
    assert "| split leaks | 0 episodes with a duplicate or near duplicate on the other side |" in card
