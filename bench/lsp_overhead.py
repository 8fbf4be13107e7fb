"""Proxy overhead: an editor's round trips direct to a language server, and through proxies in front of it.

    .venv/bin/python -m bench.lsp_overhead [--rounds 5000] [--warmup 200] [--no-readme]

The editor is pygls's `LanguageClient` (tests/support/lsp_client.py), one per setup, all in one event loop.
Every setup runs at once, each with its own server process, and each round times one round trip per
setup in a fresh random order, so all setups share the machine's conditions. Setups, for each backend
(a real `pylsp` with pyflakes, and `bench/echo_server.py`, a pygls server that answers at once):

- direct: the client talks to the server;
- codetape: `codetape bridge -- SERVER`, recording into a live collector (temporary CODETAPE_HOME,
  opted-in workspace); after the run the episode is sealed and checked: one edit step per didChange
  sent, and the reconstructed text equals the editor's;
- lsp-devtools+record: `lsp-devtools agent -p PORT -- SERVER` with `lsp-devtools record -p PORT
  --to-file FILE` listening, so its capture really happens too;
- lsp-devtools: the agent alone, nobody listening on its port: it forwards and keeps what it captured
  in memory while it retries the connection;
- relay: `python bench/pipe_relay.py SERVER`, the least a Python proxy can be (two threads copying
  bytes, no framing, no recording): the floor under what any proxy process written in Python adds.

Operations: `hover` (one request), and `change+request` (a didChange inserting or deleting one
character, written, then a documentSymbol request; timed from the didChange to the response).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

from bench.live_env import Live, code_during, code_state, live_codetape, load, percentile, tool
from bench.report import command_line, machine, median, table, write_section
from collector.episode import open_episode
from collector.reconstruct.workspace import workspace_at
from tests.support.lsp_client import initialize, open_document, shutdown, start_client

SAMPLE = '''"""A module for the benchmark: hover over a call, edit a comment."""
import os


def greet(name: str) -> str:
    """Return a greeting for name."""
    return "hello " + name


def main() -> None:
    print(greet(os.getcwd()))
# edit here
'''
HOVER = lsp.Position(line=10, character=11)  # `greet` in main()
EDIT = lsp.Position(line=11, character=11)  # the end of the comment
VIAS = ("direct", "codetape", "lsp-devtools+record", "lsp-devtools", "relay")
BACKENDS = ("pylsp", "echo")
OPS = ("hover", "change+request")
GOAL_P50_MS, GOAL_P99_MS = 0.1, 0.5  # issue 14 (the first issue asked 0.5 and 2.0)
ECHO_SERVER = Path(__file__).with_name("echo_server.py")  # by path: the servers run in the workspace
PIPE_RELAY = Path(__file__).with_name("pipe_relay.py")
ANSWER_S = 30.0  # a round trip that takes longer than this ends the run


@dataclass
class Setup:
    backend: str
    via: str
    client: LanguageClient
    uri: str
    version: int = 1
    inserted: bool = False
    edits: int = 0
    times: dict[str, list[float]] = field(default_factory=lambda: {op: [] for op in OPS})

    @property
    def name(self) -> str:
        return f"{self.backend}/{self.via}"

    async def hover(self) -> float:
        params = lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=self.uri), position=HOVER)
        start = time.perf_counter_ns()
        await self.client.text_document_hover_async(params)
        return (time.perf_counter_ns() - start) / 1e6

    async def change_then_request(self) -> float:
        self.version += 1
        end = lsp.Position(line=EDIT.line, character=EDIT.character + 1) if self.inserted else EDIT
        change = lsp.TextDocumentContentChangePartial(range=lsp.Range(start=EDIT, end=end),
                                                      text="" if self.inserted else "x")
        self.inserted = not self.inserted
        notification = lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
            content_changes=[change])
        request = lsp.DocumentSymbolParams(text_document=lsp.TextDocumentIdentifier(uri=self.uri))
        start = time.perf_counter_ns()
        self.client.text_document_did_change(notification)
        await self.client.text_document_document_symbol_async(request)
        elapsed = (time.perf_counter_ns() - start) / 1e6
        self.edits += 1
        return elapsed

    def expected_text(self) -> str:
        lines = SAMPLE.split("\n")
        if self.inserted:
            lines[EDIT.line] += "x"
        return "\n".join(lines)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def server_command(backend: str) -> list[str]:
    return [tool("pylsp")] if backend == "pylsp" else [sys.executable, str(ECHO_SERVER)]


def command_for(via: str, server: list[str], port: int) -> list[str]:
    if via == "direct":
        return server
    if via == "codetape":
        return [tool("codetape"), "bridge", "--", *server]
    if via == "relay":
        return [sys.executable, str(PIPE_RELAY), *server]
    return [tool("lsp-devtools"), "agent", "-p", str(port), "--", *server]


async def start(live: Live, port: int, lonely_port: int, setups: list[Setup]) -> None:
    """Start every setup, appending each to `setups` as soon as it runs (so a failure stops them all)."""
    for backend in BACKENDS:
        path = live.workspace / f"bench_{backend}.py"
        path.write_text(SAMPLE, "utf-8")
        for via in VIAS:
            argv = command_for(via, server_command(backend), lonely_port if via == "lsp-devtools" else port)
            client = await start_client(argv, cwd=live.workspace, env=live.env,
                                        stderr=live.root / f"{backend}-{via}.err")
            setups.append(Setup(backend, via, client, path.as_uri()))
            await initialize(client, live.workspace)
            open_document(client, path.as_uri(), SAMPLE)


async def run_rounds(setups: list[Setup], rounds: int, rng: random.Random, *, keep: bool) -> None:
    for _ in range(rounds):
        for op in OPS:
            for setup in rng.sample(setups, len(setups)):
                timed = setup.hover() if op == "hover" else setup.change_then_request()
                try:
                    elapsed = await asyncio.wait_for(timed, ANSWER_S)
                except TimeoutError:
                    raise SystemExit(f"bench.lsp_overhead: {setup.name}: no answer to {op} in time") from None
                if keep:
                    setup.times[op].append(elapsed)


async def stop(setups: list[Setup]) -> None:
    for setup in setups:
        await shutdown(setup.client, timeout=5.0 if setup.via.startswith("lsp-devtools") else 20.0)


async def listening(port: int, recorder: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Wait until `lsp-devtools record` accepts connections on `port`, so the agents find it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if recorder.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"bench.lsp_overhead: lsp-devtools record is not on port {port}") from None
            await asyncio.sleep(0.05)
            continue
        writer.close()
        await writer.wait_closed()
        return


async def measure(live: Live, args: argparse.Namespace) -> tuple[list[Setup], list[str], float]:
    """Start the setups, run the rounds, stop the setups; returns them, the load averages and the time."""
    rng = random.Random(args.seed)
    port, lonely = free_port(), free_port()
    recorder = subprocess.Popen(
        [tool("lsp-devtools"), "record", "-p", str(port), "--to-file", str(live.root / "devtools.log")],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    setups: list[Setup] = []
    try:
        await listening(port, recorder)
        await start(live, port, lonely, setups)
        await run_rounds(setups, args.warmup, rng, keep=False)
        loads = [load()]
        started = time.perf_counter()
        done = 0
        while done < args.rounds:
            step = min(500, args.rounds - done)
            await run_rounds(setups, step, rng, keep=True)
            done += step
            print(f"{done}/{args.rounds} rounds, {time.perf_counter() - started:.0f} s", flush=True)
        seconds = time.perf_counter() - started
        loads.append(load())
    finally:
        await stop(setups)
        recorder.terminate()
        recorder.wait(10)
    return setups, loads, seconds


def check_recording(live: Live, setups: list[Setup]) -> str:
    """Seal the episode; one edit step per didChange sent through codetape, and the text as typed."""
    sealed = live.seal()
    if sealed is None:
        return "FAILED: nothing was recorded"
    episode = open_episode(Path(sealed["path"]))
    steps = list(episode.steps())
    recorded = [s for s in setups if s.via == "codetape"]
    lines = []
    workspace = workspace_at(episode.header.position_encoding, steps)
    for setup in recorded:
        path = Path(setup.uri.removeprefix("file://")).name
        edits = sum(1 for s in steps if s.kind == "edit" and getattr(s, "path", None) == path)
        gaps = sum(1 for s in steps if s.kind == "gap")
        same = workspace.text(path) == setup.expected_text()
        ok = edits == setup.edits and same and not gaps
        lines.append(f"{setup.name}: {edits:,} edit steps for {setup.edits:,} didChange sent, "
                     f"text {'equal' if same else 'DIFFERENT'}, {gaps} gaps: {'ok' if ok else 'FAILED'}")
    return f"sealed {len(steps):,} steps; " + "; ".join(lines)


def stats(setups: list[Setup]) -> list[dict[str, Any]]:
    rows = []
    for backend in BACKENDS:
        direct = next(s for s in setups if s.backend == backend and s.via == "direct")
        for op in OPS:
            base = direct.times[op]
            for setup in (s for s in setups if s.backend == backend):
                times = setup.times[op]
                rows.append({
                    "backend": backend, "op": op, "via": setup.via, "n": len(times),
                    "p50": percentile(times, 50), "p99": percentile(times, 99),
                    "add50": percentile(times, 50) - percentile(base, 50),
                    "add99": percentile(times, 99) - percentile(base, 99),
                    "paired": median([t - b for t, b in zip(times, base, strict=True)]),
                })
    return rows


def verdicts(rows: list[dict[str, Any]]) -> list[str]:
    lines = []
    for op in OPS:
        pick = {r["via"]: r for r in rows if r["backend"] == "pylsp" and r["op"] == op}
        ours, theirs, floor = pick["codetape"], pick["lsp-devtools+record"], pick["relay"]
        p50_ok, p99_ok = ours["add50"] <= GOAL_P50_MS, ours["add99"] <= GOAL_P99_MS
        half50 = ours["add50"] < theirs["add50"] / 2
        half99 = ours["add99"] < theirs["add99"] / 2
        lines.append(
            f"- pylsp {op}: codetape adds {ours['add50']:+.3f} ms p50 (goal <= {GOAL_P50_MS}: "
            f"{'met' if p50_ok else 'NOT met'}) and {ours['add99']:+.3f} ms p99 (goal <= {GOAL_P99_MS}: "
            f"{'met' if p99_ok else 'NOT met'}); lsp-devtools+record adds {theirs['add50']:+.3f} / "
            f"{theirs['add99']:+.3f} ms, so codetape adds {_ratio(ours['add50'], theirs['add50'])} of it at "
            f"p50 and {_ratio(ours['add99'], theirs['add99'])} at p99 (goal < 0.5x: "
            f"{'met' if half50 and half99 else 'NOT met'}); a bare Python relay adds {floor['add50']:+.3f} / "
            f"{floor['add99']:+.3f} ms")
    return lines


def _ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}x" if theirs > 0 else "n/a (lsp-devtools adds nothing)"


def render(rows: list[dict[str, Any]], rounds: int, loads: tuple[str, str], check: str,
           seconds: float, code: str) -> str:
    head = ["backend", "operation", "setup", "n", "p50 ms", "p99 ms", "added p50", "added p99",
            "median paired added"]
    body = [[r["backend"], r["op"], r["via"], f"{r['n']:,}", f"{r['p50']:.3f}", f"{r['p99']:.3f}",
             "" if r["via"] == "direct" else f"{r['add50']:+.3f}",
             "" if r["via"] == "direct" else f"{r['add99']:+.3f}",
             "" if r["via"] == "direct" else f"{r['paired']:+.3f}"] for r in rows]
    return "\n".join([
        f"Command: `{command_line()}` ({machine()}; {code}). {rounds:,} rounds of each operation, "
        f"every setup once per round in a random order, after warm-up rounds; {seconds:.0f} s; load average "
        f"{loads[0]} at the start, {loads[1]} at the end.",
        "",
        table(head, body),
        "",
        f"Recording check: {check}.",
        "",
        "Verdicts (real pylsp backend):",
        "",
        *verdicts(rows),
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    code = code_state()
    with live_codetape() as live:
        setups, loads, seconds = asyncio.run(measure(live, args))
        check = check_recording(live, setups)
    body = render(stats(setups), args.rounds, (loads[0], loads[1]), check, seconds, code_during(code))
    print(body)
    if not args.no_readme:
        write_section("lsp-overhead", body)


if __name__ == "__main__":
    main()
