"""The timeline chart: one lane per kind of activity over the episode's time, laid out here and drawn
as inline SVG by `templates/chart.svg.j2`.

Drawn on the server, so the chart needs no script; the template escapes every text (lane titles,
tooltips). Each column of the chart is a transparent rectangle carrying a tooltip that sums up its slice
of time and the first step in it, which the page's script uses to list that slice's steps on a click.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from collector.replay.describe import plural
from collector.report.assets import COLOURS
from collector.report.templating import template
from collector.report.timeline import Bin, TimelineView, span_label

WIDTH = 1200
LEFT = 168  # lane titles
RIGHT = 14
PLOT = WIDTH - LEFT - RIGHT
TOP = 4
AXIS = 28
STEPS_MS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000,
            120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000,
            43_200_000, 86_400_000)
MAX_TICKS = 10


@dataclass(frozen=True)
class Mark:
    """One shape in a lane: a `rect` from its top left corner (x, y), or a `circle` or `diamond` around
    its centre (x, y)."""

    shape: str
    x: float
    y: float
    fill: str
    width: float = 0
    height: float = 0
    rx: float = 0  # a rect's rounded corners; 0: square


Draw = Callable[[TimelineView, float, float], list[Mark]]  # (view, top, height) -> the lane's marks


@dataclass(frozen=True)
class Lane:
    title: str
    subtitle: str
    height: int
    draw: Draw


@dataclass(frozen=True)
class Band:
    """A lane as laid out: its title, its strip of the chart from `top`, and what is drawn in it."""

    title: str
    subtitle: str
    top: int
    height: int
    marks: list[Mark]
    css_class: str  # "band" or, every other lane, "band alt"

    @property
    def middle(self) -> float:
        return self.top + self.height / 2


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Column:
    """The clickable slice of time over one bin: the steps it counts are those in [start, end)."""

    x: float
    start: int
    end: int
    first_step: int
    tooltip: list[str]  # one fact a line


@dataclass(frozen=True)
class Chart:
    """Everything `chart.svg.j2` draws, in the SVG's units (the viewBox is WIDTH wide)."""

    bands: list[Band]
    ticks: list[Tick]
    gaps: list[tuple[float, float]]  # (x, width) of each hatched hole in the recording
    columns: list[Column]
    column_width: float
    plot_height: int
    width: int = WIDTH
    left: int = LEFT
    right: int = RIGHT
    top: int = TOP

    @property
    def height(self) -> int:
        return self.top + self.plot_height + AXIS

    @property
    def axis_y(self) -> int:
        return self.top + self.plot_height


def _x(view: TimelineView, slot: int) -> float:
    return LEFT + slot * PLOT / len(view.bins)


def _bw(view: TimelineView) -> float:
    return PLOT / len(view.bins)


def compact(count: int) -> str:
    """`35.5k`, `1.2M`: a count in a few characters."""
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if count >= size:
            value = count / size
            return (f"{value:.1f}".rstrip("0").rstrip(".") if value < 100 else f"{value:.0f}") + suffix
    return str(count)


def _edits(view: TimelineView, top: float, height: float) -> list[Mark]:
    peak = max((b.edits for b in view.bins), default=0)
    out = []
    for slot, b in enumerate(view.bins):
        if b.edits:
            h = max(2.0, b.edits / peak * (height - 8))
            out.append(Mark("rect", _x(view, slot) + 0.5, top + height - 2 - h, COLOURS["edit"],
                            max(_bw(view) - 1, 1), h))
    return out


def _saves(view: TimelineView, top: float, height: float) -> list[Mark]:
    width = max(min(_bw(view) * 0.5, 4), 1.5)
    return [Mark("rect", _x(view, slot) + (_bw(view) - width) / 2, top + 5, COLOURS["save"], width,
                 height - 10, rx=1) for slot, b in enumerate(view.bins) if b.saves]


def diagnostics_levels(view: TimelineView) -> list[tuple[int, int]]:
    """(errors, warnings) to draw per bin: the most seen in it, carried over bins without diagnostics."""
    levels, errors, warnings = [], 0, 0
    for b in view.bins:
        if b.errors is not None and b.warnings is not None:
            levels.append((max(errors, b.errors), max(warnings, b.warnings)))
            errors, warnings = b.end_errors, b.end_warnings
        else:
            levels.append((errors, warnings))
    return levels


def _diagnostics(view: TimelineView, top: float, height: float) -> list[Mark]:
    levels = diagnostics_levels(view)
    peak = max((e + w for e, w in levels), default=0)
    out: list[Mark] = []
    if not peak:
        return out
    scale, base, width = (height - 8) / peak, top + height - 2, _bw(view) + 0.4
    for slot, (errors, warnings) in enumerate(levels):
        x = _x(view, slot)
        if errors:
            out.append(Mark("rect", x, base - errors * scale, COLOURS["error"], width, errors * scale))
        if warnings:
            out.append(Mark("rect", x, base - (errors + warnings) * scale, COLOURS["warning"], width,
                            warnings * scale))
    return out


