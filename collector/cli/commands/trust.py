"""`codetape trust [DIR] [--yes]`: accept the workspace's `.codetape.toml` as it is now.

What a settings file says applies only as far as you accepted it on this machine: a file a repository
ships or changes (a clone, a `git pull`) may make recording stricter, never looser. `trust` prints what
the file loosens beyond what you accepted (channels, exclusions, `max_file_bytes`, `snapshot`,
`[redaction] allow`, `[tests] junit`, licences), then accepts exactly that content: after you confirm on a
terminal, else only with --yes. A file that loosens nothing is accepted at once. `codetape status` says
when there is something to accept."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from collector.errors import CodetapeError, UsageError
from collector.home import Home


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("trust", help="accept a workspace's .codetape.toml as it is now",
                            description=__doc__)
    parser.add_argument("dir", nargs="?", type=Path, default=Path("."), help="the workspace (default: .)")
    parser.add_argument("--yes", action="store_true", help="accept what it loosens without asking")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collector.cli.commands.init import tell_collector
    from collector.policy.effective import accepted_settings
    from collector.policy.recording import read_settings
    from collector.policy.stricter import loosened
    from collector.workspace.registry import Registry, digest
    from collector.workspace.trust import settings_problem
    from schemas.settings import SETTINGS_FILE

    root = args.dir.expanduser().resolve()
    home = Home.from_env(args.env)
    registry = Registry(home)
    if root not in registry.registered():
        raise UsageError(f"{root} is not opted in (run: codetape init {root})")
    problem = settings_problem(root)
    if problem is not None:
        raise UsageError(problem)
    target = root / SETTINGS_FILE
    text, settings = read_settings(root)  # an invalid file is named with its line
    accepted = registry.accepted(root)
    if accepted == text:
        print(f"already accepted: {target}")
        return 0
    loosens = loosened(accepted_settings(accepted, root), settings)
    what = "what you accepted" if accepted is not None else "the defaults"
    if loosens:
        print(f"{target} loosens {what}:")
        print("\n".join(f"  {line}" for line in loosens))
    else:
        print(f"{target} loosens nothing beyond {what}")
    if loosens and not args.yes and not confirmed():
        raise UsageError(f"nothing accepted; to accept it: codetape trust {root} --yes")
    try:
        registry.accept(root, text)
    except OSError as exc:
        raise CodetapeError(f"cannot accept {target}: {exc.strerror or exc}") from None
    print(f"accepted: {target} (sha256 {digest(text)})")
    if tell_collector(home, root):  # it records under it now, or from the episode it has open's end
        print("the collector uses what it loosens from its next episode (what it makes stricter applies "
              "at once), and its allow-list from the next seal")
    return 0


def confirmed() -> bool:
    """Whether the person at the terminal says yes (never, without a terminal)."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return False
    try:
        return input("accept it? [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False
