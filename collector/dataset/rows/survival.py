"""Survival labels as the dataset's columns: what became of every inserted character, traced through the
build's one replay (collector/reconstruct/survival.py, `Trace`: how, and what the labels mean), as the
label columns of `edits` and `transitions` (tables.py), filled once the episode's last step is replayed.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from collector.dataset.rows.tables import LABELS
from collector.reconstruct.survival import TRACED, Labels, Trace

__all__ = ["TRACED", "Labels", "Trace", "columns", "gathered", "labelled"]


def gathered(schema: pa.Schema) -> pa.Schema:
    """`schema` without the label columns: what is gathered row by row, before the labels are known."""
    return pa.schema([field for field in schema if field.name not in LABELS])


def columns(labels: list[Labels]) -> dict[str, list[Any]]:
    """Labels, one a row, as the label columns."""
    return {name: [getattr(label, name) for label in labels] for name in LABELS}


def labelled(table: pa.Table, values: dict[str, list[Any]], schema: pa.Schema) -> pa.Table:
    """`table` (of `gathered(schema)`) with the label columns `values`, in `schema`'s order."""
    return pa.Table.from_arrays([pa.array(values[field.name], field.type) if field.name in values else
                                 table.column(field.name) for field in schema], schema=schema)
