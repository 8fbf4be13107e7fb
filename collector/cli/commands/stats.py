"""`codetape stats [--days N | --since YYYY-MM-DD] [--idle MINUTES] [--json]`: what your own recordings
say of your work.

Active time by workspace, language and day, counted as WakaTime counts it: the time between two things
you did counts when it is at most the idle time (15 minutes, or `[stats] idle_minutes` in
CODETAPE_HOME/config.toml, or --idle); a command that runs codetape itself is not one of them, and time
in the terminal before any file was touched is `terminal`. Then whose work the text written was: typed,
pasted, completed, an AI's suggestion, an agent's. From this machine's recordings only: the episodes
signed and sealed, and the ones being recorded; nothing is sent anywhere. Days are this machine's local
days; the last 7 by default.
"""

from __future__ import annotations

import argparse
import json
from datetime import date, timedelta

from collector.errors import UsageError
from collector.home import Home
from schemas.config import MAX_IDLE_MINUTES

BAR = 24  # the widest bar, in characters


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("stats",
                            help="your active time by workspace, language and day, and whose work it was",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    when = parser.add_mutually_exclusive_group()
    when.add_argument("--days", type=int, metavar="N", help="the last N days, today included (default 7)")
    when.add_argument("--since", metavar="YYYY-MM-DD", help="from this day to today")
    parser.add_argument("--idle", type=int, metavar="MINUTES",
                        help="a pause longer than this is time away (default: [stats] idle_minutes in "
                        "config.toml, else 15)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collector.policy.config import load_config
    from collector.stats.local import local_activity

    home = Home.from_env(args.env)
    idle = load_config(home).stats.idle_minutes if args.idle is None else args.idle
    if not 1 <= idle <= MAX_IDLE_MINUTES:
        raise UsageError(f"--idle {idle}: give minutes from 1 to {MAX_IDLE_MINUTES}")
    today = date.today()
    if args.since is not None:
        try:
            since = date.fromisoformat(args.since)
        except ValueError:
            raise UsageError(f"--since {args.since}: give a day as YYYY-MM-DD") from None
    else:
        days = 7 if args.days is None else args.days
        if days < 1:
            raise UsageError("--days N: give N >= 1")
        since = today - timedelta(days=days - 1)
    found = local_activity(home, since, today, idle_ms=idle * 60_000)
    activity = found.activity
    if args.json:
        print(json.dumps({
            "since": since.isoformat(), "until": today.isoformat(), "episodes": activity.episodes,
            "recording": found.recording, "idle_minutes": idle, "active_ms": activity.total_ms,
            "by_workspace": dict(activity.by_workspace.most_common()),
            "by_language": dict(activity.by_language.most_common()),
            "by_day": {day.isoformat(): ms for day, ms in sorted(activity.by_day.items())},
            "written": dict(activity.written.most_common()), "skipped": found.skipped,
        }, indent=2))
        return 0
    print(f"{since} to {today} (local days): {activity.episodes} episode{'s' * (activity.episodes != 1)}"
          + (f", {found.recording} being recorded" if found.recording else ""))
    if not activity.total_ms and not activity.written:
        print("nothing recorded in these days")
    else:
        print(f"active time  {_duration(activity.total_ms)} (idle after {idle} min)")
        for title, counts in (("workspaces", activity.by_workspace), ("languages", activity.by_language)):
            _bars(title, [(name, ms) for name, ms in counts.most_common()])
        _bars("days", [(day.isoformat(), ms) for day, ms in sorted(activity.by_day.items())])
        written = activity.written
        total = sum(written.values())
        if total:
            shares = ", ".join(f"{origin} {chars / total:.0%}" for origin, chars in written.most_common())
            print(f"whose work   {total:,} characters written: {shares}")
    for skipped in found.skipped:
        print(f"skipped      {skipped}")
    return 0


def _bars(title: str, rows: list[tuple[str, int]]) -> None:
    if not rows:
        return
    print(title)
    widest, longest = max(ms for _, ms in rows) or 1, max(len(name) for name, _ in rows)
    for name, ms in rows:
        bar = "█" * max(1, round(BAR * ms / widest)) if ms else ""
        print(f"  {name:<{longest}}  {_duration(ms):>9}  {bar}")


def _duration(ms: int) -> str:
    minutes = round(ms / 60_000)
    if minutes < 1:
        return f"{ms / 1000:.0f} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02} min" if hours else f"{minutes} min"
