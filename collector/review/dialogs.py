"""The review's dialogs: a one-line prompt, the discard confirmation, and the sign-off.

Each is a modal screen that answers through `dismiss`: Escape always cancels, and nothing is shared,
trimmed or deleted unless the reviewer confirms it in the dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
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


class HelpScreen(ModalScreen[None]):
    """The review's keys, tab by tab; any of Escape, ? or q closes it."""

    DEFAULT_CSS = CSS + "HelpScreen #help-scroll { height: auto; max-height: 100%; }"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q", "close", "close")]

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"), VerticalScroll(id="help-scroll"):
            yield Static("Keys of the review (Escape, ? or q closes this)", classes="title")
            yield Static(self._text, markup=False)

    def action_close(self) -> None:
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
    """The reviewer's go-ahead: sign and queue, with the key's passphrase when it has one; `new_key`: make
    the signing key first (protected by `passphrase`, None: none); `destination`: set it as where signed
    episodes are uploaded first (None: leave config.toml as it is)."""

    passphrase: str | None
    new_key: bool = False
    destination: str | None = None


@dataclass(frozen=True)
class SignAsk:
    """What the sign dialog asks besides the go-ahead."""

    passphrase: bool = False  # the key is protected: its passphrase
    make_key: bool = False  # there is no key yet: make one here (a passphrase, twice, empty for none)
    destination: bool = False  # no destination is configured: one may be given here
    blocked: str | None = None  # why it cannot sign here at all (unlinkable mode, not enrolled: how to)


class SignScreen(ModalScreen[SignOff | None]):
    """What will be signed and agreed to; `Sign and queue` signs, Cancel or Escape does not. It fits a small
    terminal (an editor's split): one-line inputs and buttons, and what is stated scrolls."""

    DEFAULT_CSS = CSS + """
    SignScreen #dialog { padding: 0 1; max-height: 100%; }
    SignScreen #dialog .title { margin-bottom: 0; }
    SignScreen #dialog .help { margin-bottom: 0; }
    SignScreen #statement { height: auto; }
    SignScreen #dialog Horizontal { margin-top: 0; }
    SignScreen #dialog Input { width: 1fr; }
    SignScreen #problem { color: $error; height: auto; display: none; }
    """
    # Tab, Shift+Tab and Enter are taken in the app's own turn, before it hands on the next key: keys
    # arriving in a burst (a paste, a password manager) are handed to the field focused when each is read,
    # so a move left to the field, which handles its keys later in its own turn, would come after keys
    # meant for the next field
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel"),
        Binding("tab", "move(1)", show=False, priority=True),
        Binding("shift+tab", "move(-1)", show=False, priority=True),
        Binding("enter", "enter", show=False, priority=True),
    ]
    AUTO_FOCUS = "Input, Button"  # the first input, else the first button: never the statement's scroll
    FIXED_ROWS = 3  # the border and the title
    ROOMY = 24  # rows from which the hints above the inputs are shown

    def __init__(self, lines: list[str], ask: SignAsk | None = None,
                 check_destination: Callable[[str], str | None] | None = None) -> None:
        super().__init__()
        self._lines = lines
        self._ask = ask or SignAsk()
        self._check = check_destination

    def compose(self) -> ComposeResult:
        ask = self._ask
        with Vertical(id="dialog"):
            yield Static("Sign into the outbox", classes="title")
            with VerticalScroll(id="statement"):
                yield Static("\n".join(self._lines), markup=False)
            if ask.blocked is not None:
                yield Static(ask.blocked, classes="help", markup=False)
            if ask.passphrase:
                yield Static("The signing key is protected: its passphrase, then Enter.", classes="help hint")
                yield Input(password=True, placeholder="passphrase", id="passphrase", compact=True)
            if ask.make_key:
                yield Static("You have no signing key yet: it is made now, in your codetape home. A "
                             "passphrase protects it; leave both empty for none.", classes="help hint")
                with Horizontal():
                    yield Input(password=True, placeholder="new key's passphrase (empty: none)",
                                id="new-passphrase", compact=True)
                    yield Input(password=True, placeholder="the same again", id="again", compact=True)
            if ask.destination:
                yield Static("No upload destination yet: give one (file:///DIR or s3://BUCKET/PREFIX), or "
                             "leave it empty and the episode waits in the outbox (codetape config set "
                             "upload.to URL later).", classes="help hint")
                yield Input(placeholder="upload to: file:///DIR or s3://BUCKET/PREFIX (empty: later)",
                            id="destination", compact=True)
            yield Static(id="problem", markup=False)
            with Horizontal():
                if ask.blocked is None:
                    label = "Make the key, sign and queue" if ask.make_key else "Sign and queue"
                    yield Button(label, variant="primary", id="sign", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        first = self.query("Input, Button").first()
        self.set_focus(first)  # at once, before the first key can arrive (AUTO_FOCUS comes later)
        self.call_after_refresh(self._fit)  # once laid out: the other parts' heights are known then

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        """The statement scrolls in what is left once everything else has its rows; in a small terminal
        the inputs' placeholders say what the hints above them would."""
        for hint in self.query(".hint"):
            hint.display = self.size.height >= self.ROOMY
        others = sum(widget.outer_size.height for widget in self.query_one("#dialog").children
                     if widget.id != "statement" and widget.display)
        room = self.size.height - self.FIXED_ROWS - max(others - 1, 0)
        self.query_one("#statement").styles.max_height = max(room, 2)

    def _answer(self) -> None:
        ask = self._ask
        if ask.blocked is not None:
            return
        passphrase = self.query_one("#passphrase", Input).value if ask.passphrase else None
        if ask.make_key:
            passphrase = self.query_one("#new-passphrase", Input).value
            if passphrase != self.query_one("#again", Input).value:
                self._refuse("the two passphrases differ; type the same twice (or leave both empty)",
                             "#new-passphrase")
                return
        destination = self.query_one("#destination", Input).value.strip() if ask.destination else ""
        if destination and self._check is not None:
            refused = self._check(destination)
            if refused is not None:
                self._refuse(refused, "#destination")
                return
        self.dismiss(SignOff(passphrase or None, ask.make_key, destination or None))

    def _refuse(self, problem: str, field: str) -> None:
        """Say in the dialog what is wrong, and go back to the input to fix."""
        shown = self.query_one("#problem", Static)
        shown.display = True
        shown.update(problem)
        self.set_focus(self.query_one(field, Input))
        self.call_after_refresh(self._fit)

    def action_move(self, step: int) -> None:
        """Tab, Shift+Tab: the next or previous field or button, at once."""
        if step > 0:
            self.focus_next()
        else:
            self.focus_previous()

    def action_enter(self) -> None:
        """Enter in the new passphrase goes on to the same again, at once; in any other field it signs, once
        that field has taken the keys typed before it; on a button it presses the button."""
        focused = self.focused
        if not isinstance(focused, Input):
            raise SkipAction()
        if focused.id == "new-passphrase":
            self.set_focus(self.query_one("#again", Input))
        else:
            focused.call_later(self._answer)  # in the field's turn, after the keys it still holds

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "sign":
            self._answer()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
