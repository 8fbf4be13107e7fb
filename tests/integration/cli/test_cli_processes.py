"""The real entry point, `python -m collector`, once per command family: it answers as the in-process call
most CLI tests make (tests/cli.py) does, with the same exit code, stdout and stderr, and leaves the same
files. What those tests check is what a person's `codetape` does."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli import codetape_bytes, codetape_process
from tests.fixtures.make_golden import DIRECTORY

FULL = str(DIRECTORY / "full.ctape")
HOSTILE = str(DIRECTORY / "future.ctape")  # steps of a kind this version does not know: skipped, counted

# Each family's command line; `{out}` is a path of the run's own (the two runs write apart).
FAMILIES = {  # the families that fail (exit code not 0) are in FAILING
    "help": ["--help"],
    "usage error": ["inspect", "--no-such-option", FULL],
    "read": ["inspect", "--json", FULL],
    "cat": ["cat", HOSTILE],
    "verify": ["verify", FULL],
    "diff": ["diff", FULL, "0", "12"],
    "replay": ["replay", FULL, "--plain"],
    "report": ["report", FULL, "-o", "-"],
    "checkout": ["checkout", FULL, "{out}/tree"],
    "export": ["export", "--format", "jsonl", "-o", "{out}/export", FULL],
    "review": ["review", "--summary", "--json", FULL],
    "episodes": ["episodes", "--json"],
    "status": ["status", "--json"],
    "init": ["init", "{out}/ws"],
    "keys": ["keys", "show"],  # none yet: one line, exit 1
    "hook": ["hook", "bash"],
    "damaged": ["verify", str(DIRECTORY / "README.md")],
}

FAILING = {"usage error", "keys", "damaged"}


def _run(base: Path, argv: list[str], *, process: bool) -> tuple[int, bytes, bytes, list[str]]:
    """The exit code, stdout and stderr of `argv` with `base` as the home and `{out}`, `base` written as
    BASE, and the files left under `base`."""
    base.mkdir()
    (base / "ws").mkdir()
    args = [arg.replace("{out}", str(base)) for arg in argv]
    home = base / "home"
    if process:
        done = codetape_process(home, *args, cwd=base)
        code, out, err = done.returncode, done.stdout.encode(), done.stderr.encode()
    else:  # decoded and encoded again as text=True does: newlines translated
        ran = codetape_bytes(home, *args, cwd=base)
        code = ran.returncode
        out = ran.stdout.decode("utf-8", "surrogateescape").replace("\r\n", "\n").encode()
        err = ran.stderr.decode("utf-8", "replace").replace("\r\n", "\n").encode()
    mark = str(base).encode()
    files = sorted(str(path.relative_to(base)) for path in base.rglob("*"))
    shutil.rmtree(base)
    return code, out.replace(mark, b"BASE"), err.replace(mark, b"BASE"), files


@pytest.fixture
def short_path() -> Iterator[Path]:
    """A folder with a short path: under pytest's deeper tmp_path a home's socket path can pass the 103
    bytes a Unix socket's path may have for one run and not the other, and move to its fallback
    (rundir.py)."""
    folder = Path(tempfile.mkdtemp(prefix="codetape-cli-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_the_entry_point_answers_as_the_in_process_call(family: str, short_path: Path) -> None:
    argv = FAMILIES[family]
    real = _run(short_path / "process", argv, process=True)
    here = _run(short_path / "in-process", argv, process=False)
    assert real == here
    assert (real[0] != 0) == (family in FAILING), real
