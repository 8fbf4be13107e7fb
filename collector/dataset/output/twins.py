"""The training exports' rows also as Parquet, so that `datasets.load_dataset(OUT, "kto")` loads them by
the card's configs: `datasets` reads every config of a folder with the one builder it infers from the
first config's files (the tables' Parquet), so a config of JSON lines beside them cannot load.

Each export file `exports/FORMAT/SIGNER/<id>.FORMAT.jsonl` of a format with a fixed row type (SCHEMAS) gets
a twin, `<id>.FORMAT.parquet` beside it, holding the same rows in the same order under an explicit
schema (so that every file of a format has the same columns; swe-messages' messages, of several shapes,
are one struct of every message's fields, null where a message has none); a file of no rows has none
(`datasets` refuses a Parquet file of no rows), and the card names no config for a format of no rows yet.
`write_twins` runs after the build has published and rewritten its export files (cross_split.py), and
writes the twin of every file that has none: this build's new files, and those of builds made before
twins were written, one signer's folder at a time (memory: one folder's file names, never every export
file's: issue 107). A twin goes where its file goes: it is named by the episode's id in its signer's
folder, so revocation removes it with the file (engines/exports.py `remove_exports`), and snapshots list
it with it.
"""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.json as pajson
import pyarrow.parquet as pq

from collector.dataset.errors import OutputFailed
from collector.dataset.output.output import Output
from collector.dataset.output.staged import FOLDER
from collector.export.formats import FORMATS

_TEXT = pa.string()
_CALL = pa.struct([("id", _TEXT), ("type", _TEXT),
                   ("function", pa.struct([("name", _TEXT), ("arguments", _TEXT)]))])
# swe-messages' messages (collector/export/traces/swe_messages.py `messages`, `pushed`): every field any
# message has, null in a message that has not it (a system or tool message has no `agent`, only a prompt has
# the pushback fields)
MESSAGE = pa.struct([("role", _TEXT), ("content", _TEXT), ("actor", _TEXT), ("agent", _TEXT),
                     ("tool_calls", pa.list_(_CALL)), ("tool_call_id", _TEXT), ("name", _TEXT),
                     ("interrupted", pa.int64()), ("wrote_chars", pa.int64()),
                     ("undone_within_ms", pa.int64()), ("survived_to_end", pa.float64()),
                     ("survived_to_commit", pa.float64()), ("survived_30s", pa.bool_()),
                     ("survived_5min", pa.bool_())])
_MESSAGES = pa.schema([("messages", pa.list_(MESSAGE)), ("tools", _TEXT), ("model_patch", _TEXT),
                       ("resolved", pa.int64()), ("resolved_signal", _TEXT), ("repo", _TEXT),
                       ("license", _TEXT), ("language", _TEXT), ("split", _TEXT), ("episode_id", _TEXT),
                       ("task_index", pa.int64()), ("first_step", pa.int64()), ("last_step", pa.int64())])
_PAIR = [("prompt", _TEXT), ("chosen", _TEXT), ("rejected", _TEXT)]
_ROW = [("name", _TEXT), ("path", _TEXT), ("via", _TEXT), ("outcome", _TEXT), ("split", _TEXT)]
SCHEMAS: dict[str, pa.Schema] = {
    "kto": pa.schema([("prompt", _TEXT), ("completion", _TEXT), ("label", pa.bool_()), ("settled", _TEXT),
                      ("prompt_space", _TEXT),
                      ("survived_30s", pa.bool_()), ("survived_5min", pa.bool_()),
                      ("survived_to_commit", pa.float64()), ("survived_to_end", pa.float64()),
                      ("reverted_within_ms", pa.int64()), *_ROW]),
    "dpo": pa.schema([*_PAIR, ("suffix", _TEXT), ("prompt_space", _TEXT), ("settled", _TEXT), *_ROW]),
    "dpo-fim": pa.schema([*_PAIR, ("settled", _TEXT), *_ROW]),
    "dpo-agent": pa.schema([*_PAIR, ("prompt_space", _TEXT), ("agent", _TEXT), ("actors", pa.list_(_TEXT)),
                            ("kept_share", pa.float64()), ("deleted", pa.bool_()), ("path", _TEXT),
                            ("write_step", pa.int64()), ("turn_step", pa.int64()),
                            ("settled_step", pa.int64()), ("name", _TEXT), ("split", _TEXT)]),
    "stepwise": pa.schema([("prompt", _TEXT), ("completions", pa.list_(_TEXT)),
                           ("labels", pa.list_(pa.bool_())), ("surviving_shares", pa.list_(pa.float64())),
                           ("completion_steps", pa.list_(pa.list_(pa.int64()))),
                           ("completion_actors", pa.list_(_TEXT)), ("outside_writes", pa.bool_()),
                           ("name", _TEXT),
                           ("failing_step", pa.int64()), ("passing_step", pa.int64()), ("split", _TEXT)]),
    "swe-messages": _MESSAGES,
    "swe-messages-developer": _MESSAGES,
}
TWIN = ".parquet"


def twin_suffix(fmt: str) -> str:
    """`.kto.parquet` for kto: the file name's ending of a twin."""
    return (FORMATS[fmt].suffix or "").removesuffix(".jsonl") + TWIN


def write_twins(out: Output, formats: list[str] | tuple[str, ...]) -> list[str]:
    """Write the twin of every export file of `formats` (those with a row type) that has none; the twins
    written (relative paths)."""
    written = []
    for fmt in formats:
        if fmt not in SCHEMAS:
            continue
        suffix, twin = FORMATS[fmt].suffix or "", twin_suffix(fmt)
        for signer in out.folders(f"{FOLDER}/{fmt}"):
            files = dict(out.walk(signer, ""))
            for path, size in files.items():
                target = path.removesuffix(suffix) + twin
                if not path.endswith(suffix) or not size or target in files:
                    continue
                lines = out.read(path) or b""
                if lines.strip():  # (a file of no rows has none: `datasets` refuses a Parquet file of none)
                    out.write(target, parquet(SCHEMAS[fmt], lines, out.describe(path)))
                    written.append(target)
    return written


def parquet(schema: pa.Schema, lines: bytes, where: str) -> bytes:
    """JSON lines (one at least) as one Parquet file (zstd) of `schema`; a row with a field the schema lacks
    is refused."""
    try:
        table = pajson.read_json(
            io.BytesIO(lines), read_options=pajson.ReadOptions(block_size=max(1 << 20, len(lines) + 1)),
            parse_options=pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error"),
        ).select(schema.names).cast(schema)
    except (pa.ArrowException, ValueError) as exc:
        raise OutputFailed(f"cannot write the Parquet twin of {where}: {exc}") from None
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()
