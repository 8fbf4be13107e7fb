"""The `codetape` command: one module per command under collector/cli/commands/, errors caught here only.

`main(argv, env)` runs one command line in this process: `env` is the environment the command reads
(CODETAPE_HOME first of all; this process's when not given), handed to the command as `args.env`, so
that a caller (the tests) can run many commands with different homes in one process. What a command
prints goes to `sys.stdout` and `sys.stderr` as they are when it runs.

Every error is one line on stderr starting `codetape:`, quoting no URL's user or password (safe_urls.py):
CodetapeError with its exit code, a usage error (argparse's) with 2, and an OSError nothing below expected
(a full disk, a name too long) with 1.

Start-up is part of every command a developer runs: only the named command's module is imported, and the
top-level help (or a mistyped command) comes from the static table in table.py, importing none; the plain
command lines of `status`, `note` and `run` are read without argparse's parser (quick.py). argparse
itself loads after proxy mode's language server has started (`codetape bridge ... -- CMD`, see
collector/cli/commands/bridge.py), so that the server's start overlaps the bridge's.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from types import SimpleNamespace

from collector.cli.quick import parsed
from collector.cli.table import COMMANDS
from collector.errors import CodetapeError
from collector.protocol.crashes import stacks_on_crash

TYPE_CHECKING = False  # typing itself is not loaded before proxy mode's server starts
if TYPE_CHECKING:
    import argparse


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """collector/cli/parser.py's parser for `command`, or for the list of every command."""
    from collector.cli.parser import build_parser as build

    return build(command)


def _command_in(argv: Sequence[str]) -> str | None:
    """The command named in argv, when it is the first argument that is not an option."""
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    return first if first in COMMANDS else None


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    """Run the command line `argv` (this process's when None) with the environment `env`; its exit code.

    With this process's own command line (`codetape`, `python -m collector`) the process is codetape's: a
    native crash first writes every thread's Python stack on stderr (collector/protocol/crashes.py)."""
    if argv is None:
        stacks_on_crash()
    argv = sys.argv[1:] if argv is None else list(argv)
    env = os.environ if env is None else env
    if argv[:1] != ["bridge"]:
        return _command(argv, env)
    from collector.cli.commands.bridge import start_early, stop_server

    server = start_early(argv[1:])  # proxy mode's language server, before argparse and the bridge load
    try:
        from argparse import Namespace

        # collector/cli/commands/bridge.py hands it over
        return _command(argv, env, Namespace(started=server))
    finally:
        if server is not None:  # a usage error or a refusal does not leave it running
            stop_server(server)


def _command(argv: list[str], env: Mapping[str, str], namespace: argparse.Namespace | None = None) -> int:
    """The command argv names, parsed into `namespace` (what was set before parsing) with `env` as
    `args.env`, run with its errors as one line. A plain command line of quick.py's is read into a
    SimpleNamespace (the same attributes): argparse's module is not loaded for it."""
    args: argparse.Namespace | SimpleNamespace | None = None
    if namespace is None:
        args = parsed(argv, SimpleNamespace(env=env))
    if args is None:
        if namespace is None:
            from argparse import Namespace  # deferred: not loaded for quick.py's command lines (~2 ms)

            namespace = Namespace()
        namespace.env = env
        args = build_parser(_command_in(argv)).parse_args(argv, namespace)
    try:
        code = args.func(args)
    except CodetapeError as exc:
        return fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    except OSError as exc:  # nothing below expected it: still one line a person can act on
        where = f": {exc.filename}" if exc.filename is not None else ""
        return fail(f"{exc.strerror or exc}{where}", 1)
    return int(code or 0)


def fail(message: str, code: int) -> int:
    """Say `message` as the one error line, prefixed once (a URL's credentials masked), and return the exit
    code."""
    # deferred: only an error line needs them (safe_urls compiles its patterns on import)
    from collector.safe_urls import safe_text
    from collector.text.oneline import one_line

    print(f"codetape: {one_line(safe_text(message.removeprefix('codetape: ')))}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
