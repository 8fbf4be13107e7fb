"""A signed episode is found by its id as before it was signed: `codetape sign ID --yes` moves it to the
outbox, and `episodes`, `cat`, `verify`, `inspect`, `checkout` still find it (issue 11's first defect)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from collector.consent import init_keys, sign_episode
from collector.home import Home
from tests.cli import codetape
from tests.fixtures.make_golden import DIRECTORY, FULL_HEADER
from tests.support.upload_helpers import one_error_line

EPISODE_ID = str(FULL_HEADER.episode_id)


def test_after_signing_every_command_finds_the_episode_by_id(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "episodes").mkdir(parents=True, mode=0o700)
    shutil.copy(DIRECTORY / "full.ctape", home / "episodes" / f"{EPISODE_ID}.ctape")
    assert codetape(home, "keys", "init", "--no-passphrase").returncode == 0
    key = json.loads(codetape(home, "keys", "show", "--json").stdout)["key_id"]
    signed = codetape(home, "sign", EPISODE_ID[:8], "--yes")
    assert signed.returncode == 0, signed.stderr
    queued = home / "outbox" / f"{EPISODE_ID}.ctape"
    assert queued.is_file() and not (home / "episodes" / f"{EPISODE_ID}.ctape").exists()
    assert "waiting in the outbox until an upload destination is configured" in signed.stdout

    listed = codetape(home, "episodes")
    assert listed.returncode == 0 and listed.stdout.startswith(f"{EPISODE_ID[:8]}  signed ")
    assert str(queued) not in listed.stdout  # one short line: the file is in inspect
    assert f"file       {queued}\n" in codetape(home, "inspect", EPISODE_ID[:8]).stdout
    rows = json.loads(codetape(home, "episodes", "--json").stdout)
    assert [(row["id"], row["state"], row["path"], row["uploads"]) for row in rows] == [
        (EPISODE_ID, "signed", str(queued), [])]

    cat = codetape(home, "cat", EPISODE_ID[:6])
    assert cat.stdout == (DIRECTORY / "full.cat.jsonl").read_text(encoding="utf-8"), cat.stderr
    verify = codetape(home, "verify", EPISODE_ID)
    assert (verify.returncode, verify.stdout) == (0, f"ok (signed by {key})\n"), verify.stderr
    assert f"signed     by {key} (signature verified)" in codetape(home, "inspect", EPISODE_ID[:8]).stdout
    out = tmp_path / "checkout"
    assert codetape(home, "checkout", EPISODE_ID[:8], str(out)).returncode == 0
    assert (out / "src" / "pager.py").is_file()
    one_error_line(codetape(home, "discard", EPISODE_ID[:8]), 1, "is signed", "codetape revoke")


def test_an_id_left_in_both_folders_names_the_signed_copy(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for folder in ("episodes", "outbox"):
        (home / folder).mkdir(parents=True, mode=0o700)
    shutil.copy(DIRECTORY / "full.ctape", home / "episodes" / f"{EPISODE_ID}.ctape")
    init_keys(Home(home))
    sign_episode(DIRECTORY / "full.ctape", home / "outbox" / f"{EPISODE_ID}.ctape", Home(home))
    proc = codetape(home, "inspect", "--json", EPISODE_ID[:4])
    assert proc.returncode == 0 and json.loads(proc.stdout)["signed"] is True, proc.stderr
    one_error_line(codetape(home, "cat", "ffff"), 2, "no episode id", str(home / "outbox"))
