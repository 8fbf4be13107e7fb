"""What OUT holds besides the rows: every table's schema, and a file for every table that has no rows.

`OUT/schemas/TABLE.json` is the JSON Schema of one row of TABLE and `OUT/schemas/TABLE.arrow` its Arrow
schema (an Arrow IPC file without batches: `pyarrow.ipc.open_file(path).schema`); `step.schema.json` is
the schema of a step, which `steps.data` holds but for `kind`, `t_ms`, `source` and `path`;
`OUT/schemas/TABLE.empty.parquet` is the table's schema as a Parquet file of no rows, which a build's
snapshot names for a table it has no rows of (snapshots.py).
Every build writes the ones that differ from what OUT holds (a file there is never rewritten with the
same bytes), so they describe the tables as this codetape writes them; the tables are those of the
manifest's format, which a codetape writing other tables refuses (manifest.py).

A table without rows is `OUT/TABLE/empty.parquet`: its schema and no rows, so `TABLE/**/*.parquet` finds a
file and DuckDB, pyarrow, Polars and Hugging Face `datasets` (streaming: it refuses a split of no rows
otherwise) return no rows of the table's columns instead of "no files found". It holds no row group at all
(`datasets` reads a file by its first row group's size, and one of no rows it cannot read). A build that gives
the table rows deletes it.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from collector.dataset.output.manifest import DatasetManifest
from collector.dataset.output.output import Output
from collector.dataset.rows.tables import COMPRESSION, TABLES
from schemas.generate import DRAFT, render

EMPTY = "empty.parquet"
SCHEMAS = "schemas"


def empty_file(table: str) -> str:
    return f"{table}/{EMPTY}"


def settle_empty(out: Output, manifest: DatasetManifest) -> list[str]:
    """An empty file for every table without files, named in the manifest; the empty files of tables
    that now have rows, dropped from it (returned: to delete once the manifest no longer names them)."""
    stale = []
    for table, schema in TABLES.items():
        files, empty = manifest.files.get(table, {}), empty_file(table)
        if any(path != empty for path in files):
            if empty in files:
                manifest.drop_file(table, empty)
                stale.append(empty)
        elif empty not in files:
            out.folder(table)
            _write_empty(out, empty, schema)
            manifest.add_file(table, empty, 0)
    return stale


def empty_schema_file(table: str) -> str:
    return f"{SCHEMAS}/{table}.empty.parquet"


def write_schemas(out: Output) -> None:
    """The schema files that OUT lacks or holds other bytes of."""
    out.folder(SCHEMAS)
    for table, schema in TABLES.items():
        document = {"$schema": DRAFT, "title": f"codetape dataset: a row of {table}", **_object(schema)}
        _write_changed(out, f"{SCHEMAS}/{table}.json", (json.dumps(document, indent=2) + "\n").encode())
        sink = pa.BufferOutputStream()
        with pa.ipc.new_file(sink, schema):
            pass
        _write_changed(out, f"{SCHEMAS}/{table}.arrow", sink.getvalue().to_pybytes())
        if not _holds_schema(out, empty_schema_file(table), schema):  # (its bytes name the pyarrow version)
            _write_empty(out, empty_schema_file(table), schema)
    _write_changed(out, f"{SCHEMAS}/step.schema.json", render()["step.schema.json"].encode())


def _write_changed(out: Output, relative: str, data: bytes) -> None:
    if out.read(relative) != data:
        out.write(relative, data)


def _holds_schema(out: Output, relative: str, schema: pa.Schema) -> bool:
    data = out.read(relative)
    try:
        return data is not None and pq.read_schema(pa.BufferReader(data)).equals(schema)
    except (OSError, pa.ArrowException):
        return False


def _write_empty(out: Output, relative: str, schema: pa.Schema) -> None:
    """A Parquet file of `schema`, no rows and no row group, all or nothing."""
    sink = pa.BufferOutputStream()
    with pq.ParquetWriter(sink, schema, compression=COMPRESSION):
        pass
    out.write(relative, sink.getvalue().to_pybytes())


def _object(fields: pa.Schema | pa.StructType) -> dict[str, Any]:
    members = list(fields)
    return {"type": "object", "additionalProperties": False,
            "properties": {field.name: _nullable(_json(field.type), field.nullable) for field in members},
            "required": [field.name for field in members]}


def _nullable(schema: dict[str, Any], nullable: bool) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]} if nullable else schema


def _json(kind: pa.DataType) -> dict[str, Any]:
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return {"type": "string"}
    if pa.types.is_integer(kind):
        return {"type": "integer"}
    if pa.types.is_floating(kind):
        return {"type": "number"}
    if pa.types.is_boolean(kind):
        return {"type": "boolean"}
    if pa.types.is_timestamp(kind):
        return {"type": "string", "format": "date-time"}
    if pa.types.is_date(kind):
        return {"type": "string", "format": "date"}
    if pa.types.is_list(kind):
        return {"type": "array", "items": _nullable(_json(kind.value_type), kind.value_field.nullable)}
    if pa.types.is_struct(kind):
        return _object(kind)
    raise TypeError(f"no JSON Schema for the Arrow type {kind}")
