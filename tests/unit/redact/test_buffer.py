"""One buffer kept true and redacted: the changes written replay to the redacted text, positions map."""

from __future__ import annotations

from collector.redact.placeholders import Registry
from collector.redact.scanning.ruleset import RuleSet
from collector.redact.stream.buffer import Buffer
from collector.redact.stream.text import TextRedactor
from collector.text.document import Document
from schemas.common import PositionEncoding
from schemas.steps import ContentChange
from schemas.steps.base import Position, Range

GH = "ghp_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4"
PH = "«redacted:github-token:1»"


def redactor() -> TextRedactor:
    return TextRedactor(RuleSet.default(), Registry())


def at(line: int, character: int, end: tuple[int, int] | None = None) -> Range:
    el, ec = end if end is not None else (line, character)
    return Range(start=Position(line=line, character=character), end=Position(line=el, character=ec))


class Mirror:
    """A buffer plus a Document fed only the changes it writes: what a reader of the episode sees."""

    def __init__(self, text: str, encoding: PositionEncoding = "utf-16") -> None:
        self.buf = Buffer(text, encoding, redactor())
        self.seen = Document(self.buf.redacted_text(), encoding)
        self.true = Document(text, encoding)

    def change(self, range_: Range | None, text: str) -> None:
        self.true.apply(range_, text)
        done = self.buf.change(range_, text)
        for change in [ContentChange(range=range_, text=text)] if done.same else done.changes:
            self.seen.apply(change.range, change.text)
        assert self.seen.text == self.buf.redacted_text()
        assert self.buf.true_text() == self.true.text


def test_a_buffer_opened_with_a_secret_shows_its_placeholder() -> None:
    buf = Buffer(f"a\ntoken = {GH}\n", "utf-16", redactor())
    assert buf.hidden and buf.redacted_text() == f"a\ntoken = {PH}\n"
    assert buf.true_text() == f"a\ntoken = {GH}\n"
    assert buf.fragments()[0][0] == GH


def test_edits_before_between_and_after_placeholders_land_where_they_belong() -> None:
    mirror = Mirror(f"x = '{GH}'; y = '{GH}'\nz\n")
    mirror.change(at(0, 0), "# ")  # before both
    line = mirror.true.text.splitlines()[0]
    mirror.change(at(0, line.index(" y")), "++")  # between them
    mirror.change(at(1, 0), "w")  # a later line
    end = len(mirror.true.text.splitlines()[0])
    mirror.change(at(0, end - 1, (0, end)), "")  # the quote after the second one
    assert mirror.true.text == f"# x = '{GH}';++ y = '{GH}\nwz\n"
    assert mirror.seen.text == mirror.true.text.replace(GH, PH)


def test_a_change_that_passes_through_is_the_same_change() -> None:
    buf = Buffer("plain text\n", "utf-16", redactor())
    done = buf.change(at(0, 5), "X")
    assert done.same and (done.a, done.b) == (5, 5)


def test_map_range_follows_the_redacted_text() -> None:
    buf = Buffer(f"k = {GH} + 1\n", "utf-16", redactor())
    plus = 4 + len(GH) + 1  # the "+" in the true text
    inside = buf.map_range(at(0, 10, (0, plus)))  # from inside the token to the "+" after it
    assert (inside.start.character, inside.end.character) == (4, 4 + len(PH) + 1)
    after = buf.map_range(at(0, plus, (0, plus + 1)))
    assert (after.start.character, after.end.character) == (4 + len(PH) + 1, 4 + len(PH) + 2)


def test_reset_keeps_what_is_hidden_for_the_same_text_and_leftovers_for_a_new_one() -> None:
    mirror = Mirror(f"t = {GH}\n")
    mirror.change(at(0, 15), " ")  # splits the token: both pieces stay hidden
    true = mirror.buf.true_text()
    assert mirror.buf.reset(true) == f"t = {PH} {PH}\n"
    piece = GH[11:]
    assert mirror.buf.reset(f"moved: {piece}\n") == f"moved: {PH}\n"


def test_a_stray_piece_run_into_a_token_while_typing_is_shown_again() -> None:
    mirror = Mirror("v = ok\n")
    for n, ch in enumerate("'" + GH):  # typed in front of "ok": ghp_...ok is one token until the quote
        mirror.change(at(0, 4 + n), ch)
    mirror.change(at(0, 45), "' ")
    assert mirror.seen.text == f"v = '{PH}' ok\n"


def test_crlf_breaks_are_never_split_by_a_trimmed_change() -> None:
    mirror = Mirror(f"a\r\nb = {GH}\r\nc\r\n")
    mirror.change(at(1, 44), "\r\nd")  # a new line right after the token
    mirror.change(at(0, 1, (1, 0)), "")  # join the first two lines
    assert mirror.seen.text == f"ab = {PH}\r\nd\r\nc\r\n"
    assert mirror.seen.lines == mirror.buf.d.lines


def test_a_whole_text_change_is_redacted_as_a_whole() -> None:
    mirror = Mirror("old\n")
    mirror.change(None, f"new {GH}\n")
    assert mirror.seen.text == f"new {PH}\n"


def test_copies_are_independent() -> None:
    buf = Buffer(f"t = {GH}\n", "utf-16", redactor())
    copy = buf.copy()
    buf.change(at(0, 0), "# ")
    assert copy.true_text() == f"t = {GH}\n" and copy.redacted_text() == f"t = {PH}\n"
    assert buf.redacted_text() == f"# t = {PH}\n"


def test_a_value_whose_rule_starts_lines_above_is_found_when_typed_key_by_key() -> None:
    """The scan around a keystroke reaches up to where a multi-line rule's match starts: a Terraform
    variable's block header, a .netrc `machine` line (it covered one line above, and leaked these)."""
    secret = "Vq7mZt2Lw9Kp3xRb"
    for head, line in [('variable "db_password" {\n  type      = string\n  sensitive = true\n',
                        f'  default   = "{secret}"'),
                       ("machine api.example.com\n  login deploy\n", f"  password {secret}")]:
        mirror = Mirror(head + "\n}\n")
        row = head.count("\n")
        for n, ch in enumerate(line):
            mirror.change(at(row, n), ch)
        assert secret not in mirror.seen.text, head
        assert "«redacted:" in mirror.seen.text.splitlines()[row], head
