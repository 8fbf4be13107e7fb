"""The static command table (collector/cli/table.py) says what each command's own module says."""

from __future__ import annotations

import argparse
import importlib
import pkgutil

from collector.cli import commands
from collector.cli.table import COMMANDS, module_of


def test_the_table_lists_every_command_with_its_own_help() -> None:
    modules = sorted(f"{commands.__name__}.{info.name}" for info in pkgutil.iter_modules(commands.__path__))
    assert sorted(module_of(name) for name in COMMANDS) == modules
    sub = argparse.ArgumentParser().add_subparsers()
    for name in modules:
        importlib.import_module(name).register(sub)
    assert {action.dest: action.help for action in sub._choices_actions} == COMMANDS
