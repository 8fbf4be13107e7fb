"""Per-test outcomes from any pytest a recorded command starts, whatever interpreter runs it: a project's own
virtualenv (Python 3.11, and 3.8 where installed) under `codetape run`, `python -m pytest` in a shell with
the hook, a nox session, `uv run pytest`, a project with its own conftest, plugins and `-p no:` options;
and a pytest that finds no collector, or one that does not answer, runs exactly as without codetape.

The virtualenvs are real (`python -m venv`, pytest from PyPI), made once per module."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from collector.home import Home
from collector.protocol.client import Client
from collector.sources.testruns.pytest_env import PLUGIN_DIR, pytest_env
from tests.cli import codetape, codetape_process
from tests.integration.sources.test_pytest_plugin import junit_outcomes, make_project
from tests.integration.sources.test_pytest_plugin import normalized as timeless
from tests.integration.sources.test_run_hook_shell import interactive_bash, rcfile
from tests.support.collector_harness import episode_steps, running, wait_recorded

PYTEST = {(3, 8): "8.3.3", (3, 11): "8.3.3", (3, 7): "7.4.4", (3, 6): "7.0.1"}
OLD_PIP_PINS = {(3, 7): ["pluggy==1.2.0"], (3, 6): ["pluggy==1.0.0"]}  # their pip reads no Requires-Python
ARGS = ["-p", "no:cacheprovider", "--continue-on-collection-errors", "-rA", "--junitxml=../junit.xml"]
BIN = Path(sys.executable).parent  # nox and uv come with codetape's test extra


def interpreter(version: tuple[int, int]) -> str | None:
    """`pythonX.Y` on PATH, or installed by pyenv, that really runs that version (a pyenv shim may not)."""
    name = f"python{version[0]}.{version[1]}"
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    installed = sorted(str(p) for p in pyenv.glob(f"{version[0]}.{version[1]}.*/bin/{name}"))
    candidates = [shutil.which(name), *installed]
    for candidate in filter(None, candidates):
        done = subprocess.run([candidate, "-c", "import sys; print(tuple(sys.version_info[:2]))"],
                              capture_output=True, text=True, check=False)
        if done.returncode == 0 and done.stdout.strip() == str(version):
            return candidate
    return None


class Venvs:
    """Project virtualenvs with a pinned pytest, one per interpreter version, made on first use."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.made: dict[tuple[int, int], Path] = {}

    def get(self, version: tuple[int, int]) -> Path:
        if version not in self.made:
            python = "/usr/bin/python3.11" if version == (3, 11) and os.path.exists("/usr/bin/python3.11") \
                else interpreter(version)
            if python is None:
                pytest.skip(f"no python{version[0]}.{version[1]} here (Debian 12 packages only 3.11)")
            venv = self.root / f"py{version[0]}{version[1]}"
            subprocess.run([python, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
            pins = [f"pytest=={PYTEST[version]}", *OLD_PIP_PINS.get(version, [])]
            # from PyPI itself: this machine's pip settings may add local wheels an old pip cannot judge
            env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
            done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--isolated",
                                   *pins], env=env, capture_output=True, text=True, timeout=600, check=False)
            assert done.returncode == 0, done.stderr[-2000:]
            self.made[version] = venv
        return self.made[version]


@pytest.fixture(scope="module")
def venvs(tmp_path_factory: pytest.TempPathFactory) -> Venvs:
    return Venvs(tmp_path_factory.mktemp("venvs"))


@pytest.fixture(scope="module")
def uv_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("uv-cache")


def normalized(output: str) -> str:
    """Output without run times, and without the one line pytest itself adds for any plugin it found
    through an entry point: `plugins: codetape_pytest-1` (the only difference codetape makes)."""
    output = re.sub(r"^plugins: codetape_pytest-1\n", "", timeless(output), flags=re.M)
    return re.sub(r"(^plugins: .*?)codetape_pytest-1(, )?", r"\1", output, flags=re.M)


