"""The cost of an unlinkable upload through the Oblivious HTTP relay against the direct path, side by side
in one run on one corpus (issue 105, item 6).

    python -m bench.relay_cost [--sizes-kb 4,64,1024,8192] [--per-size 10]

Starts SeaweedFS (tests/support/seaweed.py), `codetape gateway serve` writing to it with the drop
credential, and nginx as the relay (tests/support/relay.py, each on a loopback address of its own), with
a counting TCP hop in front of the store and one in front of the relay. The corpus: signed synthetic
episodes of each size (tests/support/sized_episodes.py, as bench/upload.py makes them). Each episode is
stored twice, alternately: directly (one S3 PutObject, `S3Store.put_bytes`) and through the relay
(`RelayStore.put`: padded to its bucket, sealed, posted, opened by the gateway, written by it, answered
sealed). Timed: the wall time of each call (mean and p50 per size), after one untimed object each way
(boto3's client, the first connections). Bytes: what the client sent on the
wire to the store, or to the relay (HTTP heads, the padding and sealing included).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import tempfile
import time
from pathlib import Path

from collector.consent import init_keys
from collector.home import Home
from collector.ohttp.keys import parse_config_hex
from collector.upload.destinations import parse_destination
from collector.upload.relay import Route, put
from collector.upload.s3_store import S3Store
from schemas.config import UploadSettings
from tests.support.relay import Gateway, Hop, Relay, free_port
from tests.support.seaweed import SeaweedFS
from tests.support.sized_episodes import signed_episode


def measure(base: Path, sizes: list[int], per_size: int) -> list[str]:
    weed = SeaweedFS(base / "seaweed").start()
    hops: list[Hop] = []
    gateway = relay = None
    try:
        bucket = weed.bucket("bench-relay")
        to_store = Hop("127.0.0.5", ("127.0.0.1", weed.ports["s3"]))
        hops.append(to_store)
        nobody = f"http://127.0.0.6:{free_port('127.0.0.6')}"  # no issuer: the gateway serves no record
        gateway = Gateway(base / "gateway", "127.0.0.4", f"s3://{bucket}/relayed", weed.endpoint, nobody,
                          weed.drop_env())
        relay = Relay(base / "relay", "127.0.0.3", f"http://{gateway.address[0]}:{gateway.address[1]}")
        to_relay = Hop("127.0.0.7", (relay.host, relay.port))
        hops.append(to_relay)
        os.environ.update(weed.env())  # the direct path's credential, as a contributor's AWS configuration
        direct = S3Store(parse_destination(f"s3://{bucket}/direct",
                                           UploadSettings(endpoint_url=to_store.url, allow_insecure=True)))
        route = Route(f"{to_relay.url}/gateway", parse_config_hex(gateway.key_config), 120.0)
        home = Home(base / "home")
        home.ensure(home.root)
        init_keys(home)
        warm = signed_episode(home, 1024, seed=0).read_bytes()  # boto3's client and both connections, untimed
        warm_key = f"episodes/{hashlib.sha256(warm).hexdigest()}.ctape"
        direct.put_bytes(warm_key, warm)
        put(route, warm_key, warm, replace=False)
        rows = []
        for size in sizes:
            paths = [signed_episode(home, size, seed=size + seed) for seed in range(per_size)]
            times: dict[str, list[float]] = {"direct": [], "relay": []}
            sent: dict[str, int] = {"direct": 0, "relay": 0}
            payload = 0
            for path in paths:
                data = path.read_bytes()
                payload += len(data)
                key = f"episodes/{hashlib.sha256(data).hexdigest()}.ctape"
                for way, hop in (("direct", to_store), ("relay", to_relay)):
                    before = len(hop.sent())
                    started = time.perf_counter()
                    stored = direct.put_bytes(key, data) if way == "direct" else \
                        put(route, key, data, replace=False)
                    if not stored:
                        raise RuntimeError(f"{key} was already stored {way}")
                    times[way].append(time.perf_counter() - started)
                    sent[way] += len(hop.sent()) - before
            mean = payload / len(paths)
            row = [f"{mean / 1024:,.0f} KiB", str(len(paths))]
            for way in ("direct", "relay"):
                row += [f"{statistics.mean(times[way]) * 1e3:.1f} ms",
                        f"{statistics.median(times[way]) * 1e3:.1f} ms",
                        f"{sent[way] / len(paths) / 1024:,.1f} KiB"]
            row.append(f"{statistics.mean(times['relay']) / statistics.mean(times['direct']):.2f}x, "
                       f"{sent['relay'] / sent['direct']:.2f}x")
            rows.append("| " + " | ".join(row) + " |")
        return rows
    finally:
        for stop in (relay, gateway):
            if stop is not None:
                stop.stop()
        for hop in hops:
            hop.close()
        weed.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes-kb", default="4,64,1024,8192")
    parser.add_argument("--per-size", type=int, default=10)
    args = parser.parse_args()
    sizes = [int(text) * 1024 for text in args.sizes_kb.split(",")]
    with tempfile.TemporaryDirectory(prefix="codetape-relay-cost-") as tmp:
        Path(tmp).chmod(0o755)  # nginx's worker (not root) buffers a large body under it
        rows = measure(Path(tmp), sizes, args.per_size)
    print("| episode (mean) | n | direct: mean | direct: p50 | direct: sent | relay: mean | relay: p50 | "
          "relay: sent | relay / direct (time, bytes) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
