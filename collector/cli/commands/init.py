"""`codetape init [DIR]`: opt a workspace in: write its `.codetape.toml` and register it as yours.

Nothing is recorded without both: a `.codetape.toml` you did not opt in with `codetape init` (a cloned
repository's, another account's) is ignored. A settings file that is already there and yours alone is
kept and registered; what it loosens beyond the defaults (a `[redaction] allow` list, a larger
`max_file_bytes`, ...) is listed and applies only once you accept it with `codetape trust`. --force
replaces it with the defaults. `--snapshot tracked` writes a new file that also records the files git
tracks at each episode's start (an existing file says so itself: `snapshot = "tracked"`, then
`codetape trust`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from collector.errors import CodetapeError, CollectorError, UsageError
from collector.home import Home
from collector.protocol.client import Client

if TYPE_CHECKING:
    from schemas.settings import WorkspaceSettings

SNAPSHOT_CHOICES = ("none", "tracked")  # schemas.settings.SNAPSHOTS (the parser is built without the models)

TEMPLATE = """\
# codetape: this file opts the workspace in. Delete it to stop recording here.
# Nothing leaves this machine until you review and sign an episode (codetape review / sign).

# What is recorded. Remove a channel to stop recording it:
#   edits        what you open, type, save and where the cursor is (from the editor)
#   diagnostics  errors and warnings shown by language servers
#   tests        test runs (the pytest plugin)
#   commands     terminal commands (codetape run, the shell hook)
#   git          commits, checkouts, merges, rebases... (read-only watching of .git)
#   files        files changed outside the editor
channels = {channels}

# Never recorded, in any form, on top of what git ignores and the built-in secret-ish files
# (.env*, *.pem, *.key, id_rsa*, *.p12, *.pfx, .netrc, .npmrc, .pypirc, .aws/credentials, ...).
# gitignore-style globs: "*.csv" anywhere, "/data" only at the top, "vendor/" a directory,
# "docs/**/draft*" with ** for any depth. Negation ("!") is not supported.
exclude = {exclude}

# Seconds without activity after which the current episode is sealed and a new one starts.
idle_timeout_s = {idle}

# Files larger than this (bytes) are recorded without their content (a placeholder step).
max_file_bytes = {max_bytes}

# The repository at the start: "tracked" also records, when an episode starts, the text of every file
# git tracks here (what the rules above let through; binary and larger files, links and, past 5,000 files
# or 4 MiB, the rest are named without content), redacted like everything else; you can exclude any of
# them in the review. "none" records only the files the episode touches.
snapshot = "{snapshot}"

# Test runs: JUnit XML reports your runners write are read after each recorded command, from the files
# the command line names and the usual places (junit.xml, TEST-*.xml, target/surefire-reports/, ...).
# Add where else yours go, relative to this folder:
# [tests]
# junit = ["out/**/*.xml"]
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("init", help="opt a workspace in to recording (writes .codetape.toml)",
                            description=__doc__)
    parser.add_argument("dir", nargs="?", type=Path, default=Path("."), help="the workspace (default: .)")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing .codetape.toml with the defaults (a file that is yours "
                             "alone is otherwise kept)")
    parser.add_argument("--snapshot", choices=SNAPSHOT_CHOICES, default=None,
                        help='"tracked": also record the files git tracks at each episode\'s start '
                             '(default "none": only the files an episode touches)')
    parser.set_defaults(func=run)


def render(settings: WorkspaceSettings) -> str:
    """The commented `.codetape.toml` for these settings (a JSON array of strings is a TOML array)."""
    def array(items: list[str]) -> str:
        return json.dumps(items, ensure_ascii=False)

    return TEMPLATE.format(channels=array(list(settings.channels)), exclude=array(list(settings.exclude)),
                           idle=settings.idle_timeout_s, max_bytes=settings.max_file_bytes,
                           snapshot=settings.snapshot)


def run(args: argparse.Namespace) -> int:
    from collector.atomic import atomic_write
    from collector.workspace.registry import Registry
    from schemas.settings import ALL_CHANNELS, SETTINGS_FILE, WorkspaceSettings

    root = args.dir.expanduser().resolve()
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory")
    target = root / SETTINGS_FILE
    home = Home.from_env(args.env)  # a home that cannot be used is refused before anything is written
    if (target.exists() or target.is_symlink()) and not args.force:
        if args.snapshot is not None:  # the file says what is recorded; accepting more is `trust`'s
            raise UsageError(f"{target} exists: set snapshot = \"{args.snapshot}\" in it and run "
                             f"codetape trust {root} (or replace it: codetape init --force --snapshot "
                             f"{args.snapshot} {root})")
        return adopt(root, home)
    defaults = WorkspaceSettings(channels=list(ALL_CHANNELS), exclude=["*.sqlite", "*.db", "node_modules/"],
                                 snapshot=args.snapshot or "none")
    previous = target.read_bytes() if target.exists() else None
    text = render(defaults)
    try:
        atomic_write(target, text, mode=0o644)
        Registry(home).accept(root, text)
    except OSError as exc:  # a failed init leaves the workspace as it was: not opted in
        if previous is None:
            target.unlink(missing_ok=True)
        raise CodetapeError(f"cannot opt {root} in: {exc.strerror or exc}"
                            + (f": {exc.filename}" if exc.filename else "")) from None
    print(f"opted in: {root} (settings: {target})")
    _started(home, root)
    return 0


def adopt(root: Path, home: Home) -> int:
    """Register an existing settings file that is the user's alone, keeping what it says; accept it when it
    loosens nothing beyond the defaults, else list what it loosens (`codetape trust` accepts it)."""
    from collector.policy.effective import effective_settings
    from collector.policy.recording import read_settings
    from collector.policy.stricter import loosened
    from collector.workspace.registry import Registry
    from collector.workspace.trust import settings_problem
    from schemas.settings import SETTINGS_FILE, WorkspaceSettings

    problem = settings_problem(root)
    if problem is not None:
        raise UsageError(f"{problem}; to opt in with your own settings: codetape init --force {root}")
    text, settings = read_settings(root)  # an invalid file is named with its line, and nothing is registered
    registry = Registry(home)
    if root in registry.roots():
        print(f"already opted in: {root}")
        if (note := effective_settings(root, home).note()) is not None:
            print(note)
        return 0
    loosens = loosened(WorkspaceSettings(), settings)
    try:
        if loosens:
            registry.add(root)
        else:
            registry.accept(root, text)
    except OSError as exc:
        raise CodetapeError(f"cannot opt {root} in: {exc.strerror or exc}") from None
    if loosens:
        print(f"opted in: {root}, keeping the settings in {root / SETTINGS_FILE}; what they loosen beyond "
              f"the defaults does not apply until you accept it (codetape trust {root}):")
        print("\n".join(f"  {line}" for line in loosens))
    else:
        print(f"opted in: {root} (keeping the settings in {root / SETTINGS_FILE}; review them)")
    _started(home, root)
    return 0


def _started(home: Home, root: Path) -> None:
    if tell_collector(home, root):
        print("recording now: the collector watches this workspace")
    else:
        print("recording starts when the collector runs (the editor's bridge and `codetape run` start it)")


def tell_collector(home: Home, root: Path) -> bool:
    """Ask a running collector to watch the workspace now; False when none is running."""
    try:
        with Client.connect(home, autostart=False, timeout=1.0) as client:
            client.request("watch", workspace=str(root))
    except CollectorError:
        return False
    return True
