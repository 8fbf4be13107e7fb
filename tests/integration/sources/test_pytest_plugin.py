"""The pytest plugin of codetape's own environment in real pytest runs of a small project, against pytest's
own junit XML (the same plugin in other interpreters and launchers: test_pytest_anywhere.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from collector.home import Home
from collector.platform.loopback import TRANSPORT_ENV
from collector.sources.pytest_path import codetape_pytest
from tests.support.collector_harness import codetape, env_for, episode_steps, running, wait_recorded
from tests.support.dataset_helpers import contributor, duck, sign, upload

PROJECT = {
    "pytest.ini": "[pytest]\nasyncio_default_fixture_loop_scope = function\n",
    "test_sample.py": '''\
import time
import pytest

def test_pass():
    assert 1 + 1 == 2

def test_fail():
    assert 1 == 2, "boom"

def test_long_failure():
    raise ValueError("x" * 20000)

@pytest.mark.skip(reason="not today")
def test_skip():
    pass

@pytest.mark.xfail(reason="known bug")
def test_xfail():
    assert 0

@pytest.mark.xfail(reason="maybe fixed")
def test_xpass():
    pass

@pytest.fixture
def broken():
    raise RuntimeError("setup broke")

def test_setup_error(broken):
    pass

@pytest.fixture
def bad_teardown():
    yield
    raise RuntimeError("teardown broke")

def test_teardown_error(bad_teardown):
    pass

@pytest.mark.parametrize("n", [1, 2, 3])
def test_param(n):
    assert n != 2

def test_slow():
    time.sleep(0.2)  # the measured duration itself (asserted >= 200 ms): not a wait for anything
''',
    "test_broken_import.py": "import module_that_does_not_exist\n",
}
JUNIT = {"failure": "failed", "error": "error", "skipped": "skipped"}


def make_project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in PROJECT.items():
        (root / name).write_text(text)
    return root.resolve()


def run_pytest(root: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=root,
                          env=env_for(home), capture_output=True, text=True, timeout=120, check=False)


def normalized(output: str) -> str:
    """Run time varies; pytest itself lists every installed plugin in its header, codetape included."""
    output = re.sub(r"in \d+\.\d+s", "in Ns", output)
    output = re.sub(r"\(\d+\.\d+s\)", "(Ns)", output)
    return re.sub(r"(plugins: .*?)codetape-[0-9.]+(, )?", r"\1", output)


def junit_outcomes(path: Path) -> dict[str, tuple[str, float]]:
    """nodeid -> (outcome, seconds) as pytest's junit XML reports them."""
    outcomes = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        classname, name = case.get("classname", ""), case.get("name", "")
        module = (classname or name).replace(".", "/") + ".py"
        nodeid = f"{module}::{name}" if classname else module  # no classname: a collection error
        outcome = "passed"
        for child in case:
            if child.tag in JUNIT:
                outcome = JUNIT[child.tag]
                if child.tag == "skipped" and child.get("type") == "pytest.xfail":
                    outcome = "xfailed"
                break
        outcomes[nodeid] = (outcome, float(case.get("time", "0")))
    return outcomes


def sealed_steps(home: Path, root: Path) -> list[dict[str, Any]]:
    sealed = codetape(home, "seal", "--json", str(root))
    assert sealed.returncode == 0, sealed.stderr
    result = json.loads(sealed.stdout)
    return [] if result is None else episode_steps(Path(result["path"]))


