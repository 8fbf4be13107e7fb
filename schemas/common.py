"""What every model of codetape's vocabulary is made of: the strict base (msgspec Structs, like the steps
in schemas/steps/) and the constrained values the header, consent statement, upload records and settings
share with the steps.

Patterns end in `$(?!\\n)` (`whole`): Python's `$` also matches before a final line break, which a value
must not end in; the look-ahead is valid JSON Schema (ECMA) regex too, where it changes nothing.
A rule a constraint cannot say is checked in the model's `__post_init__`, which raises `FieldError`
naming its field, so a refusal says where it is (collector/text/validation.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, ClassVar, Literal, TypeVar

import msgspec

from schemas.compiled import compile_module
from schemas.limits import MAX_MILLIS, PATH_MAX, SHORT_TEXT_MAX, TEXT_MAX


def whole(pattern: str) -> str:
    """`pattern` (which starts with `^`) matching a whole value, never one that ends in a line break."""
    return f"{pattern}$(?!\\n)"


PositionEncoding = Literal["utf-8", "utf-16", "utf-32"]

# A workspace-relative POSIX path ("src/app.py"). Absolute paths never appear in an episode:
# they would leak the developer's home directory. Safety (no "..", no absolute) is enforced
# where paths touch a filesystem (checkout), so a hostile file is reported, not silently fixed.
RelPath = Annotated[str, msgspec.Meta(min_length=1, max_length=PATH_MAX)]
Millis = Annotated[int, msgspec.Meta(ge=0, le=MAX_MILLIS)]
SOURCE_PATTERN = whole(r"^[a-z][a-z0-9_.-]{0,31}")
Source = Annotated[str, msgspec.Meta(pattern=SOURCE_PATTERN)]
Text = Annotated[str, msgspec.Meta(max_length=TEXT_MAX)]
ShortText = Annotated[str, msgspec.Meta(max_length=SHORT_TEXT_MAX)]
Sha256Hex = Annotated[str, msgspec.Meta(pattern=whole(r"^[0-9a-f]{64}"))]
UtcTime = Annotated[datetime, msgspec.Meta(tz=True)]  # with an offset; the model checks it is UTC (`utc`)


class Model(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Strict, immutable base for the header, the consent statement, upload records and settings:
    unknown fields refused. Read by `validated` or `decoded` (or `msgspec.convert`, strictly); written by
    `plain`: every field, but those `NEVER_WRITTEN` and those `OMITTED_WHEN_NONE` that are None."""

    NEVER_WRITTEN: ClassVar[tuple[str, ...]] = ()
    OMITTED_WHEN_NONE: ClassVar[tuple[str, ...]] = ()


def plain(model: msgspec.Struct) -> dict[str, Any]:
    """The plain (JSON-ready) form of `model`: what is written to a file, signed or sent."""
    data: dict[str, Any] = msgspec.to_builtins(model)
    _leave_out(model, data)
    return data


def checked(model: msgspec.Struct) -> dict[str, Any]:
    """The plain form of a model made in code, checked as its reader will check it (ValidationError
    naming the field): msgspec checks constraints and `__post_init__` when it converts, not when a Struct
    is constructed, so what codetape writes, signs or sends goes through here."""
    data = plain(model)
    msgspec.convert(data, type(model))
    return data


def document(model: Model) -> bytes:
    """`model` as a JSON document of its own (a receipt, a revocation record): its plain form, two-space
    indented, UTF-8, ending in a line break."""
    return msgspec.json.format(msgspec.json.encode(plain(model)), indent=2) + b"\n"


def _leave_out(model: msgspec.Struct, data: dict[str, Any]) -> None:
    if not isinstance(model, Model):
        return
    for name in model.NEVER_WRITTEN:
        data.pop(name, None)
    for name in model.OMITTED_WHEN_NONE:
        if getattr(model, name) is None:
            data.pop(name, None)
    for name in model.__struct_fields__:
        value = getattr(model, name)
        if isinstance(value, Model) and name in data:
            _leave_out(value, data[name])


M = TypeVar("M", bound=msgspec.Struct)


def validated(data: Any, model: type[M]) -> M:
    """`data` (plain: decoded JSON or msgpack) validated as `model`, read leniently as a stored record is:
    a number written as text, a time as seconds since the epoch (msgspec's `strict=False`); unknown fields
    are still refused. What a person writes (a TOML file) and the steps are read strictly."""
    return msgspec.convert(data, model, strict=False)


def decoded(data: bytes | str, model: type[M]) -> M:
    """JSON `data` decoded and validated as `model`, leniently as `validated` reads."""
    return msgspec.json.decode(data, type=model, strict=False)


class FieldError(ValueError):
    """A model's own rule refused the value of `field` (raised in `__post_init__`; msgspec reports it as
    a ValidationError at the model, caused by this)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def utc(field: str, value: datetime) -> None:
    """FieldError unless `value` is a timezone-aware UTC time."""
    if value.utcoffset() != timedelta(0):
        raise FieldError(field, f"{field} must be a timezone-aware UTC time")


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
