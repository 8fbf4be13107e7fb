"""The full-screen player (Textual): the file being edited, the event stream, a status line, key help.

The app only wires keys and a 30 Hz timer to `control.Playback`, and draws the panes with `render`.
Keys follow asciinema's player where it has one: space, `.`, arrows, +/-. It shows its first screen as
soon as the index is open (`Index.open`) and runs the index's full pass a slice at a time between
frames, the event pane saying how far it got; a step that turns out not to replay ends the player, and
`failure` says why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import tzinfo
from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from collector.episode.resolve import show
from collector.errors import CodetapeError
from collector.replay.control import Playback
from collector.replay.describe import describe
from collector.replay.render import event_view, file_view, follow, status_view, wall_clock
from collector.replay.seek import JUMPS, Jump
from collector.text.positions import split_lines

FPS = 30
INDEX_SLICE_S = 0.012  # the full pass runs this long at a time, between frames
JUMP_KEYS: dict[str, Jump] = {name: name for name in JUMPS}
KEYS = ("space play/pause  . , step  ←/→ 5 s  shift+←/→ 10%  +/- speed  "
        "next m note f failure c commit w file (shift: previous)  q quit")


class FilePane(Widget):
    """The file in focus around the edit position."""

    def __init__(self, playback: Playback) -> None:
        super().__init__(id="file")
        self.playback = playback
        self._tops: dict[str, int] = {}
        self._disk_lines: tuple[str, list[str]] = ("", [""])

    def title(self) -> str:
        workspace = self.playback.seeker.state.workspace
        path = self.playback.seeker.state.focus
        if path is None:
            return "no file yet"
        if path in workspace.buffers:
            return show(path)
        return show(path) + (" (closed)" if path in workspace.disk else " (not on disk)")

    def _lines(self, path: str) -> Sequence[str]:
        workspace = self.playback.seeker.state.workspace
        doc = workspace.buffers.get(path)
        if doc is not None:
            return doc.lines
        text = workspace.disk.get(path, "")
        if self._disk_lines[0] is not text:
            self._disk_lines = (text, split_lines(text))
        return self._disk_lines[1]

    def render(self) -> RenderableType:
        state = self.playback.seeker.state
        path = state.focus
        size = self.content_size
        if path is None:
            return Text("")
        lines = self._lines(path)
        mark = state.marks.get(path)
        top = follow(self._tops.get(path, 0), 0 if mark is None else mark.active[0], size.height, len(lines))
        self._tops[path] = top
        diagnostics = [item for items in state.diagnostics.get(path, {}).values() for item in items]
        return file_view(lines, mark, diagnostics, state.encoding, top, size.height, size.width)


class EventPane(Widget):
    """Diagnostics, test runs, commands, git, notes and task markers up to the current step."""

    def __init__(self, playback: Playback) -> None:
        super().__init__(id="events")
        self.playback = playback

    def title(self) -> str:
        index = self.playback.index
        if index.complete:
            return "events"
        return f"events (indexing {100 * index.scanned // max(index.count, 1)} %)"

    def render(self) -> RenderableType:
        size = self.content_size
        position = self.playback.position
        return event_view(self.playback.index.events_until(position, size.height), position, size.width)


class ReplayApp(App[None]):
    TITLE = "codetape replay"
    ENABLE_COMMAND_PALETTE = False
    CSS = """
    #panes { height: 1fr; }
    #file { width: 1fr; border: round $primary; border-title-align: left; }
    #events { width: 40%; min-width: 30; border: round $secondary; }
    #status { height: 2; padding: 0 1; }
    #keys { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "play_pause", "play/pause"),
        Binding("full_stop", "step(1)", "step"),
        Binding("comma", "step(-1)", "step back"),
        Binding("right", "seek_time(5000)", "+5 s"),
        Binding("left", "seek_time(-5000)", "-5 s"),
        Binding("shift+right", "seek_fraction(0.1)", "+10%"),
        Binding("shift+left", "seek_fraction(-0.1)", "-10%"),
        Binding("home", "seek_edge(0)", "start"),
        Binding("end", "seek_edge(1)", "end"),
        Binding("plus,equals_sign", "faster", "faster"),
        Binding("minus,underscore", "slower", "slower"),
        Binding("m", "jump('markers', 1)", "next note"),
        Binding("M", "jump('markers', -1)", "previous note"),
        Binding("f", "jump('failures', 1)", "next failure"),
        Binding("F", "jump('failures', -1)", "previous failure"),
        Binding("c", "jump('commits', 1)", "next commit"),
        Binding("C", "jump('commits', -1)", "previous commit"),
        Binding("w", "jump('switches', 1)", "next file switch"),
        Binding("W", "jump('switches', -1)", "previous file switch"),
        Binding("q,escape,ctrl+c", "quit", "quit", priority=True),
    ]

    def __init__(self, playback: Playback, *, play: bool = True, tz: tzinfo | None = None) -> None:
        super().__init__()
        self.playback = playback
        self.tz = tz
        self._play_on_mount = play
        self._timer: Timer | None = None
        self._indexer: Timer | None = None
        self.failure: CodetapeError | None = None  # why the player stopped early, if it did

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield FilePane(self.playback)
            yield EventPane(self.playback)
        yield Static(id="status")
        yield Static(KEYS, id="keys")

    def on_mount(self) -> None:
        self._timer = self.set_interval(1 / FPS, self._tick, pause=True)
        if not self.playback.index.complete:
            self._indexer = self.set_interval(1 / FPS, self._index_more)
        if self._play_on_mount:
            self._guarded(self.playback.play)
        self.update_views()

    def _guarded(self, action: Callable[[], object]) -> bool:
        """Run a step of playback; a step that does not replay ends the player (see `failure`)."""
        try:
            action()
        except CodetapeError as exc:
            self._fail(exc)
            return False
        return True

    def _fail(self, exc: CodetapeError) -> None:
        self.failure = exc
        self.exit()

    def _tick(self) -> None:
        try:
            moved = self.playback.tick()
        except CodetapeError as exc:
            self._fail(exc)
            return
        if moved or not self.playback.playing:
            self.update_views()

    def _index_more(self) -> None:
        """One slice of the index's full pass; the event pane shows what it found."""
        index = self.playback.index
        if self._guarded(lambda: index.scan(budget_s=INDEX_SLICE_S)) and index.complete and self._indexer:
            self._indexer.stop()
        events = self.query_one(EventPane)
        events.border_title = events.title()
        events.refresh()

    def update_views(self) -> None:
        """Redraw after the step or the playback state changed; run the timer only while playing."""
        playback = self.playback
        if self._timer is not None:
            if playback.playing:
                self._timer.resume()
            else:
                self._timer.pause()
        pane = self.query_one(FilePane)
        pane.border_title = pane.title()
        pane.refresh()
        events = self.query_one(EventPane)
        events.border_title = events.title()
        events.refresh()
        self.query_one("#status", Static).update(self.status())

    def status(self) -> Text:
        playback = self.playback
        index, seeker = playback.index, playback.seeker
        step = seeker.step
        state = "▶" if playback.playing else ("■" if playback.at_end else "❚❚")
        t_ms = index.times[playback.position]
        return status_view(
            state=state, position=playback.position, count=index.count, t_ms=t_ms,
            total_ms=index.times[-1], wall=wall_clock(index.header, t_ms, self.tz), speed=playback.speed,
            idle_limit=playback.idle_limit, message=playback.message, step=step,
            description="" if step is None else describe(step, seeker.effect))

    def action_play_pause(self) -> None:
        if self._guarded(lambda: self.playback.toggle()):
            self.update_views()

    def action_step(self, count: int) -> None:
        if self._guarded(lambda: self.playback.step(count)):
            self.update_views()

    def action_seek_time(self, delta_ms: int) -> None:
        if self._guarded(lambda: self.playback.seek_time(delta_ms)):
            self.update_views()

    def action_seek_fraction(self, fraction: float) -> None:
        if self._guarded(lambda: self.playback.seek_fraction(fraction)):
            self.update_views()

    def action_seek_edge(self, end: int) -> None:
        if self._guarded(lambda: self.playback.seek(self.playback.last if end else self.playback.first)):
            self.update_views()

    def action_faster(self) -> None:
        self.playback.faster()
        self.update_views()

    def action_slower(self) -> None:
        self.playback.slower()
        self.update_views()

    def action_jump(self, name: str, direction: int) -> None:
        jump = JUMP_KEYS.get(name)
        if jump is None or self._guarded(lambda: self.playback.jump(jump, direction)):
            self.update_views()
