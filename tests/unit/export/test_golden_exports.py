"""Every export format's bytes for the golden episodes (tests/fixtures/episodes), as recorded: each file
export_episodes writes has the SHA-256 tests/fixtures/exports.sha256 says (issue 102: the export modules
moved into one folder per family, and no byte of any export changed).

The episodes are exported twice per format, in name order and in reverse, so that of the two episodes
with the same id (signed-v1 and the one it was made from) each is written once. A change in what a format
writes is a change on purpose: record the new table with `python -m tests.unit.export.test_golden_exports`
and say in the commit why the bytes moved."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

from collector.export import FORMATS, export_episodes

GOLDEN = Path(__file__).parents[2] / "fixtures" / "episodes"
TABLE = Path(__file__).parents[2] / "fixtures" / "exports.sha256"
ORDERS = {"sorted": False, "reversed": True}


def written(fmt: str, order: str, out_dir: Path) -> dict[str, str]:
    """`<format>/<order>/<file>` -> SHA-256 of every file the export of the golden episodes writes."""
    episodes = sorted(GOLDEN.glob("*.ctape"), reverse=ORDERS[order])
    export_episodes(episodes, fmt, out_dir)
    files = sorted(path for path in out_dir.rglob("*") if path.is_file())
    return {f"{fmt}/{order}/{path.relative_to(out_dir).as_posix()}":
            hashlib.sha256(path.read_bytes()).hexdigest() for path in files}


def recorded() -> dict[str, str]:
    table = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        table[name] = digest
    return table


@pytest.mark.parametrize("order", sorted(ORDERS))
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_export_of_the_golden_episodes_is_byte_identical_to_the_recorded(
        fmt: str, order: str, tmp_path: Path) -> None:
    expected = {name: digest for name, digest in recorded().items() if name.startswith(f"{fmt}/{order}/")}
    assert expected, f"no hashes recorded for {fmt} ({order}): record them (see the module's docstring)"
    assert written(fmt, order, tmp_path) == expected


def test_every_format_is_recorded() -> None:
    assert {name.split("/", 1)[0] for name in recorded()} == set(FORMATS)


def record() -> None:
    import tempfile

    lines = []
    for fmt in sorted(FORMATS):
        for order in sorted(ORDERS):
            with tempfile.TemporaryDirectory() as folder:
                lines += [f"{digest}  {name}" for name, digest in written(fmt, order, Path(folder)).items()]
    TABLE.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    print(f"{len(lines)} files recorded in {TABLE}", file=sys.stderr)


if __name__ == "__main__":
    record()
