"""first_error (collector/text/validation.py): a pydantic or msgspec refusal as one line."""

from __future__ import annotations

import msgspec
import pydantic
import pytest

from collector.text.validation import WHERE_LIMIT, error_path, first_error


class Model(pydantic.BaseModel, extra="forbid"):
    t_ms: int
    tags: list[int] = []


class Struct(msgspec.Struct):
    t_ms: int


def refusal(data: object) -> pydantic.ValidationError:
    with pytest.raises(pydantic.ValidationError) as caught:
        Model.model_validate(data)
    return caught.value


def test_pydantic_names_the_field_then_says_why() -> None:
    assert first_error(refusal({"t_ms": 1, "tags": [1, "x"]})) == (
        "tags.1: Input should be a valid integer, unable to parse string as an integer")


def test_a_refusal_of_the_whole_value_is_named_only_when_asked() -> None:
    whole = "Input should be a valid dictionary or instance of Model"
    assert first_error(refusal(5)) == whole
    assert first_error(refusal(5), "params") == f"params: {whole}"


def test_a_key_from_the_input_cannot_break_the_line_or_fill_it() -> None:
    assert first_error(refusal({"t_ms": 1, "a\nb": 0})) == "a\\nb: Extra inputs are not permitted"
    line = first_error(refusal({"t_ms": 1, "k" * 10_000: 0}))
    assert line == "k" * (WHERE_LIMIT - 1) + "…: Extra inputs are not permitted"


def test_msgspec_reads_as_pydantic_does() -> None:
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.convert({"t_ms": "1"}, Struct)
    assert first_error(caught.value) == "t_ms: Expected `int`, got `str`"


class Nested(msgspec.Struct, forbid_unknown_fields=True):
    items: list[Struct]
    named: dict[str, int] = {}


def test_msgspec_paths_name_fields_indexes_and_unknown_fields() -> None:
    cases: list[tuple[object, str, tuple[str | int, ...]]] = [
        ({"items": [{"t_ms": 1}, {"t_ms": None}]}, "items.1.t_ms", ("items", 1, "t_ms")),
        ({"items": [], "colour": 1}, "colour", ("colour",)),  # the unknown field, as pydantic's loc has it
        ({"items": [], "named": {"a": "x"}}, "named....", ("named", "...")),  # msgspec does not name the key
        ([], "input", ()),
    ]
    for data, where, path in cases:
        with pytest.raises(msgspec.ValidationError) as caught:
            msgspec.convert(data, Nested)
        assert error_path(caught.value) == path
        assert first_error(caught.value, "input").startswith(f"{where}: ")
