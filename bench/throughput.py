"""Throughput of the bridge: keystrokes in observe mode, messages forwarded in proxy mode.

    .venv/bin/python -m bench.throughput [--runs 5] [--keystrokes 20000] [--messages 100000] [--no-readme]
    .venv/bin/python -m bench.throughput --baseline DIR [--runs 5] [--keystrokes 20000]

- observe: `python -m lsp_bridge` next to a live collector, driven by pygls's `LanguageClient`. One
  didOpen (empty), then one didChange per character of a 20,000-character text (the start of the
  interpreter's argparse.py and a line with non-ASCII and non-BMP characters), serialized by pygls
  before the clock starts and written as fast as the pipe takes them, then one request (the bridge
  answers it only after handling every change before it). Two rates: the bridge's (until that answer)
  and end to end (until the collector counts every step). Then the episode is sealed and checked: one
  edit step per keystroke, and the reconstructed text equals the text typed.
- proxy: `codetape bridge -- python bench/raw_echo_server.py` (a server that answers at once), against
  the same server direct, alternating. The client writes a stream of keystroke didChanges with a hover
  request after every third, from one thread, while it reads the answers on another; the rate counts
  every message forwarded (didChange, request, response) until the last answer. The recording is
  checked after each proxy run: edit steps, and any gap the recorder left when it fell behind. This
  mode uses the byte-level client and server (bench/raw_client.py, bench/raw_echo_server.py): with
  pygls's on either end the run would measure pygls, not the proxy (numbers in bench/README.md).
- --baseline DIR (a checkout of another commit: `git worktree add DIR COMMIT`): observe mode only, the
  tree at DIR (its collector and its bridge, through PYTHONPATH) and this one, each with its own live
  collector, alternating which goes first in each run; printed side by side, not written to the README.
"""

from __future__ import annotations

import argparse
import argparse as argparse_module
import asyncio
import contextlib
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException

from bench.live_env import Live, code_during, code_state, live_codetape, load, tool
from bench.raw_client import LspProcess, frame, write_all
from bench.report import command_line, machine, median, table, write_section
from collector.episode import open_episode
from collector.reconstruct.workspace import workspace_at
from collector.text.positions import caret_after
from tests.support.lsp_client import Prebuilt, initialize, open_document, shutdown, start_client

TAIL = "\n# naïve café, 3 € — 😀 non-BMP, done\n"
OBSERVE_GOAL, PROXY_GOAL = 10_000, 20_000  # observe: end to end, every keystroke recorded (issue 26)
REQUEST_EVERY = 4  # one hover request after every three didChange
RAW_ECHO_SERVER = Path(__file__).with_name("raw_echo_server.py")
RECORDED_S = 600.0  # how long the collector may take to count what was sent


def typed_text(count: int) -> str:
    source = Path(argparse_module.__file__).read_text("utf-8")
    return source[: count - len(TAIL)] + TAIL


def keystrokes(text: str, *, first_version: int = 2) -> Iterator[tuple[int, int, int, str]]:
    """(version, line, character, ch) of one insertion per character at the caret (UTF-16 positions)."""
    line = character = 0
    for index, ch in enumerate(text):
        yield first_version + index, line, character, ch
        line, character = caret_after(line, character, ch, "utf-16")


def wait_recorded(live: Live, steps: int, timeout: float = RECORDED_S) -> bool:
    """Wait until the collector counts `steps` steps in the open episode; False after `timeout` s.
    One connection asks every 10 ms (a new connection per question cost the collector ~0.75 ms of CPU
    and the bench process more, both taken from the cores the bridge and the collector share)."""
    deadline = time.perf_counter() + timeout
    with live.client() as client:
        while live.steps_recorded(client) < steps:
            if time.perf_counter() > deadline:
                return False
            time.sleep(0.01)
    return True


def check_episode(live: Live, path: str, edits: int, text: str | None) -> dict[str, Any]:
    """Seal; count the edit steps and gaps of one document, compare its text after its last edit with what
    was typed. (Not at the episode's end: the bench's editor leaves without saving, so the episode closes
    the document, `editor_gone`, and from then on it is the file on disk, which was never written.)"""
    sealed = live.seal()
    if sealed is None:
        return {"edits": 0, "gaps": 0, "same": False, "steps": 0}
    episode = open_episode(Path(sealed["path"]))
    steps = list(episode.steps())
    edited = [n for n, s in enumerate(steps) if s.kind == "edit" and getattr(s, "path", None) == path]
    workspace = workspace_at(episode.header.position_encoding, steps[:edited[-1] + 1] if edited else steps)
    found = len(edited)
    gaps = [s for s in steps if s.kind == "gap"]
    return {"edits": found, "expected": edits, "gaps": len(gaps), "steps": len(steps),
            "lost": sum(getattr(g, "lost_steps", None) or 0 for g in gaps),
            "same": text is None or workspace.text(path) == text}


