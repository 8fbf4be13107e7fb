"""The repository at the start (issue 29, item 3), through one real collector and a real git repository:

- `snapshot = "tracked"`, accepted by the user: the episode opens with a `snapshot` gap holding the text
  of every git-tracked text file the rules let through, its secret redacted; the excluded, secret-ish,
  binary, too-large and linked files are not in it (the last three named in its detail, the first two
  nowhere); what happens on disk afterwards reads as changed (the snapshot is not an editor's buffer);
  verify, checkout, replay, the review's exclusion (also of a file only named) and a dataset build take it;
- a cloned repository whose `.codetape.toml` says `snapshot = "tracked"` records no snapshot until the
  user accepts that file with `codetape trust`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.dataset as pads
import pytest

from collector.policy.recording import Policy
from collector.sources.git.snapshot import take_snapshot
from schemas.settings import WorkspaceSettings
from tests.support.collector_harness import (
    SECRET,
    Daemon,
    codetape,
    decoded_episodes,
    episode_steps,
    git,
    opt_in,
    outside_config,
    running,
    wait_capturing,
    wait_recorded,
)

AWS_ID = "AKIAQ3EGUIJ2ZK4PLMXW"
AWS_SECRET = "tN4+q8Xk2Lr7pZ0wY5vB1mJ6hG3fD9sA2eC8uQ/e"
PRIVATE = "quokka-private-notes-4471"  # in the excluded file: no rule would redact it, only not reading it
DOTENV = "wombat-dotenv-value-9902"  # in a tracked .env: secret-ish, never read
APP = "def add(a, b):\n    return a + b\n"
TEST = "from app import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"
CHANGED = TEST + "\n\ndef test_more():\n    assert add(2, 2) == 4\n"
SETTINGS = 'snapshot = "tracked"\nexclude = ["private/"]\nmax_file_bytes = 1000\n'


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    with running(tmp_path_factory.mktemp("snapshot") / "home") as started:
        yield started


def ok(done: Any) -> str:
    assert done.returncode == 0, done.stderr
    return str(done.stdout)


def seal(home: Path, root: Path) -> Path:
    sealed = json.loads(ok(codetape(home, "seal", "--json", str(root))))
    assert sealed is not None
    return Path(sealed["path"])


def repository(root: Path, outside: Path) -> Path:
    """A git repository with every kind of tracked file a snapshot must tell apart, all committed."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    files = {"app.py": APP, "tests/test_app.py": TEST, "private/notes.md": f"{PRIVATE}\n",
             ".env": f"TOKEN={DOTENV}\n", "big.txt": "x" * 2000 + "\n",
             "config.py": f'AWS_ACCESS_KEY_ID = "{AWS_ID}"\nAWS_SECRET_ACCESS_KEY = "{AWS_SECRET}"\n'}
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)))
    os.symlink(os.path.relpath(outside, root), root / "cfg")  # a link out of the workspace, to a secret
    git(root, "add", "-f", ".")
    git(root, "commit", "-q", "-m", "the project")
    return root.resolve()


def snapshot_of(steps: list[dict[str, Any]]) -> dict[str, Any]:
    first = steps[0]
    assert (first["kind"], first["reason"], first["t_ms"]) == ("gap", "snapshot", 0), first
    return first


