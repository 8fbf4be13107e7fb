"""Another local account cannot opt your work in (issue 9, item 1). User `nobody` plants a
`.codetape.toml` (with `exclude = []`) in a shared, world-writable directory; below it, `codetape run`,
the editor's bridge handshake and the collector record nothing, even when that directory was once
registered by the user, and `codetape status` says which file is ignored and why."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from collector.home import Home
from collector.workspace.registry import Registry
from tests.support.collector_harness import codetape, codetape_process, opt_in, running

NOBODY = 65534
SYSTEM_PYTHON = shutil.which("python3", path="/usr/bin:/bin")  # one that user nobody can run

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or SYSTEM_PYTHON is None,
                                reason="acting as user nobody needs root and a system python3")


@pytest.fixture
def shared() -> Iterator[Path]:
    """A sticky, world-writable directory like /tmp, outside pytest's private temporary root."""
    base = Path(tempfile.mkdtemp(prefix="ct-shared-"))
    os.chmod(base, 0o755)
    directory = base / "shared"
    directory.mkdir()
    os.chmod(directory, 0o1777)
    try:
        yield directory
    finally:
        shutil.rmtree(base)


def plant_as_nobody(directory: Path) -> None:
    assert SYSTEM_PYTHON is not None
    script = "import sys, pathlib; pathlib.Path(sys.argv[1]).write_text('exclude = []\\n')"
    done = subprocess.run([SYSTEM_PYTHON, "-I", "-c", script, str(directory / ".codetape.toml")],
                          user=NOBODY, group=NOBODY, extra_groups=[], cwd="/", capture_output=True, text=True,
                          timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    assert (directory / ".codetape.toml").stat().st_uid == NOBODY


def test_a_settings_file_planted_by_another_account_records_nothing(shared: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    mine = opt_in(tmp_path / "mine", home=home)  # a real workspace of the user's, to show recording works
    plant_as_nobody(shared)
    project = shared / "project"
    project.mkdir()
    with running(home) as daemon:
        assert codetape_process(home, "run", "--", "echo", "planted", cwd=project).returncode == 0
        assert codetape_process(home, "run", "--", "echo", "mine", cwd=mine).returncode == 0
        with daemon.client() as client:
            reply = client.hello(project, "bridge")
            assert reply["recording"] is False and "not opted in" in reply["reason"]
            roots = [w["root"] for w in client.request("status")["workspaces"]]
        assert roots == [str(mine)]
        status = codetape(home, "status", cwd=project)
        ignored = shared.resolve() / ".codetape.toml"
        assert f"warning: {ignored} is ignored: {shared.resolve()} was not opted in by you" in status.stdout
    journals = b"".join(p.read_bytes() for p in (home / "journals").glob("*") if p.is_file())
    episodes = b"".join(p.read_bytes() for p in (home / "episodes").glob("*") if p.is_file())
    assert b"planted" not in journals + episodes


def test_a_registered_shared_directory_is_still_ignored_once_another_account_owns_its_settings(
        shared: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    Registry(Home(home.resolve())).add(shared.resolve())  # the user opted it in once, long ago
    plant_as_nobody(shared)
    with running(home) as daemon, daemon.client() as client:
        assert client.hello(shared / "project", "bridge")["recording"] is False
        assert client.request("status")["workspaces"] == []
    listed = json.loads(codetape(home, "status", "--json", cwd=tmp_path).stdout)
    assert listed["ignored_settings"] == [f"{shared.resolve() / '.codetape.toml'} belongs to another user "
                                          f"(uid {NOBODY}); it is ignored"]
    refused = codetape(home, "init", str(shared))
    assert refused.returncode == 2 and "belongs to another user" in refused.stderr
