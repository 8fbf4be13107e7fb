"""codetape's own commands are not the developer's work: a `command` step that runs codetape itself
(`codetape review`, `codetape status`, `CODETAPE_HOME=... codetape doctor`, ...) is not recorded, from
the shell hook, an editor's terminal or `codetape run`. `codetape run -- CMD` records CMD as its own step,
and `codetape note` and `codetape task` record their own steps. A line that does more than run codetape
(`codetape status && pytest`) is recorded as it is."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

PROGRAM = "codetape"
_PREFIXES = frozenset({"env", "command", "exec", "time", "nice", "nohup", "sudo"})  # run what follows them
_SEPARATORS = frozenset(";&|()")  # a token of these alone joins commands; `<`, `>` only redirect


def runs_codetape(argv: Sequence[str]) -> bool:
    """Whether `argv` runs codetape: its program, after `VAR=value` words and the prefixes above (with
    their options), is named codetape."""
    for word in argv:
        name, equals, _ = word.partition("=")
        if (equals and name.isidentifier()) or word in _PREFIXES or word.startswith("-"):
            continue
        return os.path.basename(word) == PROGRAM
    return False


def runs_codetape_line(line: str) -> bool:
    """Whether a shell command line is one command that runs codetape (quotes as the shell reads them)."""
    if "\n" in line or PROGRAM not in line:
        return False
    import shlex  # deferred: `codetape run` loads this module and reads no command line with it

    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        words = list(lexer)
    except ValueError:  # an open quote: not a line to judge
        return False
    if any(word and set(word) <= _SEPARATORS for word in words):
        return False
    return runs_codetape(words)


def own_command(step: Mapping[str, object]) -> bool:
    """Whether a `command` step (a map from the wire: `argv` or `command_line`) runs codetape itself."""
    argv, line = step.get("argv"), step.get("command_line")
    if isinstance(argv, list) and all(isinstance(word, str) for word in argv):
        return runs_codetape(argv)
    return isinstance(line, str) and runs_codetape_line(line)
