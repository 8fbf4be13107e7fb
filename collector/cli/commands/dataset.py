"""`codetape dataset build SOURCE -o OUT`: contributors' signed episodes in, verified Parquet tables out.

SOURCE is where episodes were uploaded (a directory, file:///DIR or s3://BUCKET/PREFIX); OUT a directory
or s3://BUCKET/PREFIX. Every episode is checked again, trusting nothing the source says (its hash, its
signature, its replay, its signer), and every episode left out is a row of the `rejected` table, with its
reason. What it writes, its snapshots, unlinkable episodes, licences, retention, origins, exports and
engines: docs/datasets.md, "`codetape dataset build` in full".
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collector.dataset.build import BuildReport
    from collector.dataset.engines.sink import Tally
from collector.cli import dataset_purges, dataset_snapshots
from collector.errors import UsageError
from collector.home import Home
from collector.text.sizes import byte_size

TABLE_NAMES = {"episodes": "episode", "steps": "step", "file_states": "file state",
               "test_runs": "test result", "commands": "command"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from collector.export import per_episode_formats

    parser = sub.add_parser("dataset", help="build verified Parquet datasets from uploaded episodes",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    build = actions.add_parser("build", help="check every episode at SOURCE again and write Parquet to OUT",
                               description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    build.add_argument("source", metavar="SOURCE",
                       help="DIR, file:///DIR or s3://BUCKET/PREFIX (as codetape upload wrote it)")
    build.add_argument("-o", "--out", metavar="OUT", required=True,
                       help="DIR, file:///DIR or s3://BUCKET/PREFIX")
    build.add_argument("--trust", metavar="KEYS", action="append",
                       help="accept only these signers: a file of what `codetape keys show` (or --json) "
                       "printed for each, or of public keys / key ids one a line (# starts a comment); or "
                       "keys / key ids separated by commas (repeatable: each --trust adds its keys)")
    build.add_argument("--trust-issuer", metavar="ISSUER.pub", type=Path,
                       help="accept unlinkable episodes whose per-episode key this issuer authorised (its "
                       "public record, from codetape issuer export)")
    build.add_argument("--min-contributors", metavar="K", type=int, default=None,
                       help="with --trust-issuer: hold back a month's unlinkable episodes until at least K "
                       "members took authorisations under its key (default 5)")
    build.add_argument("--allow-licence", metavar="SPDX",
                       help="keep only episodes signed under a licence these permit (SPDX ids or ID WITH "
                       "EXCEPTION, comma-separated: MIT,Apache-2.0); the rest are rows of rejected, reason "
                       "licence")
    build.add_argument("--origin", metavar="ORIGINS",
                       help="keep only episodes whose writing is of these origins (typed, paste, completion, "
                       "ai_completion, agent, ..., unknown) or classes (human, ai, unknown), comma-separated:"
                       " the rest are rows of rejected, reason origin")
    build.add_argument("--origin-share", type=float, metavar="S",
                       help="with --origin: keep an episode when at least S of the characters it wrote are "
                       "of those origins (default 1: all of them)")
    build.add_argument("--require-policy", metavar="SHA256",
                       help="keep only episodes signed under the managed policy whose file hashes to SHA256 "
                       "(sha256sum /etc/codetape/policy.toml, or the policy.d file whose [[scope]] governed "
                       "them; codetape status shows it): the rest are rows of rejected, reason policy")
    build.add_argument("--as-of", metavar="DATE", type=_day,
                       help="judge retention as on DATE (YYYY-MM-DD, UTC; today or later, default today): "
                       "every episode whose signed retain_until is before it is purged, as a build on that "
                       "day would")
    build.add_argument("--engine", choices=("local", "ray"), default="local",
                       help="local: a process per core (default); ray: Ray tasks, batches of episodes")
    build.add_argument("--workers", type=int, metavar="N",
                       help="local engine: processes (default: one per core, or this one alone for a build "
                            "with fewer than 32 episodes and 1 MiB to check)")
    build.add_argument("--ray-address", metavar="ADDR",
                       help="ray engine: the cluster to run on (default: a local Ray started for the build)")
    build.add_argument("--exports", metavar="FORMATS",
                       help=f"also write these formats into OUT/exports/FORMAT/SIGNER/, one file per episode "
                       f"({', '.join(per_episode_formats())}; comma-separated), kept complete by later "
                       "builds")
    build.add_argument("--allow-insecure", action="store_true",
                       help="allow a plain http:// S3 endpoint that is not on this machine")
    build.add_argument("--quiet", action="store_true", help="print errors only (no progress, no summary)")
    build.set_defaults(func=run_build)
    dataset_snapshots.register(actions)
    dataset_purges.register(actions)


def run_build(args: argparse.Namespace) -> int:
    from collector.dataset.engines.allocator import arrow_environment

    os.environ.update(arrow_environment(os.environ))  # this process builds: before pyarrow is imported
    import msgspec

    from collector.cli.progress import episode_progress
    from collector.dataset.build import BuildOptions, build_dataset
    from collector.dataset.check.issuers import DEFAULT_MIN_CONTRIBUTORS, parse_issuer
    from collector.dataset.check.licences import parse_licences
    from collector.dataset.check.origins import parse_origins
    from collector.dataset.check.trust import parse_trusts
    from collector.dataset.engines.allocator import freeze_loaded
    from collector.dataset.engines.exports import parse_exports
    from collector.policy.config import load_config
    from collector.protocol.clock import utc_now

    if args.ray_address is not None and args.engine != "ray":
        raise UsageError("--ray-address is for --engine ray")
    if args.workers is not None and (args.engine != "local" or args.workers < 1):
        raise UsageError("--workers N (N >= 1) is for --engine local")
    trust = None if args.trust is None else parse_trusts(args.trust)
    if args.min_contributors is not None and args.trust_issuer is None:
        raise UsageError("--min-contributors is for --trust-issuer")
    k = DEFAULT_MIN_CONTRIBUTORS if args.min_contributors is None else args.min_contributors
    issuer = None if args.trust_issuer is None else parse_issuer(args.trust_issuer, k)
    exports = () if args.exports is None else parse_exports(args.exports)
    if args.origin_share is not None and args.origin is None:
        raise UsageError("--origin-share is for --origin")
    origins = None if args.origin is None else parse_origins(args.origin, args.origin_share)
    licences = None if args.allow_licence is None else parse_licences(args.allow_licence)
    required = None if args.require_policy is None else _policy_hash(args.require_policy)
    if args.as_of is not None and args.as_of < utc_now().date():
        raise UsageError(f"--as-of {args.as_of.isoformat()} is before today ({utc_now().date().isoformat()} "
                         "UTC): a build never keeps what has expired")
    settings = load_config(Home.from_env(args.env)).upload
    if args.allow_insecure:
        settings = msgspec.structs.replace(settings, allow_insecure=True)
    options = BuildOptions(args.source, args.out, trust=trust, issuer=issuer, origins=origins,
                           licences=licences, engine=args.engine, workers=args.workers or 0,
                           ray_address=args.ray_address, exports=exports, require_policy=required,
                           as_of=args.as_of)
    with episode_progress("checking", quiet=args.quiet) as update:
        def progress(tally: Tally) -> None:
            update(tally.done, tally.total, tally.bytes, tally.total_bytes, sum(tally.rejected.values()))

        freeze_loaded()  # (the build's process: its episodes' replays in it with one worker)
        report = build_dataset(options, settings, progress=progress)
    if not args.quiet:
        print(summary(report))
    return 0


def _ray_tasks(report: BuildReport) -> str:
    """Where the ray engine's checking tasks ran: ", 6 check tasks on 2 nodes, 2 workers"."""
    tasks = report.ray_tasks
    if not tasks:
        return ""
    nodes, workers = len({node for node, _worker in tasks}), len(tasks)
    return f", {_count(tasks.total(), 'check task')} on {_count(nodes, 'node')}, {_count(workers, 'worker')}"


