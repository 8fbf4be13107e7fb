"""Upload throughput to a local SeaweedFS (tests/support/seaweed.py): 100 signed episodes, then one of 200 MB.

    python -m bench.upload [--episodes 100] [--small-kb 256] [--big-mb 200] [--write-readme]

Each run makes a fresh CODETAPE_HOME and key, writes synthetic episodes (files opened with random
base64 text, so zstd cannot shrink them below the size asked for), signs them into the outbox with the
real signing path, then times `codetape upload` (a subprocess, as a user runs it: the checks before
sending included) to s3:// on the local SeaweedFS and to a file:// directory for comparison, the
second, idempotent run that sends nothing, and the checks alone (`collector.upload.gate.clear`).
The episodes come from tests/support/sized_episodes.py, as the tests' do.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from collector.consent import init_keys
from collector.home import Home
from collector.upload.gate import clear
from tests.support.seaweed import SeaweedFS
from tests.support.sized_episodes import signed_episode

README = Path(__file__).resolve().parent / "README.md"


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
