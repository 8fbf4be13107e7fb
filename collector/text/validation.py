"""What a validator refused, as one line a person can act on: `first_error` for pydantic's models and
msgspec's structs alike, so every message that quotes a refusal reads the same (the collector's readers,
the journal, the seal, the bridge's notifications)."""

from __future__ import annotations

import msgspec
import pydantic

from collector.text.oneline import one_line

WHERE_LIMIT = 200  # characters of the field's path: a key can be as long as the input


def first_error(exc: pydantic.ValidationError | msgspec.ValidationError, whole: str | None = None) -> str:
    """The first error of `exc` on one line: `field.path: message` (pydantic; `whole: message` when the
    error is about the value as a whole and `whole` names it, else the message alone), or msgspec's own
    line, which names its path (``Expected `int`, got `str` - at `$.t_ms` ``)."""
    if isinstance(exc, msgspec.ValidationError):
        return one_line(str(exc))
    error = exc.errors(include_url=False)[0]
    where = one_line(".".join(str(part) for part in error["loc"]), WHERE_LIMIT) or whole
    message = one_line(error["msg"])
    return f"{where}: {message}" if where else message
