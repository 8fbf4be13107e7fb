"""What the benchmarks' own LSP client and echo server cost: pygls's against byte-level ones.

    .venv/bin/python -m bench.client_cost [--rounds 2000] [--messages 100000] [--no-readme]

Why bench/lsp_overhead.py runs on pygls (client and echo server) while throughput's proxy mode keeps a
byte-level client and server (bench/raw_client.py, bench/raw_echo_server.py):

- round trips: hover, for every combination of client (pygls's `LanguageClient`, the byte-level
  client) and echo server (bench/echo_server.py on pygls, bench/raw_echo_server.py), direct and through
  `codetape bridge --` recording into a live collector; all 8 setups alive at once, every round each
  setup once in a random order. Does codetape's added time stay visible over each client's own?
- streams: throughput's proxy-mode stream (three keystroke didChanges, then a hover, ...) written at
  once, timed until the last answer: pygls's client (the stream serialized by pygls before the clock
  starts, the answers read by pygls) and the byte-level one, against the byte-level echo server direct
  and through codetape; and the pygls echo server direct (a tenth of the messages: it is slow).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp

from bench.live_env import Live, code_during, code_state, live_codetape, load, percentile, tool
from bench.raw_client import LspProcess
from bench.report import command_line, machine, table, write_section
from bench.throughput import REQUEST_EVERY, batched, keystrokes, proxy_stream, typed_text, writer
from tests.support.lsp_client import Prebuilt, initialize, open_document, shutdown, start_client

SERVERS = {"pygls": Path(__file__).with_name("echo_server.py"),
           "byte-level": Path(__file__).with_name("raw_echo_server.py")}
CLIENTS = ("pygls", "byte-level")
VIAS = ("direct", "codetape")
TEXT = "x = 1\n"

Timer = Callable[[], Awaitable[float]]


def argv_for(server: str, via: str) -> list[str]:
    command = [sys.executable, str(SERVERS[server])]
    return command if via == "direct" else [tool("codetape"), "bridge", "--", *command]


async def pygls_setup(live: Live, argv: list[str], uri: str, name: str) -> tuple[Timer, Callable[[], Any]]:
    client = await start_client(argv, cwd=live.workspace, env=live.env, stderr=live.root / f"{name}.err")
    await initialize(client, live.workspace)
    open_document(client, uri, TEXT)
    params = lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=uri),
                             position=lsp.Position(line=0, character=0))

    async def hover() -> float:
        start = time.perf_counter_ns()
        await client.text_document_hover_async(params)
        return (time.perf_counter_ns() - start) / 1e6

    return hover, lambda: shutdown(client)


async def raw_setup(live: Live, argv: list[str], uri: str, name: str) -> tuple[Timer, Callable[[], Any]]:
    proc = LspProcess(argv, cwd=live.workspace, env=live.env, stderr=live.root / f"{name}.err", name=name)
    proc.initialize(live.workspace)
    proc.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1,
                                                          "text": TEXT}})
    params = {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}

    async def hover() -> float:
        key, data = proc.request_bytes("textDocument/hover", params)
        start = time.perf_counter_ns()
        proc.send_raw(data)
        proc.wait_for(key)
        return (time.perf_counter_ns() - start) / 1e6

    async def stop() -> None:
        proc.shutdown()

    return hover, stop


Times = dict[tuple[str, str, str], list[float]]  # (client, echo server, via) -> round trips in ms


async def round_trips(live: Live, rounds: int, warmup: int, seed: int) -> Times:
    path = live.workspace / "cost.py"
    path.write_text(TEXT, "utf-8")
    setups: dict[tuple[str, str, str], tuple[Timer, Callable[[], Any]]] = {}
    try:
        for server in SERVERS:
            for via in VIAS:
                for client in CLIENTS:
                    make = pygls_setup if client == "pygls" else raw_setup
                    name = f"{client}-{server}-{via}"
                    argv = argv_for(server, via)
                    setups[(client, server, via)] = await make(live, argv, path.as_uri(), name)
        times: Times = {key: [] for key in setups}
        rng = random.Random(seed)
        for number in range(warmup + rounds):
            for key in rng.sample(list(setups), len(setups)):
                elapsed = await asyncio.wait_for(setups[key][0](), 30)
                if number >= warmup:
                    times[key].append(elapsed)
        return times
    finally:
        for _hover, stop in setups.values():
            await stop()


async def pygls_stream(live: Live, via: str, messages: int, text: str) -> float:
    """Messages per second, throughput's proxy stream through pygls's client (serialized beforehand)."""
    uri = (live.workspace / f"stream_pygls_{via}.py").as_uri()
    client = await start_client(argv_for("byte-level", via), cwd=live.workspace, env=live.env,
                                stderr=live.root / f"stream-pygls-{via}.err")
    await initialize(client, live.workspace)
    open_document(client, uri, "")
    answers: list[asyncio.Future[Any]] = []
    hover = lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=uri),
                            position=lsp.Position(line=0, character=0))
    keys = keystrokes(text * (messages // len(text) + 1))
    with Prebuilt(client) as stream:
        while stream.messages < messages or stream.messages % REQUEST_EVERY:
            if stream.messages % REQUEST_EVERY == REQUEST_EVERY - 1:
                answers.append(asyncio.wrap_future(client.text_document_hover(hover)))
                continue
            version, line, character, ch = next(keys)
            at = lsp.Position(line=line, character=character)
            client.text_document_did_change(lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[lsp.TextDocumentContentChangePartial(range=lsp.Range(start=at, end=at),
                                                                      text=ch)]))
        sent = stream.messages
    started = time.perf_counter()
    stream.send()
    await asyncio.wait_for(asyncio.gather(*answers), 600)
    elapsed = time.perf_counter() - started
    await shutdown(client)
    return (sent + len(answers)) / elapsed


def raw_stream(live: Live, server: str, via: str, messages: int, text: str) -> float:
    """Messages per second, throughput's proxy stream through the byte-level client."""
    uri = (live.workspace / f"stream_raw_{server}_{via}.py").as_uri()
    with LspProcess(argv_for(server, via), cwd=live.workspace, env=live.env,
                    stderr=live.root / f"stream-raw-{server}-{via}.err", name=via) as proc:
        proc.initialize(live.workspace)
        proc.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python",
                                                              "version": 1, "text": ""}})
        frames, _changes, _requests, last = proxy_stream(uri, text, messages)
        started = time.perf_counter()
        thread = writer(proc, batched(frames))
        answered = 0
        while True:
            body = proc.read_body(timeout=600)
            if b'"result"' in body or b'"error"' in body:
                answered += 1
                if json.loads(body).get("id") == last:
                    break
        elapsed = time.perf_counter() - started
        thread.join()
        proc.shutdown()
    return (len(frames) + answered) / elapsed