def plain_env() -> dict[str, str]:
    """Our environment without what a launcher adds (this test run may itself be recorded)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("CODETAPE_") and k != "PYTHONPATH"}


def plain_run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=plain_env(), capture_output=True, text=True, timeout=300,
                          check=False)


def recorded_runs(home: Path, root: Path, commands: int = 1) -> list[dict[str, Any]]:
    """The workspace's `test_run` steps, sealed once `commands` commands are recorded (the plugin and the
    shell's recorder send without waiting for an answer)."""
    wait_recorded(Home(home.resolve()), root, lambda steps: sum(s["kind"] == "command" for s in steps)
                  >= commands, f"{commands} command steps")
    sealed = codetape(home, "seal", "--json", str(root))
    assert sealed.returncode == 0, sealed.stderr
    steps = episode_steps(Path(json.loads(sealed.stdout)["path"]))
    return [s for s in steps if s["kind"] == "test_run"]


def check_outcomes(run: dict[str, Any], junit_xml: Path) -> None:
    """The recorded run is the in-process plugin's step: source pytest, the test ids and outcomes of
    pytest's own JUnit report of the same run, failure summaries relative to the workspace."""
    assert run["source"] == "pytest" and run["framework"] == "pytest" and run["exit_status"] == 1
    ours = {t["nodeid"]: t for t in run["tests"]}
    as_junit = {nodeid: {"xpassed": "passed"}.get(t["outcome"], t["outcome"]) for nodeid, t in ours.items()}
    assert as_junit == {nodeid: outcome for nodeid, (outcome, _) in junit_outcomes(junit_xml).items()}
    assert ours["test_sample.py::test_xpass"]["outcome"] == "xpassed"
    assert ours["test_broken_import.py"]["outcome"] == "error"
    assert "boom" in ours["test_sample.py::test_fail"]["summary"]
    assert ours["test_sample.py::test_skip"]["summary"] == "Skipped: not today"
    assert 200 <= ours["test_sample.py::test_slow"]["duration_ms"] < 2000


@pytest.mark.parametrize("version", [(3, 11), (3, 8)], ids=["py3.11", "py3.8"])
def test_a_project_venvs_pytest_under_codetape_run(tmp_path: Path, venvs: Venvs,
                                                   version: tuple[int, int]) -> None:
    venv = venvs.get(version)
    root = make_project(tmp_path / "proj")
    home = tmp_path / "home"
    assert codetape(home, "init", str(root)).returncode == 0
    argv = [str(venv / "bin" / "pytest"), *ARGS]
    plain = plain_run(argv, root)
    # the first run of the session: `codetape run` starts the collector, and the plugin waits for it
    started = time.monotonic()
    ran = codetape_process(home, "run", "--", *argv, cwd=root, env={"PYTHONPATH": ""})
    took = time.monotonic() - started
    try:
        runs = recorded_runs(home, root)
    finally:
        with Client.connect(Home(home.resolve()), autostart=False) as client:
            client.request("shutdown")
    assert ran.returncode == plain.returncode == 1
    assert normalized(ran.stdout) == normalized(plain.stdout) and ran.stderr == plain.stderr
    assert len(runs) == 1, "one run, one step: pytest's own JUnit report is not recorded twice"
    check_outcomes(runs[0], tmp_path / "junit.xml")
    assert runs[0]["args"] == ARGS
    print(f"python {version}: codetape run with a cold collector took {took:.1f} s")


def test_python_m_pytest_in_a_hooked_shell(tmp_path: Path, venvs: Venvs) -> None:
    venv = venvs.get((3, 11))
    root = make_project(tmp_path / "proj")
    home = tmp_path / "home"
    assert codetape(home, "init", str(root)).returncode == 0
    script = f"cd {root}\n{venv}/bin/python -m pytest {' '.join(ARGS)} | tail -1\n"
    plain = interactive_bash(rcfile(tmp_path, home, hooked=False), home, script, tmp_path)
    with running(home):
        hooked = interactive_bash(rcfile(tmp_path, home, hooked=True), home, script, tmp_path)
        runs = recorded_runs(home, root)  # the `cd` ran outside the workspace
    assert normalized(hooked.stdout) == normalized(plain.stdout) and "failed" in plain.stdout
    assert len(runs) == 1
    check_outcomes(runs[0], tmp_path / "junit.xml")


