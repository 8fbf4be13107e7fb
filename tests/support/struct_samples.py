"""Every msgspec Struct type codetape defines, and a JSON sample of each that reaches its nested fields.

`product_structs` imports every module of `schemas`, `collector` and `lsp_bridge` and walks msgspec's
subclasses, so a type added later is found without a list to update. `sample` builds a value from the
type's own description (`msgspec.inspect`): every field, optional ones included, the first member of a
union that is not None, one element of each collection, constraints met (a string pattern by the first
match hypothesis finds, the same every time), and for the fields a model's own rule (`__post_init__`)
checks, a value it accepts (`RULED`).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import Any

import msgspec
import msgspec.inspect as mi

PACKAGES = ("schemas", "collector", "lsp_bridge")
# fields a model's own rule (`__post_init__`) checks beyond what the type says: a value it accepts
RULED: dict[str, Any] = {
    "detail": "nvim:CompleteDone",  # schemas.messages._evidence: `<where>:<what>`
    "allowed_licences": ["MIT"],
    "allowed_destinations": ["file:///srv/episodes"],
    "shared_remotes": ["https://git.example/team/app.git"],
    "remote": "https://git.example/team/app.git",  # an upload route's (collector/upload/routes.py)
    "remotes": ["git.example/team/*"],  # a policy scope's (collector/policy/scopes)
    "allow": ["rule:generic-api-key"],
}


def product_modules() -> list[str]:
    """Every module of the product's packages, imported (a `__main__` module is run, not imported)."""
    names = []
    for package in PACKAGES:
        root = importlib.import_module(package)
        names.append(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            if info.name.rsplit(".", 1)[-1] == "__main__":
                continue
            importlib.import_module(info.name)
            names.append(info.name)
    return names


def product_structs() -> list[type[msgspec.Struct]]:
    """Every Struct type the product's modules define, by module and name."""
    product_modules()
    found = {kind for kind in _subclasses(msgspec.Struct) if kind.__module__.split(".")[0] in PACKAGES}
    return sorted(found, key=lambda kind: (kind.__module__, kind.__qualname__))


def _subclasses(kind: type) -> Iterator[type]:
    for sub in kind.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def sample(kind: type[msgspec.Struct]) -> Any:
    """A JSON-ready value of `kind` with every field given, nested ones included."""
    return _value(mi.type_info(kind), depth=0)


def _value(info: mi.Type, depth: int) -> Any:  # one case per kind of type
    if isinstance(info, mi.Metadata):
        return _value(info.type, depth)
    if isinstance(info, mi.StructType):
        return _struct(info, depth)
    if isinstance(info, mi.UnionType):
        members = [t for t in info.types if not isinstance(t, mi.NoneType)]
        return _value(members[0], depth) if members else None
    if isinstance(info, mi.LiteralType):
        return info.values[0]
    if isinstance(info, mi.EnumType):
        return next(iter(info.cls)).value
    if isinstance(info, mi.BoolType):
        return True
    if isinstance(info, mi.IntType):
        return _number(info, 1)
    if isinstance(info, mi.FloatType):
        return float(_number(info, 1))
    if isinstance(info, mi.StrType):
        return _text(info.pattern, info.min_length or 0, info.max_length)
    if isinstance(info, mi.UUIDType):
        return "0f0e0d0c-0b0a-4908-8706-050403020100"
    if isinstance(info, mi.BytesType | mi.ByteArrayType | mi.MemoryViewType):
        return "AAAA"  # base64 of three zero bytes
    if isinstance(info, mi.DateTimeType):
        return datetime(2026, 1, 2, 3, 4, 5, tzinfo=None if info.tz is False else UTC).isoformat()
    if isinstance(info, mi.DateType):
        return date(2026, 1, 2).isoformat()
    if isinstance(info, mi.TimeType):
        return time(3, 4, 5).isoformat()
    if isinstance(info, mi.TimeDeltaType):
        return "PT1S"
    if isinstance(info, mi.ListType | mi.SetType | mi.FrozenSetType | mi.VarTupleType):
        count = max(1, info.min_length or 0)
        return [_value(info.item_type, depth + 1) for _ in range(count)]
    if isinstance(info, mi.TupleType):
        return [_value(item, depth + 1) for item in info.item_types]
    if isinstance(info, mi.DictType):
        key = _value(info.key_type, depth + 1)
        return {str(key): _value(info.value_type, depth + 1)}
    if isinstance(info, mi.NoneType | mi.AnyType | mi.CustomType | mi.RawType):
        return None
    raise TypeError(f"no sample for {info!r}: teach tests/support/struct_samples.py this kind of type")


def _struct(info: mi.StructType, depth: int) -> Any:
    if depth > 6:  # a type that holds itself: stop where a field may be left out
        return {info.tag_field: info.tag} if info.tag_field else {}
    value: dict[str, Any] = {}
    if info.tag_field is not None:
        value[info.tag_field] = info.tag
    for field in info.fields:
        ruled = RULED.get(field.name)
        value[field.encode_name] = ruled if ruled is not None else _value(field.type, depth + 1)
    return [value[f.encode_name] for f in info.fields] if info.array_like else value


def _number(info: mi.IntType | mi.FloatType, near: int) -> int:
    low = info.ge if info.ge is not None else (info.gt + 1 if info.gt is not None else None)
    high = info.le if info.le is not None else (info.lt - 1 if info.lt is not None else None)
    value = near if low is None else max(near, int(low) + (low != int(low)))
    if high is not None:
        value = min(value, int(high))
    return value


@functools.cache
def _text(pattern: str | None, low: int, high: int | None) -> str:
    """The smallest string matching `pattern` (searched, as msgspec does) with a length in [low, high]."""
    if pattern is None:
        return "x" * max(low, 1 if high is None or high >= 1 else 0)
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis import strategies as st

    fits = st.from_regex(pattern).filter(lambda s: low <= len(s) and (high is None or len(s) <= high))
    quiet = settings(database=None, derandomize=True, max_examples=2000, phases=[Phase.generate],
                     suppress_health_check=list(HealthCheck))
    return find(fits, lambda s: True, settings=quiet)
