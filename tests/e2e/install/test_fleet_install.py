"""The README's fleet install (For administrators), run as an administrator runs it: a wheel built from this
checkout, `uv tool install` of it with the system's Python into folders every user can read, a root-owned
managed policy; then `codetape doctor` and `codetape status --json` as a user who is not root (nobody), in
a clean HOME: the installed codetape runs for them and reports the policy in force, and refuses it once
the file is theirs.

And the release as a developer gets it: `uv build` makes an sdist and a wheel from it that `twine check`
accepts, the sdist holds no test (tests/fixtures/zed is GPL-3.0), and the wheel installed into a fresh
virtualenv runs `codetape demo` with the editor plugin, the templates and the pytest plugin it carries."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import collector

REPO = Path(__file__).resolve().parents[3]
NOBODY = 65534
SYSTEM_PYTHON = Path("/usr/bin/python3")


@pytest.fixture
def machine() -> Iterator[Path]:
    """A folder every user may enter (pytest's own tmp_path sits in one only root may)."""
    with tempfile.TemporaryDirectory(prefix="codetape-fleet-") as made:
        Path(made).chmod(0o755)
        yield Path(made)


@pytest.mark.eval
def test_a_fleet_install_runs_for_a_user_who_is_not_root(machine: Path) -> None:
    uv = shutil.which("uv", path=str(Path(sys.executable).parent))
    assert uv and SYSTEM_PYTHON.is_file(), "run scripts/setup (uv); the system's python3 is needed"
    assert os.geteuid() == 0, "an administrator's install: run as root"
    tmp_path = machine
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "CODETAPE"))}
    dist, tools, bin_dir = tmp_path / "dist", tmp_path / "opt-codetape", tmp_path / "bin"
    wheel, _ = built(uv, dist, env)
    env |= {"UV_TOOL_DIR": str(tools), "UV_TOOL_BIN_DIR": str(bin_dir)}
    done = subprocess.run([uv, "tool", "install", "--python", str(SYSTEM_PYTHON), str(wheel)], env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    for folder in (tools, bin_dir):
        folder.chmod(0o755)

    etc = tmp_path / "etc-codetape"
    etc.mkdir(mode=0o755)
    policy = etc / "policy.toml"
    policy.write_text('mandatory_exclude = ["docs/private/"]\nallowed_purposes = ["model-training"]\n',
                      encoding="utf-8")
    policy.chmod(0o644)
    user = tmp_path / "user"
    user.mkdir()
    os.chown(user, NOBODY, NOBODY)
    clean = {"HOME": str(user), "PATH": f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin",
             "CODETAPE_POLICY": str(policy)}

    def as_nobody(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["codetape", *args], env=clean, cwd=user, user=NOBODY, group=NOBODY,
                              extra_groups=[], capture_output=True, text=True, timeout=120, check=False)

    doctor = as_nobody("doctor")
    assert doctor.returncode == 1, doctor.stderr  # nothing hooked in a clean HOME
    lines = doctor.stdout.splitlines()
    assert lines[0] == f"ok      codetape: {bin_dir / 'codetape'}"
    assert lines[1].startswith(f"ok      managed policy: {policy} (added by CODETAPE_POLICY)")
    assert lines[2].startswith("PROBLEM policy override: CODETAPE_POLICY is set")
    status = json.loads(as_nobody("status", "--json").stdout)
    assert status["managed_policy"]["state"] == "in force"
    assert status["managed_policy"]["settings"]["allowed_purposes"] == ["model-training"]

    os.chown(policy, NOBODY, NOBODY)  # the user's own file is not the organisation's
    doctor = as_nobody("doctor")
    assert doctor.stdout.splitlines()[1].startswith("PROBLEM managed policy: REFUSED: managed policy ")
    assert "is owned by uid 65534, not root" in doctor.stdout


def built(uv: str, dist: Path, env: dict[str, str]) -> tuple[Path, Path]:
    """`uv build` of the checkout: an sdist, then a wheel built from it (as a release is made); both."""
    done = subprocess.run([uv, "build", "-o", str(dist), str(REPO)], env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    [wheel], [sdist] = dist.glob("codetape-*.whl"), dist.glob("codetape-*.tar.gz")
    return wheel, sdist


# what the code loads by path at run time, by where it sits in the wheel
CARRIED = [
    "collector/editor_plugins/neovim/lua/codetape/init.lua",
    "collector/editor_plugins/neovim/lua/codetape/origins.lua",
    "collector/editor_plugins/emacs/codetape.el", "collector/editor_plugins/emacs/codetape-lsp.el",
    "collector/editor_plugins/vim/codetape.vim", "collector/editor_plugins/helix/languages.toml",
    "collector/report/templates/report.html.j2", "collector/report/static/report.css",
    "collector/dataset/card/templates/card.md.j2", "collector/annex/templates/annex.html.j2",
    "collector/sources/pytest_plugin.py", "collector/sources/pytest_path/codetape_pytest.py",
    "collector/sources/pytest_path/codetape_pytest-1.dist-info/entry_points.txt",
    "collector/sources/agents/payloads.py", "collector/protocol/wire.py",
    "schemas/step.schema.json", f"codetape-{collector.__version__}.dist-info/licenses/LICENSE",
]


def test_the_release_installs_into_a_fresh_virtualenv_and_runs_the_demo(tmp_path: Path) -> None:
    uv = shutil.which("uv", path=str(Path(sys.executable).parent))
    assert uv, "run scripts/setup (uv is in the test extra)"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("VIRTUAL_ENV", "CODETAPE", "PYTHON"))}
    wheel, sdist = built(uv, tmp_path / "dist", env)
    assert wheel.name == f"codetape-{collector.__version__}-py3-none-any.whl"
    checked = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)],
                             capture_output=True, text=True, timeout=120, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    with tarfile.open(sdist) as archive:
        shipped = [name.split("/", 1)[1] for name in archive.getnames() if "/" in name]
    assert not [name for name in shipped if name.startswith("tests") or "node_modules" in name
                or "fixtures" in name], shipped
    assert {"LICENSE", "CHANGELOG.md", "README.md", "setup.py", "editor_extensions/emacs/codetape.el",
            "editor_extensions/neovim/lua/codetape/init.lua"} <= set(shipped)
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = archive.read(f"codetape-{collector.__version__}.dist-info/entry_points.txt").decode()
    assert [name for name in CARRIED if name not in names] == []
    assert "[pytest11]\ncodetape = collector.sources.pytest_plugin" in entry_points

    # a fresh virtualenv, the wheel and its demo extra (the pinned Neovim) in it, run from elsewhere than
    # the checkout so that nothing of the checkout is imported
    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    done = subprocess.run([uv, "pip", "install", "--python", str(python), f"{wheel}[demo]"], env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    site = Path(subprocess.run([str(python), "-c", "import collector, pathlib; "
                                "print(pathlib.Path(collector.__file__).parent)"], cwd=tmp_path, env=env,
                               capture_output=True, text=True, timeout=60, check=True).stdout.strip())
    assert site.is_relative_to(venv), site
    user = tmp_path / "user"
    user.mkdir()
    clean = env | {"HOME": str(user), "PATH": f"{venv / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin"}

    def installed(*args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
        extra = {} if home is None else {"CODETAPE_HOME": str(home)}
        return subprocess.run([str(venv / "bin" / "codetape"), *args], env=clean | extra, cwd=user,
                              capture_output=True, text=True, encoding="utf-8", timeout=300, check=False)

    assert installed("--version").stdout == f"codetape {collector.__version__}\n"
    doctor = installed("doctor")
    plugins = site / "editor_plugins"
    named = ", ".join(f"{editor} {plugins / editor}" for editor in ("neovim", "vim", "emacs", "helix"))
    shipped = f"--      plugins shipped: {named}; to set one up, Neovim's init.lua: "
    assert shipped in doctor.stdout, doctor.stdout

    demo = installed("demo", "--dir", str(tmp_path / "demo"))
    assert demo.returncode == 0, demo.stderr
    assert f"headless Neovim ({venv / 'bin' / 'nvim'}) through codetape's Neovim plugin" in demo.stderr
    home = tmp_path / "demo" / "home"
    [episode] = (home / "outbox").glob("*.ctape")
    summary = json.loads(installed("inspect", str(episode), "--json", home=home).stdout)
    # the installed Lua plugin said whose every edit was; the installed pytest plugin recorded the run
    written = summary["files"]["calc.py"]["written"]
    assert list(written) == ["typed"] and written["typed"] > 0, written
    assert summary["kinds"]["test_run"] == 1, summary["kinds"]
    report = tmp_path / "report.html"
    made = installed("report", str(episode), "-o", str(report), home=home)
    assert made.returncode == 0, made.stderr
    html = report.read_text(encoding="utf-8")
    css = (site / "report" / "static" / "report.css").read_text(encoding="utf-8")
    rule = next(line for line in css.splitlines() if line.startswith(":root{"))
    assert html.startswith("<!DOCTYPE html>") and rule in html  # the installed templates and style
    assert "characters written: typed 100%" in html
