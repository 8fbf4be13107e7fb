"""An upload through the relay (issue 92): what sealing costs an episode, beside sending it as it is.

    .venv/bin/python -m bench.ohttp_seal [--sizes 4096,1048576,16777216,67108864] [--runs 7] [--no-readme]

For each size (an episode of random bytes): the client's whole work on one request (Binary HTTP framing,
`seal_request`: HPKE's setup through pyhpke and AES-128-GCM over the request), the gateway's
(`open_request`, decoding, sealing a 200 answer) and the client opening that answer, side by side with
the floor: AES-128-GCM alone over the same bytes (cryptography), which any sealing pays. Medians of `--runs`.

The library: pyhpke 0.6.5 (maintained, cryptography as its backend, RFC 9180's vectors pass through it:
tests/unit/ohttp/test_vectors.py). The alternatives found on PyPI do not fit: `hpke` 0.3.2 pins
cryptography below 44 (codetape needs a current one), `hpke-http` is a protocol of its own over HPKE,
not RFC 9458's encapsulation, and `ohttpy` is an alpha client without a gateway side.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import time
from collections.abc import Callable

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bench.report import command_line, machine, table, write_section
from collector.ohttp import bhttp
from collector.ohttp.encapsulation import open_request, seal_request
from collector.ohttp.keys import new_key


def timed(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def measure(size: int, runs: int) -> tuple[float, float, float]:
    key = new_key(1)
    episode = secrets.token_bytes(size)
    request = bhttp.Request("PUT", "https", "gateway", "/episodes/x.ctape", (("if-none-match", "*"),),
                            episode)

    def client() -> None:
        seal_request(key.config, bhttp.encode_request(request))

    sealed, sender = seal_request(key.config, bhttp.encode_request(request))
    answer = b""

    def gateway() -> None:
        nonlocal answer
        opened = open_request(key, sealed)
        bhttp.decode_request(opened.request)
        answer = opened.seal_response(bhttp.encode_response(bhttp.Response(200)))

    aes = AESGCM(AESGCM.generate_key(bit_length=128))
    nonce = secrets.token_bytes(12)
    sealing = timed(client, runs)
    opening = timed(gateway, runs) + timed(lambda: sender.open_response(answer), runs)
    floor = timed(lambda: aes.encrypt(nonce, episode, b""), runs)
    return sealing, opening, floor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="4096,1048576,16777216,67108864")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        sealing, opening, floor = measure(size, args.runs)
        rows.append([f"{size / 1024:,.0f} KiB", f"{sealing:.2f} ms", f"{opening:.2f} ms", f"{floor:.2f} ms",
                     f"{sealing / floor:.1f}x" if floor else "-"])
    body = (f"`{command_line()}` ({machine()}, load {load[0]:.1f}); medians of {args.runs} runs\n\n"
            + table(["episode", "client: frame and seal", "gateway: open, decode, answer; client: open it",
                     "AES-128-GCM alone", "sealing / floor"], rows) + "\n")
    print(body)
    if not args.no_readme:
        write_section("ohttp-seal", body)


if __name__ == "__main__":
    main()
