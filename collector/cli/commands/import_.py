"""`codetape import claude-code|codex FILE...`: past agent sessions, from the agent's own transcript, as
unsigned episodes that wait for your review like any other.

Claude Code keeps each session in ~/.claude/projects/<folder>/<session id>.jsonl, Codex in
~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl. Each FILE becomes one episode marked `imported`, of the
opted-in workspace the session ran in (or --dir): what the hooks and the file watcher would have
recorded, at the transcript's times. That is the agent's steps (session start and end, each prompt, each
tool call and its result with the files it named and a shell tool's command line, the end of each
answer) and the agent's edits: each file a file tool wrote, as its whole new text (Claude Code: the old
string replaced by the new one in the tool result's original file, or a Write's content; Codex: the
applied patch on the file in the commit the session started at, read from your repository). No other
tool output and no model answer is read. The workspace's exclusions apply first (a tool's
targets outside the workspace or excluded are left out, and paths outside it in prompts and command lines
masked); secrets are redacted and your local names masked before anything is written. Nothing is
imported on its own and nothing leaves: review, trim and sign it (codetape review ID), as any episode.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import get_args

from collector.errors import CodetapeError
from collector.home import Home
from collector.text.oneline import one_line
from schemas.header import ImportedFrom


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("import", help="make past Claude Code or Codex sessions episodes to review",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("agent", choices=get_args(ImportedFrom), help="whose transcripts they are")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="a transcript (.jsonl)")
    parser.add_argument("--dir", type=Path, default=None,
                        help="the opted-in workspace the sessions belong to (default: the one each ran in)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collector.replay.describe import plural
    from collector.transcripts.importer import import_transcript

    home = Home.from_env(args.env)
    failed = 0
    for transcript in args.files:
        try:
            done = import_transcript(args.agent, transcript.expanduser(), home, workspace=args.dir)
        except CodetapeError as exc:
            failed += 1
            sys.stderr.write(f"codetape: import: {one_line(str(exc))}\n")
            continue
        except OSError as exc:  # (a full disk, say) the next file may still go
            failed += 1
            sys.stderr.write(f"codetape: import: {transcript}: {one_line(exc.strerror or str(exc))}\n")
            continue
        result = done.result
        left = [f"{done.dropped:,} left out by the workspace's policy"] if done.dropped else []
        left += [f"{plural(done.unread, 'line')} unread"] if done.unread else []
        print(f"imported {transcript} as episode {result.episode_id[:8]} of {done.workspace}: "
              f"{result.steps:,} steps" + (f" ({', '.join(left)})" if left else ""))
        print(f"review it: codetape review {result.episode_id[:8]}")
    return 1 if failed else 0
