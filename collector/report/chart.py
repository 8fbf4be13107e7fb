"""The timeline chart: one lane per kind of activity over the episode's time, as inline SVG.

Drawn on the server, so the chart needs no script; every text from the episode is escaped. Each
column of the chart is a transparent rectangle carrying a tooltip that sums up its slice of time and
the first step in it, which the page's script uses to list that slice's steps on a click.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from collector.replay.describe import plural
from collector.report.assets import COLOURS
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
class Lane:
    title: str
    subtitle: str
    height: int
    draw: Callable[[TimelineView, float, float], list[str]]  # (view, top, height) -> SVG elements


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


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _edits(view: TimelineView, top: float, height: float) -> list[str]:
    peak = max((b.edits for b in view.bins), default=0)
    out = []
    for slot, b in enumerate(view.bins):
        if b.edits:
            h = max(2.0, b.edits / peak * (height - 8))
            out.append(f'<rect x="{_num(_x(view, slot) + 0.5)}" y="{_num(top + height - 2 - h)}" '
                       f'width="{_num(max(_bw(view) - 1, 1))}" height="{_num(h)}" fill="{COLOURS["edit"]}"/>')
    return out


def _saves(view: TimelineView, top: float, height: float) -> list[str]:
    width = max(min(_bw(view) * 0.5, 4), 1.5)
    return [f'<rect x="{_num(_x(view, slot) + (_bw(view) - width) / 2)}" y="{_num(top + 5)}" '
            f'width="{_num(width)}" height="{_num(height - 10)}" rx="1" fill="{COLOURS["save"]}"/>'
            for slot, b in enumerate(view.bins) if b.saves]


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


def _diagnostics(view: TimelineView, top: float, height: float) -> list[str]:
    levels = diagnostics_levels(view)
    peak = max((e + w for e, w in levels), default=0)
    out: list[str] = []
    if not peak:
        return out
    scale, base, width = (height - 8) / peak, top + height - 2, _bw(view) + 0.4
    for slot, (errors, warnings) in enumerate(levels):
        x = _num(_x(view, slot))
        if errors:
            out.append(f'<rect x="{x}" y="{_num(base - errors * scale)}" width="{_num(width)}" '
                       f'height="{_num(errors * scale)}" fill="{COLOURS["error"]}"/>')
        if warnings:
            out.append(f'<rect x="{x}" y="{_num(base - (errors + warnings) * scale)}" width="{_num(width)}" '
                       f'height="{_num(warnings * scale)}" fill="{COLOURS["warning"]}"/>')
    return out


def _markers(shape: str, pick: Callable[[Bin], str | None]) -> Callable[[TimelineView, float, float],
                                                                       list[str]]:
    def draw(view: TimelineView, top: float, height: float) -> list[str]:
        out = []
        y = top + height / 2
        for slot, b in enumerate(view.bins):
            colour = pick(b)
            if colour is None:
                continue
            x = _x(view, slot) + _bw(view) / 2
            if shape == "circle":
                out.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="5" fill="{colour}"/>')
            elif shape == "square":
                out.append(f'<rect x="{_num(x - 4.5)}" y="{_num(y - 4.5)}" width="9" height="9" rx="2" '
                           f'fill="{colour}"/>')
            else:
                out.append(f'<path d="M{_num(x)} {_num(y - 6)}l6 6-6 6-6-6z" fill="{colour}"/>')
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


def bin_tooltip(view: TimelineView, slot: int) -> str:
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
    return "\n".join(lines)


def render_chart(view: TimelineView) -> str:
    """The chart as one <svg> element."""
    drawn = lanes(view)
    plot_height = sum(lane.height for lane in drawn)
    height = TOP + plot_height + AXIS
    out = [f'<svg id="timeline" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
           f'aria-label="activity by kind over the episode\'s time">',
           '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
           'patternTransform="rotate(45)"><rect width="6" height="6" fill="#94a3b8" fill-opacity="0.12"/>'
           '<line x1="0" y1="0" x2="0" y2="6" stroke="#64748b" stroke-width="2" stroke-opacity="0.45"/>'
           '</pattern></defs>']
    top = TOP
    for number, lane in enumerate(drawn):
        band = "band" if number % 2 == 0 else "band alt"
        out.append(f'<rect class="{band}" x="0" y="{top}" width="{WIDTH}" height="{lane.height}"/>')
        middle = top + lane.height / 2
        out.append(f'<text class="lane" x="12" y="{_num(middle - 2)}">{escape(lane.title)}</text>')
        out.append(f'<text class="sub" x="12" y="{_num(middle + 11)}">{escape(lane.subtitle)}</text>')
        top += lane.height
    out.extend(_grid(view, plot_height))
    top = TOP
    for lane in drawn:
        elements = lane.draw(view, top, lane.height)
        if not elements:
            out.append(f'<text class="none" x="{LEFT + 8}" y="{_num(top + lane.height / 2 + 4)}">'
                       f'none recorded</text>')
        out.extend(elements)
        top += lane.height
    out.extend(_gaps(view, plot_height))
    out.extend(_columns(view, plot_height))
    out.append("</svg>")
    return "\n".join(out)


def _grid(view: TimelineView, plot_height: int) -> list[str]:
    step = tick_step(view.span_ms)
    out = [f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_height}" x2="{WIDTH - RIGHT}" '
           f'y2="{TOP + plot_height}"/>']
    for ms in range(0, view.span_ms + 1, step):
        x = _num(LEFT + ms / view.span_ms * PLOT)
        out.append(f'<line class="grid" x1="{x}" y1="{TOP}" x2="{x}" y2="{TOP + plot_height + 4}"/>')
        out.append(f'<text class="tick" x="{x}" y="{TOP + plot_height + 18}">'
                   f'{tick_label(ms, step, view.span_ms)}</text>')
    return out


def _gaps(view: TimelineView, plot_height: int) -> list[str]:
    out = []
    for gap in view.gaps:
        start = LEFT + gap.t_ms / view.span_ms * PLOT
        end = start if gap.until_ms is None else LEFT + gap.until_ms / view.span_ms * PLOT
        width = max(end - start, 3)
        out.append(f'<rect class="gap" x="{_num(start)}" y="{TOP}" width="{_num(width)}" '
                   f'height="{plot_height}" fill="url(#hatch)"/>')
    return out


def _columns(view: TimelineView, plot_height: int) -> list[str]:
    out, width = [], _num(_bw(view))
    for slot, b in enumerate(view.bins):
        start, end = view.window(slot)
        out.append(f'<rect class="col" x="{_num(_x(view, slot))}" y="{TOP}" width="{width}" '
                   f'height="{plot_height}" data-from="{start}" data-to="{end}" data-step="{b.first_step}">'
                   f'<title>{escape(bin_tooltip(view, slot))}</title></rect>')
    return out
