"""The review's dialogs: a one-line prompt, the discard confirmation, and the sign-off.

Each is a modal screen that answers through `dismiss`: Escape always cancels, and nothing is shared,
trimmed or deleted unless the reviewer confirms it in the dialog.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

CSS = """
ModalScreen { align: center middle; }
#dialog { width: 90; max-width: 95%; height: auto; max-height: 90%; border: thick $primary;
          background: $surface; padding: 1 2; }
#dialog .title { text-style: bold; margin-bottom: 1; }
#dialog .help { color: $text-muted; margin-bottom: 1; }
#dialog Horizontal { height: auto; margin-top: 1; }
#dialog Button { margin-right: 2; }
"""


class PromptScreen(ModalScreen[str | None]):
    """One line of input: Enter answers it, Escape cancels (None)."""

    DEFAULT_CSS = CSS
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel")]

    def __init__(self, title: str, help_text: str, value: str = "", *, password: bool = False) -> None:
        super().__init__()
        self._title, self._help, self._value, self._password = title, help_text, value, password

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self._title, classes="title", markup=False)
            yield Static(self._help, classes="help", markup=False)
            yield Input(value=self._value, password=self._password, id="answer")

    def on_mount(self) -> None:
        self.query_one("#answer", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question whose safe answer (No) has the focus."""

    DEFAULT_CSS = CSS
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel")]

    def __init__(self, title: str, text: str, yes: str, *, no: str = "Cancel") -> None:
        super().__init__()
        self._title, self._text, self._yes, self._no = title, text, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self._title, classes="title", markup=False)
            yield Static(self._text, markup=False)
            with Horizontal():
                yield Button(self._no, id="no")
                yield Button(self._yes, variant="error", id="yes")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_cancel(self) -> None:
        self.dismiss(False)


@dataclass(frozen=True)
class SignOff:
    """The reviewer's go-ahead: sign and queue, with the key's passphrase when it has one."""

    passphrase: str | None


class SignScreen(ModalScreen[SignOff | None]):
    """What will be signed and agreed to; `Sign and queue` signs, Cancel or Escape does not."""

    DEFAULT_CSS = CSS
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel")]

    def __init__(self, lines: list[str], *, needs_passphrase: bool) -> None:
        super().__init__()
        self._lines = lines
        self._needs_passphrase = needs_passphrase

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Sign into the outbox", classes="title")
            yield Static("\n".join(self._lines), markup=False)
            if self._needs_passphrase:
                yield Static("The signing key is protected: its passphrase, then Enter.", classes="help")
                yield Input(password=True, placeholder="passphrase", id="passphrase")
            with Horizontal():
                yield Button("Sign and queue", variant="primary", id="sign")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        target = "#passphrase" if self._needs_passphrase else "#sign"
        self.query_one(target).focus()

    def _answer(self) -> None:
        passphrase = self.query_one("#passphrase", Input).value if self._needs_passphrase else None
        self.dismiss(SignOff(passphrase or None))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._answer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "sign":
            self._answer()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
