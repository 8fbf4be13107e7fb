"""What the review takes out is gone from every channel: one real session, several trims of copies of it.

The session is recorded by a real collector in a workspace called `zorblax-app` whose git remote names
zorblax too: an editor (the collector client, as the bridge) writes app.py and private notes
(notes/secret-plan.txt) and reports a diagnostic naming the notes in three spellings; a test file
(tests/test_zorblax.py) appears on disk; `codetape run` cats the notes, prints their absolute path and a
backslash spelling; real pytest fails on them; a real commit names them; a command in the middle is
dropped later. Each trim goes through `codetape sign --yes`, then every byte of what comes out is
searched: the signed file raw and each frame decompressed, `cat`, `inspect --json`, the dataset built from
an upload (every Parquet column as text) and the four exports.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.dataset as pads
import pytest

from collector.consent.exclusions import exclusions_digest
from collector.consent.keys import load_private
from collector.consent.verify import check_consent
from collector.demo.project import git, scaffold
from collector.episode import open_episode
from collector.episode.container import decompress, iter_frames, read_preamble
from collector.home import Home
from collector.protocol.clock import now_ms
from collector.redact import PLACEHOLDER_RE
from collector.text.digest import sha256_text
from tests.integration.consent.test_sign_cli import codetape
from tests.support.collector_harness import env_for, running, settle, wait_capturing, wait_recorded

TOKEN = "zorblax"  # the word the reviewer redacts: in the workspace's name, its remote, a path, texts
NOTES = "notes/secret-plan.txt"  # the file the reviewer excludes
PLAN = "Acquire Zephyrine Labs for twelve million\nowner: dana at headquarters\n"
# what of the notes must never show: their name, their lines, and the ends of them pytest's repr cut short
INSIDE = ("secret-plan", "Zephyrine", "dana at headquarters", "Acquire Zeph", "eadquarters")
REMOTE = f"https://git.example.org/team/{TOKEN}-app.git"
GH = "ghp_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4"  # redacted when sealed: «redacted:github-token:1»
APP = f'NAME = "{TOKEN}"\nPLAN = "{NOTES}"\nTOKEN = "{GH}"\n'
TEST = (f"def test_{TOKEN}_plan():\n"
        f"    with open({NOTES!r}, encoding='utf-8') as plan:\n"
        f"        assert plan.read() == {TOKEN!r}\n")
DROPPED = "DROPME-31337"  # printed by a command whose time range is dropped


def at(line: int, character: int) -> dict[str, Any]:
    return {"start": {"line": line, "character": character}, "end": {"line": line, "character": character}}


def kinds(*wanted: str) -> Any:
    return lambda steps: all(any(step["kind"] == kind for step in steps) for kind in wanted)


def run(home: Path, project: Path, *argv: str) -> None:
    done = subprocess.run([sys.executable, "-m", "collector", "run", "--", *argv], cwd=project,
                          env=env_for(home), capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr


def record(base: Path) -> tuple[Path, Path, Path]:
    """Record the session described above; returns (home, project, the sealed episode)."""
    home, project = base / "home", base / f"{TOKEN}-app"
    scaffold(project)
    git(project, "remote", "add", "origin", REMOTE)
    assert codetape(home, "init", str(project)).returncode == 0
    root = project.resolve()
    with running(home) as daemon, daemon.client() as client:
        assert client.hello(root, "bridge", client={"name": "Neovim", "version": "0.11.4"},
                            position_encoding="utf-16")["recording"]
        wait_capturing(client, root)
        (root / "notes").mkdir()
        (root / NOTES).write_text(PLAN, encoding="utf-8")
        (root / "app.py").write_text(APP, encoding="utf-8")
        message = (f"{TOKEN}: cannot read {NOTES} ({root / NOTES}; on Windows "
                   f"{NOTES.replace('/', chr(92))}), already redacted elsewhere")
        steps: list[dict[str, Any]] = [
            {"kind": "open", "path": NOTES, "language_id": "plaintext", "text": PLAN},
            {"kind": "save", "path": NOTES, "sha256": sha256_text(PLAN)},
            {"kind": "open", "path": "app.py", "language_id": "python", "text": ""},
            {"kind": "edit", "path": "app.py", "changes": [{"range": at(0, 0), "text": APP}]},
            {"kind": "save", "path": "app.py", "sha256": sha256_text(APP)},
            {"kind": "diagnostics", "path": "app.py", "origin": "pyflakes", "items": [
                {"range": {"start": {"line": 1, "character": 8}, "end": {"line": 1, "character": 29}},
                 "severity": 1, "message": message, "source": "pyflakes"}]},
        ]
        client.send_steps([(now_ms(), {"source": "bridge", **step}) for step in steps])
        settle(client)
        (root / "tests").mkdir()
        (root / "tests" / f"test_{TOKEN}.py").write_text(TEST, encoding="utf-8")
        wait_recorded(daemon.home, root, lambda steps: any(step.get("path") == f"tests/test_{TOKEN}.py"
                                                           for step in steps), "the test file")
        run(home, root, "cat", NOTES)
        run(home, root, "realpath", NOTES)
        run(home, root, "echo", f"{TOKEN} lives in notes\\secret-plan.txt")
        run(home, root, "echo", DROPPED)
        wait_recorded(daemon.home, root, lambda steps: sum(step["kind"] == "command" for step in steps) == 4,
                      "the four commands")
        tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                               cwd=root, env=env_for(home), capture_output=True, text=True, timeout=120,
                               check=False)
        assert tests.returncode == 1, tests.stdout
        wait_recorded(daemon.home, root, kinds("test_run"), "the test run")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"{TOKEN}: the plan in {NOTES}")
        wait_recorded(daemon.home, root, lambda steps: any(step.get("op") == "commit" for step in steps),
                      "the commit")
        sealed = client.request("seal", workspace=str(root))
    return home, project, Path(sealed["path"])


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return record(tmp_path_factory.mktemp("trims"))


@pytest.fixture
def setup(recorded: tuple[Path, Path, Path], tmp_path: Path) -> tuple[Path, Path, Path]:
    """A fresh copy of the recorded home with a key (the project stays shared: nothing writes to it)."""
    home, project, episode = recorded
    copy = tmp_path / "home"
    shutil.copytree(home, copy, ignore=shutil.ignore_patterns("run"))
    assert codetape(copy, "keys", "init", "--no-passphrase").returncode == 0
    return copy, project, copy / "episodes" / episode.name


def steps_of(home: Path, episode: Path) -> list[dict[str, Any]]:
    done = codetape(home, "cat", str(episode))
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def frames(path: Path) -> Iterator[str]:
    """The raw file, then every frame's payload decompressed where it is compressed, as text."""
    yield path.read_bytes().decode("utf-8", "replace")
    with path.open("rb") as stream:
        read_preamble(stream)
        for frame in iter_frames(stream):
            try:
                payload = decompress(frame)
            except Exception:
                payload = frame.payload
            yield payload.decode("utf-8", "replace")