# -- observe mode (pygls's client) -------------------------------------------------------------------

async def observe_run(live: Live, run: int, text: str) -> dict[str, Any]:
    path = f"typed_{run}.py"
    uri = (live.workspace / path).as_uri()
    client = await start_client([sys.executable, "-m", "lsp_bridge"], cwd=live.workspace, env=live.env,
                                stderr=live.root / f"observe-{run}.err")
    await initialize(client, live.workspace)
    opened = live.steps_recorded() + 1
    open_document(client, uri, "")
    if not await asyncio.to_thread(wait_recorded, live, opened, 60.0):  # the hello and the open are in
        raise SystemExit("bench.throughput: the collector never recorded the bridge's didOpen")
    before = live.steps_recorded()
    collector = psutil.Process(live.collector.pid)
    bridge = psutil.Process(client._server.pid) if client._server is not None else None  # sh exec'd it
    with Prebuilt(client) as stream:
        for version, line, character, ch in keystrokes(text):
            at = lsp.Position(line=line, character=character)
            client.text_document_did_change(lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[lsp.TextDocumentContentChangePartial(range=lsp.Range(start=at, end=at),
                                                                      text=ch)]))
        sync = client.protocol.send_request("codetape-bench/sync", None)  # unknown: an error, in order
    sent = stream.messages - 1
    cpu = cpu_seconds(collector)
    bridge_cpu = cpu_seconds(bridge) if bridge is not None else 0.0
    started = time.perf_counter()
    stream.send()
    with contextlib.suppress(JsonRpcException):
        await asyncio.wait_for(asyncio.wrap_future(sync), RECORDED_S)
    bridge_s = time.perf_counter() - started
    await asyncio.to_thread(wait_recorded, live, before + sent)
    total_s = time.perf_counter() - started
    collector_us = (cpu_seconds(collector) - cpu) / sent * 1e6
    bridge_us = (cpu_seconds(bridge) - bridge_cpu) / sent * 1e6 if bridge is not None else float("nan")
    await shutdown(client)
    check = check_episode(live, path, sent, text)
    return {"n": sent, "bridge": sent / bridge_s, "end_to_end": sent / total_s, "collector_us": collector_us,
            "bridge_us": bridge_us, **check}


def cpu_seconds(process: psutil.Process) -> float:
    """User and system CPU time of a process so far (all its threads)."""
    times = process.cpu_times()
    return float(times.user + times.system)


# -- proxy mode (byte-level client and server) -------------------------------------------------------

def change_frame(uri: str, version: int, line: int, character: int, ch: str) -> bytes:
    at = {"line": line, "character": character}
    return frame({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": uri, "version": version},
        "contentChanges": [{"range": {"start": at, "end": at}, "text": ch}]}})