def render(times: Times, streams: list[list[str]], rounds: int,
           loads: tuple[str, str], code: str) -> str:
    rows = []
    for server in SERVERS:
        for client in CLIENTS:
            direct, ours = times[(client, server, "direct")], times[(client, server, "codetape")]
            paired = statistics.median([c - d for d, c in zip(direct, ours, strict=True)])
            rows.append([client, server, f"{percentile(direct, 50):.3f}", f"{percentile(direct, 99):.3f}",
                         f"{percentile(ours, 50):.3f}", f"{percentile(ours, 99):.3f}",
                         f"{percentile(ours, 50) - percentile(direct, 50):+.3f}",
                         f"{percentile(ours, 99) - percentile(direct, 99):+.3f}", f"**{paired:+.3f}**"])
    return "\n".join([
        f"Command: `{command_line()}` ({machine()}; {code}); load average {loads[0]} at the start, "
        f"{loads[1]} at the end.",
        "",
        f"Hover round trips, {rounds:,} rounds, all 8 setups alive at once (ms):",
        "",
        table(["client", "echo server", "direct p50", "direct p99", "codetape p50", "codetape p99",
               "added p50", "added p99", "median paired added"], rows),
        "",
        "Throughput's proxy-mode stream (3 didChange, then a hover, ...), messages per second until the "
        "last answer:",
        "",
        table(["client", "echo server", "messages", "direct (no proxy)", "through codetape"], streams),
    ])


async def main_async(live: Live, args: argparse.Namespace) -> tuple[Times, list[list[str]]]:
    times = await round_trips(live, args.rounds, args.warmup, args.seed)
    print("round trips done", flush=True)
    text = typed_text(20_000)
    streams = []
    for client in CLIENTS:
        rates = []
        for via in VIAS:
            rate = (await pygls_stream(live, via, args.messages, text) if client == "pygls"
                    else raw_stream(live, "byte-level", via, args.messages, text))
            rates.append(f"{rate:,.0f}")
            print(f"stream {client} {via}: {rate:,.0f}/s", flush=True)
        streams.append([client, "byte-level", f"{args.messages:,}", *rates])
    slow = raw_stream(live, "pygls", "direct", args.messages // 10, text)
    streams.append(["byte-level", "pygls", f"{args.messages // 10:,}", f"{slow:,.0f}", ""])
    return times, streams


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    code = code_state()
    with live_codetape() as live:
        loads = [load()]
        times, streams = asyncio.run(main_async(live, args))
        loads.append(load())
    body = render(times, streams, args.rounds, (loads[0], loads[1]), code_during(code))
    print(body)
    if not args.no_readme:
        write_section("client-cost", body)


if __name__ == "__main__":
    main()
