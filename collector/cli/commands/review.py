"""`codetape review [EPISODE]`: look at an episode before anything of it is shared, trim it, then decide.

The review opens on a summary (duration, steps, files, commands, test runs, git, redactions with masked
previews, size, the sharing policy's purpose and licence), then lets you browse the timeline, any file
at any step and the diff between two steps; exclude files or folders, drop a time range, redact more
text; and ends with an explicit choice: sign into the outbox, keep for later, or discard. Ctrl-C
keeps. Without EPISODE it opens the oldest sealed episode nobody signed yet.

--summary prints the summary and exits (--json: as one JSON object). The same changes and the sign-off
are scriptable: codetape sign EPISODE --yes [--exclude GLOB] [--drop FROM_MS:TO_MS] [--redact REGEX].
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from collector.errors import PolicyError, UsageError
from collector.home import Home


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("review", help="review an episode: browse, trim, then sign, keep or discard",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("episode", metavar="EPISODE", nargs="?",
                        help="an episode file or id (prefix); default: the oldest unsigned one")
    parser.add_argument("--summary", action="store_true", help="print the summary and exit")
    parser.add_argument("--json", action="store_true", help="with --summary: one JSON object")
    parser.add_argument("--workspace", type=Path, metavar="DIR",
                        help="the workspace the episode was recorded in, for its sharing policy "
                        "(default: the opted-in workspace with the episode's workspace name)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collector.episode.resolve import resolve_episode
    from collector.review.locate import oldest_unsigned

    home = Home.from_env(args.env)
    if args.json and not args.summary:
        raise UsageError("--json prints the summary: use codetape review EPISODE --summary --json")
    path = oldest_unsigned(home) if args.episode is None else resolve_episode(args.episode, home)
    if args.summary:
        return print_summary(path, home, args.workspace, as_json=args.json)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("the review needs a terminal; use --summary to print the summary, and codetape sign "
                         "or codetape discard to decide")
    from collector.review.app import ReviewApp
    from collector.review.session import ReviewSession

    session = ReviewSession(path, home, workspace=args.workspace)
    try:
        outcome = ReviewApp(session).run()
    finally:
        session.close()
    if outcome is None:
        print(f"kept for later, unchanged: {path}")
        return 0
    print(outcome.message)
    return 0


def print_summary(path: Path, home: Home, workspace: Path | None, *, as_json: bool) -> int:
    from collector.episode.resolve import open_ref
    from collector.policy.sharing import load_signing_policy
    from collector.review.errors import ReviewError
    from collector.review.locate import workspace_for
    from collector.review.summary_view import Terms, build_summary
    from collector.seal.summaries import read_summary

    episode = open_ref(str(path), home)
    if episode.consent is not None:
        raise ReviewError(f"{path} is signed; codetape inspect and codetape verify describe it")
    root = workspace_for(episode.header, home, workspace)
    try:
        policy = load_signing_policy(home, root)
        error = None
    except PolicyError as exc:
        policy, error = None, str(exc)
    summary = build_summary(episode, redaction=read_summary(path), policy=policy)
    if error is not None:
        summary.terms = Terms(problem=error)
    if as_json:
        data = {"path": str(path), "workspace_dir": None if root is None else str(root), **summary.to_json()}
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write("".join(f"{line}\n" for line in summary.lines()))
    return 0
