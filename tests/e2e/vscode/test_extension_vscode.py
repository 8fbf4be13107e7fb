"""The VS Code extension (editor_extensions/vscode) in real VS Code: code-server 4.100.3 (VS Code 1.100.3)
with the packaged .vsix installed, driven by playwright-core in Debian's Chromium (no browser download),
with the real bridge and a real collector.

A developer opens an opted-in workspace, sees the status bar say recording with a count that grows as
they type into a Python file, save, paste, type, accept a word from the suggest widget, undo and redo it,
format a JSON file with Format Document and run a command in the integrated terminal; seals from the
status bar's menu; answers Review to the prompt and signs in the review webview after its confirmation.
The signed episode reconstructs byte for byte to the files on disk, holds the terminal command, and says
whose work each edit was, with the extension's evidence (issue 28). The
workspace's own `.vscode/settings.json` names a script as `codetape.interpreter` and a file in the
workspace as `codetape.bridgeLog`: neither is ever used (the user's settings are).

Another developer types between reloads from disk (an agent's write, `git stash`, `git checkout`, File:
Revert File, driven by e2e/reload.mjs): every edit after a reload still says whose work it was.

A third has a line typed and unsaved when Claude Code's Edit writes the file (e2e/unsaved.mjs): Overwrite at
VS Code's save conflict keeps the developer's text, File: Revert File takes the agent's; the episode says
which text won and whose it was.

code-server and playwright-core live in editor_extensions/vscode/e2e/node_modules (ignored by git),
installed by scripts/setup through e2e/install.sh; the test installs them itself when they are missing,
and is skipped, saying why, only when that install cannot succeed here.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from collector.episode import Episode, open_episode
from collector.held import PUSHED, keep
from collector.home import Home
from schemas.steps import CommandStep, EditStep
from tests.cli import codetape
from tests.e2e.conftest import built_dataset, governed, home_of, saved_texts, saves_of, seal
from tests.support.collector_harness import git, summary, wait_recorded
from tests.support.vscode_extension import EXTENSION, packaged
from tests.unit.schemas.test_editor_settings import assert_settings_are_the_users
from tests.waiting import wait_for

E2E = EXTENSION / "e2e"
CODE_SERVER = E2E / "node_modules" / ".bin" / "code-server"
STAMP = E2E / "node_modules" / ".codetape-code-server-4.100.3"
TEXT = 'greeting = "héllo 😀"\n'
COMMAND = "echo codetape-e2e-terminal"
PASTED = "pasted = 1\n"
TYPED = "x = gre"  # then the suggest widget's `greeting`, undone and redone
JSON_TEXT = '{"a":1,"b":[1,2]}\n'
DESKTOP_PATH = "/usr/bin:/bin"  # an editor started from a desktop: no ~/.bashrc added ~/.local/bin
USER_SETTINGS = {
    "workbench.startupEditor": "none", "security.workspace.trust.enabled": False,
    "editor.autoClosingBrackets": "never", "editor.autoClosingQuotes": "never", "editor.autoIndent": "none",
    "editor.quickSuggestions": {"other": False, "comments": False, "strings": False},
    "editor.suggestOnTriggerCharacters": False, "extensions.autoUpdate": False,
    "terminal.integrated.gpuAcceleration": "off", "terminal.integrated.defaultProfile.linux": "bash",
    "terminal.integrated.shellIntegration.enabled": True, "workbench.enableExperiments": False,
    "python.experiments.enabled": False,
}


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is missing: run scripts/setup")
    return found


@pytest.fixture(scope="module")
def code_server() -> Path:
    """code-server, installed now if scripts/setup has not; skipped only when it cannot be installed."""
    if not STAMP.exists():
        done = subprocess.run([str(E2E / "install.sh")], capture_output=True, text=True, timeout=1800)
        if done.returncode != 0 or not STAMP.exists():
            tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
            pytest.skip(f"code-server 4.100.3 could not be installed from npm here ({tail}): "
                        "the VS Code end-to-end test needs it")
    return CODE_SERVER


@pytest.fixture(scope="module")
def vsix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The extension built and packaged from the current sources, as `npm run package` does."""
    return packaged(tmp_path_factory)