NOXFILE = f"""\
import nox

@nox.session(reuse_venv=True)
def tests(session):
    session.install("pytest=={PYTEST[(3, 11)]}")
    session.run("pytest", *session.posargs)
"""


def test_a_nox_sessions_pytest(tmp_path: Path, venvs: Venvs) -> None:
    root = make_project(tmp_path / "proj")
    (root / "noxfile.py").write_text(NOXFILE)
    home = tmp_path / "home"
    assert codetape(home, "init", str(root)).returncode == 0
    nox = [str(BIN / "nox"), "--envdir", str(tmp_path / "nox"), "-s", "tests", "--", *ARGS]
    with running(home):
        ran = codetape_process(home, "run", "--", *nox, cwd=root, timeout=600)
        runs = recorded_runs(home, root)
    assert ran.returncode == 1, ran.stderr[-2000:]
    assert len(runs) == 1, ran.stderr[-2000:]
    check_outcomes(runs[0], tmp_path / "junit.xml")


UV_PROJECT = f"""\
[project]
name = "proj"
version = "0"
requires-python = ">=3.8"
dependencies = ["pytest=={PYTEST[(3, 11)]}"]
"""


def test_uv_run_pytest(tmp_path: Path, uv_cache: Path) -> None:
    root = make_project(tmp_path / "proj")
    (root / "pyproject.toml").write_text(UV_PROJECT)
    home = tmp_path / "home"
    assert codetape(home, "init", str(root)).returncode == 0
    python = "/usr/bin/python3.11" if os.path.exists("/usr/bin/python3.11") else sys.executable
    uv = [str(BIN / "uv"), "run", "--python", python, "pytest", *ARGS]
    env = {"UV_CACHE_DIR": str(uv_cache), "UV_PYTHON_DOWNLOADS": "never", "VIRTUAL_ENV": ""}
    with running(home):
        ran = codetape_process(home, "run", "--", *uv, cwd=root, env=env, timeout=600)
        runs = recorded_runs(home, root)
    assert ran.returncode == 1, ran.stderr[-2000:]
    assert (root / ".venv" / "bin" / "pytest").exists(), "uv made the project's own virtualenv"
    assert len(runs) == 1, ran.stderr[-2000:]
    check_outcomes(runs[0], tmp_path / "junit.xml")


CONFTEST = """\
import pytest

pytest_plugins = ["helper_plugin"]
SEEN = []

def pytest_runtest_logreport(report):
    SEEN.append(report.nodeid)

def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(f"conftest saw {len(SEEN)} reports")
"""


@pytest.mark.parametrize("disabled", [False, True], ids=["own-conftest", "p-no-codetape"])
def test_a_project_with_its_own_conftest_plugins_and_p_no_options(tmp_path: Path, venvs: Venvs,
                                                                   disabled: bool) -> None:
    venv = venvs.get((3, 11))
    root = make_project(tmp_path / "proj")
    addopts = "-p no:cacheprovider -p no:doctest" + (" -p no:codetape" if disabled else "")
    (root / "pytest.ini").write_text(f"[pytest]\naddopts = {addopts}\n")
    (root / "conftest.py").write_text(CONFTEST)
    (root / "helper_plugin.py").write_text("def pytest_report_header(config):\n    return 'helper here'\n")
    home = tmp_path / "home"
    assert codetape(home, "init", str(root)).returncode == 0
    argv = [str(venv / "bin" / "pytest"), "--continue-on-collection-errors", "--junitxml=../junit.xml"]
    plain = plain_run(argv, root)
    with running(home):
        ran = codetape_process(home, "run", "--", *argv, cwd=root)
        runs = recorded_runs(home, root)
    assert "helper here" in plain.stdout and "conftest saw" in plain.stdout
    assert ran.returncode == plain.returncode == 1
    assert normalized(ran.stdout) == normalized(plain.stdout) and ran.stderr == plain.stderr
    if disabled:
        assert runs == [], "-p no:codetape must record nothing"
    else:
        assert len(runs) == 1
        check_outcomes(runs[0], tmp_path / "junit.xml")


