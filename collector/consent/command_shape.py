"""A command's shape: what an unlinkable episode keeps of a command line, so that its arguments do not join
it to an endpoint log of the command lines each person ran.

    shape_argv(["pytest", "tests/unit/test_add.py", "-k", "negative"])
        -> ["pytest", "tests/«dir»/test_«name».py", "-k", "«word»"]
    shape_line("git commit -m 'fix it' && make -j8") -> "git commit -m «text» && make -j«number:1»"

Kept: the program (its file name, not the folder it was run from), the subcommand of a program that has
them (SUBCOMMANDS: `git commit`, `npm test`), every flag (`-k`, `--maxfail`, a cluster of letters
`-xvs`), the name of a flag's or a variable's `NAME=` and the shell's operators (`|`, `&&`, `>`).
Every other argument becomes its kind and shape:

    a path      its depth, `.`, `..`, `~` and a leading `/`, the extension, and the folder names and
                name affixes every project has (KEPT_DIRS, `test_`, `_test`, `.spec`):
                `tests/«dir»/test_«name».py`; a test id's `::` parts are `«name»`
    a number    its magnitude, the digits before and after the point: `«number:3»`, `«number:1.2»`
    a URL       `«url»`
    a word      its length class: `«word»` (up to 12 characters) or `«long-word»`
    a text      (holding a space) `«text»` (up to 40 characters) or `«long-text»`

A line is split by Python's shlex (POSIX rules, the shell's punctuation apart); a line shlex cannot split
(an unclosed quote) keeps its first word and gives the rest as `«text»`. What a value glued to a flag of
letters holds (`-mfoo`) cannot be told from a cluster of flags and stays.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Sequence

SUBCOMMANDS = frozenset({
    "apt", "apt-get", "brew", "bun", "bundle", "cargo", "codetape", "conda", "deno", "docker", "dotnet",
    "gh", "git", "go", "gradle", "hatch", "helm", "just", "kubectl", "mvn", "nix", "npm", "npx", "pdm",
    "pip", "pip3", "pipx", "pnpm", "poetry", "rustup", "systemctl", "terraform", "uv", "yarn"})
VALUE_FLAGS = {"git": frozenset({"-C", "-c"})}  # a flag before the subcommand whose value follows it
KEPT_DIRS = frozenset({
    ".git", ".github", ".venv", "app", "bench", "bin", "build", "cmd", "dist", "doc", "docs", "examples",
    "include", "internal", "lib", "node_modules", "pkg", "scripts", "spec", "src", "test", "tests", "tmp",
    "venv"})
KEPT_SUFFIXES = frozenset({"d", "min", "spec", "tar", "test"})  # an inner extension kept: `«name».test.ts`
OPERATORS = frozenset({"|", "||", "&&", ";", "&", "(", ")", ";;"})
REDIRECTIONS = frozenset("<>&|")  # `>`, `2>&1`'s `>&`: kept within a command

_FLAG = re.compile(r"--[A-Za-z][\w-]*")
_CLUSTER = re.compile(r"-[A-Za-z]+")
_GLUED = re.compile(r"(-[A-Za-z])(.+)")
_NUMBER = re.compile(r"[+-]?(\d+)(?:\.(\d+))?")
_ASSIGN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", re.DOTALL)
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S*")
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,8}")
_SUBCOMMAND = re.compile(r"[a-z][a-z0-9-]{0,24}")
_MODULE = re.compile(r"[A-Za-z_][\w.]*")
_SAFE = re.compile(r"[\w«»:./=+@%,~-]+")


def spelt(argv: Sequence[str]) -> str:
    """`argv` in one line as a shell reads it back, its shapes and plain words unquoted."""
    return " ".join(map(_spelt, argv))


def shape_argv(argv: Sequence[str]) -> list[str]:
    """`argv` (one command, its program first) with every argument but the program, a subcommand and the
    flags given as its kind and shape (see the module's docstring)."""
    shaped: list[str] = []
    tokens = iter(argv)
    for token in tokens:  # the variables set for the command, then its program
        assigned = _ASSIGN.fullmatch(token)
        if assigned is None:
            shaped.append(token.rsplit("/", 1)[-1] or token)
            break
        shaped.append(f"{assigned[1]}={shape_argument(assigned[2])}")
    program = shaped[-1] if shaped else ""
    value_flags, wants_subcommand = VALUE_FLAGS.get(program, frozenset()), program in SUBCOMMANDS
    runs_module = program.startswith("python")  # `python -m pytest`: the module is the program run
    for token in tokens:
        if runs_module and token == "-m":
            module = next(tokens, None)
            shaped.extend([token] if module is None else
                          [token, module if _MODULE.fullmatch(module) else shape_argument(module)])
            runs_module = False
            continue
        if wants_subcommand and token in value_flags:
            shaped.append(token)
            value = next(tokens, None)
            shaped.extend([] if value is None else [shape_argument(value)])
            continue
        if wants_subcommand and not token.startswith("-"):
            wants_subcommand = False
            if _SUBCOMMAND.fullmatch(token):
                shaped.append(token)
                continue
        shaped.append(shape_token(token))
    return shaped


def shape_line(line: str) -> str:
    """`line` (a shell command line) with each of its commands shaped by `shape_argv`, its operators kept."""
    try:
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError:  # an unclosed quote or escape: the program, and the rest as a text
        program, _, rest = line.strip().partition(" ")
        head = shape_argv([program]) if program else []
        return " ".join([*map(_spelt, head), *([shape_argument(rest)] if rest.strip() else [])])
    words: list[str] = []
    for part in _commands(tokens):
        words.extend(part if len(part) == 1 and part[0] in OPERATORS else shape_argv(part))
    return spelt(words)


def shape_token(token: str) -> str:
    """One argument after the program: a flag kept (a value after `=` or glued to a one-letter flag
    shaped), anything else by `shape_argument`."""
    if token in ("-", "--") or set(token) <= REDIRECTIONS or _CLUSTER.fullmatch(token) \
            or _FLAG.fullmatch(token):
        return token
    if token.startswith("--") and "=" in token:
        flag, _, value = token.partition("=")
        return f"{flag}={shape_argument(value)}"
    glued = _GLUED.fullmatch(token)
    if glued is not None and _NUMBER.fullmatch(token) is None:
        return glued[1] + shape_argument(glued[2])
    return shape_argument(token)


def shape_argument(value: str) -> str:
    """A value's kind and shape: a number's magnitude, a URL, a path's depth and extension, a `NAME=`'s
    value, else a word's or a text's length class."""
    number = _NUMBER.fullmatch(value)
    if number is not None:
        return f"«number:{len(number[1])}{'' if number[2] is None else f'.{len(number[2])}'}»"
    if _URL.fullmatch(value):
        return "«url»"
    if any(space in value for space in " \t\n"):
        return "«text»" if len(value) <= 40 else "«long-text»"
    assigned = _ASSIGN.fullmatch(value)
    if assigned is not None:
        return f"{assigned[1]}={shape_argument(assigned[2])}"
    if "/" in value or "::" in value or _has_extension(value) or value in (".", "..", "~"):
        return shape_path(value)
    return "«word»" if len(value) <= 12 else "«long-word»"


def shape_path(value: str) -> str:
    """A path's (or test id's) shape: its folders `«dir»` but KEPT_DIRS, its file `«name»` with its affixes
    and extension, a test id's `::` parts `«name»`."""
    path, *inside = value.split("::")
    parts = path.split("/")
    shaped = [_folder(part) for part in parts[:-1]] + [_file(parts[-1])]
    return "/".join(shaped) + "".join("::«name»" for _ in inside)


def _folder(part: str) -> str:
    if part in ("", ".", "..", "~") or part in KEPT_DIRS:
        return part
    return "«dir»"


def _file(part: str) -> str:
    if part in ("", ".", "..", "~", "*") or part in KEPT_DIRS:
        return part
    stem, *extensions = part.split(".")
    kept = extensions[-1:] if extensions and _EXTENSION.fullmatch(extensions[-1]) else []
    inner = [suffix for suffix in extensions[:-1] if suffix in KEPT_SUFFIXES]
    for prefix in ("test_", "test-"):
        if stem.startswith(prefix) and len(stem) > len(prefix):
            return ".".join([f"{prefix}«name»", *inner, *kept])
    ending = "_test" if stem.endswith("_test") and len(stem) > 5 else ""
    name = "«name»" + ending if stem else ""
    return ".".join([name, *inner, *kept])


def _has_extension(value: str) -> bool:
    stem, dot, extension = value.rpartition(".")
    return bool(dot and stem and _EXTENSION.fullmatch(extension) and not extension.isdigit())


def _commands(tokens: Sequence[str]) -> Iterator[list[str]]:
    """The simple commands of a lexed line and, as one-token lists, the operators between them."""
    current: list[str] = []
    for token in tokens:
        if token in OPERATORS:
            if current:
                yield current
            yield [token]
            current = []
        else:
            current.append(token)
    if current:
        yield current


def _spelt(token: str) -> str:
    """`token` as a shell would read it back: quoted unless it is plain (shapes, flags, paths)."""
    return token if _SAFE.fullmatch(token) or set(token) <= REDIRECTIONS | {";", "(", ")"} \
        else shlex.quote(token)
