"""`codetape replay --plain`: one line per step, streamed one chunk at a time, for scripts and `less`.

    step  episode time  kind         file                      what happened
       3  0:00:03.095   edit         src/pager.py              -4 chars
      11  0:00:21.000   git                                    commit 3e1f0a9 "pager: keep the last page"

Steps count from 0 as `codetape cat` prints them. Every step is applied to the workspace on the way
(edits need it to say how many characters they removed), so a step that does not replay stops the log
with the error `codetape verify` would give. A command is shown at its start, the test runs in its span
under it, their kind indented (collector/replay/command_order.py).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from rich.cells import cell_len

from collector.episode import Episode
from collector.errors import ReconstructionError, UsageError
from collector.replay.command_order import WINDOW, place, started
from collector.replay.describe import clock, describe, step_path
from collector.replay.moment import Moment
from collector.replay.state import PlayState
from schemas import Step
from schemas.steps import CommandStep

KIND_WIDTH = 11  # "diagnostics", "file_change"
PATH_WIDTH = 24


def plain_lines(episode: Episode, start: Moment | None = None, stop: Moment | None = None) -> Iterator[str]:
    """The log lines of the steps from `start` to `stop` (both included), without line breaks."""
    width = len(str(max(episode.step_count - 1, 0)))
    held: deque[tuple[int, Step, str, bool]] = deque()  # the last lines, in the order shown
    try:
        for index, step, description in _described(episode, start, stop):
            if isinstance(step, CommandStep):
                at = place(held, started(step), lambda line: started(line[1]))
                held.insert(at, (index, step, description, False))
                for later in range(at + 1, len(held)):
                    number, moved, said, under = held[later]
                    held[later] = (number, moved, said, under or moved.kind == "test_run")
            else:
                held.append((index, step, description, False))
            if len(held) > WINDOW:
                first, first_step, first_description, under = held.popleft()
                yield format_line(first, first_step, first_description, width, under=under)
    except ReconstructionError:  # the lines before a step that does not replay are shown, then its error
        yield from (format_line(*line[:3], width, under=line[3]) for line in held)
        raise
    yield from (format_line(*line[:3], width, under=line[3]) for line in held)


def _described(episode: Episode, start: Moment | None,
               stop: Moment | None) -> Iterator[tuple[int, Step, str]]:
    """(index, step, what it did) of the steps from `start` to `stop`, in the episode's order."""
    _check(episode, start, stop)
    state = PlayState(episode.header.position_encoding)
    shown = 0
    last: tuple[int, Step, str] | None = None
    for index, step in enumerate(episode.steps()):
        if _after(index, step, stop):
            break
        try:
            effect = state.apply(step)
        except ReconstructionError as exc:
            raise ReconstructionError(f"step {index}: {exc}") from None
        if _before(index, step, start):
            continue
        line = (index, step, describe(step, effect))
        if start is not None and start.edge == "end":
            last = line
            continue
        shown += 1
        yield line
    if last is not None:
        shown += 1
        yield last
    if not shown and (start is not None or stop is not None):
        raise UsageError(f"no step between --from {start.text if start else 'start'} and --to "
                         f"{stop.text if stop else 'end'}")


def format_line(index: int, step: Step, description: str, width: int = 1, *, under: bool = False) -> str:
    path = step_path(step)
    padded = path + " " * max(PATH_WIDTH - cell_len(path), 0)
    kind = "  " * under + step.kind
    line = f"{index:>{width}}  {clock(started(step))}  {kind:<{KIND_WIDTH}}  {padded}  {description}"
    return line.rstrip()


def _check(episode: Episode, start: Moment | None, stop: Moment | None) -> None:
    for flag, moment in (("--from", start), ("--to", stop)):
        if moment is not None and moment.step is not None and moment.step >= episode.step_count:
            valid = f"0 to {episode.step_count - 1}" if episode.step_count else "the episode has no steps"
            raise UsageError(f"{flag} {moment.text} is past the last step ({valid})")
    if stop is not None and stop.edge == "start":
        raise UsageError("--to start leaves no step to show")


def _before(index: int, step: Step, start: Moment | None) -> bool:
    if start is None or start.edge is not None:
        return False
    return index < start.step if start.step is not None else step.t_ms < (start.ms or 0)


def _after(index: int, step: Step, stop: Moment | None) -> bool:
    if stop is None or stop.edge is not None:
        return False
    return index > stop.step if stop.step is not None else step.t_ms > (stop.ms or 0)
