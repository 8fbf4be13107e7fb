"""Fixtures shared by every tier. Keep each one tiny."""

from __future__ import annotations

import os
import re
import sys
import uuid
from collections.abc import Generator, Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import settings

from schemas import EpisodeHeader, WorkspaceIdentity
from tests.cli import NO_AWS_OF_THE_USERS
from tests.support.binds import BindWatch
from tests.support.leftovers import SESSION_ENV, mark_session, wait_for_none

SIMULATOR = os.path.join(os.path.dirname(__file__), "support", "platform_sim")

# No deadline for an example: on a busy machine (CI's tiers run on every core) a slow example is not a
# wrong one, and hypothesis would call a test that passes on its retry flaky
settings.register_profile("codetape", deadline=None)
settings.load_profile("codetape")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--platform-sim", choices=("darwin", "win32"), default=None,
                     help="run as another system's Python would: what it lacks is removed in this process "
                          "and every process the tests start (tests/support/platform_sim/sitecustomize.py)")


def pytest_configure(config: pytest.Config) -> None:
    """No test reads the developer's AWS configuration or waits for EC2's metadata service: the commands
    tests run in-process (tests/cli.py) read this process's environment, and boto3 reads it. No
    CODETAPE_POLICY of the developer's: a test that wants a managed policy sets it (it adds one to the
    system's, /etc/codetape/policy.toml, which the machines tests run on do not have)."""
    os.environ.update(NO_AWS_OF_THE_USERS)
    os.environ.pop("CODETAPE_POLICY", None)
    simulated = config.getoption("--platform-sim") or os.environ.get("CODETAPE_SIMULATE_PLATFORM")
    if simulated and getattr(sys, "codetape_simulated_platform", None) != simulated:
        # the names must be gone before the standard library looks for them (selectors, shutil decide at
        # import): pytest starts again, the simulation on PYTHONPATH, as every process it starts will be
        if os.environ.get("CODETAPE_SIMULATION_STARTED") == simulated:  # started again, still not simulated
            raise pytest.UsageError("the platform simulation did not load: is another sitecustomize first on "
                                    "sys.path, or is Python run with -I, -E or -S?")
        os.environ["CODETAPE_SIMULATION_STARTED"] = simulated
        os.environ["CODETAPE_SIMULATE_PLATFORM"] = simulated
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [SIMULATOR, os.environ.get("PYTHONPATH")]))
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])


def pytest_report_header(config: pytest.Config) -> str | None:
    simulated = os.environ.get("CODETAPE_SIMULATE_PLATFORM")
    return f"codetape: simulating {simulated}'s Python (tests/support/platform_sim)" if simulated else None


_FRAME = re.compile(r"^(\S+):\d+: in ", re.MULTILINE)
_STOPPED = re.compile(r"^E   ModuleNotFoundError: import of (\w+) halted", re.MULTILINE)


