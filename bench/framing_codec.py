"""The collector socket's codec: msgspec (collector/protocol/framing.py) against the msgpack library and the
standard library's json, called as the framing called them before, in one process.

    .venv/bin/python -m bench.framing_codec [--rounds 15] [--no-readme]

Messages as the socket carries them: a bridge's `steps` message of 512 keystrokes
(bench/collector_ingest.py's), a generated session's steps (tests/support/sessions.py, "mixed", every
kind it records) in `steps` messages of 512, the pytest plugin's `test_run` of 2,000 tests (JSON, 5 %
failing with a summary), the hello and its answer. Each row times what one end does with the message: the
sender encodes (length prefix included), the collector decodes. Each round times every row with both
codecs, in alternating order, the garbage collector off while a codec runs (both build the same objects;
when a collection falls depends on everything else the process holds); the figures are CPU µs a message,
medians over the rounds. Before timing, both codecs must read each message back equal, and write the same
msgpack bytes.
"""

from __future__ import annotations

import argparse
import gc
import json
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgpack

from bench.collector_ingest import BATCH, keystrokes
from bench.live_env import code_during, code_state, load
from bench.report import command_line, machine, median, table, write_section
from collector.errors import FramingError
from collector.protocol.framing import MAX_MESSAGE, decode_body, encode, is_json
from schemas import step_to_dict
from tests.support.sessions import generate

_LENGTH = struct.Struct(">I")
START_MS = 1_767_000_000_000
SAMPLE_S = 0.02  # CPU time each codec gets per row and round, in as many calls as fit
CODECS = ("before", "msgspec")


def before_encode(message: dict[str, Any], *, as_json: bool = False) -> bytes:
    """framing.encode as it was with the msgpack library and json."""
    if as_json:
        body = json.dumps(message, ensure_ascii=False, separators=(",", ":"), default=str).encode(
            "utf-8", "replace")
    else:
        body = msgpack.packb(message, use_bin_type=True)
    if len(body) > MAX_MESSAGE:
        raise FramingError(f"message of {len(body)} bytes is above the {MAX_MESSAGE}-byte cap")
    return _LENGTH.pack(len(body)) + body


def before_decode(body: bytes) -> dict[str, Any]:
    """framing.decode_body as it was with the msgpack library and json."""
    if is_json(body):
        try:
            message = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise FramingError(f"message is not valid JSON: {exc}") from None
    else:
        try:
            message = msgpack.unpackb(body, raw=False)
        except (ValueError, msgpack.ExtraData, msgpack.FormatError, msgpack.StackError) as exc:
            raise FramingError(f"message is not valid msgpack: {exc}") from None
    if not isinstance(message, dict):
        raise FramingError(f"message is a {type(message).__name__}, expected a map")
    return message


@dataclass(frozen=True)
class Row:
    name: str
    dialect: str
    operation: str  # "encode" (the sender) or "decode" (the collector)
    messages: list[dict[str, Any]]

    def bodies(self) -> list[bytes]:
        return [encode(message, as_json=self.dialect == "JSON")[4:] for message in self.messages]

    def call(self, codec: str) -> Callable[[], object]:
        """One pass over the row's messages with `codec` ("before" or "msgspec")."""
        as_json = self.dialect == "JSON"
        if self.operation == "encode":
            write = before_encode if codec == "before" else encode
            return lambda: [write(message, as_json=as_json) for message in self.messages]
        read = before_decode if codec == "before" else decode_body
        bodies = self.bodies()
        return lambda: [read(body) for body in bodies]


def pytest_run(tests: int) -> dict[str, Any]:
    """The `step` message the pytest plugin sends at the end of a session of `tests` tests."""
    summary = ("    def test_case():\n>       assert parse(text) == expected\nE       AssertionError: assert "
               "{'a': 1} == {'a': 2}\n") * 12
    entries: list[dict[str, Any]] = []
    for i in range(tests):
        nodeid = f"tests/unit/stage{i // 200}/test_module{i // 25}.py::test_case_{i}"
        entry: dict[str, Any] = {"nodeid": nodeid, "outcome": "passed", "duration_ms": i % 37}
        if i % 20 == 7:
            entry.update(outcome="failed", summary=summary)
        entries.append(entry)
    step = {"kind": "test_run", "source": "pytest", "framework": "pytest", "args": ["-q", "tests/unit"],
            "exit_status": 1, "duration_ms": 48_213, "tests": entries}
    return {"op": "step", "at": START_MS, "step": step}