def test_the_files_git_tracks_at_the_start(daemon: Daemon, tmp_path: Path) -> None:
    home = daemon.home.root
    root = repository(tmp_path / "ws", outside_config(tmp_path))
    opt_in(root, SETTINGS, home=home)  # as `codetape init` + `codetape trust`: the user's own consent
    ok(codetape(home, "note", "starting", "--dir", str(root)))
    with daemon.client() as client:
        wait_capturing(client, root)
    (root / "tests" / "test_app.py").write_text(CHANGED, encoding="utf-8")
    wait_recorded(daemon.home, root, lambda steps: any(s.get("path") == "tests/test_app.py" for s in steps),
                  "the change to tests/test_app.py")
    episode = seal(home, root)
    steps = episode_steps(episode)
    snapshot = snapshot_of(steps)
    state = {file["path"]: file["text"] for file in snapshot["state"]}
    assert sorted(state) == ["app.py", "config.py", "tests/test_app.py"]  # (.codetape.toml is not tracked)
    assert state["app.py"] == APP and state["tests/test_app.py"] == TEST
    assert all(file["at_head"] for file in snapshot["state"])  # each as HEAD holds it (config.py unredacted)
    assert AWS_ID not in state["config.py"] and AWS_SECRET not in state["config.py"]
    assert "«redacted:aws-access-key:1»" in state["config.py"]
    detail = snapshot["detail"].splitlines()
    assert detail[0].startswith("snapshot of the files git tracks: 3 recorded")
    assert detail[1:] == ["left out, binary (1):", "  logo.png", "left out, above max_file_bytes (1):",
                          "  big.txt", "left out, a link (1):", "  cfg"]
    decoded = decoded_episodes(daemon.home)
    for never in (PRIVATE, DOTENV, SECRET, AWS_ID, AWS_SECRET, "notes.md", "private/", ".env"):
        assert never not in decoded, never

    ok(codetape(home, "verify", str(episode)))
    [last] = [n for n, s in enumerate(steps) if s["kind"] == "file_change"]
    assert (steps[last]["path"], steps[last]["text"]) == ("tests/test_app.py", CHANGED)
    at_start, at_end = tmp_path / "start", tmp_path / "end"
    ok(codetape(home, "checkout", str(episode), str(at_start), "--step", "0"))
    ok(codetape(home, "checkout", str(episode), str(at_end), "--step", str(last)))
    assert (at_start / "tests" / "test_app.py").read_text() == TEST
    assert (at_end / "tests" / "test_app.py").read_text() == CHANGED  # a change on disk, not a stale buffer
    assert (at_end / "app.py").read_text() == APP
    assert not (at_end / "private").exists() and not (at_end / "logo.png").exists()
    replayed = ok(codetape(home, "replay", str(episode), "--plain"))
    assert "snapshot" in replayed and "3 files on disk" in replayed
    assert "3 in the snapshot at the start" in ok(codetape(home, "inspect", str(episode)))

    ok(codetape(home, "keys", "init", "--no-passphrase"))
    ok(codetape(home, "sign", str(episode), "--yes", "--exclude", "tests/", "--exclude", "logo.png"))
    signed = home / "outbox" / episode.name
    kept = episode_steps(signed)
    assert sorted(file["path"] for file in snapshot_of(kept)["state"]) == ["app.py", "config.py"]
    text = json.dumps(kept)
    for gone in ("test_app", "logo.png", "def test_add", "def test_more"):
        assert gone not in text, gone
    assert "big.txt" in text  # what was not excluded is still named
    ok(codetape(home, "verify", str(signed)))

    uploads, dataset = tmp_path / "uploads", tmp_path / "dataset"
    ok(codetape(home, "upload", str(signed), "--to", uploads.as_uri()))
    ok(codetape(home, "dataset", "build", str(uploads), "-o", str(dataset)))
    rejected = dataset / "rejected"
    assert not list(rejected.rglob("*.parquet")) or \
        pads.dataset(rejected, format="parquet", partitioning="hive").to_table().num_rows == 0
    first = min(rows(dataset, "steps"), key=lambda row: row["step"])
    assert (first["kind"], first["t_ms"]) == ("gap", 0)
    assert {"app.py", "config.py"} <= {row["path"] for row in rows(dataset, "file_states")}  # never touched
    blobs = {row["sha256"]: row["text"] for row in rows(dataset, "blobs")}
    jumps = {row["path"]: row for row in rows(dataset, "transitions") if row["kind"] == "gap"}
    assert sorted(jumps) == ["app.py", "config.py"]
    assert all(row["first_step"] == 0 and row["before_sha256"] is None for row in jumps.values())
    assert blobs[jumps["app.py"]["after_sha256"]] == APP
    assert blobs[jumps["config.py"]["after_sha256"]] == state["config.py"]  # the redacted text
    assert not any(AWS_ID in text or "test_add" in text for text in blobs.values())


def rows(dataset: Path, table: str) -> list[dict[str, Any]]:
    return pads.dataset(dataset / table, format="parquet", partitioning="hive").to_table().to_pylist()


def test_a_cloned_setting_records_no_snapshot_until_trusted(daemon: Daemon, tmp_path: Path) -> None:
    home = daemon.home.root
    upstream, root = tmp_path / "upstream", (tmp_path / "clone").resolve()
    upstream.mkdir()
    git(upstream, "init", "-q", "-b", "main")
    (upstream / ".codetape.toml").write_text('snapshot = "tracked"\n', encoding="utf-8")
    (upstream / "app.py").write_text(APP, encoding="utf-8")
    git(upstream, "add", ".")
    git(upstream, "commit", "-q", "-m", "a repository that asks for more")
    git(tmp_path, "clone", "-q", str(upstream), str(root))
    said = ok(codetape(home, "init", str(root)))
    assert "does not apply until you accept it" in said and "snapshot: none -> tracked" in said
    ok(codetape(home, "note", "not yet", "--dir", str(root)))
    status = json.loads(ok(codetape(home, "status", "--json")))
    [workspace] = [w for w in status["workspaces"] if w["root"] == str(root)]
    assert workspace["withheld"] == ["snapshot: none -> tracked"]
    untrusted = episode_steps(seal(home, root))
    assert [s["kind"] for s in untrusted] == ["note"]
    assert APP not in json.dumps(untrusted)

    assert "snapshot: none -> tracked" in ok(codetape(home, "trust", str(root), "--yes"))
    ok(codetape(home, "note", "now", "--dir", str(root)))
    trusted = episode_steps(seal(home, root))
    assert [file["path"] for file in snapshot_of(trusted)["state"]] == ["app.py"]  # never its settings file
    assert [s["kind"] for s in trusted] == ["gap", "note"]


