"""`codetape sign` end to end on a real recorded episode: the real bridge, collector, git and pytest record a
session on two files (one of them private notes), then sign trims, signs and queues it; `verify` and
`checkout` hold, and nothing of the excluded file is left in `codetape cat`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from collector.demo.project import NEW_FUNCTION, scaffold
from tests.cli import codetape
from tests.lsp_typing import Typist, commit_test_and_seal, in_own_loop
from tests.support.collector_harness import running

TOKEN = "ghp_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4"
PLAN = f"Q3 plan: acquire Zephyrine Labs for 12M\nowner: dana@example.org\ndeploy token {TOKEN}\n"
SECRET_WORDS = ("Zephyrine", "12M", "dana@example.org", "Q3 plan")


async def type_the_session(home: Path, project: Path) -> None:
    """Fix calc.py and type greet() into it, then open private notes and type more into them."""
    typist = await Typist.start(home, project, name="review-test")
    typist.open("calc.py", (project / "calc.py").read_text(encoding="utf-8"))
    typist.replace("calc.py", "a - b", "a + b")
    typist.save("calc.py")
    await typist.type("calc.py", NEW_FUNCTION, delay=0.01)
    typist.save("calc.py")
    typist.close("calc.py")
    (project / "private").mkdir()
    first, rest = PLAN.split("\n", 1)
    (project / "private" / "plan.md").write_text(first + "\n", encoding="utf-8")
    typist.open("private/plan.md", first + "\n", language_id="markdown")
    await typist.type("private/plan.md", rest, delay=0.003)
    typist.save("private/plan.md")
    typist.close("private/plan.md")
    assert await typist.stop() == 0


def record_session(base: Path) -> tuple[Path, Path, Path]:
    """Record a real session in `base/project` with `base/home`: fix calc.py and type greet() through the
    bridge, open private notes (private/plan.md) and type more into them, commit both, run pytest, seal.
    Each stage waits for the collector to have recorded the one before. Returns (home, project, the sealed
    episode)."""
    home, project = base / "home", base / "project"
    scaffold(project)
    assert codetape(home, "init", str(project)).returncode == 0
    with running(home) as daemon:
        in_own_loop(type_the_session(home, project))
        episode = commit_test_and_seal(daemon.home, project, saves=3,
                                       message="calc: fix add, add greet; notes in private/plan.md")
    return home, project, episode


def steps_of(home: Path, episode: Path) -> list[dict[str, Any]]:
    done = codetape(home, "cat", str(episode))
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def one_error_line(done: subprocess.CompletedProcess[str], code: int, says: str) -> None:
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("codetape: ") and says in lines[0], done.stderr


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return record_session(tmp_path_factory.mktemp("recorded"))


@pytest.fixture
def setup(recorded: tuple[Path, Path, Path], tmp_path: Path) -> tuple[Path, Path, Path]:
    """A fresh copy of the recorded home (the project stays shared: nothing writes to it)."""
    home, project, episode = recorded
    copy = tmp_path / "home"
    shutil.copytree(home, copy, ignore=shutil.ignore_patterns("run"))
    assert codetape(copy, "keys", "init", "--no-passphrase").returncode == 0
    return copy, project, copy / "episodes" / episode.name


def test_the_recording_holds_both_files(setup: tuple[Path, Path, Path]) -> None:
    home, _project, episode = setup
    text = json.dumps(steps_of(home, episode), ensure_ascii=False)
    assert "private/plan.md" in text and "Zephyrine" in text and "greet" in text


def test_without_yes_sign_refuses_and_says_why(setup: tuple[Path, Path, Path]) -> None:
    home, _project, episode = setup
    done = codetape(home, "sign", str(episode), "--exclude", "/private/")
    one_error_line(done, 2, "--yes")
    assert "review it first" in done.stderr
    assert episode.exists() and not (home / "outbox").exists()


def test_sign_trims_signs_and_queues_and_the_result_verifies(setup: tuple[Path, Path, Path],
                                                             tmp_path: Path) -> None:
    home, project, episode = setup
    before = steps_of(home, episode)
    edits = [step for step in before if step["kind"] == "edit" and step["path"] == "calc.py"]
    start, end = edits[5]["t_ms"], edits[-10]["t_ms"]  # greet() half typed
    done = codetape(home, "sign", episode.name[:8], "--yes", "--exclude", "/private/",
                    "--drop", f"{start}:{end}", "--redact", "h[ée]llo")
    assert done.returncode == 0, done.stderr
    key = json.loads(codetape(home, "keys", "show", "--json").stdout)
    queued = home / "outbox" / episode.name
    assert done.stdout.splitlines()[-3:-1] == [f"signed by {key['key_id']}: {queued}",
                                               f"removed the unsigned episode {episode}"]
    assert done.stdout.splitlines()[-1].startswith("waiting in the outbox until an upload destination is "
                                                   "configured")
    assert not episode.exists() and not list((home / "episodes").glob("*"))
    verify = codetape(home, "verify", str(queued), "--key", key["public_key"])
    assert (verify.returncode, verify.stdout) == (0, f"ok (signed by {key['key_id']})\n"), verify.stderr

    after = steps_of(home, queued)
    text = json.dumps(after, ensure_ascii=False)
    for word in (*SECRET_WORDS, "private/plan.md", "héllo"):
        assert word not in text, word
    gaps = [step for step in after if step["kind"] == "gap"]
    assert len(gaps) == 1 and gaps[0]["reason"] == "dropped_by_review" and gaps[0]["t_ms"] >= start
    assert not [step for step in after if step["kind"] == "edit" and start <= step["t_ms"] <= end]
    commit = next(step for step in after if step["kind"] == "git" and step["op"] == "commit")
    assert [stat["path"] for stat in commit["files"]] == ["calc.py"]  # (never its settings file)
    # the files the signed episode reconstructs are the files on disk (with the redacted word masked)
    out = tmp_path / "checkout"
    assert codetape(home, "checkout", str(queued), str(out)).returncode == 0
    assert (out / "calc.py").read_text(encoding="utf-8") == (project / "calc.py").read_text(
        encoding="utf-8").replace("héllo", "«redacted:custom-1:1»")
    assert not (out / "private").exists()
    statement = json.loads(codetape(home, "inspect", str(queued), "--json").stdout)
    assert statement["signed_by"] == key["key_id"]


def test_a_trim_that_changes_nothing_signs_nothing(setup: tuple[Path, Path, Path]) -> None:
    home, _project, episode = setup
    for args, says in ((["--exclude", "/privat/"], "exclude /privat/ matches no file"),
                       (["--drop", "999999999:999999999"], "holds no steps"),
                       (["--redact", "nowhere-in-this-episode"], "matches nothing"),
                       (["--drop", "5:1"], "empty or negative"),
                       (["--redact", "("], "not a valid regular expression")):
        done = codetape(home, "sign", str(episode), "--yes", *args)
        one_error_line(done, 2, says)
    assert episode.exists() and not list((home / "outbox").glob("*"))


def test_a_protected_key_needs_its_passphrase(setup: tuple[Path, Path, Path], tmp_path: Path) -> None:
    home, _project, episode = setup
    secret = tmp_path / "pass.txt"
    secret.write_text("correct horse\n", encoding="utf-8")
    assert codetape(home, "keys", "init", "--force", "--passphrase-file", str(secret)).returncode == 0
    one_error_line(codetape(home, "sign", str(episode), "--yes"), 1, "protected by a passphrase")
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("battery staple\n", encoding="utf-8")
    assert codetape(home, "sign", str(episode), "--yes", "--passphrase-file", str(wrong)).returncode == 1
    assert episode.exists()
    done = codetape(home, "sign", str(episode), "--yes", "--passphrase-file", "-", stdin="correct horse\n")
    assert done.returncode == 0, done.stderr
    assert codetape(home, "verify", str(home / "outbox" / episode.name)).returncode == 0


def test_the_sharing_policy_is_enforced(setup: tuple[Path, Path, Path]) -> None:
    home, _project, episode = setup
    (home / "policy.toml").write_text('allowed_licences = ["MIT"]\n', encoding="utf-8")
    one_error_line(codetape(home, "sign", str(episode), "--yes"), 1, "no LICENSE or COPYING file")
    (home / "policy.toml").write_text('purpose = "training code models"\nlicence = "CC-BY-4.0"\n'
                                      'mandatory_exclude = ["private/"]\n', encoding="utf-8")
    done = codetape(home, "sign", str(episode), "--yes")
    one_error_line(done, 1, "mandatory exclusion 'private/'")
    assert "--exclude 'private/'" in done.stderr and episode.exists()
    # masking the folder's name in its paths does not take the files out from under the policy
    one_error_line(codetape(home, "sign", str(episode), "--yes", "--redact", "priv[a-z]+"), 1,
                   "private/plan.md falls under the policy's mandatory exclusion 'private/'")
    assert episode.exists() and not list((home / "outbox").glob("*"))
    done = codetape(home, "sign", str(episode), "--yes", "--exclude", "private/")
    assert done.returncode == 0, done.stderr
    statement = json.loads(codetape(home, "inspect", str(home / "outbox" / episode.name), "--json").stdout)
    assert statement["signed_by"]
    verify = codetape(home, "verify", str(home / "outbox" / episode.name))
    assert verify.returncode == 0, verify.stderr


def test_a_signed_episode_is_not_signed_again(setup: tuple[Path, Path, Path]) -> None:
    home, _project, episode = setup
    assert codetape(home, "sign", str(episode), "--yes").returncode == 0
    queued = home / "outbox" / episode.name
    one_error_line(codetape(home, "sign", str(queued), "--yes"), 1, "already signed")
    one_error_line(codetape(home, "sign", str(queued), "--yes", "--exclude", "*.py"), 1, "is signed")