def files_under(root: Path) -> Iterator[str]:
    """Every file's text but Parquet's, and but a dataset's OUT/schemas/: codetape's own table schemas, the
    same for every dataset (the step schema's pattern of a placeholder is not one)."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix != ".parquet" and path.parent.name != "schemas":
            yield path.read_bytes().decode("utf-8", "replace")


def parquet_text(root: Path) -> Iterator[str]:
    """Every value of every column of every Parquet file under `root`, as text."""
    for path in sorted(root.rglob("*.parquet")):
        for row in pads.dataset(path, format="parquet").to_table().to_pylist():
            yield json.dumps(row, default=str, ensure_ascii=False)


def everything(home: Path, signed: Path, out: Path) -> str:
    """Every byte that comes out of the signed episode, as text: the file and its frames, `cat`, `inspect
    --json`, the dataset a build makes of its upload, and the four exports."""
    texts = list(frames(signed))
    for args in (("cat", str(signed)), ("inspect", str(signed), "--json")):
        done = codetape(home, *args)
        assert done.returncode == 0, done.stderr
        texts.append(done.stdout)
    uploads, dataset = out / "uploads", out / "dataset"
    for args in (("upload", str(signed), "--to", uploads.as_uri()), ("dataset", "build", str(uploads), "-o",
                                                                     str(dataset))):
        done = codetape(home, *args)
        assert done.returncode == 0, done.stderr
    assert list((dataset / "steps").rglob("*.parquet")), "the dataset holds the episode's steps"
    texts += [*files_under(dataset), *parquet_text(dataset)]
    for fmt in ("jsonl", "atif", "zeta", "progsnap2"):
        done = codetape(home, "export", str(signed), "--format", fmt, "-o", str(out / fmt))
        assert done.returncode == 0, done.stderr
        texts += list(files_under(out / fmt))
    return "\n".join(texts)


def shown(text: str, *needles: str) -> list[str]:
    """The needles found in `text` (all of them, so a failure says everything that leaked)."""
    return [needle for needle in needles if needle in text]


def broken_placeholders(text: str) -> list[str]:
    """What in `text` opens like a placeholder but is not a whole one (one masked inside another). A match
    that holds a character no text has (a control character, or U+FFFD: bytes that are not UTF-8) runs
    across binary data (a compressed frame that happens to hold the bytes of `«`), not across text."""
    return sorted({found for found in re.findall(r"«[^»]*»", text)
                   if found.isprintable() and "\ufffd" not in found and not PLACEHOLDER_RE.fullmatch(found)})


def sign(home: Path, episode: Path, *trim: str) -> Path:
    done = codetape(home, "sign", str(episode), "--yes", *trim)
    assert done.returncode == 0, done.stderr
    signed = home / "outbox" / episode.name
    verify = codetape(home, "verify", str(signed))
    assert verify.returncode == 0, verify.stderr
    return signed


def test_the_recording_names_the_notes_and_the_word_everywhere(setup: tuple[Path, Path, Path]) -> None:
    home, _project, episode = setup
    steps = steps_of(home, episode)
    text = json.dumps(steps, ensure_ascii=False)
    command = {" ".join(step["argv"][-2:]): step for step in steps if step["kind"] == "command"}
    assert PLAN in command[f"cat {NOTES}"]["output_tail"]
    # the seal already made the absolute path workspace-relative (`./notes/...`): the notes are still named
    assert NOTES in command[f"realpath {NOTES}"]["output_tail"]
    failed = next(step for step in steps if step["kind"] == "test_run")["tests"][0]
    assert failed["outcome"] == "failed" and "Zephyrine" in failed["summary"] and TOKEN in failed["nodeid"]
    commit = next(step for step in steps if step["kind"] == "git" and step["op"] == "commit")
    assert NOTES in commit["message"] and NOTES in [stat["path"] for stat in commit["files"]]
    assert f"tests/test_{TOKEN}.py" in {step.get("path") for step in steps}
    assert "notes\\\\secret-plan.txt" in text and "«redacted:github-token:1»" in text
    header = json.loads(codetape(home, "inspect", str(episode), "--json").stdout)
    assert TOKEN in json.dumps(header)


def test_an_excluded_folder_a_dropped_range_and_a_redacted_word_are_gone_everywhere(
        setup: tuple[Path, Path, Path], tmp_path: Path) -> None:
    home, project, episode = setup
    steps = steps_of(home, episode)
    dropped = next(step for step in steps if step["kind"] == "command" and DROPPED in step["argv"])
    signed = sign(home, episode, "--exclude", "notes/", "--drop", f"{dropped['t_ms']}:{dropped['t_ms']}",
                  "--redact", "zorb[a-z]+")
    text = everything(home, signed, tmp_path / "out")
    assert shown(text, *INSIDE, TOKEN, "zorb", DROPPED, "notes/", str(project.resolve())) == []
    assert broken_placeholders(text) == []
    after = steps_of(home, signed)
    assert "tests/test_«redacted:custom-1:1».py" in {step.get("path") for step in after}
    out = tmp_path / "checkout"
    assert codetape(home, "checkout", str(signed), str(out)).returncode == 0
    assert (out / "tests" / "test_«redacted:custom-1:1».py").read_text(encoding="utf-8") == TEST.replace(
        TOKEN, "«redacted:custom-1:1»").replace(NOTES, "«redacted:excluded-path:1»")
    assert not (out / "notes").exists()


def test_an_excluded_file_is_masked_in_every_spelling_and_its_glob_is_not_published(
        setup: tuple[Path, Path, Path], tmp_path: Path) -> None:
    home, project, episode = setup
    glob = "/notes/secret-plan.txt"
    signed = sign(home, episode, "--exclude", glob, "--redact", "redacted")
    text = everything(home, signed, tmp_path / "out")
    assert shown(text, *INSIDE, glob, "notes\\secret-plan", "notes\\\\secret-plan") == []
    # the seal's placeholder stays whole: the review's pattern never matches inside it
    assert "«redacted:github-token:1»" in text and broken_placeholders(text) == []
    # the statement binds the exclusions (the workspace's own and the review's) by a keyed hash
    statement = check_consent(open_episode(signed))
    own = tomllib.loads((project / ".codetape.toml").read_text(encoding="utf-8"))["exclude"]
    assert own and open_episode(signed).header.capture.exclude == []
    assert statement.scope.excluded_sha256 == exclusions_digest(
        load_private(Home(home), None)[0], statement.content.episode_id, [*own, glob])

