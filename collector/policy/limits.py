"""What the channels and the size cap in force let an episode hold: one rule, applied by the seal
(seal/in_force.py), by signing to an episode sealed before a managed policy set them
(review/choices.py), and checked again by the upload gate (upload/gate.py).

    channels          a step of a channel not listed goes; an agent step loses its command line when
                      commands are not recorded
    max_file_bytes    a watched file's text above the cap becomes a `too_large` placeholder, as admission
                      makes it
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from msgspec.structs import replace

from schemas import EpisodeHeader, Step
from schemas.settings import ALL_CHANNELS, CHANNEL_OF_KIND
from schemas.steps import AgentStep, FileChangeStep


@dataclass(frozen=True)
class Limits:
    """The channels an episode may hold steps of, and the largest file text it may hold (None: no cap)."""

    channels: tuple[str, ...] = ALL_CHANNELS
    max_file_bytes: int | None = None

    def names(self) -> str:
        """What they bound, for a person: `channels edits, files and size cap 64 bytes`."""
        said = [] if self.channels == ALL_CHANNELS else [f"channels {', '.join(self.channels) or '(none)'}"]
        if self.max_file_bytes is not None:
            said.append(f"size cap {self.max_file_bytes} bytes")
        return " and ".join(said) or "channels (all)"

    def records(self, kind: str) -> bool:
        """Whether steps of this kind may be held (a kind of no channel always may)."""
        channel = CHANNEL_OF_KIND.get(kind)
        return channel is None or channel in self.channels

    def kept(self, step: Step) -> Step | None:
        """`step` as these limits let it be held: None when its channel is not, without what they forbid."""
        if not self.records(step.kind):
            return None
        if isinstance(step, AgentStep) and step.command_line is not None and not self.records("command"):
            return replace(step, command_line=None)
        if isinstance(step, FileChangeStep) and step.text is not None and self.max_file_bytes is not None:
            size = len(step.text.encode("utf-8", "surrogatepass"))
            if size > self.max_file_bytes:
                return replace(step, text=None, omitted="too_large", size=size)
        return step

    def apply(self, steps: Iterable[Step], beyond: Beyond) -> Iterator[Step]:
        """`steps` as these limits let them be held, counting into `beyond` what they took out."""
        for step in steps:
            kept = self.kept(step)
            if kept is not step:
                beyond.add(step, kept)
            if kept is not None:
                yield kept

    def beyond(self, steps: Iterable[Step]) -> Beyond:
        """What of `steps` these limits forbid (nothing taken out: only counted)."""
        found = Beyond(self)
        for _step in self.apply(steps, found):
            pass
        return found

    def header(self, header: EpisodeHeader) -> EpisodeHeader:
        """`header` saying it records under these limits: only the channels both list, the smaller cap."""
        capture = header.capture
        channels = [name for name in capture.channels if name in self.channels] if capture.channels \
            else list(self.channels)
        cap = capture.max_file_bytes if self.max_file_bytes is None else min(capture.max_file_bytes,
                                                                               self.max_file_bytes)
        if (channels, cap) == (capture.channels, capture.max_file_bytes):
            return header
        return replace(header, capture=replace(capture, channels=channels, max_file_bytes=cap))


@dataclass
class Beyond:
    """What an episode held that its limits forbid: steps of a channel not listed (by kind), agent steps
    that named a command line when commands are not recorded, file texts above the cap (the largest)."""

    limits: Limits
    steps: Counter[str] = field(default_factory=Counter)
    command_lines: int = 0
    too_large: int = 0
    largest: int = 0

    def __bool__(self) -> bool:
        return bool(self.steps or self.command_lines or self.too_large)

    def add(self, step: Step, kept: Step | None) -> None:
        """Count `step`, which the limits took out (`kept` None) or changed into `kept`."""
        if kept is None:
            self.steps[step.kind] += 1
        elif isinstance(step, AgentStep) and isinstance(kept, AgentStep) and kept.command_line is None:
            self.command_lines += 1
        elif isinstance(step, FileChangeStep) and step.text is not None:
            self.too_large += 1
            self.largest = max(self.largest, len(step.text.encode("utf-8", "surrogatepass")))

    def says(self) -> str:
        """What it held, for a person: `2 command steps (channel commands), 1 file text of up to 501 bytes
        (above 64)`."""
        parts = [f"{count} {kind} step{'s' * (count != 1)} (channel {CHANNEL_OF_KIND.get(kind)})"
                 for kind, count in sorted(self.steps.items())]
        if self.command_lines:
            parts.append(f"{self.command_lines} agent command line{'s' * (self.command_lines != 1)} "
                         "(channel commands)")
        if self.too_large:
            parts.append(f"{self.too_large} file text{'s' * (self.too_large != 1)} of up to {self.largest} "
                         f"bytes (above {self.limits.max_file_bytes})")
        return ", ".join(parts)
