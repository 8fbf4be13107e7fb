"""What a validator refused, as one line a person can act on: `first_error`, the one formatter of a
msgspec refusal (a step, the header, the consent statement, an upload record, a settings or config file,
a bridge notification), so every message that quotes one reads the same: `field.path: what is wrong`.

msgspec says where last (`... - at `$.upload.to[0]``); a model's own rule (`__post_init__`, which
raises schemas.common.FieldError) is reported at its model, and the field it names is added here.
"""

from __future__ import annotations

import re

import msgspec

from collector.text.oneline import one_line
from schemas.common import FieldError

WHERE_LIMIT = 200  # characters of the field's path: a key can be as long as the input
_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")  # msgspec's message ends with where: `$.upload.to[0]`
_PART = re.compile(r"\.(?P<name>[^.\[]+)|\[(?P<index>\d+)\]|\[\.\.\.\]")
_UNKNOWN = re.compile(r"unknown field `(?P<name>[^`]*)`")
_QUOTED = re.compile(r"'.*'")


def first_error(exc: msgspec.MsgspecError, whole: str | None = None, *, values: bool = True) -> str:
    """The refusal `exc` (a ValidationError, or a DecodeError: not JSON at all) on one line:
    `field.path: message`, or `whole: message` when it is about the value as a whole and `whole` names it
    (else the message alone). Without `values`, the refused value
    and an unknown field's name are left out (for a line that is itself recorded)."""
    message = _AT.sub("", str(exc)) or "invalid"
    if not values:
        message = _UNKNOWN.sub("an unknown field", _QUOTED.sub("a value", message))
    where = one_line(".".join(str(part) for part in error_path(exc, values=values)), WHERE_LIMIT) or whole
    return f"{where}: {one_line(message)}" if where else one_line(message)


def error_path(exc: msgspec.MsgspecError, *, values: bool = True) -> tuple[str | int, ...]:
    """Where `exc` is: field names and list indexes from the top (an unknown field's name after its
    object's unless not `values`, the field a model's own rule names, `...` for a mapping's key)."""
    message = str(exc)
    at, unknown = _AT.search(message), _UNKNOWN.search(message)
    path: list[str | int] = []
    for part in _PART.finditer(at["path"] if at is not None else ""):
        path.append(part["name"] if part["name"] is not None else
                    int(part["index"]) if part["index"] is not None else "...")
    if isinstance(exc.__cause__, FieldError):
        path.append(exc.__cause__.field)
    elif unknown is not None and values:
        path.append(unknown["name"])
    return tuple(path)