def rows() -> list[Row]:
    typed = [{"op": "steps", "items": keystrokes("/home/dev/work/project/src/typed.py", BATCH, START_MS)}]
    session = generate(1, "mixed")
    items = [[START_MS + step.t_ms, step_to_dict(step)] for step in session.steps]
    generated = [{"op": "steps", "items": items[at:at + BATCH]} for at in range(0, len(items), BATCH)]
    hello = [{"op": "hello", "id": 1, "workspace": "/home/dev/work/project", "source": "bridge", "pid": 4242,
              "client": {"name": "Visual Studio Code", "version": "1.95.3"}, "position_encoding": "utf-16"}]
    answer = [{"id": 1, "ok": True, "recording": True, "workspace": "/home/dev/work/project",
               "episode": "0b6f3a52-6c1e-4f7e-9d55-3f8f2f0d8c11", "paused": False,
               "position_encoding": "utf-16", "problem": None}]
    kinds = len({step.kind for step in session.steps})
    mixed = f"generated session ({len(items):,} steps of {kinds} kinds, {len(generated)} messages)"
    run = [pytest_run(2000)]
    return [
        Row("bridge keystrokes (512 edits)", "msgpack", "encode", typed),
        Row("bridge keystrokes (512 edits)", "msgpack", "decode", typed),
        Row(mixed, "msgpack", "encode", generated),
        Row(mixed, "msgpack", "decode", generated),
        Row("pytest test_run (2,000 tests)", "JSON", "decode", run),
        Row("hello", "msgpack", "encode", hello),
        Row("hello", "msgpack", "decode", hello),
        Row("hello's answer to the pytest plugin", "JSON", "encode", answer),
    ]


def check(row: Row) -> None:
    """Both codecs read the row's messages back equal; msgpack bytes are the same."""
    as_json = row.dialect == "JSON"
    for message in row.messages:
        new, old = encode(message, as_json=as_json), before_encode(message, as_json=as_json)
        if not as_json and new != old:
            raise SystemExit(f"bench.framing_codec: {row.name}: the msgpack bytes differ")
        for body in (new[4:], old[4:]):
            if not decode_body(body) == before_decode(body) == json.loads(json.dumps(message)):
                raise SystemExit(f"bench.framing_codec: {row.name}: a message reads back different")


def sample(call: Callable[[], object], repeat: int) -> float:
    """CPU seconds for one call, over `repeat` calls, the garbage collector off while they run (as timeit
    has it)."""
    gc.collect()
    gc.disable()
    try:
        began = time.process_time()
        for _ in range(repeat):
            call()
        return (time.process_time() - began) / repeat
    finally:
        gc.enable()


def measure(args: argparse.Namespace) -> str:
    code, loads = code_state(), [load()]
    chosen = rows()
    for row in chosen:
        check(row)
    calls = {(index, codec): row.call(codec) for index, row in enumerate(chosen) for codec in CODECS}
    repeats = {key: max(1, int(SAMPLE_S / max(sample(call, 1), 1e-7))) for key, call in calls.items()}
    times: dict[tuple[int, str], list[float]] = {key: [] for key in calls}
    for round_ in range(args.rounds):
        for index in range(len(chosen)):
            order = CODECS if round_ % 2 == 0 else CODECS[::-1]
            for codec in order:
                times[(index, codec)].append(sample(calls[(index, codec)], repeats[(index, codec)]))
    loads.append(load())
    head = ["message", "dialect", "who", "bytes a message", "msgpack/json CPU time µs a message",
            "msgspec CPU time µs a message", "x faster"]
    table_rows: list[list[object]] = []
    for index, row in enumerate(chosen):
        before, now = (median(times[(index, codec)]) / len(row.messages) * 1e6 for codec in CODECS)
        size = sum(len(body) for body in row.bodies()) // len(row.messages)
        who = "sender encodes" if row.operation == "encode" else "collector decodes"
        table_rows.append([row.name, row.dialect, who, f"{size:,}", f"{before:.1f}", f"{now:.1f}",
                           f"{before / now:.2f}"])
    return "\n".join([
        f"Command: `{command_line()}` ({machine()}; {code_during(code)}); load average {loads[0]} at the "
        f"start, {loads[1]} at the end. {args.rounds} rounds, each timing every row with both codecs "
        f"(alternating which goes first) for about {SAMPLE_S * 1000:.0f} ms of CPU each, the garbage "
        "collector off while one runs; medians over the rounds.", "",
        table(head, table_rows)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    body = measure(args)
    print(body)
    if not args.no_readme:
        write_section("framing-codec", body)


if __name__ == "__main__":
    main()