@pytest.fixture
def silent_listener(tmp_path: Path) -> Iterator[Path]:
    """A socket that accepts connections and never answers (a collector that hangs)."""
    path = tmp_path / "hung.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(8)
    try:
        yield path
    finally:
        server.close()


@pytest.mark.parametrize("collector", ["down", "stale-socket", "hangs"])
def test_a_run_without_a_working_collector_is_untouched(tmp_path: Path, venvs: Venvs, collector: str,
                                                        silent_listener: Path) -> None:
    venv = venvs.get((3, 11))
    root = make_project(tmp_path / "proj")
    home = tmp_path / "home"
    assert codetape(home, "init", str(root)).returncode == 0
    env = {**plain_env(), "CODETAPE_HOME": str(home), **pytest_env(Home(home.resolve()), plain_env())}
    if collector == "stale-socket":  # a collector that died: its socket file is left, nobody listens
        home.joinpath("run").mkdir(mode=0o700)
        stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        stale.bind(env["CODETAPE_COLLECTOR_SOCKET"])
        stale.close()
    if collector == "hangs":
        env["CODETAPE_COLLECTOR_SOCKET"] = str(silent_listener)
    argv = [str(venv / "bin" / "pytest"), *ARGS]
    plain = plain_run(argv, root)
    started = time.monotonic()
    ran = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False)
    took = time.monotonic() - started
    assert ran.returncode == plain.returncode == 1
    assert normalized(ran.stdout) == normalized(plain.stdout) and ran.stderr == plain.stderr
    assert took < 30, f"{took:.1f} s"
    if collector != "hangs":
        assert not (home / "run" / "collector.pid").exists(), "the plugin never starts a collector"


def test_the_plugin_folder_holds_only_the_plugin() -> None:
    names = sorted(p.name for p in PLUGIN_DIR.iterdir() if p.name != "__pycache__")
    assert names == ["__init__.py", "codetape_pytest-1.dist-info", "codetape_pytest.py"]


@pytest.mark.parametrize("version", [(2, 7), (3, 6), (3, 7), (3, 8)])
def test_old_interpreters_compile_it_and_old_pythons_run_untouched(tmp_path: Path, venvs: Venvs,
                                                                   version: tuple[int, int]) -> None:
    """Any Python compiles the module (a SyntaxError would fail every pytest run there); below 3.8 it
    records nothing and the run is unchanged."""
    python = interpreter(version)
    if python is None:
        pytest.skip(f"no python{version[0]}.{version[1]} on this machine")
    source = PLUGIN_DIR / "codetape_pytest.py"
    compiled = subprocess.run([python, "-c", "import sys; compile(open(sys.argv[1]).read(), 'm', 'exec')",
                               str(source)], capture_output=True, text=True, check=False)
    assert compiled.returncode == 0, compiled.stderr
    if version not in ((3, 6), (3, 7)):
        return
    venv = venvs.get(version)
    root = make_project(tmp_path / "proj")
    home = tmp_path / "home"
    assert codetape(home, "init", str(root)).returncode == 0
    argv = [str(venv / "bin" / "pytest"), *ARGS]
    plain = plain_run(argv, root)
    with running(home):
        ran = codetape_process(home, "run", "--", *argv, cwd=root)
        runs = recorded_runs(home, root)
    assert ran.returncode == plain.returncode == 1
    assert normalized(ran.stdout) == normalized(plain.stdout) and ran.stderr == plain.stderr
    assert runs == []

