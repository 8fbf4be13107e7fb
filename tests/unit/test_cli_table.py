"""The static command table (collector/cli/table.py) says what each command's own module says."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import subprocess
import sys

from collector.cli import commands
from collector.cli.table import COMMANDS


def test_the_table_lists_every_command_with_its_own_help() -> None:
    modules = sorted(info.name for info in pkgutil.iter_modules(commands.__path__))
    assert sorted(COMMANDS) == modules
    sub = argparse.ArgumentParser().add_subparsers()
    for name in modules:
        importlib.import_module(f"collector.cli.commands.{name}").register(sub)
    assert {action.dest: action.help for action in sub._choices_actions} == COMMANDS


def test_top_level_help_imports_no_command_and_no_pydantic() -> None:
    probe = ("import sys\nfrom collector.cli.main import main\n"
             "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
             "loaded = [m for m in sys.modules\n"
             "          if m.startswith('collector.cli.commands.') or m == 'pydantic']\n"
             "print(loaded, file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stderr.strip() == "[]"
    assert all(name in done.stdout for name in COMMANDS)
