"""What the reviewer asked to take out of an episode before signing it: a trim plan.

    excludes   gitignore-style globs ("/notes.md" one file, "/private/" a folder, "*.csv" anywhere),
               matched against a path and each of its parent directories, as `.codetape.toml` does
    drops      time ranges (inclusive, from the episode's start): FROM-TO as the review shows times
               (2:38-3:10, 0:02:38.500-0:03:10), or FROM_MS:TO_MS in milliseconds
    patterns   regular expressions whose matches are masked everywhere (rule `custom`)
    prompts    leave out what the developer typed to AI agents (each `agent` step's prompt)
    limits     the managed policy's channels and size cap (policy/limits.py), on an episode sealed
               before the policy set them: signing and the review add them, the reviewer does not
    names      the people and owners a repository knows, masked as `«user»` but on the lines a file
               on a remote-tracking branch holds at the same path (redact/knownnames.py): unlinkable
               signing adds them, the reviewer does not
    whole      commands, as typed, that unlinkable signing keeps whole instead of shaping their
               arguments (consent/commands.py); nothing is trimmed for them

A plan is a value: every change makes a new one, so the review can undo and re-apply from the original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from collector.errors import UsageError
from collector.policy.globs import Globs
from collector.policy.limits import Limits
from collector.redact import RuleSet
from collector.redact.knownnames import KnownNames
from collector.replay.moment import parse_moment

_DROP = re.compile(r"^\s*(\d+)\s*(?:ms)?\s*:\s*(\d+)\s*(?:ms)?\s*$")
_BETWEEN = re.compile(r"\s*(?:\.\.|-)\s*")


@dataclass(frozen=True)
class TrimPlan:
    excludes: tuple[str, ...] = ()
    drops: tuple[tuple[int, int], ...] = ()
    patterns: tuple[str, ...] = ()
    prompts: bool = False
    limits: Limits | None = None
    names: KnownNames | None = None
    whole: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.excludes or self.drops or self.patterns or self.prompts or self.limits)

    def exclude(self, glob: str) -> TrimPlan:
        return replace(self, excludes=(*self.excludes, check_glob(glob)))

    def drop(self, start_ms: int, end_ms: int) -> TrimPlan:
        return replace(self, drops=(*self.drops, check_range(start_ms, end_ms)))

    def redact(self, pattern: str) -> TrimPlan:
        return replace(self, patterns=(*self.patterns, check_pattern(pattern)))

    def without_prompts(self) -> TrimPlan:
        return replace(self, prompts=True)

    def keep_whole(self, command: str) -> TrimPlan:
        return replace(self, whole=(*self.whole, command))

    def ranges(self) -> list[tuple[int, int]]:
        """The drop ranges sorted, overlapping or touching ones merged."""
        merged: list[tuple[int, int]] = []
        for start, end in sorted(self.drops):
            if merged and start <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged

    def describe(self) -> list[str]:
        """One line per change, for the review's pending list and the sign command's report."""
        return ([f"exclude {glob}" for glob in self.excludes]
                + [f"drop {start} ms to {end} ms" for start, end in self.drops]
                + [f"redact /{pattern}/" for pattern in self.patterns]
                + (["leave out agent prompts"] if self.prompts else [])
                + ([f"keep to the managed policy's {self.limits.names()}"] if self.limits else [])
                + [f"keep whole {command}" for command in self.whole])


@dataclass
class Exclusions:
    """The plan's globs as a matcher: a path is excluded when it or a parent directory matches."""

    globs: tuple[str, ...]
    _matcher: Globs = field(init=False)

    def __post_init__(self) -> None:
        self._matcher = Globs(self.globs)

    def __call__(self, path: str) -> bool:
        return bool(self.globs) and self._matcher.match(path)


def check_glob(glob: str) -> str:
    stripped = glob.strip()
    if not stripped or stripped.strip("/") == "":
        raise UsageError(f"exclude glob {glob!r} names nothing; give a file (/notes.md), a folder "
                         "(/private/) or a pattern (*.csv)")
    if "\x00" in stripped or len(stripped) > 4096:
        raise UsageError("an exclude glob must be a path pattern of at most 4096 characters, without NUL")
    return stripped


def check_range(start_ms: int, end_ms: int) -> tuple[int, int]:
    if start_ms < 0 or end_ms < start_ms:
        raise UsageError(f"drop range {start_ms}:{end_ms} is empty or negative; give FROM_MS:TO_MS with "
                         "FROM_MS <= TO_MS")
    return start_ms, end_ms


def parse_drop(text: str) -> tuple[int, int]:
    """A time range, both ends included, as (from, to) in milliseconds from the episode's start: times as
    the review shows them, `FROM-TO` (`2:38-3:10`, `0:02:38-0:03:10.500`, `90s-2m`; a TO written in whole
    seconds takes in that whole second), or milliseconds, `FROM_MS:TO_MS` (`158000:190999`)."""
    match = _DROP.match(text)
    if match is not None:
        return check_range(int(match.group(1)), int(match.group(2)))
    parts = _BETWEEN.split(text.strip())
    if len(parts) == 2:
        start, end = _time_ms(parts[0], text), _time_ms(parts[1], text)
        if _whole_second(parts[1]):
            end += 999
        return check_range(start, end)
    raise UsageError(f"drop range {text!r} is neither FROM-TO (times as the review shows them, e.g. "
                     "2:38-3:10 or 0:02:38.500-0:03:10) nor FROM_MS:TO_MS (milliseconds, e.g. 12000:45000)")


def _time_ms(part: str, text: str) -> int:
    """One end of a `FROM-TO` range: a time (`2:38`, `0:02:38.500`, `90s`) or milliseconds."""
    value = part.strip()
    if value.isdigit():
        return int(value)
    try:
        moment = parse_moment(value, "drop range end")
    except UsageError:
        moment = None
    if moment is None or moment.ms is None:
        raise UsageError(f"drop range {text!r}: {value!r} is not a time (2:38, 0:02:38.500, 90s) nor "
                         "milliseconds")
    return moment.ms


def _whole_second(part: str) -> bool:
    """Whether a range's end is a time given to the second (`3:10`, `90s`), not to the millisecond."""
    value = part.strip().lower()
    return not value.isdigit() and "." not in value and not value.endswith("ms")


def check_pattern(pattern: str) -> str:
    """A redaction pattern the redaction rules accept (valid, not matching the empty string)."""
    RuleSet.default(extra_patterns=[pattern])  # raises UsageError naming what is wrong
    return pattern
