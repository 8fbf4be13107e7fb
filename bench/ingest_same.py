"""Whether two trees' collectors journal the same steps from the same wire: generated sessions (every profile
of tests/support/sessions.py) sent as a bridge sends them (maps without `t_ms`, absolute paths, batches of
512) through each tree's `Session.add_many` on a clock that follows the steps, in a fresh interpreter per
tree; then each journal's step frames compared byte for byte (the header only by its fields that do not
name the episode or its start). Issue 42 item 1's check that typed steps at ingest change no journal:

    .venv/bin/python -m bench.ingest_same BEFORE_TREE AFTER_TREE [--seeds 20]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import msgspec

from tests.support.sessions import PROFILES, generate

CHILD = """\
import sys, tempfile, msgspec
from pathlib import Path
from collector.daemon.session import Session
from collector.home import Home
from collector.journal.frames import unpack_payload
from collector.journal.recovery import JournalScanner
from collector.workspace.registry import Registry

sessions = msgspec.msgpack.decode(Path(sys.argv[1]).read_bytes())
journals = []
with tempfile.TemporaryDirectory() as scratch:
    for number, (name, steps) in enumerate(sessions):
        home, ws = Home(Path(scratch) / f"h{number}"), Path(scratch) / f"ws{number}"
        ws.mkdir()
        (ws / ".codetape.toml").write_text("", encoding="utf-8")
        root = ws.resolve()
        Registry(home).add(root)
        now = [steps[0][0]]
        session = Session(root, home, start_watchers=None, clock=lambda: now[0])
        wire = []
        for at_ms, plain in steps:
            for key in ("path", "new_path"):
                if isinstance(plain.get(key), str):
                    plain[key] = str(root / plain[key])
            if "targets" in plain:
                plain["targets"] = [str(root / target) for target in plain["targets"]]
            wire.append((at_ms, plain))
        for start in range(0, len(wire), 512):
            batch = wire[start:start + 512]
            now[0] = batch[-1][0]
            session.add_many(batch, source="bridge", owner="editor")
        now[0] += 10_000
        path = session.close()
        frames = list(JournalScanner(path).frames())
        header = unpack_payload(frames[0])["header"]
        for field in ("episode_id", "started_at", "codetape_version"):
            header.pop(field, None)
        journals.append({"name": name, "header": header, "steps": [f.payload.hex() for f in frames[1:]]})
Path(sys.argv[2]).write_bytes(msgspec.json.encode(journals))
"""
EPOCH = 1_700_000_000_000


def wire_sessions(seeds: int) -> list[tuple[str, list[tuple[int, dict[str, object]]]]]:
    """Every profile's first `seeds` sessions as their sources send the steps: (at_ms, map without
    t_ms); paths stay workspace-relative here and are made absolute under each run's workspace. A file
    change comes without the origin the collector gives it (agent_claims.py), and each save has the file
    watcher's view of it 40 ms later (an echo), every third one 40 ms earlier too (held, then the save)."""
    sessions = []
    for profile in PROFILES:
        for seed in range(seeds):
            steps: list[tuple[int, dict[str, object]]] = []
            for step in generate(seed, profile).steps:
                plain = msgspec.to_builtins(step)
                at_ms = EPOCH + plain.pop("t_ms")
                if plain["kind"] == "file_change":
                    for derived in ("origin", "origin_detail", "changed_lines", "changed_chars"):
                        plain.pop(derived, None)
                if plain["kind"] == "save" and plain.get("sha256"):
                    seen = {"kind": "file_change", "source": "files", "path": plain["path"],
                            "change": "modified", "sha256": plain["sha256"]}
                    if len(steps) % 3 == 0:
                        steps.append((at_ms - 40, dict(seen)))
                    steps.append((at_ms, plain))
                    steps.append((at_ms + 40, seen))
                    continue
                steps.append((at_ms, plain))
            steps.sort(key=lambda item: item[0])
            sessions.append((f"{profile}/{seed}", steps))
    return sessions


def journals_of(tree: Path, wire: Path, out: Path) -> list[dict[str, object]]:
    done = subprocess.run([sys.executable, "-c", CHILD, str(wire), str(out)], cwd=tree,
                          env={**os.environ, "PYTHONPATH": str(tree)}, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench.ingest_same: the run with {tree} failed: {done.stderr[-2000:]}")
    loaded: list[dict[str, object]] = json.loads(out.read_text())
    return loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--seeds", type=int, default=20, help="sessions per profile")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        wire = Path(scratch) / "wire.msgpack"
        wire.write_bytes(msgspec.msgpack.encode(wire_sessions(args.seeds)))
        before = journals_of(args.before.resolve(), wire, Path(scratch) / "before.json")
        after = journals_of(args.after.resolve(), wire, Path(scratch) / "after.json")
    differ = 0
    steps = 0
    kinds: Counter[str] = Counter()
    for old, new in zip(before, after, strict=True):
        steps += len(new["steps"])  # type: ignore[arg-type]
        for payload in new["steps"]:  # type: ignore[attr-defined]
            plain = msgspec.msgpack.decode(bytes.fromhex(payload))
            kinds[f"{plain['kind']} ({plain['origin']})" if "origin" in plain else plain["kind"]] += 1
        if old != new:
            differ += 1
            print(f"{new['name']}: the journals differ ({len(old['steps'])} steps before, "  # type: ignore[arg-type]
                  f"{len(new['steps'])} after)")  # type: ignore[arg-type]
    tally = ", ".join(f"{kind} {count:,}" for kind, count in kinds.most_common())
    print(f"{len(after)} sessions, {steps:,} steps ({tally}): {differ} journals differ")
    if differ:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
