"""`codetape replay EPISODE`: watch an episode back in the terminal, or print it as a step log.

The player shows the file being edited with the edit position highlighted, the event stream
(diagnostics, test runs, commands, git, notes and task markers) and a status line (step, episode time,
wall-clock time). Keys: space play/pause, `.` `,` one step forward/back, left/right 5 s, shift+left/right
10 %, +/- speed, m/f/c/w the next note or task marker, test failure, commit, file switch (shift: the
previous one), home/end, q quit. A move by hand (a step, a seek, a jump) pauses there: space plays on.

--from and --to take a step (12), a time from the episode's start (90s, 2m, 1:30), start or end.
--plain prints one line per step instead (step, time, kind, file, what happened), for scripts and less;
on a terminal each line is cut to its width.
"""

from __future__ import annotations

import argparse
import sys

from collector.errors import UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("replay", help="watch an episode back (full-screen player, or --plain log)",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("episode", metavar="EPISODE", help="an episode file, or an episode id (prefix)")
    parser.add_argument("--from", dest="start", metavar="WHEN", help="first step to show (step or time)")
    parser.add_argument("--to", dest="stop", metavar="WHEN", help="last step to show (step or time)")
    parser.add_argument("--speed", type=float, default=1.0, help="playback speed (default 1: as recorded)")
    parser.add_argument("--idle-limit", metavar="SECONDS", type=float,
                        help="shorten every pause longer than this to this (default 2; 0: play pauses "
                             "as recorded)")
    parser.add_argument("--paused", action="store_true", help="start paused (space plays)")
    parser.add_argument("--plain", action="store_true", help="print one line per step, no interaction")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collector.cli.commands.cat import skipped_note
    from collector.episode.resolve import open_ref
    from collector.home import Home
    from collector.replay.moment import parse_moment, window
    from collector.replay.plain import plain_lines
    from collector.replay.timeline import check_idle_limit, check_speed

    start = None if args.start is None else parse_moment(args.start, "--from")
    stop = None if args.stop is None else parse_moment(args.stop, "--to")
    speed = check_speed(args.speed)
    idle_limit = check_idle_limit(args.idle_limit)
    episode = open_ref(args.episode, Home.from_env(args.env))
    if args.plain:
        if args.paused or speed != 1.0 or args.idle_limit is not None:
            raise UsageError("--plain prints every step at once: --speed, --idle-limit and --paused are "
                             "for the player")
        from collector.cli.width import fit, terminal_width

        out, width = sys.stdout.buffer, terminal_width()
        for line in plain_lines(episode, start, stop):
            out.write(fit(line, width).encode("utf-8", "surrogatepass") + b"\n")
        out.flush()
        if episode.skipped:
            print(f"codetape: note: skipped {skipped_note(episode.skipped)}", file=sys.stderr)
        return 0
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("the player needs a terminal; use --plain for a step log")
    from collector.replay.control import Playback
    from collector.replay.player import ReplayApp
    from collector.replay.seek import Index

    index = Index.open(episode)  # the rest of the index is built while the player runs
    first, last = window(index.times, start, stop)
    playback = Playback(index, first, last, speed=speed, idle_limit=idle_limit)
    app = ReplayApp(playback, play=not args.paused)
    app.run()
    if app.failure is not None:
        raise app.failure
    return 0
