"""What a validator refused, as one line a person can act on: `first_error` for pydantic's models and
msgspec's structs alike, so every message that quotes a refusal reads the same (the collector's readers,
the journal, the seal, the TOML loader, the bridge's notifications): `field.path: what is wrong`."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import msgspec

from collector.text.oneline import one_line

if TYPE_CHECKING:  # a msgspec refusal loads no pydantic (`codetape status` reads its config with msgspec)
    import pydantic

WHERE_LIMIT = 200  # characters of the field's path: a key can be as long as the input
_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")  # msgspec's message ends with where: `$.upload.to[0]`
_PART = re.compile(r"\.(?P<name>[^.\[]+)|\[(?P<index>\d+)\]|\[\.\.\.\]")
_UNKNOWN = re.compile(r"unknown field `(?P<name>[^`]*)`")


def first_error(exc: pydantic.ValidationError | msgspec.ValidationError, whole: str | None = None) -> str:
    """The first error of `exc` on one line: `field.path: message`, or `whole: message` when the error is
    about the value as a whole and `whole` names it (else the message alone)."""
    if isinstance(exc, msgspec.ValidationError):
        message = _AT.sub("", str(exc))  # its path is said first, as pydantic's is
    else:
        message = exc.errors(include_url=False)[0]["msg"]
    where = one_line(".".join(str(part) for part in error_path(exc)), WHERE_LIMIT) or whole
    return f"{where}: {one_line(message)}" if where else one_line(message)


def error_path(exc: pydantic.ValidationError | msgspec.ValidationError) -> tuple[str | int, ...]:
    """Where the first error of `exc` is: field names and list indexes from the top (pydantic's `loc`;
    msgspec's path, an unknown field's name after its object's, `...` for a mapping's key)."""
    if not isinstance(exc, msgspec.ValidationError):
        return tuple(exc.errors(include_url=False)[0]["loc"])
    message = str(exc)
    at, unknown = _AT.search(message), _UNKNOWN.search(message)
    path: list[str | int] = []
    for part in _PART.finditer(at["path"] if at is not None else ""):
        path.append(part["name"] if part["name"] is not None else
                    int(part["index"]) if part["index"] is not None else "...")
    return (*path, unknown["name"]) if unknown is not None else tuple(path)
