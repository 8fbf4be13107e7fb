"""`codetape episodes [--json]`: every episode on this machine, one line each: recording, sealed, signed
(in the outbox, waiting for upload), uploaded (where, when, under which key) or revoked."""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collector.upload.outbox import Entry
    from schemas import EpisodeHeader

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


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("episodes", help="list episodes (recording, sealed, signed, uploaded, revoked)",
                            description=__doc__)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(func=run)


@dataclass(frozen=True)
class Shown:
    """The header fields a row shows."""

    episode_id: str
    root_name: str
    started_at: datetime

    @classmethod
    def of(cls, header: EpisodeHeader) -> Shown:
        return cls(str(header.episode_id), header.workspace.root_name, header.started_at)


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|\+00:00)$")


def shown_plainly(header: dict[str, Any]) -> Shown | None:
    """The shown fields of a journal's header when each is plainly well formed (as the collector writes
    them), read without building the pydantic model (it costs more than the rest of the command); None
    sends the header through `EpisodeHeader`, which says what is wrong."""
    episode_id, started_at = header.get("episode_id"), header.get("started_at")
    workspace = header.get("workspace")
    root_name = workspace.get("root_name") if isinstance(workspace, dict) else None
    if not (isinstance(episode_id, str) and _UUID.match(episode_id) and isinstance(started_at, str)
            and _UTC.match(started_at) and isinstance(root_name, str) and len(root_name) <= 1024):
        return None
    try:
        return Shown(episode_id, root_name, datetime.fromisoformat(started_at))  # the id: str(UUID(id))
    except ValueError:  # a day or an hour out of range
        return None


def _row(path: Path, state: str, shown: Shown, steps: int, last_t: int) -> Row:
    end = shown.started_at + timedelta(milliseconds=last_t)
    return Row(shown.episode_id, str(path), state, shown.root_name, steps, _iso(shown.started_at), _iso(end))


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def sealed_row(path: Path) -> Row:
    """One episode file; a file that does not open is listed as damaged, with the reason."""
    from collector.episode import open_episode

    try:
        episode = open_episode(path)
        last_t, steps = 0, 0
        for step in episode.step_dicts():
            last_t, steps = step["t_ms"], steps + 1
    except CodetapeError as exc:
        return Row(path.stem, str(path), f"damaged: {exc}")
    state = "signed" if episode.consent is not None else "sealed"
    return _row(path, state, Shown.of(episode.header), steps, last_t)


def journal_row(path: Path) -> Row:
    """One open journal (an episode being recorded, or left by a crash until the collector seals it)."""
    from collector.journal import JournalScanner, unpack_header, unpack_payload

    header: Shown | None = None
    steps, last_t = 0, 0
    try:
        for frame in JournalScanner(path).frames():
            if frame.seq == 0:
                header = _journal_header(unpack_header(frame))
                continue
            t_ms = unpack_payload(frame).get("t_ms")
            last_t, steps = t_ms if isinstance(t_ms, int) else last_t, steps + 1
    except (CodetapeError, ValueError) as exc:  # pydantic.ValidationError is a ValueError
        return Row(path.name.split(".")[0], str(path), f"damaged: {str(exc).splitlines()[0]}")
    if header is None:
        return Row(path.name.split(".")[0], str(path), "damaged: the journal holds no header")
    return _row(path, "recording", header, steps, last_t)


def _journal_header(header: dict[str, Any]) -> Shown:
    """The shown fields, plainly when they are well formed, else through `EpisodeHeader` (which raises
    pydantic.ValidationError saying what is wrong, or reads a form the plain check does not)."""
    if (plain := shown_plainly(header)) is not None:
        return plain
    from schemas import EpisodeHeader

    return Shown.of(EpisodeHeader.model_validate(header))


def outbox_row(entry: Entry) -> Row:
    """A signed episode in the outbox, with where it was uploaded, or its revocation."""
    row = sealed_row(entry.path)
    receipt = entry.receipt
    if receipt is None or row.state.startswith("damaged"):
        return row
    row.uploads = [{"destination": d.destination.describe(), "at": _iso(d.uploaded_at), "key": d.key}
                   for d in receipt.deliveries]
    if receipt.revoked is not None:
        row.revoked_at = _iso(receipt.revoked.revoked_at)
    row.state = entry.state
    return row


def list_episodes(home: Home) -> list[Row]:
    from collector.upload.outbox import entries

    rows = [sealed_row(p) for p in sorted(home.episodes.glob("*.ctape"))] if home.episodes.is_dir() else []
    rows += [outbox_row(entry) for entry in entries(home)]
    if home.journals.is_dir():
        rows += [journal_row(p) for p in sorted(home.journals.glob("*.journal"))]
    return sorted(rows, key=lambda row: (row.start or "", row.id))


def run(args: argparse.Namespace) -> int:
    rows = list_episodes(Home.from_env())
    if args.json:
        print(json.dumps([asdict(row) for row in rows], indent=2))
        return 0
    if not rows:
        print("no episodes yet")
        return 0
    for row in rows:
        if row.start is None:
            print(f"{row.id[:8]}  {row.state}  {row.path}")
            continue
        print(f"{row.id[:8]}  {row.state:<9}  {row.workspace}  {row.steps} steps  {row.start} .. {row.end}"
              f"  {row.path}{_fate(row)}")
    return 0


def _fate(row: Row) -> str:
    """Where a signed episode went (destination, time, key), and its revocation."""
    said = [f"uploaded to {u['destination']} at {u['at']}: {u['key']}" for u in row.uploads]
    if row.revoked_at is not None:
        said.append(f"revoked at {row.revoked_at}")
    return "".join(f"; {part}" for part in said)