def hover(uri: str, key: int) -> bytes:
    return frame({"jsonrpc": "2.0", "id": key, "method": "textDocument/hover",
                  "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}})


def proxy_stream(uri: str, text: str, messages: int) -> tuple[list[bytes], int, int, int]:
    """didChange x3, hover, ... ending with a hover: (frames, changes, requests, the last request's id)."""
    changes = [change_frame(uri, *key) for key in keystrokes(text * (messages // len(text) + 1))]
    frames: list[bytes] = []
    sent_changes = requests = 0
    while len(frames) < messages:
        if len(frames) % REQUEST_EVERY == REQUEST_EVERY - 1:
            requests += 1
            frames.append(hover(uri, 1000 + requests))
        else:
            frames.append(changes[sent_changes])
            sent_changes += 1
    if len(frames) % REQUEST_EVERY != 0:
        requests += 1
        frames.append(hover(uri, 1000 + requests))
    return frames, sent_changes, requests, 1000 + requests


def writer(proc: LspProcess, chunks: list[bytes]) -> threading.Thread:
    """Write the chunks from another thread (the main thread reads the answers meanwhile)."""
    def run() -> None:
        fd = proc.proc.stdin.fileno() if proc.proc.stdin is not None else -1
        for chunk in chunks:
            write_all(fd, chunk)

    thread = threading.Thread(target=run, name="bench-writer", daemon=True)
    thread.start()
    return thread


def batched(frames: list[bytes], size: int = 64 * 1024) -> list[bytes]:
    chunks, current, length = [], [], 0
    for item in frames:
        current.append(item)
        length += len(item)
        if length >= size:
            chunks.append(b"".join(current))
            current, length = [], 0
    if current:
        chunks.append(b"".join(current))
    return chunks


def proxy_run(live: Live, via: str, run: int, text: str, messages: int) -> dict[str, Any]:
    path = f"proxied_{via}_{run}.py"
    uri = (live.workspace / path).as_uri()
    server = [sys.executable, str(RAW_ECHO_SERVER)]
    argv = server if via == "direct" else [tool("codetape"), "bridge", "--", *server]
    before = live.steps_recorded()
    with LspProcess(argv, cwd=live.workspace, env=live.env, stderr=live.root / f"proxy-{via}-{run}.err",
                    name=via) as proc:
        proc.initialize(live.workspace)
        proc.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": ""}})
        proc.request("textDocument/hover", {"textDocument": {"uri": uri},
                                            "position": {"line": 0, "character": 0}})  # the server is up
        frames, changes, requests, last = proxy_stream(uri, text, messages)
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
    result: dict[str, Any] = {"via": via, "messages": len(frames) + answered, "changes": changes,
                              "requests": requests, "answers": answered,
                              "rate": (len(frames) + answered) / elapsed, "seconds": elapsed}
    if via == "codetape":
        wait_recorded(live, before + 1 + changes, 60.0)  # the open and every change, unless gaps hold them
        result.update(check_episode(live, path, changes, None))
    return result


# -- report ------------------------------------------------------------------------------------------

def _rate(value: float) -> str:
    return f"{value:,.0f}"


def render(observe: list[dict[str, Any]], proxy: list[dict[str, Any]], loads: tuple[str, str],
           keystroke_count: int, code: str) -> str:
    obs_rows = [[i + 1, f"{r['n']:,}", _rate(r["bridge"]), _rate(r["end_to_end"]), f"{r['collector_us']:.1f}",
                 f"{r['edits']:,} / {r['expected']:,}", r["gaps"], "equal" if r["same"] else "DIFFERENT"]
                for i, r in enumerate(observe)]
    bridge = median([r["bridge"] for r in observe])
    e2e = median([r["end_to_end"] for r in observe])
    cpu = median([r["collector_us"] for r in observe])
    obs_rows.append(["**median**", "", f"**{_rate(bridge)}**", f"**{_rate(e2e)}**", f"{cpu:.1f}", "", "", ""])
    direct = [r for r in proxy if r["via"] == "direct"]
    ours = [r for r in proxy if r["via"] == "codetape"]
    prox_rows = []
    for run, (d, c) in enumerate(zip(direct, ours, strict=True)):
        prox_rows.append([run + 1, f"{c['messages']:,}", _rate(d["rate"]), _rate(c["rate"]),
                          f"{c['rate'] / d['rate']:.2f}", f"{c['edits']:,} / {c['changes']:,}",
                          f"{c['gaps']} ({c['lost']:,} lost)"])
    proxy_rate = median([r["rate"] for r in ours])
    direct_rate = median([r["rate"] for r in direct])
    prox_rows.append(["**median**", "", f"**{_rate(direct_rate)}**", f"**{_rate(proxy_rate)}**",
                      f"{proxy_rate / direct_rate:.2f}", "", ""])
    recorded_all = all(r["edits"] == r["changes"] and not r["gaps"] for r in ours)
    observe_ok = all(r["edits"] == r["expected"] and r["same"] and not r["gaps"] for r in observe)
    return "\n".join([
        f"Command: `{command_line()}` ({machine()}; {code}); load average {loads[0]} at the start, "
        f"{loads[1]} at the end.",
        "",
        f"Observe mode, {keystroke_count:,} keystroke didChanges per run (didChange/s):",
        "",
        table(["run", "didChange", "bridge", "end to end (collector)", "collector CPU µs/step", "edit steps",
               "gaps", "text"], obs_rows),
        "",
        "Proxy mode in front of `bench/raw_echo_server.py`, messages forwarded per second (didChange, "
        "hover requests and their answers; one request per three didChange):",
        "",
        table(["run", "messages", "direct (no proxy)", "codetape bridge", "ratio", "edit steps recorded",
               "gaps"], prox_rows),
        "",
        f"- observe mode >= {OBSERVE_GOAL:,} didChange/s end to end: "
        f"{'met' if e2e >= OBSERVE_GOAL else 'NOT met'} (bridge {_rate(bridge)}/s, end to end "
        f"{_rate(e2e)}/s, {e2e / OBSERVE_GOAL:.1f}x the goal end to end); every keystroke recorded and "
        f"the text reconstructed exactly: {'yes' if observe_ok else 'NO'}.",
        f"- proxy mode >= {PROXY_GOAL:,} messages/s: {'met' if proxy_rate >= PROXY_GOAL else 'NOT met'} "
        f"({_rate(proxy_rate)}/s, {proxy_rate / PROXY_GOAL:.1f}x the goal); every didChange recorded "
        f"at that rate: {'yes' if recorded_all else 'NO (see the gaps column)'}.",
    ])


@contextlib.contextmanager
def live_tree(tree: Path | None) -> Iterator[Live]:
    """A live codetape whose collector and bridge run from `tree` (None: this checkout)."""
    if tree is None:
        with live_codetape() as live:
            yield live
        return
    saved, here = os.environ.get("PYTHONPATH"), Path.cwd()
    os.environ["PYTHONPATH"] = str(tree.resolve())  # live.env copies it: the collector and the bridge
    os.chdir(tree)  # `python -m collector` puts its working directory first on sys.path
    try:
        with live_codetape(prefix="ct-bench-base-") as live:
            _restore_pythonpath(saved)
            os.chdir(here)
            yield live
    finally:
        _restore_pythonpath(saved)
        os.chdir(here)


def _restore_pythonpath(saved: str | None) -> None:
    if saved is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = saved


def compare(baseline: Path, runs: int, text: str) -> str:
    """Observe mode from the tree at `baseline` and from this one, alternating; a side-by-side table."""
    code = code_state()
    results: dict[str, list[dict[str, Any]]] = {"baseline": [], "now": []}
    with live_tree(baseline) as base, live_tree(None) as now:
        loads = [load()]
        for run in range(runs):
            order = [("baseline", base), ("now", now)] if run % 2 == 0 else [("now", now), ("baseline", base)]
            for name, live in order:
                results[name].append(asyncio.run(observe_run(live, run, text)))
                print(f"observe run {run + 1} {name}: {results[name][-1]}", flush=True)
        loads.append(load())
    rows = []
    for run, (b, n) in enumerate(zip(results["baseline"], results["now"], strict=True)):
        rows.append([run + 1, _rate(b["bridge"]), _rate(n["bridge"]), _rate(b["end_to_end"]),
                     _rate(n["end_to_end"]), f"{n['end_to_end'] / b['end_to_end']:.2f}",
                     f"{b['collector_us']:.1f}", f"{n['collector_us']:.1f}",
                     f"{b['bridge_us']:.1f}", f"{n['bridge_us']:.1f}",
                     "yes" if all(r["edits"] == r["expected"] and r["same"] and not r["gaps"]
                                  for r in (b, n)) else "NO"])
    medians = {name: (median([r["bridge"] for r in rs]), median([r["end_to_end"] for r in rs]))
               for name, rs in results.items()}
    ratios = median([n["end_to_end"] / b["end_to_end"]
                     for b, n in zip(results["baseline"], results["now"], strict=True)])
    cpu = {name: median([r["collector_us"] for r in rs]) for name, rs in results.items()}
    own = {name: median([r["bridge_us"] for r in rs]) for name, rs in results.items()}
    rows.append(["**median**", _rate(medians["baseline"][0]), _rate(medians["now"][0]),
                 _rate(medians["baseline"][1]), _rate(medians["now"][1]), f"{ratios:.2f}",
                 f"{cpu['baseline']:.1f}", f"{cpu['now']:.1f}", f"{own['baseline']:.1f}",
                 f"{own['now']:.1f}", ""])
    return "\n".join([
        f"Command: `{command_line()}` ({machine()}; now: {code_during(code)}); load average {loads[0]} at "
        f"the start, {loads[1]} at the end.",
        "",
        f"Observe mode, {len(text):,} keystroke didChanges per run (didChange/s), baseline {baseline.name} "
        "and now alternating:",
        "",
        table(["run", f"bridge {baseline.name}", "bridge now", f"end to end {baseline.name}",
               "end to end now", "ratio (end to end)", f"collector CPU µs/step {baseline.name}",
               "collector CPU µs/step now", f"bridge CPU µs/step {baseline.name}", "bridge CPU µs/step now",
               "all recorded, text equal"], rows),
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keystrokes", type=int, default=20_000)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--baseline", type=Path,
                        help="observe mode only: also run the tree at DIR, alternating")
    args = parser.parse_args()
    text = typed_text(args.keystrokes)
    if args.baseline is not None:
        if not (args.baseline / "lsp_bridge").is_dir() or not (args.baseline / "collector").is_dir():
            raise SystemExit(f"bench.throughput: {args.baseline} is not a codetape checkout")
        print(compare(args.baseline, args.runs, text))
        return
    code = code_state()
    observe, proxy = [], []
    with live_codetape() as live:
        loads = [load()]
        for run in range(args.runs):
            observe.append(asyncio.run(observe_run(live, run, text)))
            print(f"observe run {run + 1}: {observe[-1]}", flush=True)
            for via in ("direct", "codetape") if run % 2 == 0 else ("codetape", "direct"):
                proxy.append(proxy_run(live, via, run, text, args.messages))
                print(f"proxy run {run + 1}: {proxy[-1]}", flush=True)
        loads.append(load())
    body = render(observe, proxy, (loads[0], loads[1]), args.keystrokes, code_during(code))
    print(body)
    if not args.no_readme:
        write_section("throughput", body)


if __name__ == "__main__":
    main()