def test_bounded_in_files_and_bytes_naming_what_is_past_the_cap_but_never_an_excluded_file(
        tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    for name in ("a", "b", "c", "d", "e"):
        (root / f"{name}.txt").write_text(name * 10, encoding="utf-8")
    (root / "c-secret.txt").write_text("never", encoding="utf-8")
    git(root, "add", ".")
    root = root.resolve()
    policy = Policy.under(root, WorkspaceSettings(exclude=["c-secret.txt"]))
    try:
        by_files = take_snapshot(root, policy, max_files=2)
        assert [file["path"] for file in by_files.state] == ["a.txt", "b.txt"]
        assert by_files.left_out == {"cap": ["c.txt", "d.txt", "e.txt"]}
        by_bytes = take_snapshot(root, policy, max_bytes=25)  # a and b fit (20 bytes), c would not
        assert [file["path"] for file in by_bytes.state] == ["a.txt", "b.txt"]
        assert by_bytes.left_out == {"cap": ["c.txt", "d.txt", "e.txt"]} and by_bytes.bytes == 20
        assert "c-secret" not in by_files.detail() + by_bytes.detail()
    finally:
        policy.close()


def test_inside_a_larger_repository_only_the_workspace_and_never_through_a_linked_git(tmp_path: Path) -> None:
    top = tmp_path / "mono"
    (top / "svc").mkdir(parents=True)
    git(top, "init", "-q", "-b", "main")
    (top / "other.py").write_text("elsewhere\n", encoding="utf-8")
    (top / "svc" / "main.py").write_text("here\n", encoding="utf-8")
    git(top, "add", ".")
    workspace = (top / "svc").resolve()
    policy = Policy.under(workspace, WorkspaceSettings())
    try:
        here = {"path": "main.py", "text": "here\n"}
        assert take_snapshot(workspace, policy).state == [{**here, "at_head": False}]  # staged only
        git(top, "commit", "-q", "-m", "both")  # HEAD's tree names it svc/main.py: read from the workspace
        assert take_snapshot(workspace, policy).state == [{**here, "at_head": True}]
        (top / "svc" / "main.py").write_text("changed\n", encoding="utf-8")
        assert take_snapshot(workspace, policy).state == [{"path": "main.py", "text": "changed\n",
                                                          "at_head": False}]
    finally:
        policy.close()
    linked = tmp_path / "linked"
    linked.mkdir()
    os.symlink(top / ".git", linked / ".git")
    (linked / "main.py").write_text("here\n", encoding="utf-8")
    for root, says in ((linked.resolve(), ".git is a link"), (tmp_path.resolve(), "not in a git repository")):
        policy = Policy.under(root, WorkspaceSettings())
        try:
            taken = take_snapshot(root, policy)
        finally:
            policy.close()
        assert taken.state == [] and taken.problem is not None and says in taken.problem, taken.problem
        assert taken.step()["detail"].startswith("no snapshot of the files git tracks: ")


def test_init_snapshot_tracked_is_the_users_consent_but_never_rewrites_a_file_there(
        daemon: Daemon, tmp_path: Path) -> None:
    home, root = daemon.home.root, (tmp_path / "fresh").resolve()
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "app.py").write_text(APP, encoding="utf-8")
    git(root, "add", "app.py")
    ok(codetape(home, "init", "--snapshot", "tracked", str(root)))
    assert 'snapshot = "tracked"' in (root / ".codetape.toml").read_text(encoding="utf-8")
    ok(codetape(home, "note", "go", "--dir", str(root)))
    assert snapshot_of(episode_steps(seal(home, root)))["state"] == [
        {"path": "app.py", "text": APP, "at_head": False}]  # staged, never committed: no HEAD holds it
    before = (root / ".codetape.toml").read_text(encoding="utf-8")
    refused = codetape(home, "init", "--snapshot", "none", str(root))
    assert refused.returncode == 2 and "codetape trust" in refused.stderr
    assert (root / ".codetape.toml").read_text(encoding="utf-8") == before
