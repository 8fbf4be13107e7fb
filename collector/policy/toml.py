"""The one loader of codetape's TOML files: read, parse, validate against a model (a msgspec Struct of
schemas/: `load_model`, `parse_model`). TOML's dates and times stay what they are: a quoted string where
a date is wanted is refused, not read as one.

Every problem becomes one line naming the file, the line where it is when that can be told, and the first
thing wrong (`path:LINE: key.sub: message`), raised as the caller's error class, so the recording
settings and the sharing policy fail alike. A syntax error found at the end of the text (an array never
closed) is put on the line where the open statement begins (`open_line`). The line of a validation error
is found by reading the text again for the key the error names (`key_line`): the table it is in, then
the key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from collector.errors import CodetapeError
from collector.text.validation import error_path, first_error

M = TypeVar("M", bound=msgspec.Struct)
_TOML_VALUES = (date, datetime, time)  # what tomllib gives besides JSON's types

_AT_LINE = re.compile(r"^(?P<what>.*?) \(at line (?P<line>\d+), column \d+\)$")
_AT_END = " (at end of document)"
_HEADER = re.compile(r"^\s*\[\[?\s*(?P<key>[^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")
_ASSIGN = re.compile(r"^\s*(?P<key>[A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*|\"[^\"]*\"|'[^']*')\s*=")


def load_model(path: Path, model: type[M], error: type[CodetapeError]) -> M | None:
    """`path` parsed and validated as `model`; None when the file does not exist."""
    text = read_text(path, error)
    return None if text is None else parse_model(text, model, error, path)


def read_text(path: Path, error: type[CodetapeError]) -> str | None:
    """The text of `path` (UTF-8); None when the file does not exist."""
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: {exc}") from None


def parse_model(text: str, model: type[M], error: type[CodetapeError], path: Path) -> M:
    """`text` (the content of `path`) parsed and validated as `model`."""
    data = _parsed(text, error, path)
    try:
        return msgspec.convert(data, model, builtin_types=_TOML_VALUES)
    except msgspec.ValidationError as exc:
        raise _refused(exc, text, error, path) from None


def _refused(exc: msgspec.ValidationError, text: str, error: type[CodetapeError],
             path: Path) -> CodetapeError:
    """The validator's first refusal as `error`: `path:LINE: key.sub: message`, LINE where the key is."""
    line = key_line(text, [part for part in error_path(exc) if isinstance(part, str)])
    return error(f"{path}{'' if line is None else f':{line}'}: {first_error(exc, 'file')}")


def _parsed(text: str, error: type[CodetapeError], path: Path) -> dict[str, Any]:
    """`text` (the content of `path`) parsed as TOML; `error` naming the line of a syntax error."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _AT_LINE.match(str(exc))
        if found is not None:
            raise error(f"{path}:{found['line']}: {found['what']}") from None
        what = str(exc).removesuffix(_AT_END)
        if what == str(exc):
            raise error(f"{path}: {exc}") from None
        raise error(f"{path}:{open_line(text)}: {what} (still open at the end of the file)") from None


def open_line(text: str) -> int:
    """The line (1-based) where the statement still open at the end of the TOML `text` begins (an array, a
    string, a table header never closed): the first line that is neither blank nor a comment after the
    longest run of whole lines that parses (the last line that is not blank if none is).

    tomllib reads forward, so a prefix ending inside that statement fails as the whole text does, and one
    ending before it parses. Only called for a text that failed at its end: a settings file, a few lines.
    """
    lines = text.split("\n")
    for kept in range(len(lines) - 1, -1, -1):
        try:
            tomllib.loads("\n".join(lines[:kept]) + "\n")  # each line with its break (a CRLF file too)
        except tomllib.TOMLDecodeError:
            continue
        for number in range(kept + 1, len(lines) + 1):
            if (stripped := lines[number - 1].strip()) and not stripped.startswith("#"):
                return number
        break
    return max((number for number, line in enumerate(lines, start=1) if line.strip()), default=1)


def key_line(text: str, key: Sequence[str]) -> int | None:
    """The line (1-based) where the deepest part of the dotted `key` is written in the TOML `text`: the
    assignment of the key or of a table above it, or the header of its table; None when none is."""
    best: tuple[int, int] | None = None  # (parts matched, line)
    table: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header is not None:
            table, path = _parts(header["key"]), _parts(header["key"])
        elif (assign := _ASSIGN.match(line)) is not None:
            path = [*table, *_parts(assign["key"])]
        else:
            continue
        depth = _common(path, key)
        if depth == len(path) and depth and (best is None or depth > best[0]):
            best = (depth, number)
    return None if best is None else best[1]


def _parts(dotted: str) -> list[str]:
    return [part.strip().strip("\"'") for part in dotted.split(".")]


def _common(path: Sequence[str], key: Sequence[str]) -> int:
    depth = 0
    for mine, wanted in zip(path, key, strict=False):
        if mine != wanted:
            break
        depth += 1
    return depth
