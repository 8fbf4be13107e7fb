"""`codetape status` reads CODETAPE_HOME/config.toml on every run, so reading it loads no pydantic: a
real interpreter says which modules the command imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from collector.home import Home


def home_with(tmp_path: Path, config: str) -> Home:
    home = Home(tmp_path / "home")
    home.root.mkdir(mode=0o700)
    home.config.write_text(config, encoding="utf-8")
    return home


def test_status_with_a_config_loads_no_pydantic(tmp_path: Path) -> None:
    home = home_with(tmp_path, f'[upload]\nto = "{(tmp_path / "dest").as_uri()}"\nconcurrency = 2\n')
    probe = ("import sys\nfrom collector.cli.main import main\nmain(['status'])\n"
             "print('pydantic' in sys.modules, file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          cwd=tmp_path, env={"CODETAPE_HOME": str(home.root), "PATH": "/usr/bin:/bin"})
    assert done.stderr.strip() == "False"
    assert f"0 signed episodes waiting for upload to {(tmp_path / 'dest').as_uri()}" in done.stdout
