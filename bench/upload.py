"""Upload throughput to a local SeaweedFS (tests/support/seaweed.py): 100 signed episodes, then one of 200 MB.

    python -m bench.upload [--episodes 100] [--small-kb 256] [--big-mb 200] [--write-readme]

Each run makes a fresh CODETAPE_HOME and key, writes synthetic episodes (files opened with random
base64 text, so zstd cannot shrink them below the size asked for), signs them into the outbox with the
real signing path, then times `codetape upload` (a subprocess, as a user runs it: the checks before
sending included) to s3:// on the local SeaweedFS and to a file:// directory for comparison, the
second, idempotent run that sends nothing, and the checks alone (`collector.upload.gate.clear`).
The tests import `synthetic_episode` and `signed_episode`.
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from collector.consent import init_keys
from collector.episode import write_episode_file
from collector.home import Home
from collector.review.choices import sign_and_queue
from collector.upload.gate import clear
from schemas import EpisodeHeader, Step, WorkspaceIdentity, step_from_dict
from tests.support.seaweed import SeaweedFS

BLOCK = 3 * 1024 * 1024  # characters per opened file (below the writer's 4 MiB chunk of text)
RATIO = 0.76  # bytes of episode per character of base64 text at zstd level 1 (measured)
README = Path(__file__).resolve().parent / "README.md"


def synthetic_episode(path: Path, size: int, *, seed: int, episode_id: uuid.UUID | None = None) -> Path:
    """An unsigned episode of about `size` bytes: files opened with random text and closed again."""
    rng = random.Random(seed)
    eid = episode_id or uuid.UUID(int=rng.getrandbits(128), version=4)
    header = EpisodeHeader(codetape_version="0.1.0", episode_id=eid,
                           started_at=datetime(2026, 5, 1, 9, 0, 0, tzinfo=UTC),
                           workspace=WorkspaceIdentity(root_name="bench-upload"))

    def steps() -> list[Step]:
        left, out, t_ms = max(1, int(size / RATIO)), [], 0
        for n in range(1 + int(size / RATIO) // BLOCK):
            count = min(left, BLOCK)
            text = base64.b64encode(rng.randbytes(count * 3 // 4 + 3)).decode("ascii")[:count]
            left -= count
            out.append(step_from_dict({"kind": "open", "t_ms": t_ms, "source": "bridge",
                                       "path": f"blob{n}.txt", "language_id": "plaintext", "version": 1,
                                       "text": text}))
            out.append(step_from_dict({"kind": "close", "t_ms": t_ms + 500, "source": "bridge",
                                       "path": f"blob{n}.txt"}))
            t_ms += 1000
        return out

    write_episode_file(path, header, steps(), level=1)
    return path


def signed_episode(home: Home, size: int, *, seed: int) -> Path:
    """A synthetic episode signed with the home's key into its outbox (the key must exist)."""
    sealed = synthetic_episode(home.ensure(home.episodes) / f"bench-{seed}.ctape", size, seed=seed)
    return sign_and_queue(sealed, home).path


def _upload(home: Home, env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "collector", "upload", "--quiet", *args], check=False,
                          env={**env, "CODETAPE_HOME": str(home.root)}, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"codetape upload failed: {done.stderr}")
    return time.perf_counter() - started


def _row(what: str, count: int, total: int, seconds: float) -> str:
    return (f"| {what} | {count} | {total / 1e6:.1f} MB | {seconds:.2f} s | "
            f"{total / 1e6 / seconds:.1f} MB/s | {count / seconds:.1f} |")


def measure(base: Path, episodes: int, small: int, big: int) -> list[str]:
    weed = SeaweedFS(base / "seaweed").start()
    env = {**os.environ, **weed.env()}
    rows: list[str] = []
    try:
        for name, count, size in (("small", episodes, small), ("big", 1, big)):
            home = Home(base / f"home-{name}")
            home.ensure(home.root)
            init_keys(home)
            paths = [signed_episode(home, size, seed=seed) for seed in range(count)]
            total = sum(path.stat().st_size for path in paths)
            bucket = weed.bucket(f"bench-{name}")
            (home.root / "config.toml").write_text(
                f'[upload]\nto = "s3://{bucket}/bench"\nendpoint_url = "{weed.endpoint}"\n', encoding="utf-8")
            label = (f"{count} episodes of {size / 1e6:.2f} MB" if count > 1
                     else f"1 episode of {size / 1e6:.0f} MB")
            rows.append(_row(f"{label}, s3:// (SeaweedFS)", count, total, _upload(home, env)))
            rows.append(_row(f"{label}, s3://, again (nothing sent)", count, total, _upload(home, env)))
            target = (base / f"dest-{name}").as_uri()
            rows.append(_row(f"{label}, file://", count, total, _upload(home, env, "--to", target)))
            started = time.perf_counter()
            for path in paths:
                clear(path, home)
            rows.append(_row(f"{label}, the checks before sending alone (in-process)", count, total,
                             time.perf_counter() - started))
    finally:
        weed.stop()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=100)
    parser.add_argument("--small-kb", type=int, default=256)
    parser.add_argument("--big-mb", type=int, default=200)
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="codetape-bench-upload-") as scratch:
        rows = measure(Path(scratch), args.episodes, args.small_kb * 1000, args.big_mb * 1000 * 1000)
    table = "\n".join(["| run | episodes | bytes | wall time | throughput | episodes/s |",
                       "|---|---|---|---|---|---|", *rows])
    print(table)
    if args.write_readme:
        text = README.read_text(encoding="utf-8")
        block = f"<!-- upload:start -->\n{table}\n<!-- upload:end -->"
        README.write_text(re.sub(r"<!-- upload:start -->.*?<!-- upload:end -->", lambda _m: block, text,
                                 flags=re.S), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
