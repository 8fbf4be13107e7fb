"""Rows of one table of one episode, gathered column by column and turned into Arrow a batch at a time."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import repeat
from typing import Any

import pyarrow as pa


class Columns:
    """Rows of one table, column by column; `constants` are the columns every row of an episode shares.
    `seal` turns the rows gathered so far into Arrow and lets their Python values go, so an episode's
    text is held once, not as Python strings and again as Arrow when the table is made."""

    def __init__(self, schema: pa.Schema, constants: dict[str, str | None]) -> None:
        self.schema, self.constants = schema, constants
        self.columns: dict[str, list[Any]] = {name: [] for name in schema.names if name not in constants}
        self.rows = 0
        self.pending = 0  # rows not sealed yet
        self.batches: list[pa.RecordBatch] = []
        self.tuples: list[tuple[Any, ...]] = []  # rows given whole (`append`), turned into columns by `seal`

    def append(self, row: tuple[Any, ...]) -> None:
        """One row, its values in the order of `columns` (one append: cheaper than `add` for many rows)."""
        self.tuples.append(row)
        self.rows += 1
        self.pending += 1

    def add(self, **row: Any) -> None:
        for name, values in self.columns.items():
            values.append(row[name])
        self.rows += 1
        self.pending += 1

    def extend(self, count: int, same: dict[str, Any], **each: Iterable[Any]) -> None:
        """`count` rows at once: the values of `same` in every row, each of `each` one per row."""
        for name, values in self.columns.items():
            values.extend(each[name] if name in each else repeat(same[name], count))
        self.rows += count
        self.pending += count

    def seal(self) -> None:
        """The rows gathered since the last seal as one Arrow batch; the columns start empty again."""
        if not self.pending and self.batches:
            return
        columns, self.columns = self.columns, {name: [] for name in self.columns}
        if self.tuples:
            for values, more in zip(columns.values(), zip(*self.tuples, strict=True), strict=True):
                values.extend(more)
            self.tuples = []
        arrays = [pa.array(columns.pop(field.name), field.type) if field.name in columns else
                  pa.repeat(pa.scalar(self.constants[field.name], field.type), self.pending)
                  for field in self.schema]  # (each column's values let go once it is made)
        self.batches.append(pa.RecordBatch.from_arrays(arrays, schema=self.schema))
        self.pending = 0

    def table(self) -> pa.Table:
        self.seal()
        return pa.Table.from_batches(self.batches, schema=self.schema)  # (from_pydict: 25 x slower)
