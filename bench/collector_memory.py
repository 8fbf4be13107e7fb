"""The collector's memory across a million steps sent through its real socket.

    .venv/bin/python -m bench.collector_memory [--steps 1000000] [--runs 3] [--no-readme]

A live collector (temporary CODETAPE_HOME, opted-in workspace) and one `collector.protocol.client.Client`
that says hello as a bridge and sends steps as the bridge does (`send_steps`, 512 per message): a
developer typing file after file (an `open`, then one `edit` per character, a `diagnostics` step
every 50 edits, a `save` with its hash every 2,000, a new file every 20,000 characters). Every
50,000 steps a `status` request waits for the collector to have read everything before it (the
collector answers a connection's messages in order), so at most that many steps are in flight.
A thread samples the collector's RSS (psutil) every 0.2 s. Afterwards the steps are checked: the
collector's count and the journal's size, then the sealed episode's step count (the seal's own
memory is reported apart: it reads the whole journal back, which recording never does).
"""

from __future__ import annotations

import argparse
import hashlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil

from bench.live_env import Live, code_during, code_state, live_codetape, load, rss_mib
from bench.report import command_line, machine, median, table, write_section
from collector.protocol.client import Client
from collector.protocol.clock import now_ms
from collector.text.positions import caret_after

BATCH = 512
SYNC_EVERY = 50_000
FILE_CHARS = 20_000
GOAL_MIB = 30.0
SOURCE = Path(hashlib.__file__).read_text("utf-8")  # ASCII Python, typed again and again


def steps(total: int) -> Iterator[dict[str, Any]]:
    """`total` step dicts in the bridge's JSON form (without t_ms)."""
    produced = 0
    file_index = 0
    while True:
        path = f"pkg/module_{file_index}.py"
        yield {"kind": "open", "source": "bridge", "path": path, "text": "", "version": 1,
               "language_id": "python"}
        produced += 1
        text: list[str] = []
        line = character = 0
        version = 1
        for offset in range(FILE_CHARS):
            if produced >= total:
                return
            ch = SOURCE[(file_index * 7919 + offset) % len(SOURCE)]
            at = {"line": line, "character": character}
            version += 1
            yield {"kind": "edit", "source": "bridge", "path": path, "version": version,
                   "changes": [{"range": {"start": at, "end": at}, "text": ch}]}
            produced += 1
            text.append(ch)
            line, character = caret_after(line, character, ch, "utf-16")
            if produced < total and offset % 50 == 49:
                yield {"kind": "diagnostics", "source": "bridge", "path": path, "origin": "pyflakes",
                       "version": version, "items": [{
                           "range": {"start": {"line": at["line"], "character": 0}, "end": at},
                           "severity": 1, "message": f"undefined name 'x{offset}'", "source": "pyflakes"}]}
                produced += 1
            if produced < total and offset % 2000 == 1999:
                digest = hashlib.sha256("".join(text).encode()).hexdigest()
                yield {"kind": "save", "source": "bridge", "path": path, "sha256": digest}
                produced += 1
            if produced >= total:
                return
        file_index += 1


