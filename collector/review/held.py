"""The episodes the outbox holds before they leave, in the terminal (Textual): why each is held, and the
contributor's choice. `codetape review` opens it first when upload runs hold any (collector/upload/asked.py).

s sends the episode under the cursor anyway (only one held because work of it was pushed after signing:
one that waits for k members leaves once the issuer counts them), w withdraws it (`codetape revoke`), each
after a question whose safe answer has the focus; q or Escape leaves the rest as they are. The app returns
a line for each choice made.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, Static

from collector.errors import CodetapeError
from collector.home import Home
from collector.review.dialogs import ConfirmScreen
from collector.upload.asked import HeldItem, held_items, withdraw
from collector.upload.pushed_since import send_anyway

INTRO = ("Signed episodes held in the outbox before they leave. s: send anyway (work of it was pushed after "
         "signing; whoever holds that repository can tell it is yours), w: withdraw it (never uploaded), "
         "q: leave them as they are.")


class HeldApp(App[list[str]]):
    TITLE = "codetape review: held episodes"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "send", "send anyway"),
        Binding("w", "withdraw", "withdraw"),
        Binding("q", "later", "later"),
        Binding("escape", "later", "later", show=False),
    ]

    def __init__(self, home: Home, items: list[HeldItem]) -> None:
        super().__init__()
        self.home = home
        self.items = {item.episode_id: item for item in items}
        self.said: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(INTRO, id="held-intro", markup=False)
        yield DataTable(id="held-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#held-table", DataTable).add_columns("episode", "held because")
        self.show()

    def show(self) -> None:
        """The items in the table, the cursor kept on its row."""
        table = self.query_one("#held-table", DataTable)
        row = table.cursor_row
        table.clear()
        for item in self.items.values():
            table.add_row(item.episode_id[:8], "; ".join(item.reasons), key=item.episode_id)
        table.move_cursor(row=min(row, max(0, table.row_count - 1)))
        table.focus()

    def chosen(self) -> HeldItem | None:
        """The item under the cursor (None when none is left)."""
        table = self.query_one("#held-table", DataTable)
        if not self.items or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.items.get(str(key))

    def action_send(self) -> None:
        item = self.chosen()
        if item is None:
            return
        if not item.pushed:
            self.notify(f"{item.episode_id[:8]} cannot be sent anyway: {'; '.join(item.reasons)} "
                        "(w withdraws it)", severity="warning")
            return
        text = (f"{'; '.join(item.reasons)}.\n\nSent anyway, it leaves at its random time, once its month "
                "counts enough members.")
        self.push_screen(ConfirmScreen(f"Send {item.episode_id[:8]} anyway", text, "Send anyway"),
                         lambda yes: self._sent(item, bool(yes)))

    def _sent(self, item: HeldItem, yes: bool) -> None:
        if yes and send_anyway(self.home, item.episode_id):
            self._done(f"{item.episode_id[:8]} goes although work of it was pushed: its time and k "
                       "members still apply")

    def action_withdraw(self) -> None:
        item = self.chosen()
        if item is None:
            return
        text = ("It is revoked: never uploaded, and the signed record of its withdrawal leaves on its own, "
                "at a random time.")
        self.push_screen(ConfirmScreen(f"Withdraw {item.episode_id[:8]}", text, "Withdraw"),
                         lambda yes: self._withdrawn(item, bool(yes)))

    def _withdrawn(self, item: HeldItem, yes: bool) -> None:
        if not yes:
            return
        try:
            done = withdraw(self.home, item.episode_id)
        except CodetapeError as exc:
            self.notify(str(exc).removeprefix("codetape: "), severity="error", markup=False)
            return
        self._done(f"withdrew {item.episode_id[:8]} on {done.revoked_at.date().isoformat()}: it is "
                   "never uploaded")

    def _done(self, line: str) -> None:
        """A choice made: said, and the list read again (one sent anyway may still wait for members); the
        app ends once nothing is held."""
        self.said.append(line)
        self.items = {item.episode_id: item for item in held_items(self.home)}
        self.notify(line, markup=False)
        if not self.items:
            self.exit(self.said)
            return
        self.show()

    def action_later(self) -> None:
        self.exit(self.said)