def test_the_packaged_extension_leaves_programs_and_files_to_the_users_settings(vsix: Path) -> None:
    """What VS Code installs is the .vsix: its package.json, not the source's, decides which settings a
    folder or an untrusted workspace can set (the same check as
    tests/unit/schemas/test_editor_settings.py)."""
    with zipfile.ZipFile(vsix) as packaged:
        package = json.loads(packaged.read("extension/package.json"))
        assert f"extension/{package['main'].removeprefix('./')}" in packaged.namelist()  # it runs
    assert_settings_are_the_users(package)


def test_the_packaged_extension_is_one_bundle_with_its_manifest_and_licence(vsix: Path) -> None:
    """Issue 96: the .vsix holds esbuild's one bundle, not node_modules (342 files before), and the manifest
    a marketplace or a fork's installer reads: name, publisher, version (the Python package's), licence
    and its file."""
    with zipfile.ZipFile(vsix) as packaged:
        names = packaged.namelist()
        package = json.loads(packaged.read("extension/package.json"))
        bundle = packaged.read("extension/out/extension.js").decode("utf-8")
    assert not [name for name in names if "node_modules" in name], names
    assert len(names) <= 15, names
    assert sorted(name for name in names if name.endswith(".js")) == [  # (packed in the folder's order)
        "extension/media/review.js", "extension/out/extension.js"], names
    assert "LanguageClient" in bundle and 'require("vscode")' in bundle  # the client inside, vscode outside
    pyproject = (Path(__file__).resolve().parents[3] / "pyproject.toml").read_text(encoding="utf-8")
    version = re.search(r'^version = "([^"]+)"', pyproject, re.M)
    assert version is not None
    assert (package["name"], package["publisher"], package["version"], package["license"]) == (
        "codetape", "codetape", version[1], "Apache-2.0")
    assert "extension/LICENSE.txt" in names


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


@pytest.fixture
def vscode(code_server: Path, vsix: Path, env: dict[str, str], tmp_path: Path, workspace: Path
           ) -> Iterator[tuple[int, dict[str, str]]]:
    """code-server serving the workspace, the extension installed, this venv's codetape configured."""
    with running_code_server(code_server, vsix, env, tmp_path, workspace) as served:
        yield served


