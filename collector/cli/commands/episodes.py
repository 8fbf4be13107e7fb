"""`codetape episodes [--json]`: every episode on this machine, one line each, fitting the terminal: its id
(the first 8 characters: any command takes them), its state (recording, sealed, signed: in the outbox,
waiting for upload, uploaded or revoked), when it started (local time), how long it lasted and its
workspace, and for an episode made from an agent's transcript (`codetape import`), that agent.
`codetape inspect ID` says the rest: its file, where it was uploaded, when it was revoked.

An episode file is listed as damaged when its checksums, its trailer's hash, its header's shown fields
or its steps frames' outlines (step counts and times) are wrong; the inside of each step is not
decoded here: `codetape verify EPISODE` checks every step. A journal being recorded is listed from its
frames' heads, its header and its last frame: a step damaged in place inside it is named when it is
sealed (the episode then ends in a gap)."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collector.upload.fate import Fate

from collector.episode.shown import Shown, shown
from collector.errors import CodetapeError
from collector.home import Home


@dataclass
class Row:
    id: str
    path: str
    state: str
    workspace: str | None = None
    steps: int | None = None
    start: str | None = None
    end: str | None = None
    uploads: list[dict[str, str]] = field(default_factory=list)  # destination, at, key
    revoked_at: str | None = None
    imported: str | None = None  # the agent whose transcript it was made from (`codetape import`)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("episodes", help="list episodes (recording, sealed, signed, uploaded, revoked)",
                            description=__doc__)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(func=run)


def _row(path: Path, state: str, fields: Shown, steps: int, last_t: int) -> Row:
    end = fields.started_at + timedelta(milliseconds=last_t)
    start = _iso(fields.started_at)
    return Row(fields.episode_id, str(path), state, fields.root_name, steps, start, _iso(end),
               imported=fields.imported)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def sealed_row(path: Path) -> Row:
    """One episode file; a file that does not open is listed as damaged, with the reason."""
    from collector.episode.listing import list_episode

    try:
        listed = list_episode(path)
    except CodetapeError as exc:
        return Row(path.stem, str(path), f"damaged: {exc}")
    return _row(path, "signed" if listed.signed else "sealed", listed.shown, listed.steps, listed.last_t)


def journal_row(path: Path) -> Row:
    """One open journal (an episode being recorded, or left by a crash until the collector seals it)."""
    from collector.journal import unpack_header, unpack_payload
    from collector.journal.outline import outline

    try:
        found = outline(path)
        if found is not None:
            t_ms = unpack_payload(found.last).get("t_ms") if found.steps else 0
            if isinstance(t_ms, int):
                return _row(path, "recording", shown(unpack_header(found.header)), found.steps, t_ms)
    except (CodetapeError, ValueError):
        pass  # the full pass below names the damage
    return scanned_journal_row(path)


def scanned_journal_row(path: Path) -> Row:
    """`journal_row` by reading and checking every frame (what a journal that is not plainly intact needs)."""
    from collector.journal import JournalScanner, unpack_header, unpack_payload

    header: Shown | None = None
    steps, last_t = 0, 0
    try:
        for frame in JournalScanner(path).frames():
            if frame.seq == 0:
                header = shown(unpack_header(frame))
                continue
            t_ms = unpack_payload(frame).get("t_ms")
            last_t, steps = t_ms if isinstance(t_ms, int) else last_t, steps + 1
    except (CodetapeError, ValueError) as exc:  # msgspec.ValidationError is a ValueError
        return Row(path.name.split(".")[0], str(path), f"damaged: {str(exc).splitlines()[0]}")
    if header is None:
        return Row(path.name.split(".")[0], str(path), "damaged: the journal holds no header")
    return _row(path, "recording", header, steps, last_t)


def outbox_row(path: Path, fate: Fate | None) -> Row:
    """A signed episode in the outbox, with where its receipt says it was uploaded, or its revocation."""
    row = sealed_row(path)
    if fate is None or row.state.startswith("damaged"):
        return row
    row.uploads = [{"destination": d.destination, "at": _iso(d.at), "key": d.key} for d in fate.deliveries]
    if fate.revoked_at is not None:
        row.revoked_at = _iso(fate.revoked_at)
    row.state = fate.state
    return row


def list_episodes(home: Home) -> list[Row]:
    from collector.upload.fate import read_fate
    from collector.upload.outbox import outboxed

    rows = [sealed_row(p) for p in sorted(home.episodes.glob("*.ctape"))] if home.episodes.is_dir() else []
    rows += [outbox_row(path, read_fate(home, eid)) for path, eid in outboxed(home)]
    if home.journals.is_dir():
        rows += [journal_row(p) for p in sorted(home.journals.glob("*.journal"))]
    return sorted(rows, key=lambda row: (row.start or "", row.id))


def run(args: argparse.Namespace) -> int:
    rows = list_episodes(Home.from_env(args.env))
    if args.json:
        print(json.dumps([asdict(row) for row in rows], indent=2))
        return 0
    if not rows:
        print("no episodes yet")
        return 0
    from collector.cli.width import terminal_width

    for line in episode_lines(rows, terminal_width(), None):
        print(line)
    return 0


STATE_WIDTH = 9  # "recording"


def episode_lines(rows: list[Row], width: int | None, tz: tzinfo | None) -> list[str]:
    """One line a row: id prefix, state, start (in `tz`; None: local time), duration, workspace name, each
    line cut to `width` columns with `…` (None: not cut). A damaged one says why where its times would be."""
    from rich.cells import cell_len

    from collector.cli.width import fit
    from collector.text.oneline import one_line

    names = [one_line(row.workspace or "") for row in rows]
    name_width = max((cell_len(name) for name in names), default=0)
    lines = []
    for row, name in zip(rows, names, strict=True):
        state, _, why = row.state.partition(": ")
        head = f"{row.id[:8]:<8}  {state:<{STATE_WIDTH}}  "
        if row.start is None or row.end is None:
            line = head + one_line(why)
        else:
            start, end = datetime.fromisoformat(row.start), datetime.fromisoformat(row.end)
            made = f"  imported from {row.imported}" if row.imported else ""
            line = (f"{head}{start.astimezone(tz):%Y-%m-%d %H:%M}  {_duration(end - start):>8}  "
                    f"{name}{' ' * (name_width - cell_len(name))}{made}").rstrip()
        lines.append(fit(line, width))
    return lines


def _duration(span: timedelta) -> str:
    """`0:42:10`, `12:03:00`: hours, minutes and seconds."""
    minutes, seconds = divmod(max(int(span.total_seconds()), 0), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{seconds:02}"

