"""`codetape upload [EPISODE...] [--to URL]`: send signed episodes to the upload destination, now.

Without EPISODE: every signed episode in the outbox that is not at the destination yet. The destination
is `[upload] to` in CODETAPE_HOME/config.toml (file:///DIR or s3://BUCKET/PREFIX), or --to. Before
anything is sent each episode is checked again: signed with your key, its consent statement matching
its bytes, allowed by the sharing policy, not revoked; anything else stays, with the reason.

An episode is stored as PREFIX/episodes/<sha256>.ctape with a manifest beside it; one already there is not
sent again. Large files go in parts, and an interrupted upload resumes where it stopped when rerun.
S3 credentials, region and endpoint come from the AWS configuration (environment, ~/.aws, [upload]
profile / endpoint_url); plain http:// endpoints are refused off loopback unless --allow-insecure.
A store that does not answer is given up on after max_attempts x (connect_timeout_s + 1 +
read_timeout_s) seconds and a little backoff (81 s by default; [upload] in config.toml), with a line
saying so while it is waited for; the episodes stay in the outbox.
The collector runs this in the background (`--quiet`) after each signing and when it starts.

An episode signed in unlinkable mode leaves only once the random delay drawn when it was signed has passed
(up to `[consent] upload_delay_max_s`, 6 h by default), each on its own, so that arrival times do not link
episodes; the collector sends it when it is due. --now sends such episodes at once, together: the times
they arrive at then tell the receiver they came from one person. They go as through a write-only drop
credential: no HeadObject, GetObject or List request is made for them.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collector.upload.outbox import UploadOutcome
from collector.errors import UsageError
from collector.home import Home

CONFIG_HINT = '[upload] to = "file:///DIR" or "s3://BUCKET/PREFIX"'


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("upload", help="send signed episodes to the upload destination (file://, s3://)",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("episodes", metavar="EPISODE", nargs="*",
                        help="a signed episode file or id (prefix); default: every one waiting in the outbox")
    parser.add_argument("--to", metavar="URL", help="file:///DIR or s3://BUCKET/PREFIX (default: [upload] to "
                        "in config.toml)")
    parser.add_argument("--allow-insecure", action="store_true",
                        help="allow a plain http:// S3 endpoint that is not on this machine")
    parser.add_argument("--now", action="store_true",
                        help="send unlinkable episodes now, without their random delay (arrival times can "
                        "then link them)")
    parser.add_argument("--quiet", action="store_true", help="print errors only (no progress, no results)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collector.cli.progress import byte_progress
    from collector.episode.resolve import resolve_episode, show
    from collector.upload.destinations import configured
    from collector.upload.outbox import drain, record_run, waiting
    from collector.upload.stores import open_store

    home = Home.from_env(args.env)
    destination = configured(home, args.to, allow_insecure=args.allow_insecure)
    if destination is None:
        raise UsageError(f"no upload destination: set {CONFIG_HINT} in {home.config}, or give --to URL")
    if args.episodes:
        paths = [resolve_episode(ref, home) for ref in args.episodes]
    else:
        paths = [entry.path for entry in waiting(home, destination.ref())]
    paths, later = _due(paths, home, args.now, args.quiet)
    if later and not args.quiet:
        first = min(later).isoformat(timespec="minutes").replace("+00:00", "Z")
        waits = "s wait for their" if len(later) != 1 else " waits for its"
        print(f"{len(later)} unlinkable episode{waits} random "
              f"delay (the first due at {first}); codetape upload --now sends them now, and gives up that "
              "arrival times do not link them")
    if not paths and later:
        return 0
    if not paths:
        if not args.quiet:
            print(f"nothing to upload to {destination.url}: every signed episode in {home.outbox} is there "
                  "(or revoked)")
        return 0
    store = open_store(destination, waiting=None if args.quiet else _say)
    total = sum(path.stat().st_size for path in paths)
    label = f"uploading {len(paths)} episode{'s' * (len(paths) != 1)}"
    with byte_progress(total, label, quiet=args.quiet) as progress:
        outcomes = drain(home, store, paths, concurrency=destination.settings.concurrency, progress=progress)
    errors = _errors(outcomes, home, args)
    record_run(home, store.ref.describe(), outcomes, errors[0] if errors else None)
    if not args.quiet:
        for outcome in outcomes:
            if outcome.delivered is not None:
                print(_said(outcome))
    for error in errors:
        print(f"codetape: {show(error)}", file=sys.stderr)
    return 1 if errors else 0


def _due(paths: list[Path], home: Home, now: bool, quiet: bool) -> tuple[list[Path], list[datetime]]:
    """(the episodes to send, the upload times of those still waiting for their random delay)."""
    from collector.due import due_at
    from collector.protocol.clock import utc_now

    moment = utc_now()
    send, later, early = [], [], 0
    for path in paths:
        at = due_at(home, path.name.removesuffix(".ctape"))
        if at is None or at <= moment:
            send.append(path)
        elif now:
            send.append(path)
            early += 1
        else:
            later.append(at)
    if early and not quiet:
        print(f"--now: {early} unlinkable episode{'s' * (early != 1)} sent before the random delay drawn for "
              "each: the times they arrive at can tell the receiver they came from one person")
    return send, later


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _said(outcome: UploadOutcome) -> str:
    done = outcome.delivered
    assert done is not None
    eid = str(done.episode_id)[:8]
    if done.already_there and not done.sent_bytes:
        return f"{eid}  already at {done.destination}: {done.location} (nothing sent)"
    resumed = f", resumed: {done.resumed_parts} parts were already there" if done.resumed_parts else ""
    return f"{eid}  uploaded to {done.destination}: {done.location} ({_size(done.size)}{resumed})"


def _errors(outcomes: list[UploadOutcome], home: Home, args: argparse.Namespace) -> list[str]:
    """One line per failed episode; one line in all when the store was out of reach."""
    from collector.episode.resolve import reference
    from collector.upload.errors import TransferFailed, Unreachable
    from collector.upload.outbox import retry_command

    def retry(failed: list[UploadOutcome]) -> str:
        refs = [reference(o.path, home) for o in failed] if args.episodes else []
        return retry_command(refs, args.to, allow_insecure=args.allow_insecure)

    unreachable = next((o for o in outcomes if isinstance(o.error, Unreachable)), None)
    lines: list[str] = []
    if unreachable is not None:
        stuck = [o for o in outcomes if o.skipped or isinstance(o.error, TransferFailed)]
        stay = "it stays" if len(stuck) == 1 else "they stay"
        lines.append(f"{unreachable.error}: {len(stuck)} of {len(outcomes)} episodes not sent ({stay} in the "
                     f"outbox); retry: {retry(stuck)}")
    for outcome in outcomes:
        error = outcome.error
        if error is None or (unreachable is not None and isinstance(error, TransferFailed)):
            continue
        if isinstance(error, TransferFailed):
            lines.append(f"{reference(outcome.path, home)}: {error}; retry: {retry([outcome])}")
        else:
            lines.append(str(error))  # a refusal: it says why, and retrying would not help
    return lines


def _size(size: int) -> str:
    if size < 1000:
        return f"{size} B"
    amount = float(size)
    for unit in ("KB", "MB", "GB"):
        amount /= 1000
        if amount < 1000 or unit == "GB":
            break
    return f"{amount:.1f} {unit}"
