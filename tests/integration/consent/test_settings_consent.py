"""Nothing leaves that the developer did not see (issue 24, items 2 and 9), through one real collector:

- a `git pull` that loosens the committed `.codetape.toml` (drops an exclusion, adds an allow-list entry)
  changes nothing that is recorded or let through until `codetape trust` accepts it, and `codetape status`
  says so; after `codetape trust --yes` the new settings apply;
- a typo in `.codetape.toml` stops recording loudly: `status` says `not recording: FILE:LINE: what`, `note`
  and `task` exit 1 with that line, `codetape run` runs the command and says it was not recorded; a
  group-writable file is reported as not recording, never as recording too; fixed, recording goes on
  after a `gap`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from collector.redact.scanning.ruleset import value_hash
from tests.support.collector_harness import (
    Daemon,
    codetape,
    codetape_process,
    episode_steps,
    git,
    running,
    wait_capturing,
    wait_recorded,
)

FIXTURE = "Zx9Qw8Er7Ty6Ui5Op4As"  # shaped like a token: what the pulled allow-list would let through
NOTE = f'fixture_token = "{FIXTURE}"'


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    with running(tmp_path_factory.mktemp("consent") / "home") as started:
        yield started


def ok(done: Any) -> str:
    assert done.returncode == 0, done.stderr
    return str(done.stdout)


def seal(home: Path, root: Path) -> list[dict[str, Any]]:
    sealed = json.loads(ok(codetape(home, "seal", "--json", str(root))))
    assert sealed is not None
    return episode_steps(Path(sealed["path"]))


def changed(path: str) -> Any:
    return lambda steps: any(s["kind"] == "file_change" and s["path"] == path for s in steps)


def record_private_and_public(daemon: Daemon, root: Path, name: str) -> list[dict[str, Any]]:
    """Write a file under private/ and then one outside it, note the token-shaped fixture, seal: the
    episode's steps (the public file's change is waited for, so the private one was seen before it)."""
    (root / "private").mkdir(exist_ok=True)
    (root / "private" / f"{name}.txt").write_text(f"PRIVATE {name}\n", encoding="utf-8")
    (root / f"{name}.txt").write_text(f"public {name}\n", encoding="utf-8")
    wait_recorded(daemon.home, root, changed(f"{name}.txt"), f"{name}.txt to be recorded")
    ok(codetape(daemon.home.root, "note", NOTE, "--dir", str(root)))
    return seal(daemon.home.root, root)


def test_a_pulled_settings_file_loosens_nothing_until_trusted(daemon: Daemon, tmp_path: Path) -> None:
    home = daemon.home.root
    upstream, root = tmp_path / "upstream", (tmp_path / "ws").resolve()
    upstream.mkdir()
    git(upstream, "init", "-q", "-b", "main")
    (upstream / ".codetape.toml").write_text('exclude = ["private/"]\n', encoding="utf-8")
    git(upstream, "add", ".codetape.toml")
    git(upstream, "commit", "-q", "-m", "codetape settings")
    git(tmp_path, "clone", "-q", str(upstream), str(root))
    assert "opted in" in ok(codetape(home, "init", str(root)))  # it loosens nothing: accepted as it is
    with daemon.client() as client:
        wait_capturing(client, root)

    loosened = f'exclude = []\n\n[redaction]\nallow = ["{value_hash(FIXTURE)}"]\n'
    (upstream / ".codetape.toml").write_text(loosened, encoding="utf-8")
    git(upstream, "commit", "-q", "-am", "record everything, let the fixture through")
    git(root, "pull", "-q", "--ff-only")
    assert (root / ".codetape.toml").read_text(encoding="utf-8") == loosened
    assert (root / ".codetape.toml").stat().st_mode & 0o022 == 0  # the user's own file, as git wrote it
    wait_recorded(daemon.home, root, lambda steps: any(s["kind"] == "git" for s in steps),
                  "the pull to be recorded")
    seal(home, root)  # what follows is a new episode, under the settings as they are after the pull

    status = ok(codetape(home, "status"))
    assert (f"  settings changed since you accepted them (.codetape.toml): using the stricter of both; "
            f"accept with `codetape trust {root}`\n") in status
    assert '    not applied: exclude: drops "private/"\n' in status
    assert f'    not applied: [redaction] allow: adds "{value_hash(FIXTURE)}"\n' in status
    steps = record_private_and_public(daemon, root, "before")
    text = repr(steps)
    assert "before.txt" in text and "private/" not in text and "PRIVATE" not in text
    assert FIXTURE not in text and "«redacted:" in text

    refused = codetape(home, "trust", str(root))  # no terminal: only with --yes
    assert refused.returncode == 2 and 'exclude: drops "private/"' in refused.stdout
    assert refused.stderr == f"codetape: nothing accepted; to accept it: codetape trust {root} --yes\n"
    assert "accepted:" in ok(codetape(home, "trust", str(root), "--yes"))
    assert "settings changed" not in ok(codetape(home, "status"))
    steps = record_private_and_public(daemon, root, "after")
    text = repr(steps)
    assert "private/after.txt" in text and "PRIVATE after" in text and FIXTURE in text


def test_a_typo_stops_recording_loudly_until_it_is_fixed(daemon: Daemon, tmp_path: Path) -> None:
    home, root = daemon.home.root, (tmp_path / "ws").resolve()
    root.mkdir()
    ok(codetape(home, "init", str(root)))
    settings = root / ".codetape.toml"
    ok(codetape(home, "note", "before", "--dir", str(root)))

    good = settings.read_text(encoding="utf-8")
    settings.write_text(good + 'chanels = ["edits"]\n', encoding="utf-8")
    line = f"{settings}:{good.count(chr(10)) + 1}: chanels: Object contains unknown field `chanels`"
    status = ok(codetape(home, "status"))
    assert f"{root}: not recording: {line}\n" in status and f"{root}: recording" not in status
    for command in (["note", "during"], ["task", "start", "during"]):
        refused = codetape(home, *command, "--dir", str(root))
        assert (refused.returncode, refused.stderr) == (1, f"codetape: not recording: {line}\n")
    ran = codetape_process(home, "run", "--", "sh", "-c", "echo ran; exit 3", cwd=root)
    assert (ran.returncode, ran.stdout, ran.stderr) == (3, "ran\n", f"codetape: not recorded: {line}\n")

    settings.chmod(0o664)  # others may write it now...
    settings.write_text(good, encoding="utf-8")  # ...so its fixed content is not used either
    status = ok(codetape(home, "status"))
    writable = f"{settings} is writable by group or others; fix it with: chmod go-w {settings}"
    assert f"{root}: not recording: {writable}\n" in status
    assert f"{root}: recording" not in status and "it is ignored" not in status
    settings.chmod(0o644)
    ok(codetape(home, "note", "after", "--dir", str(root)))
    steps = [s for s in seal(home, root) if s["kind"] in ("note", "task", "command", "gap")]
    assert [(s["kind"], s.get("text") or s.get("detail")) for s in steps] == [
        ("note", "before"), ("gap", "not recorded while .codetape.toml could not be used"), ("note", "after")]
