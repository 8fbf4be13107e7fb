"""The review (Textual): the summary first, then the timeline, the files at any step and the diff
between two steps; exclude, drop and redact; and the explicit end: sign and queue, keep, or discard.

The app wires keys to a `ReviewSession` and draws what `views` renders. Changes to the plan and
signing run in a worker thread, one at a time. Ctrl-C keeps the episode for later, as `k` does, asking
first when the reviewer's changes would be lost. The HTML report is removed when the app closes, however it
ends.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import ClassVar, Literal

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.notifications import SeverityLevel
from textual.widgets import DataTable, Footer, Header, Input, Static, TabbedContent, TabPane, TextArea
from textual.worker import Worker, WorkerState

from collector.consent import KeyInfo, init_keys, load_public
from collector.consent.enrol import ENROL_COMMAND, can_get_key
from collector.consent.keys import key_path
from collector.consent.mode import signing_mode
from collector.consent.unlinkable import epoch_of
from collector.errors import CodetapeError
from collector.protocol.clock import utc_now
from collector.replay.describe import clock, plural
from collector.review import report, views
from collector.review.dialogs import ConfirmScreen, HelpScreen, PromptScreen, SignAsk, SignOff, SignScreen
from collector.review.manifest import Manifest, file_diff, review_manifest
from collector.review.plan import Exclusions, TrimPlan, parse_drop
from collector.review.session import ReviewSession
from collector.review.timeline import Row
from collector.upload.destinations import named, parse_destination, policy_refusal, set_destination
from collector.upload.outbox import upload_plan

Choice = Literal["signed", "kept", "discarded"]
TABS = ("summary", "timeline", "files", "diff", "shared")
# never an input: the review's keys would type into it
FOCUS = {"summary": "#summary-scroll", "timeline": "#timeline-table", "files": "#files-table",
         "diff": "#diff-scroll", "shared": "#shared-table"}


@dataclass(frozen=True)
class ReviewOutcome:
    """How the review ended, and the line the command prints about it."""

    choice: Choice
    message: str
    stop: bool = False  # Ctrl-C: a review of several episodes stops here (the others are kept)


class ReviewApp(App[ReviewOutcome]):
    TITLE = "codetape review"
    ENABLE_COMMAND_PALETTE = False
    CSS = """
    #tabs { height: 1fr; }
    #tabs TabPane { height: 1fr; }
    #summary-text { padding: 0 1; }
    #files-table { width: 40%; min-width: 30; }
    #file-title { height: 1; padding: 0 1; background: $boost; }
    #diff-bar { height: 3; }
    #diff-bar Input { width: 1fr; }
    #diff-text { padding: 0 1; }
    #pending { height: auto; max-height: 3; padding: 0 1; background: $boost; }
    #status { height: 1; padding: 0 1; color: $text-muted; }
    #shared-footer { height: auto; padding: 0 1; background: $boost; text-style: bold; }
    #shared-left { width: 45%; min-width: 30; }
    #shared-table { height: 1fr; }
    #shared-rest { height: 1fr; border-top: solid $primary; }
    #shared-rest-text, #shared-diff { padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "tab('summary')", "summary", show=False),
        Binding("2", "tab('timeline')", "timeline", show=False),
        Binding("3", "tab('files')", "files", show=False),
        Binding("4", "tab('diff')", "diff", show=False),
        Binding("5", "tab('shared')", "shared", show=False),
        Binding("space", "toggle_file", "share / leave out", show=False),
        Binding("e", "end_state", "files at the end", show=False),
        Binding("question_mark", "help", "keys"),
        Binding("x", "exclude", "exclude"),
        Binding("d", "drop", "drop range"),
        Binding("r", "redact", "redact"),
        Binding("p", "prompts", "leave out agent prompts"),
        Binding("w", "whole", "keep a command whole", show=False),
        Binding("m", "mark", "mark"),
        Binding("u", "undo", "undo"),
        Binding("o", "report", "report"),
        Binding("s", "sign", "sign & queue"),
        Binding("k,q", "keep", "keep for later"),
        Binding("D", "discard", "discard"),
        Binding("ctrl+c", "keep(True)", "keep for later", show=False, priority=True),
        Binding("escape", "leave", "leave the input", show=False),
    ]

    def __init__(self, session: ReviewSession, place: str = "") -> None:
        super().__init__()
        self.session = session
        self.place = place  # "2 of 5" when several episodes are reviewed in turn
        self.step = session.browser.count - 1  # the step the file pane shows the files at
        self.following = False  # the file pane follows the Timeline's cursor (once the reviewer moved it)
        self.seen_row = 0  # the Timeline's cursor row the file pane last took its step from (or was drawn at)
        self.manifest: Manifest | None = None  # what leaves, as the Shared tab shows it
        self.mark: Row | None = None
        self.busy: str | None = None  # what the worker is doing, while it does it
        self.asking_to_leave = False  # the question before leaving without the changes is on screen
        self.stopping = False  # leaving by Ctrl-C: no further episode
        self.reports = report.Reports()  # closed on unmount

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="summary", id="tabs"):
            with TabPane("1 Summary", id="summary"), VerticalScroll(id="summary-scroll"):
                yield Static(id="summary-text", markup=False)
            with TabPane("2 Timeline", id="timeline"):
                yield DataTable(id="timeline-table", cursor_type="row", zebra_stripes=True)
            with TabPane("3 Files", id="files"), Horizontal():
                yield DataTable(id="files-table", cursor_type="row")
                with Vertical():
                    yield Static(id="file-title", markup=False)
                    yield TextArea(id="file-text", read_only=True, show_line_numbers=True, soft_wrap=False)
            with TabPane("4 Diff", id="diff"):
                with VerticalScroll(id="diff-scroll"):
                    yield Static(id="diff-text")
                with Horizontal(id="diff-bar"):  # below the diff: Tab goes from the diff to its inputs
                    yield Input(value="start", placeholder="from: step, time (90s) or start", id="diff-from")
                    yield Input(value="end", placeholder="to: step, time (2m) or end", id="diff-to")
            with TabPane("5 Shared", id="shared"), Vertical():
                yield Static(id="shared-footer", markup=False)
                with Horizontal():
                    with Vertical(id="shared-left"):
                        yield DataTable(id="shared-table", cursor_type="row")
                        with VerticalScroll(id="shared-rest"):
                            yield Static(id="shared-rest-text", markup=False)
                    with VerticalScroll(id="shared-diff-scroll"):
                        yield Static(id="shared-diff")
        yield Static(id="pending")
        yield Static(id="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        episode = self.session.episode_id
        self.sub_title = f"{episode}  ({self.place})" if self.place else episode
        self.query_one("#timeline-table", DataTable).add_columns("step", "time", "kind", "file", "what")
        self.query_one("#files-table", DataTable).add_columns("file", "in the episode")
        self.query_one("#shared-table", DataTable).add_columns("", "file", "lines", "in the episode")
        if self.session.policy_excludes:
            self.notify(f"excluded as the sharing policy requires: {', '.join(self.session.policy_excludes)}",
                        timeout=10)
        self.refresh_views()

    def on_unmount(self) -> None:
        """The app is closing, however it ends (a choice, Ctrl-C, an error): its report goes."""
        self.reports.close()

    # -- drawing -----------------------------------------------------------------------------------------

    def refresh_views(self) -> None:
        """Redraw every pane from the session (after it loaded or changed)."""
        session = self.session
        self.query_one("#summary-text", Static).update("\n".join(session.summary.lines()))
        table = self.query_one("#timeline-table", DataTable)
        at = table.cursor_row
        table.clear()
        for number, row in enumerate(session.timeline.rows):
            table.add_row(*views.timeline_cells(row), key=str(number))
        if table.row_count:
            table.move_cursor(row=min(max(at, 0), table.row_count - 1))
        self.seen_row = table.cursor_row
        files = self.query_one("#files-table", DataTable)
        files.clear()
        for path, activity in sorted(session.summary.base.files.items()):
            files.add_row(path, plural(activity.edits, "edit") + ", snapshot" * activity.snapshot, key=path)
        excluded = sorted(session.trimmed.excluded.paths) if session.trimmed is not None else []
        for path in excluded:
            files.add_row(path, "excluded", key=f"excluded:{path}")
        self.step = min(self.step, session.browser.count - 1) if self.following else session.browser.count - 1
        self.mark = None
        self.query_one("#pending", Static).update(views.pending_text(session))
        self.show_file()
        self.show_diff()
        self.show_manifest()

    def cursor_row(self) -> Row | None:
        rows = self.session.timeline.rows
        if not rows:
            return None
        table = self.query_one("#timeline-table", DataTable)
        return rows[min(max(table.cursor_row, 0), len(rows) - 1)]

    def selected_file(self) -> str | None:
        table = self.query_one("#files-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        return None if key.startswith("excluded:") else key

    def show_file(self) -> None:
        self._follow_timeline()
        path = self.selected_file()
        title = self.query_one("#file-title", Static)
        area = self.query_one("#file-text", TextArea)
        last = self.session.browser.count - 1
        at = f"after step {self.step} of {last} ({clock(self.session.browser.time_of(self.step))})"
        where = (f"{at}, the Timeline's cursor (e: the end)" if self.following and self.step != last
                 else f"at the end, {at}")
        if path is None:
            title.update(f"no file selected  ·  {where}")
            area.load_text("")
            return
        text = self.session.browser.text_at(self.step, path)
        title.update(f"{path}  ·  {where}" + ("  ·  does not exist yet or any more" if text is None else ""))
        area.load_text(text or "")

    def _follow_timeline(self) -> None:
        """Once the reviewer has moved the Timeline's cursor, the file pane shows the files after that row
        (until e); merely visiting the Timeline changes nothing."""
        row = self.query_one("#timeline-table", DataTable).cursor_row
        if row != self.seen_row:
            self.seen_row = row
            moved = self.cursor_row()
            if moved is not None:
                self.step, self.following = moved.last, True

    def show_diff(self) -> None:
        out = self.query_one("#diff-text", Static)
        browser = self.session.browser
        try:
            start = browser.step_of(self.query_one("#diff-from", Input).value, "from")
            end = browser.step_of(self.query_one("#diff-to", Input).value, "to")
        except CodetapeError as exc:
            out.update(str(exc))
            return
        out.update(views.diff_text(browser.diff(start, end)))

    def show_manifest(self) -> None:
        """The Shared tab: what signing now would share, file by file, and the rest."""
        manifest = self.manifest = review_manifest(self.session)
        self.query_one("#shared-footer", Static).update(
            f"this is what would be shared: {manifest.footer()}  (space: leave a file out or share it again)")
        table = self.query_one("#shared-table", DataTable)
        at = table.cursor_row
        table.clear()
        for file in manifest.files:
            lines = "?" if file.lines is None else str(file.lines)
            table.add_row("shared", file.path, lines, file.activity, key=file.path)
        for path in manifest.excluded:
            table.add_row("left out", path, "", "excluded: nothing of it leaves", key=f"excluded:{path}")
        if table.row_count:
            table.move_cursor(row=min(max(at, 0), table.row_count - 1))
        rest = manifest.lines()
        start = rest.index(next(line for line in rest if line.startswith("commands (")))
        self.query_one("#shared-rest-text", Static).update("\n".join(rest[start:]))
        self.show_shared_file()

    def shared_file(self) -> tuple[str, bool] | None:
        """The file the Shared tab's cursor is on, and whether it is left out."""
        table = self.query_one("#shared-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        return key.removeprefix("excluded:"), key.startswith("excluded:")

    def show_shared_file(self) -> None:
        out = self.query_one("#shared-diff", Static)
        chosen = self.shared_file()
        if chosen is None or self.manifest is None:
            out.update("")
            return
        path, left_out = chosen
        if left_out:
            out.update(Text(f"{path} is left out: no step about it is shared, and its path and text are "
                            "masked wherever else they are written. space shares it again.", style="dim"))
            return
        browser = self.session.browser
        out.update(views.diff_text(file_diff(path, browser.files_at(-1),
                                             browser.files_at(browser.count - 1)).splitlines(keepends=True)))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "shared-table":
            self.show_shared_file()
        if self._tab() == "files":
            self.show_file()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id in ("diff-from", "diff-to"):
            self.show_diff()
            self.query_one("#diff-scroll").focus()

    def action_leave(self) -> None:
        """Escape: back from an input to the tab's own keys."""
        self.query_one(FOCUS.get(self._tab(), "#summary-scroll")).focus()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        focus = FOCUS.get(event.pane.id or "")
        if focus is not None:  # at once, not later: a key typed right after the switch reaches the table
            self.screen.set_focus(self.query_one(focus))
        if event.pane.id == "files":
            self.show_file()
        if event.pane.id == "diff" and self.mark is not None:
            row = self.cursor_row()
            self.query_one("#diff-from", Input).value = views.moment_text(self.mark.first - 1)
            self.query_one("#diff-to", Input).value = views.moment_text(row.last if row else -1)
            self.show_diff()

    # -- changes -----------------------------------------------------------------------------------------

    def action_tab(self, name: str) -> None:
        if name in TABS:
            self.query_one("#tabs", TabbedContent).active = name

    def action_end_state(self) -> None:
        """e: the file pane shows the files at the end again, whatever the Timeline's cursor."""
        self.following = False
        self.step = self.session.browser.count - 1
        self.show_file()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(views.HELP))

    def action_toggle_file(self) -> None:
        """space in the Shared tab: leave the file out (exclude it), or share it again."""
        chosen = self.shared_file() if self._tab() == "shared" else None
        if chosen is None:
            return
        path, left_out = chosen
        plan = self.session.plan
        if not left_out:
            self._work("leaving out", lambda: self.session.apply(plan.exclude(f"/{path}")),
                       lambda: self._changed(f"left out {path}"))
            return
        glob = f"/{path}"
        if glob not in plan.excludes:
            by = next((g for g in plan.excludes if Exclusions((g,))(path)), None)
            policy = by in self.session.policy_excludes
            self.notify(f"{path} is excluded by {by}" + (", which the sharing policy requires" if policy else
                        " (u undoes the last change)"), severity="warning", timeout=8)
            return
        kept = replace(plan, excludes=tuple(g for g in plan.excludes if g != glob))
        self._work("sharing again", lambda: self.session.apply(kept), lambda: self._changed(f"shared {path}"))

    def action_exclude(self) -> None:
        row = self.cursor_row()
        tab = self._tab()
        shared = self.shared_file() if tab == "shared" else None
        path = (self.selected_file() if tab == "files" else row.path if tab == "timeline" and row is not None
                else shared[0] if shared is not None else None)
        help_text = ("A file (/notes.md), a folder (/private/) or a pattern (*.csv, gitignore-style). Every "
                     "step about it goes, and its path is masked wherever it is written.")
        self.push_screen(PromptScreen("Exclude files or folders", help_text, f"/{path}" if path else ""),
                         self._answer(lambda glob: self.session.plan.exclude(glob)))

    def action_drop(self) -> None:
        row = self.cursor_row()
        if row is None:
            self.notify("the episode has no steps to drop", severity="warning")
            return
        value = ""
        if self._tab() == "timeline" or self.mark is not None:  # from rows the reviewer sees (or marked)
            first = self.mark if self.mark is not None else row
            start, end = min(first.t_ms, row.t_ms), max(first.end_ms, row.end_ms)
            value = f"{clock(start)}-{clock(end)}"
        help_text = ("FROM-TO, times as the timeline shows them (2:38-3:10, 0:02:38.500-0:03:10; an end "
                     "given in whole seconds takes in that second), or milliseconds FROM_MS:TO_MS; both ends "
                     "included. The steps give way to one gap that keeps the files as they were at its end.")
        self.push_screen(PromptScreen("Drop a time range", help_text, value),
                         self._answer(lambda text: self.session.plan.drop(*parse_drop(text))))

    def action_redact(self) -> None:
        selected = self.query_one("#file-text", TextArea).selected_text if self._tab() == "files" else ""
        help_text = ("A regular expression (its first group, if it has one, is what gets masked), or the "
                     "text selected in the file pane. Every match everywhere becomes a placeholder.")
        self.push_screen(PromptScreen("Redact more text", help_text, re.escape(selected) if selected else ""),
                         self._answer(lambda pattern: self.session.plan.redact(pattern)))

    def action_prompts(self) -> None:
        plan = self.session.plan
        if plan.prompts:
            self.notify("agent prompts are left out already (u undoes it)")
            return
        self._work("applying", lambda: self.session.apply(plan.without_prompts()),
                   lambda: self._changed("applied"))

    def action_whole(self) -> None:
        """w: keep the command of the timeline's row whole at unlinkable signing (its arguments as typed)."""
        row = self.cursor_row()
        if row is None:
            return
        self._work("applying", lambda: self.session.keep_whole(row.first),
                   lambda: self._changed("kept whole"))

    def action_mark(self) -> None:
        row = self.cursor_row()
        if row is None:
            return
        self.mark = row
        self.notify(f"marked step {row.first} ({clock(row.t_ms)}): move on, then d drops from here, and "
                    "the diff tab compares from here")

    def action_undo(self) -> None:
        if not self.session.history:
            self.notify("nothing to undo")
            return
        self._work("undoing", lambda: self.session.undo(), lambda: self._changed("undone"))

    def _answer(self, make: Callable[[str], TrimPlan]) -> Callable[[str | None], None]:
        """The callback of a prompt: build the new plan from the answer, then apply it."""
        def answered(text: str | None) -> None:
            if not text or not text.strip():
                return
            try:
                plan = make(text.strip())
            except CodetapeError as exc:
                self.notify(str(exc), severity="error", timeout=10)
                return
            self._work("applying", lambda: self.session.apply(plan), lambda: self._changed("applied"))
        return answered

    def _changed(self, what: str) -> None:
        self.refresh_views()
        result = self.session.trimmed
        self.notify(f"{what}: {views.done(result)}" if result is not None else f"{what}: no changes left")

    # -- endings -----------------------------------------------------------------------------------------

    def action_report(self) -> None:
        session = self.session

        def made() -> str:
            path = self.reports.write(session.current, session.episode_id, report.excluded_count(session))
            opened = report.open_report(path)
            return (f"report written to {path}" + (" and opened in your browser" if opened else "")
                    + " (removed when the review closes)")

        self._work("writing the report", made, None)

    def action_sign(self) -> None:
        home = self.session.home
        key: KeyInfo | None = None
        ask = SignAsk()
        try:  # unlinkable mode (config.toml) signs with a per-episode key: no key of your own is needed
            if signing_mode(home) is not None:
                if not can_get_key(home, epoch_of(utc_now())):
                    ask = SignAsk(blocked=f"Unlinkable mode signs with a key your organisation's issuer "
                                  f"authorises, and this home is not enrolled yet: run {ENROL_COMMAND} in a "
                                  "terminal (the issuer's URL and secret come from your organisation), then "
                                  "press s again. This review stays open, with your changes.")
            elif key_path(home).exists():
                key = load_public(home)
                ask = SignAsk(passphrase=key.protected)
            else:
                ask = SignAsk(make_key=True)
            destination = named(home)
        except CodetapeError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        if destination is None and ask.blocked is None:
            ask = replace(ask, destination=True)
        shared = self.manifest.footer() if self.manifest is not None else "?"
        lines = views.sign_lines(self.session, key, shared, new_key=ask.make_key)
        self.push_screen(SignScreen(lines, ask, self._destination_problem), self._signed)

    def _destination_problem(self, url: str) -> str | None:
        """Why `url` cannot be the upload destination (malformed, credentials, not allowed), or None."""
        try:
            destination = parse_destination(url)
            return policy_refusal(destination, "give another, or leave it empty")
        except CodetapeError as exc:
            return str(exc)

    def _signed(self, answer: SignOff | None) -> None:
        if answer is None:
            return
        home = self.session.home

        def sign() -> str:
            done = []
            if answer.destination is not None:
                done.append(f"upload destination set: {set_destination(home, answer.destination).url}")
            if answer.new_key:
                made = init_keys(home, passphrase=answer.passphrase)
                protection = "protected by your passphrase" if made.protected else "without a passphrase"
                done.append(f"signing key {made.key_id} made ({protection})")
            queued = self.session.sign(answer.passphrase)
            keys = queued.keys_note()
            return "; ".join([*done, f"{queued.signed()}, {upload_plan(home)}: {queued.path}"
                              + (f" ({keys})" if keys else "")])

        self._work("signing", sign, None, ending="signed")

    def action_keep(self, stop: bool = False) -> None:
        """k, q or Ctrl-C (`stop`: and no further episode): keep the episode for later, unchanged; asks
        first when changes would be lost (a second Ctrl-C while it asks leaves)."""
        if self.busy == "signing":
            self.notify("signing is under way; it finishes in a moment", severity="warning")
            return
        self.stopping = self.stopping or stop
        if self.asking_to_leave or not self.session.history:  # nothing changed (policy exclusions are redone)
            self._left(True)
            return
        self.asking_to_leave = True
        changes = "; ".join(self.session.plan.describe())
        text = (f"Your changes are not saved: {changes}. Leaving keeps the episode as recorded, without "
                "them (sign it to share it trimmed). Ctrl-C again leaves too.")
        self.push_screen(ConfirmScreen("Leave without your changes?", text, "Leave", no="Stay"), self._left)

    def _left(self, yes: bool | None) -> None:
        self.asking_to_leave = False
        if not yes:
            self.stopping = False
            return
        self.exit(ReviewOutcome("kept", f"kept for later, unchanged: {self.session.original} "
                                  f"(codetape review {self.session.episode_id[:8]})", stop=self.stopping))

    def action_discard(self) -> None:
        text = (f"Delete episode {self.session.episode_id} ({self.session.original}) for good? Nothing of it "
                "is shared.")
        self.push_screen(ConfirmScreen("Discard this episode", text, "Discard"), self._discarded)

    def _discarded(self, yes: bool | None) -> None:
        if not yes:
            return
        try:
            self.session.discard()
        except CodetapeError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        self.exit(ReviewOutcome("discarded", f"discarded episode {self.session.episode_id}"))

    # -- plumbing ----------------------------------------------------------------------------------------

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """What the review says in passing goes on the status line above the keys, where it covers nothing;
        warnings and errors also as a toast, for a few seconds."""
        for status in self.query("#status").results(Static):
            status.update(Text(message, style="" if severity == "information" else "bold"))
        if severity != "information":
            super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def _tab(self) -> str:
        return self.query_one("#tabs", TabbedContent).active

    def _work(self, what: str, job: Callable[[], object], then: Callable[[], None] | None, *,
              ending: Choice | None = None) -> None:
        """Run `job` in a thread, one at a time; then `then` (or exit with `ending`) or say what failed."""
        if self.busy is not None:
            self.notify(f"still {self.busy}; wait a moment", severity="warning")
            return
        self.busy = what
        self.notify(f"{what}…", timeout=2)

        def run() -> Callable[[], None]:
            try:
                result = job()
            except CodetapeError as exc:
                message = str(exc)
                return lambda: self._failed(message)
            except Exception as exc:  # a bug: say so rather than leave the review waiting forever
                problem = f"{what} failed unexpectedly: {type(exc).__name__}: {exc}"
                return lambda: self._failed(problem)
            return lambda: self._finished(result, then, ending)

        # what follows runs once the worker has ended (on_worker_state_changed), so an ending's exit never
        # cancels the worker that asked for it
        self.run_worker(run, thread=True, exclusive=True, group="review", exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "review" and event.state == WorkerState.SUCCESS and callable(worker.result):
            worker.result()

    def _failed(self, message: str) -> None:
        self.busy = None
        self.notify(message, severity="error", timeout=15)

    def _finished(self, result: object, then: Callable[[], None] | None, ending: Choice | None) -> None:
        self.busy = None
        if ending is not None:
            self.exit(ReviewOutcome(ending, str(result)))
        elif then is not None:
            then()
        elif isinstance(result, str):
            self.notify(result, timeout=15)
