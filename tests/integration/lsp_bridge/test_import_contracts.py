"""The import contracts cover modules and packages nobody listed (issues 76, 100 and 102): in a copy of the
tree, one import added to a bridge, an issuer or an export module, or a new module or collector package,
breaks the contract that bans it, and a new package or module beside the layers of any layers contract (every
one is `exhaustive`) breaks that contract until pyproject.toml places it, as `lint-imports` reports it with
pyproject.toml's own contracts; the copy as it is keeps them all.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))
PACKAGES = ("collector", "lsp_bridge", "schemas")
NEW_STAGE = "collector/newstage/__init__.py"  # a collector package no contract names
BROKEN = re.compile(r"^(.+?) BROKEN(?: \(\d+ ignored imports?\))?$", re.MULTILINE)


def tree_copy(into: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, into / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "pyproject.toml", into / "pyproject.toml")
    return into


def broken(tree: Path) -> set[str]:
    """The ids of the contracts `lint-imports` finds broken in `tree` (one run for them all)."""
    contracts = tomllib.loads((tree / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    ids = {" ".join(contract["name"].split()): contract["id"] for contract in contracts["contracts"]}
    run = subprocess.run(
        [LINT_IMPORTS, "--no-cache", "pyproject.toml"],
        cwd=tree,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree), "COLUMNS": "10000"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode in (0, 1), run.stdout + run.stderr
    found = {ids[" ".join(name.split())] for name in BROKEN.findall(run.stdout)}
    assert bool(found) == (run.returncode == 1), run.stdout + run.stderr
    return found


def add_import(tree: Path, module: str, line: str = "") -> None:
    """Add `line` to `module`, which is made (a package's folder too) when it is not there."""
    path = tree / module
    path.parent.mkdir(exist_ok=True)
    new = '"""A module added after the contracts."""\n'
    text = path.read_text(encoding="utf-8") if path.exists() else new
    path.write_text(f"{text}\n{line}  # noqa: E402\n" if line else text, encoding="utf-8")


def place_new_stage(tree: Path) -> None:
    """Place collector/newstage/ in the copy's stages contract, right over `platform` (so that any stage,
    the issuer too, may use it as far as that contract says)."""
    config = tree / "pyproject.toml"
    text = config.read_text(encoding="utf-8")
    assert text.count('\n  "platform",\n]') == 1
    placed = text.replace('\n  "platform",\n]', '\n  "newstage",\n  "platform",\n]')
    config.write_text(placed, encoding="utf-8")


def test_the_copy_as_it_is_keeps_every_contract(tmp_path: Path) -> None:
    assert broken(tree_copy(tmp_path)) == set()


@pytest.mark.parametrize(
    ("edits", "placed", "contracts"),
    [
        pytest.param([("lsp_bridge/wire/framing.py", "import collector.transcripts.lines")], False,
                     {"bridge-shares-only"}, id="bridge-module-banned-package"),
        pytest.param([("lsp_bridge/recording/journal.py", "import collector.journal")], False,
                     {"bridge-shares-only"}, id="new-bridge-module"),
        pytest.param([(NEW_STAGE, ""), ("lsp_bridge/capture/sync.py", "import collector.newstage")], True,
                     {"bridge-shares-only"}, id="bridge-new-collector-package"),
        pytest.param([("collector/issuer/members.py", "import collector.transcripts.lines")], False,
                     {"issuer-sees-no-episode"}, id="issuer-module-banned-package"),
        pytest.param([(NEW_STAGE, ""), ("collector/issuer/members.py", "import collector.newstage")], True,
                     {"issuer-sees-no-episode"}, id="issuer-new-collector-package"),
        pytest.param([("lsp_bridge/wire/framing.py", "import lsp_bridge.modes.proxy")], False,
                     {"bridge-layers", "no-cycles"}, id="bridge-wire-imports-a-mode"),  # modes use the wire
        pytest.param([(NEW_STAGE, "")], False, {"collector-stages"}, id="new-collector-stage"),
        pytest.param([(NEW_STAGE, "")], True, set(), id="new-collector-stage-placed"),
        pytest.param([(NEW_STAGE, "import collector.cli.main")], True, {"collector-stages"},
                     id="placed-stage-imports-the-cli"),
        pytest.param([("collector/newplumbing.py", "")], False, {"collector-stages"},
                     id="new-collector-root-module"),
        pytest.param([("lsp_bridge/newrole/__init__.py", "import lsp_bridge.modes.proxy")], False,
                     {"bridge-layers"}, id="new-bridge-role"),
        pytest.param([("collector/redact/newlayer.py", "")], False, {"redact-layers"},
                     id="new-redact-module"),
        pytest.param([("collector/dataset/newstage/__init__.py", "")], False, {"dataset-stages"},
                     id="new-dataset-package"),
        pytest.param([("collector/sources/newsource/__init__.py", "")], False, {"sources-by-source"},
                     id="new-source"),
        pytest.param([("collector/export/newformat.py", "")], False, {"export-families"},
                     id="new-export-module"),
        pytest.param([("collector/export/traces/newformat.py", "")], False, {"export-traces"},
                     id="new-module-in-an-export-family"),
        pytest.param([("collector/export/traces/atif.py", "import collector.export.edits.zeta")], False,
                     {"export-families-apart"}, id="export-family-imports-another"),
        pytest.param([("collector/export/edits/base/bursts.py", "import collector.export.follow")], False,
                     {"export-families"}, id="export-base-imports-follow"),
    ],
)
def test_one_change_breaks_the_contract_that_bans_it(
    tmp_path: Path, edits: list[tuple[str, str]], placed: bool, contracts: set[str]
) -> None:
    tree = tree_copy(tmp_path)
    for module, line in edits:
        add_import(tree, module, line)
    if placed:
        place_new_stage(tree)
    assert broken(tree) == contracts
