"""`codetape sign --dry-run`: what would leave, after the trims and the policy's exclusions, signing nothing
and needing no --yes; and `codetape config` setting the destination the upload then uses."""

from __future__ import annotations

from pathlib import Path

from collector.home import Home
from collector.policy.config import load_config
from tests.cli import codetape
from tests.unit.review.test_trim import HEADER, two_files, write


def home_with_episode(tmp_path: Path) -> tuple[Path, Path]:
    home = Home(tmp_path / "home")
    home.ensure(home.episodes)
    return home.root, write(home.episodes / f"{HEADER.episode_id}.ctape", two_files())


def test_dry_run_prints_the_manifest_and_signs_nothing(tmp_path: Path) -> None:
    home, episode = home_with_episode(tmp_path)
    before = episode.read_bytes()
    done = codetape(home, "sign", str(HEADER.episode_id)[:8], "--dry-run", "--exclude", "/private/",
                    check=True)
    lines = done.stdout.splitlines()
    assert lines[0] == "this is what would be shared: 2 of 6 files, 1 command, 1 test run will be shared"
    assert "excluded (4), nothing of them leaves:" in lines
    assert "  main.py  1 line, 1 disk change" in lines
    assert "test runs: 1" in lines and "git remote: none recorded" in lines
    assert "BLUEHERON" not in done.stdout and "private/plan.md" not in done.stdout.split("excluded (4)")[0]
    assert episode.read_bytes() == before and not (Path(home) / "outbox").exists()
    # a trim that changes nothing is refused, as signing would refuse it
    refused = codetape(home, "sign", str(HEADER.episode_id)[:8], "--dry-run", "--exclude", "/nothing.md")
    assert refused.returncode != 0 and "nothing.md" in refused.stderr and refused.stdout == ""


def test_config_sets_the_destination_upload_uses(tmp_path: Path) -> None:
    home, _episode = home_with_episode(tmp_path)
    target = tmp_path / "dest"
    done = codetape(home, "config", "set", "upload.to", target.as_uri(), check=True)
    assert done.stdout.startswith(f"upload.to = {target.as_uri()} (in ")
    assert load_config(Home(home)).upload.to == target.as_uri()
    assert codetape(home, "config", "get", "upload.to", check=True).stdout == f"{target.as_uri()}\n"
    shown = codetape(home, "config", "show", check=True).stdout.splitlines()
    assert f"upload.to = \"{target.as_uri()}\"" in " ".join(shown)
    assert any(line.startswith("upload.concurrency = 4  (default)") for line in shown)
    bad = codetape(home, "config", "set", "upload.to", "ftp://example.org/x")
    assert bad.returncode == 2 and bad.stderr.startswith("codetape: ") and len(bad.stderr.splitlines()) == 1
    assert load_config(Home(home)).upload.to == target.as_uri()
    codetape(home, "keys", "init", "--no-passphrase", check=True)
    codetape(home, "sign", str(HEADER.episode_id)[:8], "--yes", check=True)
    sent = codetape(home, "upload", check=True)
    assert "uploaded to" in sent.stdout and len(list((target / "episodes").glob("*.ctape"))) == 1
