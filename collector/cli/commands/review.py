"""`codetape review [EPISODE ...] [--all-sealed]`: look at episodes before anything of them is shared,
trim them, then decide.

The review opens on a summary (duration, steps, files, commands, test runs, git, redactions with masked
previews, size, the sharing policy's purpose and licence, and each thing the organisation's managed policy
requires of this share, met or not), then lets you browse the timeline, any file
at any step and the diff between two steps; exclude files or folders, drop a time range, redact more
text; and ends with an explicit choice: sign into the outbox, keep for later, or discard. Ctrl-C
keeps (asking first when your changes would be lost). Without EPISODE it opens the oldest sealed
episode nobody signed yet; with several, or --all-sealed (every one nobody signed, oldest first), each
in turn, on its own summary; Ctrl-C keeps the one on screen and stops (k goes on to the next).

Without EPISODE, when upload runs hold signed episodes before they leave (until the issuer counts k members
for their month, or because work of them was pushed after signing), the review first lists them, each with
why, and offers the choice: s sends one anyway (pushed work: whoever holds the repository can tell it is
yours), w withdraws it (as codetape revoke does), q leaves them as they are.

--summary prints the summary and exits (--json: as one JSON object, a list of them for several). The
same changes and the sign-off are scriptable: codetape sign EPISODE... --yes [--exclude GLOB]
[--drop FROM-TO] [--redact REGEX]."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from collector.errors import PolicyError, UsageError
from collector.home import Home
from collector.review.errors import ReviewError

if TYPE_CHECKING:
    from collector.review.app import ReviewOutcome
    from collector.upload.asked import HeldItem


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("review", help="review an episode: browse, trim, then sign, keep or discard",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("episode", metavar="EPISODE", nargs="*",
                        help="episode files or ids (prefix); default: the oldest unsigned one")
    parser.add_argument("--all-sealed", action="store_true",
                        help="every sealed episode nobody signed yet, oldest first")
    parser.add_argument("--summary", action="store_true", help="print the summary and exit")
    parser.add_argument("--json", action="store_true", help="with --summary: one JSON object")
    parser.add_argument("--workspace", type=Path, metavar="DIR",
                        help="the workspace the episode was recorded in, for its sharing policy "
                        "(default: the opted-in workspace with the episode's workspace name)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    home = Home.from_env(args.env)
    if args.json and not args.summary:
        raise UsageError("--json prints the summary: use codetape review EPISODE --summary --json")
    held = [] if args.episode or args.all_sealed or args.summary else held_items(home)
    try:
        paths = chosen(args.episode, args.all_sealed, home)
    except ReviewError:
        if not held:
            raise
        paths = []  # nothing to sign: only what is held
    if args.summary:
        return print_summaries(paths, home, args.workspace, as_json=args.json)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("the review needs a terminal; use --summary to print the summary, and codetape sign "
                         "or codetape discard to decide")
    if held:
        ask_held(home, held)
    for number, path in enumerate(paths, 1):
        outcome = review(path, home, args.workspace, f"{number} of {len(paths)}" if len(paths) > 1 else "")
        if outcome is None:
            print(f"kept for later, unchanged: {path}")
            continue
        print(outcome.message)
        if outcome.stop and number < len(paths):
            print(f"stopped: {len(paths) - number} more kept for later, unreviewed")
            break
    return 0


def held_items(home: Home) -> list[HeldItem]:
    """What upload runs hold before it leaves (collector/upload/asked.py)."""
    # the outbox only for a review that opens on no named episode
    from collector.upload.asked import held_items as held

    return held(home)


def ask_held(home: Home, held: list[HeldItem]) -> None:
    """The held episodes in the terminal app, each choice made said after it."""
    # Textual only when something is held
    from collector.review.held import HeldApp

    for line in HeldApp(home, held).run() or []:
        print(line)


def chosen(episodes: list[str], all_sealed: bool, home: Home) -> list[Path]:
    """The episodes named (in the order given, each once), every unsigned one, or the oldest."""
    from collector.episode.resolve import resolve_episode
    from collector.review.locate import all_unsigned, oldest_unsigned

    if all_sealed and episodes:
        raise UsageError("give EPISODEs or --all-sealed, not both")
    if all_sealed:
        return all_unsigned(home)
    if not episodes:
        return [oldest_unsigned(home)]
    return list(dict.fromkeys(resolve_episode(episode, home) for episode in episodes))


def review(path: Path, home: Home, workspace: Path | None, place: str) -> ReviewOutcome | None:
    """One episode's review in the terminal app; how it ended (None: the app was closed otherwise)."""
    from collector.review.app import ReviewApp
    from collector.review.session import ReviewSession

    session = ReviewSession(path, home, workspace=workspace)
    try:
        return ReviewApp(session, place).run()
    finally:
        session.close()


def print_summaries(paths: list[Path], home: Home, workspace: Path | None, *, as_json: bool) -> int:
    """Each episode's summary: as text, one after another; as JSON, one object (a list for several)."""
    found = [summary_of(path, home, workspace) for path in paths]
    if as_json:
        data = found[0][0] if len(found) == 1 else [data for data, _lines in found]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write("\n".join("".join(f"{line}\n" for line in lines) for _data, lines in found))
    return 0


def summary_of(path: Path, home: Home, workspace: Path | None) -> tuple[dict[str, Any], list[str]]:
    """An episode's summary as JSON data and as lines for a person."""
    from collector.episode.resolve import open_ref
    from collector.policy.sharing import load_signing_policy
    from collector.review.choices import share_context
    from collector.review.errors import ReviewError
    from collector.review.locate import workspace_for
    from collector.review.summary_view import Terms, build_summary
    from collector.seal.summaries import read_summary

    episode = open_ref(str(path), home)
    if episode.consent is not None:
        raise ReviewError(f"{path} is signed; codetape inspect and codetape verify describe it")
    root = workspace_for(episode.header, home, workspace)
    try:
        policy = load_signing_policy(home, root, remotes=[episode.header.workspace.git_remote],
                                     head=episode.header.workspace.head_at_start)
        error = None
    except PolicyError as exc:
        policy, error = None, str(exc)
    timing, destination = share_context(home)
    summary = build_summary(episode, redaction=read_summary(path), policy=policy,
                            unlinkable=timing is not None, destination=destination, workspace=root,
                            timing=timing or "drawn", home=home)
    if error is not None:
        summary.terms = Terms(problem=error)
    data = {"path": str(path), "workspace_dir": None if root is None else str(root), **summary.to_json()}
    return data, summary.lines()