class Sampler:
    """The collector's RSS every `interval` seconds, with the number of steps sent so far."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid = pid
        self.interval = interval
        self.sent = 0
        self.samples: list[tuple[float, int, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-rss", daemon=True)
        self._start = time.perf_counter()

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def take(self) -> float:
        rss = rss_mib(self.pid)
        self.samples.append((time.perf_counter() - self._start, self.sent, rss))
        return rss

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.take()
            except psutil.Error:
                return


def journal_bytes(live: Live) -> int:
    return sum(p.stat().st_size for p in (live.home / "journals").glob("*.journal"))


def record(live: Live, total: int) -> dict[str, Any]:
    pid = live.collector.pid
    with live.client() as client, Sampler(pid) as sampler:
        reply = client.hello(live.workspace, "bridge", client={"name": "bench", "version": "1"},
                             position_encoding="utf-16")
        if not reply.get("recording"):
            raise SystemExit(f"bench.collector_memory: not recording: {reply.get('reason')}")
        time.sleep(1.0)
        start = sampler.take()
        started = time.perf_counter()
        batch: list[tuple[int, dict[str, Any]]] = []
        checkpoints: list[tuple[int, float]] = [(0, start)]
        for step in steps(total):
            batch.append((now_ms(), step))
            if len(batch) == BATCH:
                client.send_steps(batch)
                sampler.sent += len(batch)
                batch = []
                if sampler.sent % SYNC_EVERY < BATCH:
                    _sync(client)
                    checkpoints.append((sampler.sent, sampler.take()))
        if batch:
            client.send_steps(batch)
            sampler.sent += len(batch)
        _sync(client)
        seconds = time.perf_counter() - started
        end = sampler.take()
        checkpoints.append((sampler.sent, end))
        status = client.request("status")
        lost = client.lost_steps
    counted = next((w["steps"] for w in status["workspaces"] if Path(w["root"]) == live.workspace), 0)
    peak = max(rss for _, _, rss in sampler.samples)
    return {"sent": sampler.sent, "lost_in_client": lost, "counted": counted, "journal": journal_bytes(live),
            "start": start, "peak": peak, "end": end, "seconds": seconds, "checkpoints": checkpoints,
            "samples": len(sampler.samples)}


def _sync(client: Client) -> None:
    client.request("status")


def seal(live: Live) -> dict[str, Any]:
    with Sampler(live.collector.pid, interval=0.1) as sampler:
        before = sampler.take()
        started = time.perf_counter()
        result = live.seal()
        seconds = time.perf_counter() - started
        after = sampler.take()
    peak = max(rss for _, _, rss in sampler.samples)
    return {"steps": result["steps"] if result else 0, "seconds": seconds, "before": before, "peak": peak,
            "after": after}


def render(runs: list[tuple[dict[str, Any], dict[str, Any]]], loads: tuple[str, str], code: str) -> str:
    rows = []
    for index, (rec, sealed) in enumerate(runs):
        landed = rec["counted"] == rec["sent"] == sealed["steps"] and not rec["lost_in_client"]
        rows.append([index + 1, f"{rec['sent']:,}", f"{rec['sent'] / rec['seconds']:,.0f}",
                     f"{rec['start']:.1f}", f"{rec['peak']:.1f}", f"{rec['end']:.1f}",
                     f"**{rec['end'] - rec['start']:+.1f}**", f"{rec['peak'] - rec['start']:+.1f}",
                     f"{rec['counted']:,} / {rec['journal'] / 2**20:.0f} MiB / {sealed['steps']:,}",
                     "yes" if landed else "NO", f"{sealed['seconds']:.0f} s, peak {sealed['peak']:.1f}"])
    growths = [rec["end"] - rec["start"] for rec, _ in runs]
    peaks = [rec["peak"] - rec["start"] for rec, _ in runs]
    rows.append(["**median**", "", "", "", "", "", f"**{median(growths):+.1f}**", f"{median(peaks):+.1f}",
                 "", "", ""])
    last = runs[-1][0]
    marks = [c for c in last["checkpoints"] if c[0] % 200_000 < SYNC_EVERY or c is last["checkpoints"][-1]]
    all_landed = all(r["counted"] == r["sent"] == s["steps"] and not r["lost_in_client"] for r, s in runs)
    ok = max(growths) < GOAL_MIB and max(peaks) < GOAL_MIB
    return "\n".join([
        f"Command: `{command_line()}` ({machine()}; {code}); load average {loads[0]} at the start, "
        f"{loads[1]} at the end. {len(runs)} runs, each with a fresh collector; RSS in MiB, sampled every "
        "0.2 s.",
        "",
        table(["run", "steps", "steps/s", "RSS start", "peak", "end", "growth", "peak - start",
               "counted / journal / sealed", "all landed", "seal afterwards (RSS MiB)"], rows),
        "",
        f"RSS at the sync points of run {len(runs)} (steps: MiB): " + ", ".join(
            f"{sent:,}: {rss:.1f}" for sent, rss in marks) + ".",
        "",
        "Start is after the hello, before the first step; steps/s counts steps read, validated and "
        "journalled by the collector (the client waits for it every 50,000). The seal reads the whole "
        "journal back after recording; its peak is shown apart, as recording never does that.",
        "",
        f"- RSS flat (< {GOAL_MIB:.0f} MiB growth) across {runs[0][0]['sent']:,} steps: "
        f"{'met' if ok else 'NOT met'} (growth {median(growths):+.1f} MiB median, at most "
        f"{max(max(growths), max(peaks)):+.1f} MiB above the start in any run); every step landed: "
        f"{'yes' if all_landed else 'NO'}.",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    loads = [load()]
    code = code_state()
    runs = []
    for run in range(args.runs):
        with live_codetape() as live:
            rec = record(live, args.steps)
            shown = {k: v for k, v in rec.items() if k != "checkpoints"}
            print(f"run {run + 1} recorded: {shown}", flush=True)
            sealed = seal(live)
            print(f"run {run + 1} sealed: {sealed}", flush=True)
        runs.append((rec, sealed))
    loads.append(load())
    body = render(runs, (loads[0], loads[1]), code_during(code))
    print(body)
    if not args.no_readme:
        write_section("collector-memory", body)


if __name__ == "__main__":
    main()
