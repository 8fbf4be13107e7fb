"""`codetape export EPISODE... --format F -o OUT`: episodes in a training format, into the directory OUT.

Formats:
{formats}

OUT is created when missing. An OUT that exists and is not empty is refused unless --force, which writes
into it: files of the same name are replaced, nothing else there is touched. Episodes are read one at
a time; the first that cannot be read or replayed stops the export with one line naming it (what was
written before it stays). An edit burst (atif, zeta, zeta2, swe-messages, stepwise, progsnap2) is a run of
edits to one file with no other step between them but cursor and diagnostics reports, none more than 3 s
after the one before.

zeta, zeta2, swe-messages, dpo, kto and stepwise say each example's split (train, eval or none): by
repository (the git remote, else the workspace folder's name), an episode with the same steps or a
near-duplicate diff as another on its side, none when those are on both; decided over the episodes given,
in the order given.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from collector.errors import UsageError
from collector.export import FORMATS
from collector.home import Home

BAR_FROM = 1 << 20  # episode bytes: exporting reads about 0.2 MB of episode a second per core, so ~5 s
LISTED = "\n".join(f"  {name:<10} {fmt.summary}" for name, fmt in FORMATS.items())
DOC = (__doc__ or "").format(formats=LISTED)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("export",
                            help="write episodes as jsonl, ATIF, zeta, zeta2, swe-messages, DPO pairs, KTO "
                                 "rows, stepwise supervision, Agent Trace or ProgSnap2 data",
                            description=DOC, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("episodes", metavar="EPISODE", nargs="+",
                        help="an episode file, or an episode id (prefix)")
    parser.add_argument("--format", "-f", required=True, choices=list(FORMATS), help="the format to write")
    parser.add_argument("-o", "--output", metavar="OUT", required=True, type=Path,
                        help="the directory to write into (created if missing)")
    parser.add_argument("--force", action="store_true", help="write into OUT even if it is not empty")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collector.cli.progress import byte_progress
    from collector.episode.resolve import resolve_episode, show
    from collector.export import export_episodes

    home = Home.from_env(args.env)
    for ref in args.episodes:
        refuse_folder(Path(ref), args.format)
    paths = [resolve_episode(ref, home) for ref in args.episodes]
    check_destination(args.output, force=args.force)
    total = sum(os.path.getsize(path) for path in paths)
    label = f"exporting {len(paths)} episode{'s' * (len(paths) != 1)} as {args.format}"
    with byte_progress(total, label, start_at=BAR_FROM) as progress:
        result = export_episodes(paths, args.format, args.output, progress=progress)
    print(f"wrote {result.describe()} to {show(str(args.output))}", file=sys.stderr)
    return 0


def refuse_folder(path: Path, format: str) -> None:
    """A folder given as EPISODE, refused with what to run instead: a dataset's episodes (the folder a
    `codetape dataset build` wrote, or any folder inside it) are exported by `codetape dataset build
    --exports`, a folder of episode files is given as its files."""
    if not path.is_dir():
        return
    from collector.dataset.output.output import MANIFEST
    from collector.episode.resolve import show

    shown = show(str(path))
    dataset = next((folder for folder in (path, *path.absolute().parents) if (folder / MANIFEST).is_file()),
                   None)
    if dataset is not None:
        where = shown if dataset == path else show(str(dataset))
        what = "a dataset" if dataset == path else f"in the dataset {where}"
        raise UsageError(f"{shown} is {what}, and export takes episode files (a dataset holds none): "
                         f"`codetape dataset build SOURCE -o {where} --exports {format}` writes its episodes "
                         f"into {where}/exports/{format}/")
    raise UsageError(f"{shown} is a folder, and export takes episode files: give them (e.g. {shown}/*.ctape)")


def check_destination(out: Path, *, force: bool) -> None:
    """Refuse, before any work, an OUT that is not a directory, or one that is not empty without --force."""
    from collector.episode.resolve import show

    if out.exists() and not out.is_dir():
        raise UsageError(f"{show(str(out))} exists and is not a directory: give a directory for -o")
    if not out.is_dir() or force:
        return
    with os.scandir(out) as entries:
        if any(entries):
            raise UsageError(f"{show(str(out))} is not empty: give a new or empty directory, or --force "
                             "to write into it (files of the same name are replaced)")
