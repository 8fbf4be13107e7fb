"""`codetape review --summary [--json]`, the default episode, and `codetape discard`, on real recordings."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from collector.seal.summaries import summary_path
from tests.integration.consent.test_sign_cli import TOKEN, codetape, one_error_line, record_session
from tests.unit.review.test_trim import HEADER, two_files, write


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return record_session(tmp_path_factory.mktemp("recorded"))


@pytest.fixture
def setup(recorded: tuple[Path, Path, Path], tmp_path: Path) -> tuple[Path, Path, Path]:
    home, project, episode = recorded
    copy = tmp_path / "home"
    shutil.copytree(home, copy, ignore=shutil.ignore_patterns("run"))
    (copy / "policy.toml").write_text('purpose = "Training open code assistants"\n'
                                      'licence = "CC-BY-4.0 AND LicenseRef-recorded-steps"\n',
                                      encoding="utf-8")
    return copy, project, copy / "episodes" / episode.name


def test_the_summary_says_what_would_be_shared(setup: tuple[Path, Path, Path]) -> None:
    home, _project, episode = setup
    done = codetape(home, "review", episode.name[:8], "--summary")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    text = done.stdout
    assert lines[0] == f"episode     {episode.stem}"
    assert "files       2 touched" in lines
    assert any(line.startswith("  calc.py  1 open, ") and "2 saves" in line for line in lines)
    assert any(line.startswith("  private/plan.md  1 open, ") for line in lines)
    assert "test runs   1 (1 passed), 2 tests (2 passed)" in lines
    message = '"calc: fix add, add greet; notes in private/plan.md"'
    assert any(line.startswith("  0:00:0") and "commit" in line and message in line for line in lines)
    assert "purpose     Training open code assistants" in lines
    assert "licence     CC-BY-4.0 AND LicenseRef-recorded-steps" in lines
    assert "redactions  1 secret masked before review, still in what is shared" in lines
    assert text.count("\n") == len(lines) and "size        " in text


def test_the_json_summary_lists_everything(setup: tuple[Path, Path, Path]) -> None:
    home, project, episode = setup
    done = codetape(home, "review", str(episode), "--summary", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["episode_id"] == episode.stem and data["path"] == str(episode)
    assert data["workspace_dir"] == str(project.resolve())
    assert set(data["files"]) == {"calc.py", "private/plan.md"}
    assert data["size_bytes"] == episode.stat().st_size
    assert data["test_outcomes"] == {"passed": 2}
    assert [run["failed"] for run in data["test_runs"]] == [False]
    assert data["git"][0]["text"].startswith("commit ")
    assert data["policy"]["purpose"] == "Training open code assistants"
    assert data["policy"]["problem"] is None and data["policy"]["mandatory_exclusions"] == []
    assert data["signed"] is False


def test_redactions_show_their_masked_previews(setup: tuple[Path, Path, Path]) -> None:
    home, _project, episode = setup
    done = codetape(home, "review", str(episode), "--summary")
    assert "redactions  1 secret masked before review, still in what is shared" in done.stdout.splitlines()
    line = next(line for line in done.stdout.splitlines() if line.startswith("  «redacted:github-token:1»"))
    assert "ghp_…" in line and TOKEN not in done.stdout and TOKEN[4:20] not in done.stdout
    data = json.loads(codetape(home, "review", str(episode), "--summary", "--json").stdout)
    assert [(r["rule"], r["masked"]) for r in data["redactions"]] == [("github-token", line.split()[1])]


def test_policy_problems_are_shown_not_fatal(setup: tuple[Path, Path, Path]) -> None:
    home, _project, episode = setup
    (home / "policy.toml").write_text('allowed_licences = ["MIT"]\nmandatory_exclude = ["private/"]\n',
                                      encoding="utf-8")
    done = codetape(home, "review", str(episode), "--summary")
    assert done.returncode == 0, done.stderr
    assert any(line.startswith("signing     refused as it is: no LICENSE or COPYING file") for line in
               done.stdout.splitlines())
    assert "signing     private/plan.md must be excluded first (policy: private/)" in done.stdout.splitlines()
    (home / "policy.toml").write_text("purpose = [\n", encoding="utf-8")
    done = codetape(home, "review", str(episode), "--summary")
    assert done.returncode == 0 and "signing     refused as it is: " in done.stdout


def test_without_an_episode_the_oldest_unsigned_one_is_reviewed(setup: tuple[Path, Path, Path]) -> None:
    home, _project, episode = setup
    (home / "episodes" / "broken.ctape").write_bytes(b"not an episode")
    done = codetape(home, "review", "--summary", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["path"] == str(episode)
    assert codetape(home, "keys", "init", "--no-passphrase").returncode == 0
    assert codetape(home, "sign", str(episode), "--yes").returncode == 0
    one_error_line(codetape(home, "review", "--summary"), 1, "nothing to review")


def test_the_interactive_review_needs_a_terminal(setup: tuple[Path, Path, Path]) -> None:
    home, _project, episode = setup
    one_error_line(codetape(home, "review", str(episode)), 2, "needs a terminal")
    one_error_line(codetape(home, "review", str(episode), "--json"), 2, "--summary")


def test_discard_deletes_an_unsigned_episode_and_refuses_a_signed_one(setup: tuple[Path, Path, Path],
                                                                      tmp_path: Path) -> None:
    home, _project, episode = setup
    keep = tmp_path / "copy.ctape"
    shutil.copy(episode, keep)
    assert summary_path(episode).exists()
    # without a terminal to ask on, nothing is deleted unless --yes says so
    one_error_line(codetape(home, "discard", episode.name[:8]), 2, "for good; run it again with --yes")
    assert episode.exists()
    done = codetape(home, "discard", episode.name[:8], "--yes")
    assert (done.returncode, done.stdout) == (0, f"discarded {episode}\n"), done.stderr
    assert not episode.exists() and not summary_path(episode).exists()
    one_error_line(codetape(home, "discard", episode.name[:8], "--yes"), 2, "no episode")

    assert codetape(home, "keys", "init", "--no-passphrase").returncode == 0
    assert codetape(home, "sign", str(keep), "--yes").returncode == 0
    signed = home / "outbox" / episode.name
    one_error_line(codetape(home, "discard", str(signed)), 1, "is signed; it stays")  # before asking
    assert signed.exists() and keep.exists()  # a copy outside episodes/ is not removed by signing

    stray = tmp_path / "notes.txt"
    stray.write_text("not an episode", encoding="utf-8")
    one_error_line(codetape(home, "discard", str(stray), "--yes"), 1, "cannot tell whether")
    assert stray.exists()


def discard_on_a_terminal(home: Path, episode: Path, answer: str) -> subprocess.CompletedProcess[str]:
    """`codetape discard EPISODE` in a process whose stdin is a terminal (a pty), typing `answer`."""
    controller, terminal = pty.openpty()
    try:
        os.write(controller, answer.encode() + b"\n")  # typed ahead: the terminal holds it until read
        return subprocess.run([sys.executable, "-m", "collector", "discard", episode.name[:8]],
                              stdin=terminal, capture_output=True, text=True, timeout=60, check=False,
                              env={**os.environ, "CODETAPE_HOME": str(home)})
    finally:
        os.close(terminal)
        os.close(controller)


def test_discard_asks_on_a_terminal_and_no_is_the_default(setup: tuple[Path, Path, Path]) -> None:
    home, _project, episode = setup
    kept = discard_on_a_terminal(home, episode, "")
    assert kept.returncode == 0 and kept.stdout == f"not discarded: {episode}\n", kept.stderr
    assert kept.stderr.startswith(f"delete {episode} (") and kept.stderr.endswith(
        "for good? nothing of it is shared [y/N] ")
    assert episode.exists()
    gone = discard_on_a_terminal(home, episode, "y")
    assert (gone.returncode, gone.stdout) == (0, f"discarded {episode}\n"), gone.stderr
    assert not episode.exists()


@pytest.fixture
def week(setup: tuple[Path, Path, Path]) -> tuple[Path, list[Path]]:
    """The recorded episode and an older one beside it (the session of test_trim), both sealed, unsigned."""
    home, _project, episode = setup
    older = write(home / "episodes" / f"{HEADER.episode_id}.ctape", two_files())
    return home, [older, episode]


def test_several_episodes_summaries_one_after_another(week: tuple[Path, list[Path]]) -> None:
    home, (older, recorded) = week
    done = codetape(home, "review", "--all-sealed", "--summary")
    assert done.returncode == 0, done.stderr
    heads = [line for line in done.stdout.splitlines() if line.startswith("episode     ")]
    assert heads == [f"episode     {older.stem}", f"episode     {recorded.stem}"]  # oldest first
    both = codetape(home, "review", recorded.name[:8], older.name[:8], "--summary", "--json")
    listed = json.loads(both.stdout)
    assert [data["path"] for data in listed] == [str(recorded), str(older)]  # in the order given
    assert all("files" in data and "steps" in data for data in listed)
    one = json.loads(codetape(home, "review", older.name[:8], "--summary", "--json").stdout)
    assert isinstance(one, dict) and one["path"] == str(older)  # one episode: one object, as ever
    one_error_line(codetape(home, "review", older.name[:8], "--all-sealed", "--summary"), 2, "not both")


def test_sign_several_episodes_or_all_sealed(week: tuple[Path, list[Path]]) -> None:
    home, (older, recorded) = week
    assert codetape(home, "keys", "init", "--no-passphrase").returncode == 0
    one_error_line(codetape(home, "sign", "--all-sealed"), 2, "--yes")
    one_error_line(codetape(home, "sign", "--all-sealed", "--yes", "--drop", "1:00-2:00"), 2,
                   "--drop names times of one episode")
    # an exclusion that changes nothing in one of them: that one stays, the other is signed
    done = codetape(home, "sign", "--all-sealed", "--yes", "--exclude", "/calc.py")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"[1/2] episode {older.stem}; recorded 2026-05-04T09:00:00Z (UTC)")
    assert any(line.startswith(f"[2/2] episode {recorded.stem}; recorded ") for line in lines)
    assert lines[-1] == "signed 1 of 2 episodes"
    assert done.stderr.splitlines() == [
        f"codetape: {older.name}: not signed: exclude /calc.py matches no file in the episode"]
    assert older.exists() and not recorded.exists() and (home / "outbox" / recorded.name).exists()
    # what is left: signed by name, then nothing left to sign
    again = codetape(home, "sign", older.name[:8], "--yes")
    assert again.returncode == 0 and "signed by " in again.stdout and not older.exists()
    one_error_line(codetape(home, "sign", "--all-sealed", "--yes"), 1, "nothing to review")
