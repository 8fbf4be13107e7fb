"""`codetape inspect EPISODE [--json]`: what an episode holds, when, where, with which editor, signed? For a
person also where its file is, where it was uploaded (destination, time, key) and when it was revoked
(`codetape episodes --json` has those for a program)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from collector.episode.summary import FileActivity, Summary
    from collector.upload.fate import Fate


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("inspect", help="summarise an episode", description=__doc__)
    parser.add_argument("episode", metavar="EPISODE", help="an episode file, or an episode id (prefix)")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collector.cli.progress import tracked
    from collector.consent.verify import signature_status
    from collector.episode.resolve import open_ref
    from collector.home import Home
    from collector.reconstruct.written import summarize_replayed
    from collector.upload.fate import read_fate

    home = Home.from_env(args.env)
    episode = open_ref(args.episode, home)
    summary = summarize_replayed(episode, tracked(episode.steps(), episode.step_count, "reading"))
    signature_status(episode, summary)
    if args.json:  # what the episode says; its file and uploads, for a program: `codetape episodes --json`
        sys.stdout.write(json.dumps(summary.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        from collector.upload.gate import file_sha256

        digest, _ = file_sha256(episode.path)
        fate = read_fate(home, str(summary.episode_id))
        lines = [*render(summary), *whereabouts(episode.path, fate, digest)]
        sys.stdout.write("".join(f"{line}\n" for line in lines))
    return 0


def whereabouts(path: Path, fate: Fate | None, file_sha256: str | None = None) -> list[str]:
    """Where the episode's file is, its whole file's SHA-256 (what an upload is named by, unlike the trailer's
    hash over the frames before it), where it was uploaded and when it was revoked, a line each."""
    from collector.episode.resolve import show
    from collector.upload.destinations import episode_key

    lines = [f"file       {show(str(path))}"]
    if file_sha256 is not None:
        lines.append(f"file sha256     {file_sha256} (the whole file; an upload names it "
                     f"{episode_key(file_sha256)})")
    for delivered in () if fate is None else fate.deliveries:
        lines.append(f"uploaded   to {show(delivered.destination)} at {_utc(delivered.at)}: "
                     f"{show(delivered.key)}")
    if fate is not None and fate.revoked_at is not None:
        lines.append(f"revoked    at {_utc(fate.revoked_at)}")
    return lines


def _utc(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def render(summary: Summary) -> list[str]:
    """The summary as aligned lines for a person."""
    from collector.consent.retime import timing_words
    from collector.consent.unlinkable import unlinkably
    from collector.episode.resolve import show
    from collector.episode.summary import by_class, editors_text, imported_text, shares_text

    started = summary.started_at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    lines = [
        f"episode    {summary.episode_id}",
        f"started    {started} (UTC)",
        f"duration   {_duration(summary.duration_ms)}" + (
            f" (steps from {summary.first_t_ms} ms to {summary.last_t_ms} ms)"
            if summary.first_t_ms is not None else " (no steps)"),
        f"steps      {summary.steps}" + (f": {_counts(summary.kinds)}" if summary.kinds else ""),
    ]
    if summary.skipped:
        lines.append(f"skipped    {sum(summary.skipped.values())} of unknown kinds: "
                     f"{_counts(summary.skipped, quote=True)}")
    snapshot = sum(activity.snapshot for activity in summary.files.values())
    lines.append(f"files      {sum(activity.touched for activity in summary.files.values())} touched"
                 + (f", {snapshot} in the snapshot at the start" if snapshot else ""))
    width = min(max((len(show(path)) for path in summary.files), default=0), 60)
    for path, activity in sorted(summary.files.items()):
        lines.append(f"  {show(path):<{width}}  {_activity(activity)}")
    written = summary.written
    if written:
        classes = by_class(written)
        total = sum(classes.values())
        lines.append(f"written    {total:,} characters: {shares_text(written)} (whose: " + ", ".join(
            f"{whose} {chars / total:.0%}" for whose, chars in classes.items() if chars) + ")")
    lines.append(f"encoding   {summary.position_encoding}")
    lines.append(f"client     {editors_text(summary.editors) or 'unknown'}")
    if summary.imported is not None:
        lines.append(f"imported   {imported_text(summary.imported)}")
    workspace = summary.workspace
    details = [show(value) for value in (workspace.git_remote, workspace.head_at_start) if value]
    lines.append(f"workspace  {show(workspace.root_name)}" + (f" ({', '.join(details)})" if details else ""))
    if summary.signed_by is not None:
        issuer = summary.authorised_by
        how = f"by {summary.signed_by}" if issuer is None else unlinkably(*issuer)
        lines.append(f"signed     {how} (signature verified)")
        if summary.timing is not None:
            lines.append(f"timing     {summary.timing}: {timing_words(summary.timing)}")
    elif summary.consent_frame:
        lines.append(f"signed     INVALID: {summary.signature_problem}")
    else:
        lines.append("signed     no")
    lines.append(f"format     read version {summary.read_version}, write version {summary.write_version}, "
                 f"{summary.chunk_count} step chunk{'s' * (summary.chunk_count != 1)}")
    lines.append(f"trailer sha256  {summary.sha256} (the trailer's hash of the frames before it)")
    return lines


def _duration(ms: int) -> str:
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{seconds:02}.{millis:03}"


def _counts(counts: dict[str, int], *, quote: bool = False) -> str:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{json.dumps(kind) if quote else kind} {count}" for kind, count in ordered)


def _activity(activity: FileActivity) -> str:
    parts = [(activity.opens, "open"), (activity.edits, "edit"), (activity.saves, "save"),
             (activity.changes, "on-disk change")]
    done = [f"{count} {name}{'s' * (count != 1)}" for count, name in parts if count]
    return ", ".join(["in the snapshot"] * activity.snapshot + done) or "referenced"