def test_recorded_outcomes_match_junit_xml_and_output_is_unchanged(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    home = tmp_path / "home"
    assert codetape(home, "init", str(root)).returncode == 0
    # relative: an absolute path would hold `pytest-of-<login>`, which the seal masks (namemask.py)
    args = ["--continue-on-collection-errors", "-rA", "--junitxml=../junit.xml"]
    with running(home) as daemon:
        recorded = run_pytest(root, home, *args)
        junit_xml = (tmp_path / "junit.xml").read_bytes()
        plain = run_pytest(root, home, *args, "-p", "no:codetape")
        # the plugin sends its step without waiting for an answer: it may still be on its way
        wait_recorded(daemon.home, root, lambda steps: any(s["kind"] == "test_run" for s in steps),
                      "the recorded run's test_run step")
        runs = [s for s in sealed_steps(home, root) if s["kind"] == "test_run"]
    assert recorded.returncode == plain.returncode == 1
    assert normalized(recorded.stdout) == normalized(plain.stdout)
    assert recorded.stderr == plain.stderr
    assert len(runs) == 1, "-p no:codetape must record nothing"
    run = runs[0]
    assert run["source"] == "pytest" and run["exit_status"] == 1
    assert run["args"] == ["-p", "no:cacheprovider", *args]
    assert run["duration_ms"] >= 200
    (tmp_path / "recorded.xml").write_bytes(junit_xml)
    junit = junit_outcomes(tmp_path / "recorded.xml")
    ours = {t["nodeid"]: t for t in run["tests"]}
    as_junit = {nodeid: {"xpassed": "passed"}.get(t["outcome"], t["outcome"]) for nodeid, t in ours.items()}
    assert as_junit == {nodeid: outcome for nodeid, (outcome, _) in junit.items()}  # junit has no xpassed
    for nodeid, (_, seconds) in junit.items():
        assert abs(ours[nodeid].get("duration_ms", 0) / 1000 - seconds) < 0.005, nodeid
    assert ours["test_sample.py::test_xpass"]["outcome"] == "xpassed"
    assert ours["test_broken_import.py"]["outcome"] == "error"  # a file pytest could not collect: not a test
    assert {nodeid for nodeid, t in ours.items() if "kind" in t} == {"test_broken_import.py"}
    assert ours["test_broken_import.py"]["kind"] == "collection"
    assert ours["test_sample.py::test_teardown_error"]["outcome"] == "error"
    assert 200 <= ours["test_sample.py::test_slow"]["duration_ms"] < 2000
    assert "boom" in ours["test_sample.py::test_fail"]["summary"]
    assert "setup broke" in ours["test_sample.py::test_setup_error"]["summary"]
    assert ours["test_sample.py::test_skip"]["summary"] == "Skipped: not today"
    assert all(len(t.get("summary", "")) <= codetape_pytest.SUMMARY_CHARS for t in run["tests"])
    long = ours["test_sample.py::test_long_failure"]["summary"]
    assert len(long) == codetape_pytest.SUMMARY_CHARS
    assert long.startswith("test_sample.py:11: ValueError: xxx")
    assert str(root) not in repr(run)
    assert "passed" not in {t["outcome"] for t in run["tests"] if "summary" in t}


@pytest.mark.parametrize("opted_in", [True, False], ids=["no-collector", "not-opted-in"])
def test_silent_and_inert_without_a_collector_or_outside_workspaces(tmp_path: Path, opted_in: bool) -> None:
    root = make_project(tmp_path / "proj")
    home = tmp_path / "home"
    (root / "conftest.py").write_text(
        "import sys\n"
        "def pytest_unconfigure(config):\n"
        "    names = ('collector.home', 'collector.protocol.client', 'collector.policy.recording',\n"
        "             'pydantic')\n"
        "    loaded = sorted(m for m in names if m in sys.modules)\n"
        "    open('loaded.txt', 'w').write(' '.join(loaded))\n")
    if opted_in:
        assert codetape(home, "init", str(root)).returncode == 0
    with_plugin = run_pytest(root, home, "--continue-on-collection-errors")
    loaded = (root / "loaded.txt").read_text()
    without = run_pytest(root, home, "--continue-on-collection-errors", "-p", "no:codetape")
    assert with_plugin.returncode == without.returncode == 1
    assert normalized(with_plugin.stdout) == normalized(without.stdout)
    assert with_plugin.stderr == without.stderr
    run = home / "run"
    assert not (run / "collector.pid").exists() and not Home(home).socket.exists(), \
        "the plugin must never start a collector"
    # where a settings file is, a run not handed over is said: a note for the next collector's `gap`
    assert len(list((run / "lost").glob("*.json"))) == (1 if opted_in else 0)
    assert "collector.policy.recording" not in loaded and "pydantic" not in loaded
    assert "collector.protocol.client" not in loaded  # the plugin speaks to the socket itself
    assert ("collector.home" in loaded) == opted_in  # only looked for a collector where opted in


def test_a_running_collector_records_nothing_for_a_project_that_is_not_opted_in(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    home = tmp_path / "home"
    with running(home) as daemon:
        assert run_pytest(root, home).returncode == 2  # the broken import interrupts collection
        with daemon.client() as client:
            assert client.request("status")["workspaces"] == []


def test_a_file_pytest_could_not_collect_is_a_collection_row_in_the_dataset(tmp_path: Path) -> None:
    """Issue 37, item 9: a collection error is a row of its own kind in `test_runs`, not a test."""
    alice = contributor(tmp_path, "alice")
    root = tmp_path / "proj"
    root.mkdir()
    (root / "test_ok.py").write_text("def test_ok():\n    pass\n")
    (root / "test_broken_import.py").write_text("import module_that_does_not_exist\n")
    root = root.resolve()
    assert codetape(alice.home.root, "init", str(root)).returncode == 0
    with running(alice.home.root) as daemon:
        assert run_pytest(root, alice.home.root, "--continue-on-collection-errors").returncode == 1
        wait_recorded(daemon.home, root, lambda steps: any(s["kind"] == "test_run" for s in steps),
                      "the test_run step")
        sealed = json.loads(codetape(alice.home.root, "seal", "--json", str(root)).stdout)
    sign(alice, Path(sealed["path"]))
    upload(alice, (tmp_path / "source").as_uri())
    out = tmp_path / "out"
    done = codetape(tmp_path / "team", "dataset", "build", str(tmp_path / "source"), "-o", str(out),
                    "--trust", str(alice.trust_file(tmp_path)))
    assert done.returncode == 0, done.stderr
    rows = duck(out).execute("SELECT nodeid, outcome, kind FROM test_runs ORDER BY nodeid").fetchall()
    assert rows == [("test_broken_import.py", "error", "collection"),
                    ("test_ok.py::test_ok", "passed", "test")]


def test_the_plugin_reaches_a_collector_on_loopback_tcp(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows' transport, selected here (collector/platform/loopback.py): a launcher names the endpoint
    file in CODETAPE_COLLECTOR_SOCKET, and the plugin (standard library only) proves the secret and
    hands its run over."""
    monkeypatch.setenv(TRANSPORT_ENV, "tcp")
    root = tmp_path / "proj"
    root.mkdir()
    (root / "test_one.py").write_text("def test_one():\n    pass\n")
    home = tmp_path / "home"
    assert codetape(home, "init", str(root)).returncode == 0
    with running(home) as daemon:
        assert daemon.home.socket.name == "collector.tcp"
        ran = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"], cwd=root,
                             env=env_for(home, {codetape_pytest.SOCKET_ENV: str(daemon.home.socket)}),
                             capture_output=True, text=True, timeout=120, check=False)
        assert ran.returncode == 0, ran.stdout + ran.stderr
        steps = wait_recorded(daemon.home, root.resolve(), lambda s: any(x["kind"] == "test_run" for x in s),
                              "the run's test_run step over TCP")
    run = next(s for s in steps if s["kind"] == "test_run")
    assert [(t["nodeid"], t["outcome"]) for t in run["tests"]] == [("test_one.py::test_one", "passed")]
    assert not (daemon.home.run / "lost").exists()
