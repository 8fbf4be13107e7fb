"""The import contracts cover modules and packages nobody listed (issue 76): in a copy of the tree, one
import added to a bridge or an issuer module, or a new module or collector package, breaks the contract
that bans it, as `lint-imports` reports it with pyproject.toml's own contracts; the copy as it is keeps them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))
PACKAGES = ("collector", "lsp_bridge", "schemas")
CONTRACTS = ("bridge-layers", "bridge-shares-only", "issuer-sees-no-episode")
NEW_STAGE = "collector/newstage/__init__.py"  # a collector package no contract names


def tree_copy(into: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, into / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "pyproject.toml", into / "pyproject.toml")
    (into / NEW_STAGE).parent.mkdir()
    (into / NEW_STAGE).write_text('"""A stage added after the contracts were written."""\n', encoding="utf-8")
    return into


def broken(tree: Path) -> set[str]:
    """The contracts of CONTRACTS that `lint-imports` finds broken in `tree`."""
    found = set()
    for contract in CONTRACTS:
        run = subprocess.run(
            [LINT_IMPORTS, "--no-cache", "--contract", contract, "pyproject.toml"],
            cwd=tree,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert run.returncode in (0, 1), run.stdout + run.stderr
        if run.returncode == 1:
            assert "BROKEN" in run.stdout, run.stdout + run.stderr
            found.add(contract)
    return found


def add_import(tree: Path, module: str, line: str) -> None:
    path = tree / module
    new = '"""A module added after the contracts."""\n'
    text = path.read_text(encoding="utf-8") if path.exists() else new
    path.write_text(f"{text}\n{line}  # noqa: E402\n", encoding="utf-8")


def test_the_copy_as_it_is_keeps_every_contract(tmp_path: Path) -> None:
    assert broken(tree_copy(tmp_path)) == set()


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        pytest.param(
            "lsp_bridge/wire/framing.py",
            "import collector.transcripts.lines",
            "bridge-shares-only",
            id="bridge-module-banned-package",
        ),
        pytest.param(
            "lsp_bridge/recording/journal.py",
            "import collector.journal",
            "bridge-shares-only",
            id="new-bridge-module",
        ),
        pytest.param(
            "lsp_bridge/capture/sync.py",
            "import collector.newstage",
            "bridge-shares-only",
            id="bridge-new-collector-package",
        ),
        pytest.param(
            "collector/issuer/members.py",
            "import collector.transcripts.lines",
            "issuer-sees-no-episode",
            id="issuer-module-banned-package",
        ),
        pytest.param(
            "collector/issuer/members.py",
            "import collector.newstage",
            "issuer-sees-no-episode",
            id="issuer-new-collector-package",
        ),
        pytest.param(
            "lsp_bridge/wire/framing.py",
            "import lsp_bridge.modes.proxy",
            "bridge-layers",
            id="bridge-wire-imports-a-mode",
        ),
    ],
)
def test_one_import_breaks_the_contract_that_bans_it(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    tree = tree_copy(tmp_path)
    add_import(tree, module, line)
    assert broken(tree) == {contract}