def _lacking(where: str, module: str) -> str | None:
    """Under the simulation, why a test stopped by the import of `module` (removed by it) in the file
    `where` is skipped: when a test, or a package outside codetape that picks its half by `sys.platform`
    (still "linux" there: huggingface_hub's terminal module, ray's users), imports it. None where the
    import is codetape's own: that error stands, it is what the simulation is for."""
    simulated = getattr(sys, "codetape_simulated_platform", None)
    inside = os.path.relpath(where) if os.path.isabs(where) else where
    if not simulated or not (inside.startswith("tests" + os.sep) or "site-packages" in inside):
        return None
    return f"{inside} imports {module}, which {simulated}'s Python lacks (sys.platform stays 'linux' here)"


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
        collector: pytest.Collector) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """A test module that cannot be imported under the simulation for what `_lacking` allows fails with the
    one thing to do: import it in the tests that need it (each of them is then skipped, as it runs). A
    module skipped whole would leave every product module it tests unrun under the simulation."""
    report = yield
    if report.failed and isinstance(collector, pytest.Module):
        text = str(report.longrepr)
        stopped = _STOPPED.search(text)
        frames = _FRAME.findall(text[:stopped.start()]) if stopped else []
        reason = _lacking(frames[-1], stopped.group(1)) if stopped and frames else None
        if reason is not None:
            report.longrepr = (f"{collector.path}: {reason}: import it in the tests that need it, not at the "
                               "module's top, so that the module's other tests run under the simulation")
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A test stopped under the simulation, as it runs, for what `_lacking` allows is skipped."""
    report = yield
    error = call.excinfo.value if call.excinfo is not None else None
    stopped = _STOPPED.search(f"E   ModuleNotFoundError: {error}") if isinstance(error, ImportError) else None
    if report.failed and stopped is not None and call.excinfo is not None:
        reason = _lacking(str(call.excinfo.traceback[-1].path), stopped.group(1))
        if reason is not None:
            report.outcome = "skipped"
            report.longrepr = (str(item.path), item.location[1] or 0, f"Skipped: {reason}")
    return report


# plugins of this virtualenv for codetape's own tests, not a user's
OWN_PLUGINS = "-p no:hypothesispytest -p no:pytest_lsp"


@pytest.fixture(autouse=True, scope="session")
def users_pytests_without_our_plugins() -> None:
    """The pytest runs tests start (a user's tests, plain or under `codetape run`) load none of the pytest
    plugins this virtualenv holds for codetape's own tests: hypothesis and pytest-lsp import in 0.6 s of
    the 1.4 s of CPU a one-test run takes. Set once this process has read its own options (a fixture, not
    pytest_configure, which runs before xdist starts its workers): never for the pytest running this."""
    os.environ["PYTEST_ADDOPTS"] = " ".join(filter(None, [os.environ.get("PYTEST_ADDOPTS"), OWN_PLUGINS]))


@pytest.fixture(autouse=True, scope="session")
def no_collector_left_running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every test that starts a collector stops it: at the end of the session a collector whose home lies
    in the session's temporary folder, or that one of its processes started (tests/support/leftovers.py),
    fails the run, named by its home (a test's tmp_path), and is ended. Per pytest process: under xdist
    each worker has its own folder and marks what its tests start."""
    mark = mark_session()
    yield
    left = wait_for_none(mark, tmp_path_factory.getbasetemp())
    if left:
        pytest.fail(f"{len(left)} collector(s) left running by the tests (now ended):\n"
                    + "\n".join(f"  {each}" for each in left), pytrace=False)


_BINDS = BindWatch(SESSION_ENV)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    _BINDS.test = item.nodeid  # (named in what the bind watch finds)


@pytest.fixture(autouse=True, scope="session")
def nothing_bound_outside_loopback(no_collector_left_running: None) -> Iterator[None]:
    """Tests keep to loopback: a socket this session's processes listen on outside 127.0.0.0/8 and ::1
    (the machine's address, or every address) fails the run, named with its process and the test that was
    running (tests/support/binds.py; Linux, swept every half second)."""
    _BINDS.start()
    yield
    found = _BINDS.stop()
    if found:
        pytest.fail(f"{len(found)} socket(s) bound outside loopback by the tests:\n"
                    + "\n".join(f"  {each}" for each in found), pytrace=False)


@pytest.fixture(autouse=True)
def mid_month_for_keys_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unlinkable signing in a month's last days also fetches next month's keys (consent/enrol.py's
    fetch_ahead, which alone reads this clock): every test sees the 15th of the real month there, so that
    none depends on the day it runs; test_unlinkable_key_supply sets the last days itself."""
    now = datetime.now(UTC)
    monkeypatch.setattr("collector.consent.enrol.utc_now", lambda: now.replace(day=15))


@pytest.fixture
def episode_header() -> EpisodeHeader:
    """A valid header with a fresh episode id."""
    return EpisodeHeader(codetape_version="0.1.0", episode_id=uuid.uuid4(),
                         started_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
                         workspace=WorkspaceIdentity(root_name="demo"))
