"""The plain command lines of the commands a shell and an editor run most, read without argparse:
`codetape status [--json]`, `codetape note TEXT` and `codetape run -- CMD ARGS...` (issue 108, item 8).

argparse's parser costs each of them ~3 ms before it answers (its help formatter loads shutil with bz2 and
lzma, its messages gettext's locale), of the ~30 ms they take beside the interpreter's start. For these
few forms the namespace is filled here exactly as the command's parser fills it (tests/unit/cli/
test_quick.py holds the two to the same result); any other command line, an option among them, a help,
a usage error, is left to argparse (collector/cli/parser.py), so what it says and does is unchanged.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not loaded for these commands
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import TypeVar

    Namespace = TypeVar("Namespace")  # argparse's, or main.py's SimpleNamespace: argparse is not loaded


def parsed(argv: Sequence[str], namespace: Namespace) -> Namespace | None:
    """`namespace` with what argparse would set from `argv`, when it is one of the plain forms above (only
    that command's module imported); None for any other command line."""
    match list(argv):
        case ["status"] | ["status", "--json"]:
            from collector.cli.commands import status  # deferred: only the command named

            vars(namespace).update(command="status", json=len(argv) == 2, func=status.run)
        case ["note", text] if not text.startswith("-"):  # an option, or what argparse takes for one
            from pathlib import Path  # deferred: main imports this module before proxy mode's server starts

            from collector.cli.commands import note  # deferred: only the command named

            vars(namespace).update(command="note", text=text, dir=Path("."), func=note.run)
        case ["run", "--", *command]:
            from collector.cli.commands import run  # deferred: only the command named

            vars(namespace).update(command="run", junit=[], argv=["--", *command], func=run.run)
        case _:
            return None
    return namespace
