"""Sealing ahead: the collector's seal of a journal, run while the journal is still being recorded.

    python -m collector.seal.ahead JOURNAL EPISODES WORKSPACE IDENTITY PARENT

The collector daemon (process PARENT) starts this process (collector.daemon.ahead) for a long episode and
tells it, one line on stdin at a time, how far the journal holds whole frames (a byte offset), then
`finish` once it closed the journal. The process runs the very pipeline of `seal_journal` (the same header,
the same validation, the same redaction transform bound with the workspace's allow-list and root, and the
local names read from the environment the daemon passed on, `write_sealed`) over the frames as they come
(seal/tail.py), so at the end of a task only the tail is left to seal. On `finish` it takes the journal's
lock, reads the rest and writes the episode (tmp, fsync, rename) and its redaction summary, then prints one
JSON line: the SealResult, and `behind`, the frames it had not read when the journal was closed. The daemon
removes the journal.

Whenever anything is not plain, it stops with one JSON line `{"error": ...}` and writes nothing final
(the temporary episode is removed), and the daemon seals from the journal as it always did:
- a frame that is not whole and intact, or not a valid step in time order (damage, which the seal from
  the journal turns into a `gap`), a journal with no step, a journal replaced under it;
- the workspace's redaction allow-list, or the settings in force (seal/in_force.py), differ at `finish`
  from those read at the start;
- IDENTITY (codetape's and the redaction rules' versions in the daemon) is not this process's own.
End of stdin without `finish` (the daemon gave it up) removes the temporary files and exits quietly.
It ends with the collector: when PARENT ends, however (SIGKILL, a crash), or it is told to stop
(SIGTERM), it stops where it is, removes its temporary files and exits by that signal
(collector.platform.process.stop_with_parent). It does not wait for the end of stdin, which it reads
only once it has caught up with the journal: niced on a busy machine, that can take minutes.
It runs niced, in its own process: it never takes the collector's CPU or GIL while recording.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from collector import __version__
from collector.errors import CodetapeError
from collector.home import Home
from collector.platform.process import STOP, die_of, lower_priority, stop_with_parent
from collector.protocol.crashes import stacks_on_crash
from collector.redact.localnames import LocalNames
from collector.redact.scanning.ruleset import RuleSet
from collector.seal.gc_pause import gc_paused
from collector.seal.in_force import InForce, in_force
from collector.seal.journal import (
    BATCH,
    LOCK_WAIT_S,
    SEAL_LEVEL,
    SealResult,
    journal_header,
    no_writer,
    valid_batch,
    write_sealed,
)
from collector.seal.redacted import known_entries, seal_transform, workspace_allow
from collector.seal.tail import CLOSED, JournalTail, TailDoubt
from schemas import EpisodeHeader, Step

NICE = 10  # a tenth of a normal process's share of a busy core
FINISH = "finish"


class GivenUp(Exception):
    """The daemon closed stdin without `finish`: the journal will not be sealed from here."""


class Stopped(BaseException):
    """The collector that started this process ended, or it was told to stop: raised wherever the process
    is (a BaseException, so that no `except Exception` on the way holds it up)."""


def _stopped() -> None:
    raise Stopped


def identity() -> str:
    """What must be the same in the daemon and in this process for their seals to be the same."""
    return f"codetape {__version__}, redaction rules {RuleSet.VERSION}"


def remove_temporary(episodes: Path, journal: Path, pid: int) -> None:
    """Remove what process `pid`, sealing `journal` ahead, left half written in `episodes` (collector.atomic's
    temporary files bear their writer's pid)."""
    for path in episodes.glob(f".{journal.stem}.*.{pid}.*.tmp"):
        path.unlink(missing_ok=True)


def words(lines: TextIO) -> Iterator[int | None]:
    """The daemon's words: a byte offset the journal holds whole frames up to, then CLOSED."""
    for line in lines:
        word = line.strip()
        if word == FINISH:
            yield CLOSED
            return
        if not word.isdigit():
            raise TailDoubt(f"the collector said {word[:40]!r}")
        yield int(word)
    raise GivenUp


def seal_ahead(journal: Path, episodes: Path, workspace: Path,
               said: Iterator[int | None]) -> tuple[SealResult, int]:
    """Seal `journal` into `episodes` as `seal_redacted(journal, episodes, workspace=workspace)` would,
    following it while it is written; TailDoubt when that cannot be vouched for (nothing final written).
    Also returns how many frames were left to read when the journal was closed."""
    RuleSet.default().scanner  # noqa: B018 (load the scanning engine now, not at the first secret)
    with contextlib.ExitStack() as held:
        def closing() -> None:  # the writer closed: hold its lock as a seal does, and go full speed
            held.enter_context(no_writer(journal, LOCK_WAIT_S))
            held.enter_context(gc_paused())

        tail = held.enter_context(contextlib.closing(JournalTail(journal, said, closing)))
        first = tail.frames(1)
        if not first:
            raise TailDoubt("the journal has no header")
        header = journal_header(journal, first[0])
        home = Home(episodes.parent)  # the collector's: its registry says what the user accepted
        allow = known_entries(workspace_allow(workspace, home))
        forced = in_force(header, workspace, home)
        transform = seal_transform(summaries=episodes, allow_for=lambda _: allow,
                                   root_for=lambda _: workspace, in_force_for=lambda _: forced,
                                   names=LocalNames.of_this_machine()).with_header(header)
        steps = _steps(tail, workspace, home, allow, header, forced)
        start = next(steps, None)
        if start is None:
            raise TailDoubt("the journal holds no step")
        result = write_sealed(header, itertools.chain([start], steps), episodes, transform, SEAL_LEVEL)
        return result, tail.read_closed


def _steps(tail: JournalTail, workspace: Path, home: Home, allow: list[str], header: EpisodeHeader,
           forced: InForce) -> Iterator[Step]:
    """The journal's steps, validated as `seal_journal` validates them; TailDoubt where it would write a
    gap, and at the end when the workspace's allow-list is no longer the one the steps were redacted with,
    or its settings in force no longer those they were sealed under."""
    last_t = 0
    while batch := tail.frames(BATCH):
        steps = valid_batch(batch, last_t)
        if steps is None:
            raise TailDoubt(f"frames {batch[0].seq} to {batch[-1].seq} are not all valid steps in time order")
        if steps:
            last_t = steps[-1].t_ms
        yield from steps
    if known_entries(workspace_allow(workspace, home)) != allow:
        raise TailDoubt("the workspace's redaction allow-list changed while recording")
    if in_force(header, workspace, home) != forced:
        raise TailDoubt("the workspace's settings changed while recording")


def main(argv: list[str]) -> int:
    if len(argv) != 5 or not argv[4].isdigit():
        _say({"error": "usage: python -m collector.seal.ahead JOURNAL EPISODES WORKSPACE IDENTITY PARENT"})
        return 2
    journal, episodes, workspace = (Path(arg) for arg in argv[:3])
    try:
        stop_with_parent(int(argv[4]), _stopped)
        lower_priority(NICE)
        gc.freeze()  # what is loaded stays; each collection looks only at what the seal makes
        if argv[3] != identity():
            raise TailDoubt(f"the collector runs {argv[3]}, this process {identity()}")
        result, behind = seal_ahead(journal, episodes, workspace, words(sys.stdin))
    except Stopped:
        remove_temporary(episodes, journal, os.getpid())
        die_of(STOP)
        return 128 + STOP
    except GivenUp:
        remove_temporary(episodes, journal, os.getpid())
        return 0
    except (TailDoubt, CodetapeError, OSError) as exc:
        _say({"error": str(exc).splitlines()[0] if str(exc) else type(exc).__name__})
        return 1
    except Exception as exc:  # a defect: the daemon seals from the journal and logs this one line
        _say({"error": f"{type(exc).__name__}: {exc}"[:500]})
        return 1
    _say({"path": str(result.path), "episode_id": result.episode_id, "steps": result.steps,
          "files": result.files, "behind": behind})
    return 0


def _say(reply: dict[str, object]) -> None:
    """The one JSON line the daemon reads."""
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    stacks_on_crash()  # on stderr, the collector's (collector/protocol/crashes.py)
    sys.exit(main(sys.argv[1:]))
