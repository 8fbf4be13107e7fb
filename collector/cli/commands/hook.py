"""`codetape hook bash|zsh`: print the shell snippet that records terminal commands.

Add `eval "$(codetape hook bash)"` at the end of ~/.bashrc (or `eval "$(codetape hook zsh)"` to ~/.zshrc).
In workspaces opted in with `codetape init`, every command line is recorded with its directory, exit
status and duration, never its output. The prompt does not wait: a background recorder sends the records.
"""

from __future__ import annotations

import argparse

from collector.home import Home


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from collector.sources.shell.shell_hook import SHELLS

    parser = sub.add_parser("hook", help="print the shell hook that records terminal commands",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shell", choices=SHELLS, help="the shell to print the hook for")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collector.sources.shell.shell_hook import snippet, spool_dir

    home = Home.from_env(args.env)
    spool_dir(home)
    print(snippet(args.shell, home), end="")
    return 0
