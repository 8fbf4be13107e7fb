"""A step's `data` column (collector/dataset/rows/rows.py step_data): its fields but those with columns of
their own, cut from the front of the step's own encoding. It must equal encoding those fields as a dict, for
every kind and whatever a value holds (escapes, non-ASCII paths, defaults left out)."""

from __future__ import annotations

from typing import Any

import msgspec
from hypothesis import given

from collector.dataset.rows.rows import step_data
from schemas import step_from_dict
from schemas.steps import step_fields
from tests.unit.episode.test_codec_properties import PROFILE, step_lists

OWN_COLUMNS = ("kind", "t_ms", "source", "path")


def expected(data: dict[str, Any]) -> str:
    return msgspec.json.encode(step_fields(step_from_dict(data), OWN_COLUMNS)).decode()


@PROFILE
@given(steps=step_lists(max_size=12))
def test_the_data_column_is_the_fields_without_their_own_columns(steps: list[dict[str, Any]]) -> None:
    for data in steps:
        assert step_data(step_from_dict(data)) == expected(data)


def test_a_step_with_nothing_but_its_own_columns_has_empty_data() -> None:
    close = {"kind": "close", "t_ms": 12, "source": "bridge", "path": 'q"\\\n\u2028ü.py'}
    assert step_data(step_from_dict(close)) == "{}" == expected(close)
    note = {"kind": "note", "t_ms": 2**53, "source": "a.b-c_d", "text": 'say "hi"\u0000'}
    assert step_data(step_from_dict(note)) == expected(note) == '{"text":"say \\"hi\\"\\u0000"}'
