"""first_error (collector/text/validation.py): a msgspec refusal as one line, `field.path: what`."""

from __future__ import annotations

from typing import Literal

import msgspec
import pytest

from collector.text.validation import WHERE_LIMIT, error_path, first_error
from schemas.common import FieldError


class Model(msgspec.Struct, forbid_unknown_fields=True):
    t_ms: int
    tags: list[int] = []


class Struct(msgspec.Struct):
    t_ms: int


class Checked(msgspec.Struct, forbid_unknown_fields=True):
    globs: list[str] = []

    def __post_init__(self) -> None:
        if any(glob.startswith("!") for glob in self.globs):
            raise FieldError("globs", "negation (!) is not supported")


class Outer(msgspec.Struct, forbid_unknown_fields=True):
    inner: Checked


def refusal(data: object, model: type = Model) -> msgspec.ValidationError:
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.convert(data, model)
    return caught.value


def test_the_field_is_named_then_why() -> None:
    assert first_error(refusal({"t_ms": 1, "tags": [1, "x"]})) == "tags.1: Expected `int`, got `str`"
    assert first_error(refusal({"t_ms": "1"}, Struct)) == "t_ms: Expected `int`, got `str`"


def test_a_refusal_of_the_whole_value_is_named_only_when_asked() -> None:
    whole = "Expected `object`, got `int`"
    assert first_error(refusal(5)) == whole
    assert first_error(refusal(5), "params") == f"params: {whole}"


def test_a_key_from_the_input_cannot_break_the_line_or_fill_it() -> None:
    assert first_error(refusal({"t_ms": 1, "a\nb": 0})) == "a\\nb: Object contains unknown field `a\\nb`"
    line = first_error(refusal({"t_ms": 1, "k" * 10_000: 0}))
    assert line.startswith("k" * (WHERE_LIMIT - 1) + "…: Object contains unknown field")


def test_a_model_s_own_rule_names_its_field_where_its_model_is() -> None:
    exc = refusal({"inner": {"globs": ["a", "!b"]}}, Outer)
    assert error_path(exc) == ("inner", "globs")
    assert first_error(exc) == "inner.globs: negation (!) is not supported"


def test_without_values_neither_the_value_nor_an_unknown_name_is_said() -> None:
    assert first_error(refusal({"t_ms": 1, "secret-name": 0}), values=False) == (
        "Object contains an unknown field")
    enum = refusal({"kind": "x"}, Kind)
    assert "'x'" in first_error(enum) and "'x'" not in first_error(enum, values=False)


class Kind(msgspec.Struct):
    kind: Literal["a"]


class Nested(msgspec.Struct, forbid_unknown_fields=True):
    items: list[Struct]
    named: dict[str, int] = {}


def test_paths_name_fields_indexes_and_unknown_fields() -> None:
    cases: list[tuple[object, str, tuple[str | int, ...]]] = [
        ({"items": [{"t_ms": 1}, {"t_ms": None}]}, "items.1.t_ms", ("items", 1, "t_ms")),
        ({"items": [], "colour": 1}, "colour", ("colour",)),  # the unknown field, after its object's path
        ({"items": [], "named": {"a": "x"}}, "named....", ("named", "...")),  # msgspec does not name the key
        ([], "input", ()),
    ]
    for data, where, path in cases:
        exc = refusal(data, Nested)
        assert error_path(exc) == path
        assert first_error(exc, "input").startswith(f"{where}: ")
