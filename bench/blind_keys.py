"""Per-episode cost of blindly authorised keys (RFC 9474, collector/consent/blindrsa.py), step by step.

    python -m bench.blind_keys [--episodes 200] [--write-readme]

In-process, one issuer month key of 3072 bits (collector/issuer/state.py's RSA_BITS): for each episode key
the member's prepare + blind, the issuer's BlindSign (gmpy2 powmod_sec per CRT prime, RSA-blinded, its
result checked), the member's Finalize (which verifies), and a receiver's check of the authorisation
against the public record (verify_authorisation). Then a whole enrolment through the real server: a
`codetape issuer serve` process on loopback and `codetape enroll --count N` as a subprocess, end to end
(process start, key generation, blinding, HTTP, signing, finalising, storing).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import gmpy2
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench.report import command_line, machine, median, table, write_section
from collector.consent import blindrsa
from collector.consent.authorisation import (
    Authorisation,
    key_message,
    read_record,
    sign_record,
    verify_authorisation,
)
from collector.consent.episode_keys import new_key_pair
from collector.issuer.state import RSA_BITS

T = TypeVar("T")


def leaky_rsasp1(key: blindrsa.PrivateKey, m: int) -> int:
    """RSASP1 the fast, leaky way: what constant time and RSA blinding cost is the difference."""
    p, q = key.p, key.q
    sp, sq = gmpy2.powmod(m % p, key.d % (p - 1), p), gmpy2.powmod(m % q, key.d % (q - 1), q)
    return int(sq + q * (gmpy2.invert(q, p) * (sp - sq) % p))


def per_step(episodes: int) -> list[list[str]]:
    key = blindrsa.PrivateKey.generate(RSA_BITS)
    identity = Ed25519PrivateKey.generate()
    record = read_record(sign_record(identity, "bench", "now", {"2026-11": (key.public, 5)}))
    times: dict[str, list[float]] = {}

    def timed(name: str, call: Callable[[], T]) -> T:
        began = time.perf_counter()
        value = call()
        times.setdefault(name, []).append((time.perf_counter() - began) * 1000)
        return value

    for _ in range(episodes):
        _, public = timed("key pair (Ed25519)", new_key_pair)
        message = blindrsa.prepare(key_message("2026-11", public))
        blinded = timed("prepare + blind (member)", partial(blindrsa.blind, key.public, message))
        blind_sig = timed("BlindSign (issuer)", partial(blindrsa.blind_sign, key, blinded.blinded_msg))
        signature = timed("Finalize, which verifies (member)",
                          partial(blindrsa.finalize, key.public, message, blind_sig, blinded.inv))
        authorisation = Authorisation(record.issuer, "2026-11", message[:32], signature)
        problem = timed("verify_authorisation (receiver)",
                        partial(verify_authorisation, record, public, authorisation))
        assert problem is None
        timed("for comparison: RSASP1 with gmpy2.powmod (not constant time), CRT, unblinded",
              partial(leaky_rsasp1, key, blindrsa.bytes_to_int(blinded.blinded_msg)))
    rows = [[name, f"{median(values):.2f}", f"{max(values):.2f}"] for name, values in times.items()]
    total = sum(median(values) for name, values in times.items() if not name.startswith("for comparison"))
    rows.insert(-1, ["**all steps, one episode key**", f"**{total:.2f}**", ""])
    return rows


def enrolment(count: int) -> list[list[str]]:
    """`codetape enroll --count COUNT` against a real `codetape issuer serve`, wall time of each."""
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        env = {**os.environ, "CODETAPE_HOME": str(base / "issuer-home")}
        run = [sys.executable, "-m", "collector"]
        subprocess.run([*run, "issuer", "init"], env=env, check=True, capture_output=True)
        added = subprocess.run([*run, "issuer", "member", "add", "bench", "--quota", str(count)], env=env,
                               check=True, capture_output=True, text=True)
        secret = added.stdout.strip().splitlines()[-1]
        out = base / "serve.out"
        with open(out, "wb") as handle:
            server = subprocess.Popen([*run, "issuer", "serve", "--listen", "127.0.0.1:0"], env=env,
                                      stdout=handle, stderr=subprocess.DEVNULL)
        try:
            url = None
            while url is None:
                match = re.search(r"http://127\.0\.0\.1:\d+", out.read_text())
                url = match.group(0) if match else None
                time.sleep(0.05)
            member = {**os.environ, "CODETAPE_HOME": str(base / "member")}
            began = time.perf_counter()
            subprocess.run([*run, "enroll", url, "--secret", secret, "--count", str(count)], env=member,
                           check=True, capture_output=True)
            wall = time.perf_counter() - began
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    return [[f"`codetape enroll --count {count}` (issuer process on loopback)", f"{wall:.2f} s",
             f"{wall * 1000 / count:.1f} ms"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--episodes", type=int, default=200)
    parser.add_argument("--enrol", type=int, default=100, help="keys fetched in the end-to-end enrolment")
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    steps = table(["step (per episode key)", "median ms", "max ms"], per_step(args.episodes))
    whole = table(["run", "wall time", "per key"], enrolment(args.enrol))
    body = f"`{command_line()}`; {machine()}; RSA {RSA_BITS} bits.\n\n{steps}\n\n{whole}"
    print(body)
    if args.write_readme:
        write_section("blind-keys", body)


if __name__ == "__main__":
    main()
