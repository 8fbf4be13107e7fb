"""Unlinkable mode's cost: enrolment, signing and verification per episode, and the dataset build over
unlinkable episodes against the same episodes attributed.

    .venv/bin/python -m bench.unlinkable [--episodes 1000] [--repeat 3] [--workers 1] [--work DIR]
                                         [--no-readme]

The episodes: bench/dataset_build.py's (the session generator's sessions under distinct headers), each
signed twice, once attributed (collector.consent.sign_episode with a key of its own) and once unlinkable
(`unlinkable="coarse"`: minimised, then signed with a per-episode key), into two file:// sources by
`codetape upload`. The keys are authorised the way `codetape enroll` has them authorised, in this process:
RFC 9474 prepare and blind (the member), blind-sign with a 3072-bit month key (the issuer,
collector/consent/blindrsa.py), finalise and check (the member); the issuer's record is signed as
`codetape issuer export` signs it. Enrolment, signing and verification are timed per episode over the
first 100 episodes; each build runs in a fresh process (bench.dataset_build.child), the attributed and the
unlinkable alternating, `--repeat` times each, the median reported; the unlinkable build is
`--trust-issuer ISSUER.pub --min-contributors 1`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from msgspec.structs import replace

from bench.dataset_build import SCALE, _median_run, run_child
from bench.report import command_line, machine, table, write_section
from collector.consent import blindrsa, init_keys, sign_episode
from collector.consent.authorisation import (
    Authorisation,
    issuer_id,
    key_message,
    read_record,
    sign_record,
    verify_authorisation,
)
from collector.consent.episode_keys import EpisodeKey, new_key_pair, store_batch
from collector.consent.unlinkable import epoch_of
from collector.episode import write_episode_file
from collector.home import Home
from collector.policy.sharing import SigningPolicy
from collector.protocol.clock import utc_now
from tests.support.sessions import generate

BASES = 40  # generated sessions, copied under many headers (mixed and edit-heavy: no labels read)
POLICY = SigningPolicy(purpose="training", licence="CC-BY-4.0")
TIMED = 100


def authorise(home: Home, month: blindrsa.PrivateKey, issuer: str, epoch: str, count: int) -> float:
    """`count` keys authorised blindly and stored; seconds per key (member and issuer together)."""
    public = month.public
    began = time.perf_counter()
    keys = []
    for _ in range(count):
        seed, key = new_key_pair()
        message = blindrsa.prepare(key_message(epoch, key))
        blinded = blindrsa.blind(public, message)
        signature = blindrsa.finalize(public, message, blindrsa.blind_sign(month, blinded.blinded_msg),
                                      blinded.inv)
        keys.append(EpisodeKey(key, seed, Authorisation(issuer, epoch, message[:blindrsa.PREFIX_BYTES],
                                                        signature)))
    seconds = (time.perf_counter() - began) / count
    store_batch(home, keys)
    return seconds


def prepare(work: Path, count: int) -> tuple[Path, Path, Path, dict[str, float]]:
    """(attributed source, unlinkable source, ISSUER.pub, seconds per episode of each step)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    epoch = epoch_of(utc_now())
    identity = Ed25519PrivateKey.generate()
    month = blindrsa.PrivateKey.generate(3072)
    issuer = issuer_id(identity.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
    record = work / "ISSUER.pub"
    record.write_bytes(sign_record(identity, "bench", utc_now().isoformat(), {epoch: (month.public, 1)}))
    attributed, unlinkable = Home(work / "attributed"), Home(work / "unlinkable")
    init_keys(attributed)
    costs = {"enrol": authorise(unlinkable, month, issuer, epoch, count)}
    bases = [generate(seed, ("mixed", "edit-heavy")[seed % 2], scale=SCALE) for seed in range(BASES)]
    start = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
    signing = {"attributed": 0.0, "unlinkable": 0.0}
    for n in range(count):
        base = bases[n % BASES]
        header = replace(base.header, episode_id=uuid.UUID(int=n + 1, version=4),
                         started_at=start + timedelta(hours=8.77 * n))
        for home in (attributed, unlinkable):
            path = home.ensure(home.episodes) / f"{header.episode_id}.ctape"
            write_episode_file(path, header, base.steps, level=3)
            target = home.ensure(home.outbox) / path.name
            began = time.perf_counter()
            sign_episode(path, target, home, workspace_policy=POLICY,
                         unlinkable="coarse" if home is unlinkable else None)
            if n < TIMED:
                signing[home.root.name] += time.perf_counter() - began
    costs.update({f"sign {mode}": seconds / min(count, TIMED) for mode, seconds in signing.items()})
    trusted = read_record(record.read_bytes())
    keys = [key for key in _keys(unlinkable)][:TIMED]
    began = time.perf_counter()
    for key in keys:
        assert verify_authorisation(trusted, key.public_key, key.authorisation) is None
    costs["verify authorisation"] = (time.perf_counter() - began) / len(keys)
    sources = []
    for home in (attributed, unlinkable):
        source = work / f"source-{home.root.name}"
        if home is unlinkable:  # the transfer `codetape upload` runs, without its pacing: an unlinkable
            # episode leaves one an upload run, once the issuer's record (fetched from where the member
            # enrolled, which this bench does without HTTP) counts k members (collector/upload/members.py)
            from collector.upload.destinations import parse_destination
            from collector.upload.stores import open_store
            from collector.upload.transfer import upload_episode

            store = open_store(parse_destination(source.as_uri()))
            for path in sorted(home.outbox.glob("*.ctape")):
                upload_episode(path, home, store)
            sources.append(source)
            continue
        done = subprocess.run([sys.executable, "-m", "collector", "upload", "--quiet", "--now", "--to",
                               source.as_uri()], env={**os.environ, "CODETAPE_HOME": str(home.root)},
                              check=False, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"codetape upload failed: {done.stderr}")
        sources.append(source)
    return sources[0], sources[1], record, costs


def _keys(home: Home) -> list[EpisodeKey]:
    from collector.consent.episode_keys import stored_keys

    return stored_keys(home)


def render(costs: dict[str, float], pairs: list[tuple[dict[str, Any], dict[str, Any]]], repeat: int,
           timed: int) -> str:
    rows = [[name, f"{seconds * 1000:.1f} ms"] for name, seconds in costs.items()]
    builds = []
    for attributed, unlinkable in pairs:
        slower = unlinkable["seconds"] / attributed["seconds"] - 1
        cpu = unlinkable["cpu"] / unlinkable["episodes"] / (attributed["cpu"] / attributed["episodes"]) - 1
        builds.append([f"{attributed['workers']}", f"{attributed['episodes']:,}", _build(attributed),
                       _build(unlinkable), f"**{slower:+.1%}**", f"{cpu:+.1%}",
                       f"{unlinkable['accepted']:,}"])
    return "\n".join([
        f"Command: `{command_line()}` ({machine()}); load {'/'.join(f'{x:.1f}' for x in os.getloadavg())} at "
        f"the end. Per episode (mean over the first {timed}; enrolment over all):\n",
        table(["step", "time per episode"], rows), "",
        f"The dataset build (local engine, median of {repeat} fresh-process builds each, attributed and "
        "unlinkable alternating; wall time, CPU per episode in brackets):\n",
        table(["processes", "episodes", "attributed", "unlinkable (--trust-issuer)",
               "wall, unlinkable vs attributed", "CPU per episode, unlinkable vs attributed",
               "unlinkable accepted"], builds)])


def _build(result: dict[str, Any]) -> str:
    return f"{result['seconds']:.1f} s ({result['cpu'] / result['episodes'] * 1000:.0f} ms)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", default="1", help="comma-separated local pool sizes")
    parser.add_argument("--work", type=Path, help="keep the signed sources here")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="codetape-bench-unlinkable-") as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        attributed, unlinkable, record, costs = prepare(work, args.episodes)
        pairs = []
        for workers in (int(count) for count in args.workers.split(",")):
            mine: dict[str, list[dict[str, Any]]] = {"attributed": [], "unlinkable": []}
            for round_ in range(args.repeat):
                for mode, source, issuer in (("attributed", attributed, None),
                                             ("unlinkable", unlinkable, record)):
                    out = Path(scratch) / f"out-{mode}-{workers}-{round_}"
                    mine[mode].append(run_child("local", workers, source, out, issuer=issuer))
                    shutil.rmtree(out)
            pairs.append((_median_run(mine["attributed"]), _median_run(mine["unlinkable"])))
        body = render(costs, pairs, args.repeat, min(args.episodes, TIMED))
    print(body)
    if not args.no_readme:
        write_section("unlinkable", body)


if __name__ == "__main__":
    main()
