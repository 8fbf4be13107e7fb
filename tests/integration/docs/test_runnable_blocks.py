"""Every shell block the docs mark runnable runs, and prints what the docs say it prints.

The marker is an HTML comment on the line before a ```bash block, invisible on GitHub and on the MkDocs
site alike: `<!-- runnable -->`. When the block is followed (blank lines between allowed) by
`<!-- output -->` and a fenced block, that block is what the commands print on stdout. Each block runs in
`bash` with `set -euo pipefail`, in a scratch directory of its own, with a fresh HOME and CODETAPE_HOME and
this virtualenv's bin first on PATH, so it runs the `codetape` this checkout installs. A block that needs a
running editor or a network service is not marked.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli import NO_AWS_OF_THE_USERS

ROOT = Path(__file__).resolve().parents[3]
RUNNABLE = "<!-- runnable -->"
OUTPUT = "<!-- output -->"
TIMEOUT_S = 120


@dataclass(frozen=True)
class Block:
    """A runnable block: where it is, its script, and the stdout the docs show for it (None: not shown)."""

    where: str
    script: str
    output: str | None


def _fenced(lines: list[str], start: int, where: str) -> tuple[str, str, int]:
    """The fenced block opening at the first non-blank line from `start`: its info string, its text and the
    index after its closing fence."""
    while start < len(lines) and not lines[start].strip():
        start += 1
    assert start < len(lines) and lines[start].startswith("```"), f"{where}: a fenced block must follow"
    info = lines[start][3:].strip()
    end = next((i for i in range(start + 1, len(lines)) if lines[i].rstrip() == "```"), None)
    assert end is not None, f"{where}: the block is not closed"
    return info, "\n".join(lines[start + 1:end]) + "\n", end + 1


def runnable_blocks(path: Path) -> list[Block]:
    """The blocks `path` marks runnable, with the output it shows for each."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks = []
    for index, line in enumerate(lines):
        if line.strip() != RUNNABLE:
            continue
        where = f"{path.relative_to(ROOT)}:{index + 1}"
        info, script, after = _fenced(lines, index + 1, where)
        assert info in ("bash", "sh", "shell"), f"{where}: a runnable block is ```bash, not ```{info}"
        following = after
        while following < len(lines) and not lines[following].strip():
            following += 1
        output = None
        if following < len(lines) and lines[following].strip() == OUTPUT:
            output = _fenced(lines, following + 1, where)[1]
        blocks.append(Block(where, script, output))
    return blocks


def _pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


BLOCKS = [block for page in _pages() for block in runnable_blocks(page)]


def test_the_readme_marks_blocks_runnable() -> None:
    assert [block for block in BLOCKS if block.where.startswith("README.md:")]


def _environment(scratch: Path) -> dict[str, str]:
    """This process's environment without the user's codetape, XDG or AWS settings, a fresh HOME and
    CODETAPE_HOME under `scratch`, and this virtualenv's bin first on PATH."""
    kept = {name: value for name, value in os.environ.items()
            if not name.startswith(("CODETAPE_", "XDG_", "AWS_", "GIT_"))}
    (scratch / "home").mkdir()
    return {**kept, **NO_AWS_OF_THE_USERS, "HOME": str(scratch / "home"),
            "CODETAPE_HOME": str(scratch / "codetape-home"),
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), kept.get("PATH", os.defpath)])}


@pytest.mark.parametrize("block", BLOCKS, ids=[block.where for block in BLOCKS])
def test_the_block_runs(block: Block, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    done = subprocess.run(["bash", "-c", "set -euo pipefail\n" + block.script], cwd=work,
                          env=_environment(tmp_path), stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=TIMEOUT_S, check=False)
    assert done.returncode == 0, f"{block.where} exited {done.returncode}:\n{done.stderr}"
    if block.output is not None:
        assert done.stdout == block.output, f"{block.where} printed:\n{done.stdout}"
