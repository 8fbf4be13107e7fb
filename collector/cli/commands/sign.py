"""`codetape sign EPISODE --yes`: trim as asked, sign with your key, and queue the episode for upload.

The scriptable form of the review's sign-off. --exclude GLOB takes out files or folders (gitignore-style:
/notes.md, /private/, *.csv) with every step about them, masking their paths wherever they are written;
--drop FROM_MS:TO_MS replaces the steps in that time range (milliseconds from the start, both included)
with one gap that keeps the files right; --redact REGEX masks every match everywhere. Each may be given
many times, and each must change something, or nothing is signed. --leave-out-prompts keeps what you typed
to AI agents (Claude Code, Codex, Cursor) out of what is shared. The signed episode goes to
CODETAPE_HOME/outbox; the unsigned one is removed from episodes/ only once that worked. From the outbox it
is uploaded once a destination is configured ([upload] to in CODETAPE_HOME/config.toml): by the collector
in the background, or with codetape upload; until then it waits there.

Without --yes nothing happens: signing states your consent to share the episode, so say so explicitly,
after looking at it (codetape review EPISODE).
"""

from __future__ import annotations

import argparse
import getpass
import sys
import tempfile
from pathlib import Path

from collector.errors import UsageError
from collector.home import Home


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("sign", help="trim, sign and queue an episode for upload (needs --yes)",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("episode", metavar="EPISODE", help="an episode file, or an episode id (prefix)")
    parser.add_argument("--yes", action="store_true", help="you reviewed it and consent to share it")
    parser.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                        help="leave out files or folders (repeatable)")
    parser.add_argument("--drop", action="append", default=[], metavar="FROM_MS:TO_MS",
                        help="drop the steps in a time range (repeatable)")
    parser.add_argument("--redact", action="append", default=[], metavar="REGEX",
                        help="mask every match of a regular expression (repeatable)")
    parser.add_argument("--leave-out-prompts", action="store_true",
                        help="leave out what you typed to AI agents (each agent prompt's text)")
    parser.add_argument("--passphrase-file", type=Path, metavar="FILE",
                        help="the signing key's passphrase, on FILE's first line (- for stdin)")
    parser.add_argument("--workspace", type=Path, metavar="DIR",
                        help="the workspace the episode was recorded in, for its sharing policy")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collector.episode import open_episode
    from collector.episode.resolve import resolve_episode
    from collector.review.choices import sign_and_queue
    from collector.review.locate import workspace_for
    from collector.review.plan import TrimPlan, parse_drop
    from collector.review.trim import trim_episode
    from collector.review.views import done
    from collector.upload.outbox import upload_note

    if not args.yes:
        raise UsageError(f"not signed: signing consents to sharing {args.episode}; review it first "
                         f"(codetape review {args.episode}), then run this again with --yes")
    plan = TrimPlan()
    for glob in args.exclude:
        plan = plan.exclude(glob)
    for text in args.drop:
        plan = plan.drop(*parse_drop(text))
    for pattern in args.redact:
        plan = plan.redact(pattern)
    if args.leave_out_prompts:
        plan = plan.without_prompts()
    home = Home.from_env(args.env)
    path = resolve_episode(args.episode, home)
    passphrase = ask_passphrase(args.passphrase_file, home)
    workspace = workspace_for(open_episode(path).header, home, args.workspace)
    with tempfile.TemporaryDirectory(prefix="codetape-sign-") as scratch:
        trimmed = None
        if not plan.empty:
            trimmed = trim_episode(path, Path(scratch) / path.name, plan)
            unused = trimmed.unused()
            if unused:
                raise UsageError(f"not signed: {unused[0]}")
        queued = sign_and_queue(path, home, trimmed=trimmed, passphrase=passphrase, workspace=workspace)
    if trimmed is not None:
        print(f"trimmed: {done(trimmed)}")
    print(f"signed by {queued.key_id}: {queued.path}")
    if queued.removed is not None:
        print(f"removed the unsigned episode {queued.removed}")
    print(upload_note(home, str(queued.statement.content.episode_id)))
    return 0


def ask_passphrase(path: Path | None, home: Home) -> str | None:
    """The passphrase from --passphrase-file, or typed at the prompt when the key has one and stdin is a
    terminal; None otherwise (signing then says the key needs one)."""
    from collector.cli.commands.keys import read_passphrase_file
    from collector.consent import load_public

    if path is not None:
        return read_passphrase_file(path)
    if load_public(home).protected and sys.stdin.isatty():
        return getpass.getpass("passphrase of the signing key: ") or None
    return None