def _markers(shape: str, pick: Callable[[Bin], str | None]) -> Draw:
    """One mark in the middle of the lane for each bin `pick` gives a colour: a circle, square or diamond."""
    def draw(view: TimelineView, top: float, height: float) -> list[Mark]:
        out = []
        y = top + height / 2
        for slot, b in enumerate(view.bins):
            colour = pick(b)
            if colour is None:
                continue
            x = _x(view, slot) + _bw(view) / 2
            if shape == "square":
                out.append(Mark("rect", x - 4.5, y - 4.5, colour, 9, 9, rx=2))
            else:
                out.append(Mark(shape, x, y, colour))
        return out
    return draw


def _test_colour(b: Bin) -> str | None:
    return None if not b.tests else COLOURS["fail"] if b.tests_failed else COLOURS["pass"]


def _command_colour(b: Bin) -> str | None:
    if not b.commands:
        return None
    return COLOURS["fail"] if b.commands_failed else COLOURS["pass"] if b.commands_ok else COLOURS["muted"]


def lanes(view: TimelineView) -> list[Lane]:
    def total(name: str) -> int:
        return sum(getattr(b, name) for b in view.bins)

    edits, inserted, deleted = total("edits"), total("inserted"), total("deleted")
    levels = diagnostics_levels(view)
    peak_errors = max((e for e, _ in levels), default=0)
    peak_warnings = max((w for _, w in levels), default=0)
    passed, failed = total("tests_passed"), total("tests_failed")
    ok, bad, other = total("commands_ok"), total("commands_failed"), total("commands_other")
    found = [
        Lane("Edits", f"{compact(edits)} · +{compact(inserted)} −{compact(deleted)} chars", 66, _edits),
        Lane("Saves", f"{total('saves'):,}", 34, _saves),
        Lane("Diagnostics", f"peak {compact(peak_errors)} err · {compact(peak_warnings)} warn", 58,
             _diagnostics),
        Lane("Test runs", f"{passed:,} passed · {failed:,} failed", 34, _markers("circle", _test_colour)),
        Lane("Commands", f"{ok:,} ok · {bad:,} failed" + (f" · {other:,} ?" if other else ""), 34,
             _markers("square", _command_colour)),
        Lane("Git", plural(total("git"), "operation"), 34,
             _markers("diamond", lambda b: COLOURS["git"] if b.git else None)),
    ]
    if total("files"):
        found.append(Lane("Files", f"{total('files'):,} open · close · disk", 34,
                          _markers("square", lambda b: COLOURS["file"] if b.files else None)))
    if total("notes"):
        found.append(Lane("Notes & tasks", f"{total('notes'):,}", 34,
                          _markers("diamond", lambda b: COLOURS["note"] if b.notes else None)))
    return found


def tick_step(span_ms: int) -> int:
    return next((step for step in STEPS_MS if span_ms / step <= MAX_TICKS), STEPS_MS[-1])


def tick_label(ms: int, step: int, span_ms: int) -> str:
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    text = f"{hours}:{minutes:02}:{seconds:02}" if span_ms >= 3_600_000 else f"{minutes}:{seconds:02}"
    if step < 1000:
        text += f".{millis:03}".rstrip("0") if millis else ""
    return text


def bin_tooltip(view: TimelineView, slot: int) -> list[str]:
    """What one column of the chart sums up, one fact a line."""
    b = view.bins[slot]
    lines = [span_label(view, slot)]
    if b.edits:
        lines.append(f"{plural(b.edits, 'edit')} (+{b.inserted:,} −{b.deleted:,} chars)")
    if b.saves:
        lines.append(plural(b.saves, "save"))
    if b.errors is not None:
        lines.append(f"diagnostics: up to {plural(b.errors, 'error')}, {plural(b.warnings or 0, 'warning')}")
    if b.files:
        lines.append(f"{plural(b.files, 'file event')}")
    if b.gaps:
        lines.append(f"{plural(b.gaps, 'gap')} in the recording")
    lines.extend(b.labels)
    if b.more_labels:
        lines.append(f"and {b.more_labels:,} more")
    lines.append("click to list these steps" if b.first_step >= 0 else "no steps")
    return lines


def layout(view: TimelineView) -> Chart:
    """Where everything goes: the lanes stacked from the top, the time axis below them."""
    bands, top = [], TOP
    for number, lane in enumerate(lanes(view)):
        bands.append(Band(lane.title, lane.subtitle, top, lane.height, lane.draw(view, top, lane.height),
                          "band" if number % 2 == 0 else "band alt"))
        top += lane.height
    step = tick_step(view.span_ms)
    ticks = [Tick(LEFT + ms / view.span_ms * PLOT, tick_label(ms, step, view.span_ms))
             for ms in range(0, view.span_ms + 1, step)]
    return Chart(bands, ticks, _gaps(view), _columns(view), _bw(view), top - TOP)


def render_chart(view: TimelineView) -> str:
    """The chart as one <svg> element (the page includes the same template)."""
    return template("chart.svg.j2").render(chart=layout(view))


def _gaps(view: TimelineView) -> list[tuple[float, float]]:
    out = []
    for gap in view.gaps:
        start = LEFT + gap.t_ms / view.span_ms * PLOT
        end = start if gap.until_ms is None else LEFT + gap.until_ms / view.span_ms * PLOT
        out.append((start, max(end - start, 3)))
    return out


def _columns(view: TimelineView) -> list[Column]:
    return [Column(_x(view, slot), *view.window(slot), b.first_step, bin_tooltip(view, slot))
            for slot, b in enumerate(view.bins)]
