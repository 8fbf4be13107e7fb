"""The workspace's own exclusion globs are never published: not in the sealed episode, not once signed.

A real collector records a workspace whose `.codetape.toml` excludes `acmeconfidentialdeal/` (with a
junit glob and an allow-list entry of its own, settings that must not show up either); the editor writes
two files. The sealed episode, then every byte that comes out of it once signed (as it is, trimmed, and
as an earlier codetape sealed it, with the globs in its header) is searched: the file raw and each frame
decompressed, `cat`, `inspect --json`, the HTML report, the dataset built from an upload and the four
exports. The consent statement binds the globs by the keyed hash alone.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest
from msgspec.structs import replace

from collector.consent.exclusions import exclusions_digest
from collector.consent.keys import load_private
from collector.consent.verify import check_consent
from collector.episode import open_episode, write_episode_file
from collector.home import Home
from collector.protocol.clock import now_ms
from collector.reconstruct.keyframes import keyframe_states
from collector.seal.summaries import read_capture_exclude, read_summary, summary_path, write_summary
from collector.text.digest import sha256_text
from tests.integration.consent.test_sign_cli import codetape
from tests.integration.review.test_review_trim_channels import everything, frames, shown, sign
from tests.support.collector_harness import opt_in, running, settle, wait_capturing

WORD = "acmeconfidentialdeal"  # in the workspace's exclude globs only
GLOBS = [f"{WORD}/", "*.acmeledger"]
JUNIT = "acmejunitreports"
ALLOWED = "sha256:" + hashlib.sha256(b"acme-not-a-secret").hexdigest()
SETTINGS = f"""exclude = ["{GLOBS[0]}", "{GLOBS[1]}"]

[redaction]
allow = ["{ALLOWED}"]

[tests]
junit = ["{JUNIT}/*.xml"]
"""
SETTINGS_TEXT = (WORD, "acmeledger", JUNIT, ALLOWED.removeprefix("sha256:"))
FILES = {"app.py": "print('hello')\n", "notes.txt": "kept or trimmed\n"}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(home, the sealed episode) of a short editor session in the workspace described above."""
    base = tmp_path_factory.mktemp("globs")
    home = base / "home"
    root = opt_in(base / "ws", SETTINGS, home=home)
    with running(home) as daemon, daemon.client() as client:
        assert client.hello(root, "bridge", client={"name": "Neovim"})["recording"]
        wait_capturing(client, root)
        steps: list[dict[str, Any]] = []
        for path, text in FILES.items():
            (root / path).write_text(text, encoding="utf-8")
            steps += [{"kind": "open", "path": path, "language_id": "plaintext", "text": text},
                      {"kind": "save", "path": path, "sha256": sha256_text(text)}]
        client.send_steps([(now_ms(), {"source": "bridge", **step}) for step in steps])
        settle(client)
        sealed = client.request("seal", workspace=str(root))
    return home, Path(sealed["path"])


@pytest.fixture
def setup(recorded: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """A fresh copy of the recorded home with a key: (home, the sealed episode in it)."""
    home, episode = recorded
    copy = tmp_path / "home"
    shutil.copytree(home, copy, ignore=shutil.ignore_patterns("run"))
    assert codetape(copy, "keys", "init", "--no-passphrase").returncode == 0
    return copy, copy / "episodes" / episode.name


def published(home: Path, episode: Path, out: Path) -> str:
    """Everything that comes out of a signed episode, its HTML report too."""
    out.mkdir(parents=True)
    report = out / "report.html"
    done = codetape(home, "report", str(episode), "-o", str(report))
    assert done.returncode == 0, done.stderr
    return everything(home, episode, out) + report.read_text(encoding="utf-8")


def bound(home: Path, signed: Path, *also: str) -> bool:
    """Whether the signed statement binds the workspace's globs (and `also`) by their keyed hash."""
    statement = check_consent(open_episode(signed))
    private = load_private(Home(home), None)[0]
    return statement.scope.excluded_sha256 == exclusions_digest(private, statement.content.episode_id,
                                                                [*GLOBS, *also])


def test_the_sealed_episode_keeps_the_globs_beside_it_not_in_it(setup: tuple[Path, Path]) -> None:
    home, episode = setup
    texts = list(frames(episode))
    for args in (("cat", str(episode)), ("inspect", str(episode), "--json")):
        done = codetape(home, *args)
        assert done.returncode == 0, done.stderr
        texts.append(done.stdout)
    assert shown("\n".join(texts), *SETTINGS_TEXT) == []
    assert open_episode(episode).header.capture.exclude == []
    assert read_capture_exclude(episode) == GLOBS  # for signing to bind


@pytest.mark.parametrize("trim", [(), ("--exclude", "notes.txt")], ids=["as-sealed", "trimmed"])
def test_a_signed_episode_binds_the_globs_by_a_keyed_hash_and_shows_them_nowhere(
        setup: tuple[Path, Path], tmp_path: Path, trim: tuple[str, ...]) -> None:
    home, episode = setup
    signed = sign(home, episode, *trim)
    assert shown(published(home, signed, tmp_path / "out"), *SETTINGS_TEXT) == []
    assert bound(home, signed, *trim[1:])


def test_an_episode_sealed_with_the_globs_in_its_header_is_signed_without_them(
        setup: tuple[Path, Path], tmp_path: Path) -> None:
    home, episode = setup
    before = open_episode(episode)  # rewritten as an earlier codetape sealed it: the globs in its header
    header = replace(before.header, capture=replace(before.header.capture, exclude=GLOBS))
    summary = read_summary(episode)
    assert summary is not None
    old = tmp_path / episode.name
    write_episode_file(old, header, before.steps(), states=keyframe_states(header.position_encoding))
    old.replace(episode)
    write_summary(summary_path(episode), summary)  # and kept nothing beside it
    assert WORD in "\n".join(frames(episode)) and read_capture_exclude(episode) == []
    signed = sign(home, episode)
    assert shown(published(home, signed, tmp_path / "out"), *SETTINGS_TEXT) == []
    assert bound(home, signed)