@contextlib.contextmanager
def running_code_server(code_server: Path, vsix: Path, env: dict[str, str], tmp_path: Path, workspace: Path,
                        *, installed: bool = False, program: Path | None = None,
                        settings: dict[str, Any] | None = None) -> Iterator[tuple[int, dict[str, str]]]:
    """code-server serving `workspace` (its port, and its environment), the extension installed, this venv's
    codetape configured (`installed`: not configured, and only in the home's ~/.local/bin, as `uv tool
    install` puts it, with PATH as a desktop gives it: this venv's, or `program`), `settings` added to the
    user's, its data under `tmp_path`; stopped with its extension host on leaving."""
    user, extensions, xdg, home = (tmp_path / name for name in ("user", "extensions", "xdg", "vscode-home"))
    for folder in (user / "User", extensions, xdg, home):
        folder.mkdir(parents=True)
    settings = {**USER_SETTINGS, "codetape.interpreter": [sys.executable], **(settings or {})}
    search = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    if installed:
        del settings["codetape.interpreter"]
        (home / ".local" / "bin").mkdir(parents=True)
        (home / ".local" / "bin" / "codetape").symlink_to(program or Path(sys.executable).parent / "codetape")
        search = DESKTOP_PATH
    (user / "User" / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    server_env = env | {"XDG_CONFIG_HOME": str(xdg), "XDG_DATA_HOME": str(xdg), "XDG_CACHE_HOME": str(xdg),
                        "HOME": str(home), "PATH": search}
    subprocess.run([str(code_server), "--user-data-dir", str(user), "--extensions-dir", str(extensions),
                    "--install-extension", str(vsix)], env=server_env, check=True, capture_output=True,
                   timeout=300)
    port = free_port()
    log = open(tmp_path / "code-server.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(code_server), "--bind-addr", f"127.0.0.1:{port}", "--auth", "none", "--disable-telemetry",
         "--disable-update-check", "--disable-workspace-trust", "--disable-getting-started-override",
         "--user-data-dir", str(user), "--extensions-dir", str(extensions), str(workspace)],
        env=server_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def up() -> bool:
        assert proc.poll() is None, (tmp_path / "code-server.log").read_text(errors="replace")[-3000:]
        return healthy(port)

    try:
        wait_for(up, what="code-server to answer /healthz")
        yield port, server_env
    finally:
        stop(proc)
        log.close()


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM code-server and its extension host (closing the browser does not stop them); wait for both."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(60)
    wait_for(lambda: not group_alive(proc.pid), what="the extension host to exit")


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


HOSTILE = """#!/bin/sh
echo "$@" >> '{marker}'
exec '{python}' "$@"
"""


def hostile_folder_settings(workspace: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The workspace's `.vscode/settings.json` names a script (it leaves a marker, then acts as Python) as
    the interpreter, and a file in the workspace as the bridge's log: the marker and the log."""
    marker, script, leak = tmp_path / "MARKER", tmp_path / "evil-python", workspace / "leak.log"
    script.write_text(HOSTILE.format(marker=marker, python=sys.executable), encoding="utf-8")
    script.chmod(0o755)
    (workspace / ".vscode").mkdir()
    (workspace / ".vscode" / "settings.json").write_text(json.dumps(
        {"codetape.interpreter": [str(script)], "codetape.bridgeLog": str(leak)}), encoding="utf-8")
    return marker, leak


@pytest.fixture
def hostile(workspace: Path, tmp_path: Path) -> tuple[Path, Path]:
    return hostile_folder_settings(workspace, tmp_path)


def test_codetape_in_local_bin_is_found_when_path_lacks_it(
        code_server: Path, vsix: Path, collector: object, workspace: Path, env: dict[str, str],
        tmp_path: Path) -> None:
    """Issue 56, item 7: VS Code started from a desktop said "not on PATH"; codetape was in ~/.local/bin."""
    assert not any((Path(d) / "codetape").exists() for d in DESKTOP_PATH.split(":"))
    out = tmp_path / "seen.json"
    with running_code_server(code_server, vsix, env, tmp_path, workspace, installed=True) as (port, _):
        url = f"http://127.0.0.1:{port}/?folder={workspace}"
        done = subprocess.run([tool("node"), str(E2E / "found.mjs"), url, str(out)], cwd=E2E,
                              capture_output=True, text=True, timeout=300)
    seen = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    log = extension_log(tmp_path)
    assert done.returncode == 0 and seen.get("ok"), (seen.get("error"), done.stderr[-3000:], log)
    program = tmp_path / "vscode-home" / ".local" / "bin" / "codetape"
    assert f"starting {program} bridge for {workspace} (codetape from install directory)" in log, log


def test_the_status_bar_counts_what_the_outbox_holds(
        code_server: Path, vsix: Path, scoped: str, collector: object, workspace: Path, env: dict[str, str],
        tmp_path: Path) -> None:
    """Issue 68: an episode held before it leaves (here for work pushed after signing, in the list an upload
    run keeps, written by its helper) is counted beside the recording state, from the collector's answer;
    issue 106: the managed policy's scope governing the workspace is named beside it."""
    governed(workspace)
    held = [{"episode_id": "3f2a9c1e-0000-4000-8000-000000000000"}]
    keep(Home(Path(env["CODETAPE_HOME"])), PUSHED, held, [])
    out = tmp_path / "seen.json"
    with running_code_server(code_server, vsix, env, tmp_path, workspace) as (port, _):
        url = f"http://127.0.0.1:{port}/?folder={workspace}"
        done = subprocess.run([tool("node"), str(E2E / "found.mjs"), url, str(out)], cwd=E2E,
                              capture_output=True, text=True, timeout=300)
    seen = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    assert done.returncode == 0 and seen.get("ok"), (seen.get("error"), done.stderr[-3000:])
    recording = [text for text in seen["statuses"] if "codetape: recording" in text]
    assert recording and all(text.endswith(f" · governed by {scoped} · 1 held") for text in recording), \
        seen["statuses"]


def test_vscode_records_reviews_and_signs_an_episode(
        hostile: tuple[Path, Path], vscode: tuple[int, dict[str, str]], collector: object, workspace: Path,
        env: dict[str, str], tmp_path: Path) -> None:
    began = time.monotonic()
    port, _ = vscode
    codetape(home_of(env), "keys", "init", check=True)
    (workspace / "app.py").write_text("# app\n", encoding="utf-8")
    (workspace / "data.json").write_text(JSON_TEXT, encoding="utf-8")
    seen = driven(port, workspace, env, tmp_path)
    statuses = seen["statuses"]
    counts = [int(s.split("recording ")[1].split()[0]) for s in statuses if "recording " in s]
    assert counts and counts == sorted(counts) and counts[-1] > counts[0], statuses
    assert seen["steps"]["command"] > seen["steps"]["saved"] > seen["steps"]["opened"] >= 1, seen["steps"]
    assert "Signing states your consent" in seen["confirmation"]
    assert "signed by" in seen["signed"]

    disk = (workspace / "app.py").read_bytes()
    assert disk == ("# app\n" + TEXT + PASTED + TYPED.replace("gre", "greeting")).encode("utf-8")
    signed = sorted(Path(env["CODETAPE_HOME"], "outbox").glob("*.ctape"))
    assert len(signed) == 1, signed
    episode = open_episode(signed[0])
    assert episode.consent is not None
    assert episode.header.client is not None
    assert (episode.header.client.name, episode.header.client.version) == ("code-server", "1.100.3")
    assert saved_texts(episode, "app.py")[-1] == disk
    formatted = (workspace / "data.json").read_bytes()
    assert saved_texts(episode, "data.json")[-1] == formatted != JSON_TEXT.encode()
    assert_origins(episode)
    commands = [s for s in episode.steps() if isinstance(s, CommandStep)]
    assert [(c.command_line, c.cwd, c.exit_code) for c in commands] == [(COMMAND, ".", 0)], commands
    marker, leak = hostile
    assert not marker.exists(), f"the folder's interpreter ran: {marker.read_text()}"
    assert not leak.exists(), "the bridge wrote its log where the folder said"
    print(f"vscode e2e: {time.monotonic() - began:.1f} s in the test, driver timings (ms) {seen['timings']}")


def assert_origins(episode: Episode) -> None:
    """Each edit says whose work it was, with the extension's evidence: the typed characters (a line break
    gets no keyboard selection kind from VS Code: typed by the extension's heuristic, named in its detail),
    the paste, the accepted word, the undo and redo of it, the formatting."""
    origins: dict[str, list[tuple[str | None, str | None]]] = {"app.py": [], "data.json": []}
    for step in episode.steps():
        if isinstance(step, EditStep):
            origins[step.path].append((step.origin, step.origin_detail))
    typed = [("typed", "vscode:TextEditorSelectionChangeKind.Keyboard")]
    assert TEXT.endswith("\n") and "\n" not in TEXT[:-1] + TYPED
    assert origins["app.py"] == typed * (len(TEXT) - 1) + [("typed", LINE_BREAK)] + \
        [("paste", "vscode:DocumentPasteEditProvider")] + typed * len(TYPED) + \
        [("completion", "vscode:acceptSelectedSuggestion"), ("undo", "vscode:TextDocumentChangeReason.Undo"),
         ("redo", "vscode:TextDocumentChangeReason.Redo")], origins["app.py"]
    assert origins["data.json"] == [("format", "vscode:editor.action.formatDocument")], origins["data.json"]


def driven(port: int, workspace: Path, env: dict[str, str], tmp_path: Path) -> dict[str, Any]:
    """e2e/drive.mjs's session in the code-server on `port` (typing, a paste, a word taken, a format, a
    terminal command, the seal, the review and its signing): what it saw, once it ended well."""
    out = tmp_path / "seen.json"
    argv = [tool("node"), str(E2E / "drive.mjs"), f"http://127.0.0.1:{port}/?folder={workspace}", "app.py",
            TEXT, COMMAND, str(out), PASTED, TYPED, "data.json"]
    with subprocess.Popen(argv, cwd=E2E, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True) as driver:
        try:
            command_recorded(driver, out, env, workspace, tmp_path)
            _, stderr = driver.communicate(timeout=600)
        finally:
            driver.kill()
    seen: dict[str, Any] = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    assert driver.returncode == 0 and seen.get("ok"), (seen.get("error"), stderr[-3000:],
                                                       seen.get("statuses"))
    return seen


def command_recorded(driver: subprocess.Popen[str], out: Path, env: dict[str, str], workspace: Path,
                     tmp_path: Path) -> None:
    """Once the driver has typed the terminal command, wait for its step in the collector's journal and let
    the driver go on to seal: the status bar's count also grows with cursor and diagnostics steps, so only
    the journal says that the command itself arrived before the seal."""
    typed = out.with_name(out.name + ".typed")

    def driver_typed() -> bool:
        if driver.poll() is not None:
            seen = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
            pytest.fail(f"the driver stopped before typing the command: {seen.get('error')}")
        return typed.exists()

    wait_for(driver_typed, 300, "the driver to type the terminal command")
    try:
        wait_recorded(Home(Path(env["CODETAPE_HOME"]).resolve()), workspace,
                      lambda steps: any(s["kind"] == "command" for s in steps), "the terminal command's step")
    except AssertionError as error:
        raise AssertionError(f"{error}\nthe extension's log: {extension_log(tmp_path)}") from None
    out.with_name(out.name + ".recorded").touch()


def extension_log(tmp_path: Path) -> str:
    """The tail of the codetape output channel code-server keeps under its user data directory."""
    logs = sorted((tmp_path / "user" / "logs").rglob("*codetape*.log"))
    return "\n".join(log.read_text(errors="replace")[-2000:] for log in logs) or "none found"


# Issue 54, item 1: what the developer types between reloads, and what rewrites the file in between
RELOAD_ROUNDS: list[dict[str, Any]] = [
    {"type": "x = 1", "shows": "agent = 1"},  # then an agent appends a line: VS Code reloads the clean file
    {"type": "y = 2", "undo": True, "gone": "agent = 1"},  # then `git stash`
    {"type": "w = 4", "gone": "w = 4"},  # then `git checkout -- app.py`
    {"type": "junk", "revert": True},  # typed, then File: Revert File
    {"type": "v = 5"},
]
TYPED_ORIGIN = ("typed", "vscode:TextEditorSelectionChangeKind.Keyboard")
LINE_BREAK = "vscode:Enter (heuristic: a lone line break at the caret)"  # (origin.ts)
UNDO_REDO = [("undo", "vscode:TextDocumentChangeReason.Undo"),
             ("redo", "vscode:TextDocumentChangeReason.Redo")]


def test_edits_after_a_reload_from_disk_keep_their_origin(
        vscode: tuple[int, dict[str, str]], collector: object, workspace: Path, env: dict[str, str],
        tmp_path: Path) -> None:
    """The developer types, saves; another process rewrites the open file (an agent's write, `git stash`,
    `git checkout`) and VS Code reloads it, or File: Revert File does; every edit the developer makes after
    a reload still says it was typed (or undone, redone)."""
    port, _ = vscode
    app = workspace / "app.py"
    app.write_text("# app\n", encoding="utf-8")
    # VS Code for the web saves a second after typing (files.autoSave's default there): as on the desktop,
    # only the developer's Ctrl+S saves, so the typing Revert File drops is still unsaved
    (workspace / ".vscode").mkdir()
    (workspace / ".vscode" / "settings.json").write_text('{"files.autoSave": "off"}', encoding="utf-8")
    git(workspace, "add", "app.py")
    git(workspace, "commit", "-qm", "app")
    rewrites = {0: lambda: app.write_text(app.read_text(encoding="utf-8") + "\nagent = 1\n"),
                1: lambda: git(workspace, "stash", "-q"),
                2: lambda: git(workspace, "checkout", "--", "app.py")}
    out = tmp_path / "reload.json"
    saves = drive_reloads(out, f"http://127.0.0.1:{port}/?folder={workspace}", rewrites, env, workspace,
                          tmp_path)
    assert app.read_text(encoding="utf-8") == "# app\nv = 5"
    episode = seal(env, workspace, saves_of("app.py", saves), "the last save")
    assert saved_texts(episode, "app.py")[-1] == app.read_bytes()
    origins = [(s.origin, s.origin_detail) for s in episode.steps() if isinstance(s, EditStep)]
    # each round: its typing (undone and redone), then the reload's own change, which no evidence names
    expected = [edit for index, round_ in enumerate(RELOAD_ROUNDS) for edit in (
        [TYPED_ORIGIN] * len(round_["type"]) + (UNDO_REDO if round_.get("undo") else [])
        + ([(None, None)] if index < len(RELOAD_ROUNDS) - 1 else []))]
    assert origins == expected, origins


def drive_reloads(out: Path, url: str, rewrites: dict[int, Callable[[], object]], env: dict[str, str],
                  workspace: Path, tmp_path: Path) -> int:
    """Run e2e/reload.mjs through RELOAD_ROUNDS: after each round's save reaches the collector, its rewrite
    (if any) runs and the driver is told to go on. The number of saves."""
    home = Home(Path(env["CODETAPE_HOME"]).resolve())
    saves = 0
    with driving("reload.mjs", url, out, [json.dumps(RELOAD_ROUNDS)], tmp_path) as driver:
        driver.opened(home, workspace)
        for index, round_ in enumerate(RELOAD_ROUNDS):
            if round_.get("revert"):
                continue
            driver.wait(f"saved-{index}", f"the driver's save {index}")
            saves += 1
            wait_recorded(home, workspace, saves_of("app.py", saves), f"save {saves} of app.py")
            if index in rewrites:
                rewrites[index]()
            driver.tell(f"written-{index}")
    return saves


class Driver:
    """A Node driver of the workbench (editor_extensions/vscode/e2e/*.mjs) as the test sees it: the marker
    files it creates beside OUT (`OUT.NAME`) and those the test creates for it."""

    def __init__(self, proc: subprocess.Popen[str], out: Path, logs: Path) -> None:
        self.proc, self.out, self.logs = proc, out, logs

    def created(self, name: str) -> bool:
        """Whether the driver has created OUT.NAME; the test fails at once when the driver has stopped."""
        if self.proc.poll() is not None:
            seen = json.loads(self.out.read_text(encoding="utf-8")) if self.out.exists() else {}
            pytest.fail(f"the driver stopped: {seen.get('error')}\n{extension_log(self.logs)}")
        return self.out.with_name(f"{self.out.name}.{name}").exists()

    def wait(self, name: str, what: str, timeout: float = 300) -> None:
        wait_for(partial(self.created, name), timeout, what)

    def tell(self, name: str) -> None:
        """Create OUT.NAME: the driver waits for it to go on."""
        self.out.with_name(f"{self.out.name}.{name}").touch()

    def opened(self, home: Home, workspace: Path) -> None:
        """The driver opened app.py and the collector recorded the open: the driver may type."""
        self.wait("opened", "VS Code to open app.py")
        wait_recorded(home, workspace, lambda steps: "open:app.py" in summary(steps), "its open")
        self.tell("open-recorded")


@contextlib.contextmanager
def driving(script: str, url: str, out: Path, args: list[str], logs: Path) -> Iterator[Driver]:
    """Run editor_extensions/vscode/e2e/SCRIPT on app.py of the workbench at `url` (what it saw goes to
    `out`); once the body is done, wait for the driver to finish and fail unless it says it went well."""
    argv = [tool("node"), str(E2E / script), url, "app.py", str(out), *args]
    with subprocess.Popen(argv, cwd=E2E, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True) as proc:
        try:
            yield Driver(proc, out, logs)
            _, stderr = proc.communicate(timeout=300)
        finally:
            proc.kill()
    seen = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    assert proc.returncode == 0 and seen.get("ok"), (seen.get("error"), stderr[-3000:], extension_log(logs))


UNSAVED = "# the developer's, unsaved"  # typed on app.py's empty last line, unsaved when the agent writes


@pytest.mark.parametrize("choice", ["revert", "overwrite"])
def test_an_agent_s_write_over_unsaved_edits_is_recorded_as_the_text_that_won(
        choice: str, vscode: tuple[int, dict[str, str]], collector: object, workspace: Path,
        env: dict[str, str], tmp_path: Path) -> None:
    """Issue 54, item 3, VS Code's dirty-buffer conflict (e2e/unsaved.mjs): the developer types a line in
    app.py and does not save; Claude Code's Edit (its hooks, as tests/e2e/data_team_session.py sends them)
    writes app.py under the dirty buffer. `revert`: File: Revert File shows the agent's text (the
    developer's line lost), then Ctrl+S; VS Code sends the revert as one edit, and that row is the agent's
    write. `overwrite`: Ctrl+S, VS Code says the file on disk is newer, Overwrite saves the developer's buffer
    over the agent's write, whose characters then survive nowhere. The episode says which text won and whose
    it was; the replay equals the disk at the save."""
    from tests.e2e.data_team_session import APP, BUG, FIX, claude_code_edits

    port, _ = vscode
    app = workspace / "app.py"
    app.write_text(APP, encoding="utf-8")
    (workspace / ".vscode").mkdir()  # (only Ctrl+S saves: see test_edits_after_a_reload_from_disk_...)
    (workspace / ".vscode" / "settings.json").write_text('{"files.autoSave": "off"}', encoding="utf-8")
    git(workspace, "add", "app.py")
    git(workspace, "commit", "-qm", "app")
    home = Home(Path(env["CODETAPE_HOME"]).resolve())
    out = tmp_path / "unsaved.json"
    texts = {"typed": UNSAVED, "agents": FIX.splitlines()[0].strip(), "choice": choice}
    url = f"http://127.0.0.1:{port}/?folder={workspace}"
    with driving("unsaved.mjs", url, out, [json.dumps(texts)], tmp_path) as driver:
        driver.opened(home, workspace)
        driver.wait("typed", "the developer's typing")
        wait_recorded(home, workspace, lambda steps: sum(
            s["kind"] == "edit" and s.get("path") == "app.py" for s in steps) >= len(UNSAVED),
            "the developer's unsaved line")
        written = claude_code_edits(env, workspace, tmp_path, "app.py", BUG, FIX)
        driver.tell("written")
        driver.wait("saved", "the driver's save")
        wait_recorded(home, workspace, saves_of("app.py", 1), "the save of app.py")
        driver.tell("recorded")
    disk = app.read_bytes()
    assert disk == (written if choice == "revert" else APP + UNSAVED).encode("utf-8"), disk
    if choice == "overwrite":
        seen = json.loads(out.read_text(encoding="utf-8"))  # (what the driver saw)
        assert "The content of the file is newer" in seen["conflict"], seen["conflict"]
    episode = seal(env, workspace, lambda steps: saves_of("app.py", 1)(steps) and any(
        s["kind"] == "file_change" and s.get("origin") == "agent" for s in steps), "the save and the write")
    assert saved_texts(episode, "app.py") == [disk]
    con = built_dataset(env, episode, tmp_path)
    rows = con.execute("SELECT kind, origin, origin_detail, diff, survived_to_end FROM transitions "
                       "WHERE path = 'app.py' AND diff <> '' ORDER BY action").fetchall()
    whose = [(kind, origin) for kind, origin, _detail, _diff, _end in rows]
    if choice == "revert":
        # the revert: one edit with no evidence (VS Code's reload replaces lines) reads the agent's write in
        assert whose == [("edit", "typed"), ("edit", "agent")], rows
        assert rows[1][2] == "claude-code:PostToolUse Edit", rows
        assert f"-{BUG}\n" in rows[1][3] and f"-{UNSAVED}" in rows[1][3], rows
        assert rows[0][4] == 0.0 and rows[1][4] == 1.0, rows  # the developer's line lost, the agent's kept
    else:
        assert whose == [("edit", "typed")], rows
        assert rows[0][4] == 1.0, rows  # the developer's line kept; the agent's write: a step, no row
        writes = con.execute("SELECT origin FROM steps WHERE kind = 'file_change' AND origin IS NOT NULL")
        assert writes.fetchall() == [("agent",)]