def summary(report: BuildReport) -> str:
    """What the build did and what the dataset holds now, in a few lines."""
    tally = report.tally
    engine = f"{report.engine} engine" + (
        _ray_tasks(report) if report.engine != "local" else ", in one process" if report.workers == 1
        else f", {report.workers} worker processes")
    lines = [f"build {report.number} of {report.out} from {report.source} ({engine}, "
             f"{report.seconds:.1f} s): {_count(tally.total, 'new episode')} ({byte_size(tally.bytes)}), "
             f"{tally.accepted} accepted, {sum(tally.rejected.values())} rejected{_reasons(tally.rejected)}"]
    if tally.held:
        lines.append(f"held back for a later build: {_count(sum(tally.held.values()), 'episode')}, their "
                     f"month's anonymity set too small ({'; '.join(sorted(tally.held))})")
    if report.withdrawn:
        gone = _count(sum(report.withdrawn.values()), "episode")
        why = " or ".join(reason for reason in ("revoked", "expired") if report.withdrawn[reason])
        lines.append(f"removed: {gone} {why} since built{_reasons(report.withdrawn)}, from every snapshot "
                     "(codetape dataset purge-report lists them)")
    if report.unverified:
        records = _count(report.unverified, "revocation record")
        lines.append(f"ignored: {records} not verifying against the key that signed the episode "
                     "(revocation_unverified in rejected); the episode stays")
    exported = report.exported
    if exported.episodes or exported.failed:
        done = ", ".join(f"{fmt} {_count(count, 'episode')} ({_count(exported.files[fmt], 'file')})"
                         for fmt, count in sorted(exported.episodes.items()))
        failed = exported.failed
        lines.append(f"exports: {done or 'none'}" + (f"; {len(failed)} failed, the first: {failed[0]}"
                                                     if failed else ""))
    if report.near_duplicates:
        lines.append(f"near duplicates: {_count(report.near_duplicates, 'episode')} with the same steps as "
                     "another (episodes.steps_sha256)")
    if report.splits:
        sizes = ", ".join(f"{name} {report.splits.get(name, 0):,}" for name in ("train", "eval", "none"))
        lines.append(f"splits: {sizes} episodes (episodes.split, by repository); "
                     f"{_count(report.split_leaks, 'episode')} with a duplicate on the other side")
    left = {fmt: sides for fmt, sides in report.cross_split.left_out.items() if sum(sides.values())}
    if left:
        lines.append("examples left out, identical to one on the other side: " + ", ".join(
            f"{fmt} {sides['eval']:,} eval" + (f", {sides['train']:,} train" if sides["train"] else "")
            for fmt, sides in sorted(left.items())))
    held = ", ".join(_count(report.rows.get(table, 0), name) for table, name in TABLE_NAMES.items())
    lines.append(f"dataset: {held}; {_count(sum(report.rejected.values()), 'episode')} left out, each a "
                 f"row of rejected{_reasons(Counter(report.rejected))}")
    return "\n".join(lines)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _policy_hash(text: str) -> str:
    value = text.strip().lower()
    if len(value) != 64 or not set(value) <= set("0123456789abcdef"):
        raise UsageError("--require-policy: give the 64 hex digits of the managed policy file's SHA-256 "
                         "(sha256sum /etc/codetape/policy.toml)")
    return value


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'s' * (number != 1)}"


def _reasons(counts: Counter[str]) -> str:
    shown = [f"{reason} {count}" for reason, count in sorted(counts.items()) if count]
    return f" ({', '.join(shown)})" if shown else ""
