"""A simulated programmer typing target lines into a Buffer, one keystroke per content change.

What VS Code does while someone types Python, reproduced closely enough for a benchmark:
- Enter inserts a line break plus auto-indent (the previous line's indent, one level more after `:`
  or an opening bracket, one less after `return`/`pass`/`raise`/`break`/`continue`); Enter on a line
  holding only auto-indent replaces that whitespace (trimAutoWhitespace). Tab inserts 4 spaces,
  Backspace in leading whitespace deletes back to the previous tab stop.
- Brackets and single-line quotes whose partner is on the same line are auto-closed; typing the
  partner later types over it (a caret move, no content change).
- Identifiers of 4+ characters are often completed: 1-3 typed characters, then one change replacing
  them with the whole word. With an `offer` callback (the recorder's training mode) the completion list
  is an `offer` step just before that change, as the bridge records one in proxy mode, and now and then
  (`Habits.inline`) an AI assistant offers the rest of a line as ghost text where its content starts
  (not at the top of an empty file, where it has nothing to go on):
  taken whole, taken a word at a time ("accept word") and typed on, or typed through up to where it
  goes wrong and written over with the developer's own text (an `offer` step just before the change
  that decided it: the dataset's preferences come from the last two). Typos (a neighbouring key,
  sometimes followed by more characters) are noticed and backspaced. Now and then a word is deleted
  (Ctrl+Backspace) and retyped, or a block of lines is pasted.
Every keystroke is `wait(delay_ms)` (time passes, the editor and linter act on their own) and then,
unless it only moved the caret, `emit(change, origin)` with the change it made to the buffer and whose
work it is (`typed`, `paste`, `completion`, `ai_completion`); an offer is `offer(fields)`, the step's
fields but its path and range (the caret).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.support.buffer import Buffer, Change
from tests.support.timing import Timing

Wait = Callable[[int], None]
Emit = Callable[[Change, str], None]  # the change, and whose work it is (an edit's origin)
Offer = Callable[[dict[str, Any]], None]  # an offer step's fields but path and range, at the caret

OPENERS = {"(": ")", "[": "]", "{": "}"}
QUOTES = ("'", '"')
DEDENT_AFTER = re.compile(r"\s*(return|pass|raise|break|continue)\b")
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{3,}")
NAME = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
WORD_END = re.compile(r"\W*\w+")  # what an inline suggestion's "accept word" takes
GUESSES = ["value", "result", "self", "name", "data", "key", "None", "item", "args", "index", "text"]
INLINE = {"via": "inline", "evidence": "lsp:textDocument/inlineCompletion", "provider": "copilot", "ai": True}
WORDISH = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_. ")
KEYBOARD = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
NEIGHBOURS = {
    ch: "".join(row[j] for j in (i - 1, i + 1) if 0 <= j < len(row))
    for row in KEYBOARD for i, ch in enumerate(row)
}


@dataclass
class Habits:
    """How often this programmer does each thing (per character or per line)."""

    typo: float = 0.025
    complete: float = 0.45
    retype_word: float = 0.004
    paste: float = 0.008
    inline: float = 0.0  # lines where an AI offers the rest as ghost text (with an `offer` callback)


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def auto_pairs(content: str) -> dict[int, int]:
    """Opening index -> partner index for brackets and one-line quotes closed on the same line."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    i = 0
    while i < len(content):
        ch = content[i]
        if ch == "#":
            break
        if ch in QUOTES:
            if content.startswith(ch * 3, i):
                return pairs  # a triple-quoted string: type the rest of the line literally
            j = i + 1
            while j < len(content) and content[j] != ch:
                j += 2 if content[j] == "\\" else 1
            if j >= len(content):
                return pairs
            pairs[i] = j
            i = j + 1
            continue
        if ch in OPENERS:
            stack.append(i)
        elif ch in ")]}" and stack:
            opener = stack.pop()
            if OPENERS.get(content[opener]) == ch:
                pairs[opener] = i
        i += 1
    return pairs


class Typist:
    """Types lines into one buffer at a time; all randomness from `rng`."""

    def __init__(self, rng: random.Random, timing: Timing, habits: Habits, wait: Wait, emit: Emit,
                 offer: Offer | None = None) -> None:
        self.rng = rng
        self.timing = timing
        self.habits = habits
        self.wait = wait
        self.emit = emit
        self.offer = offer

    def enter(self, buf: Buffer, delay: int) -> None:
        current = buf.current
        if current.strip() == "":
            self.wait(delay)
            self.emit(buf.replace(buf.line, 0, buf.line, buf.col, "\n" + current), "typed")
            return
        indent = indent_of(current)
        if current.rstrip().endswith((":", "(", "[", "{")):
            indent += 4
        elif DEDENT_AFTER.match(current):
            indent = max(indent - 4, 0)
        self.wait(delay)
        self.emit(buf.type("\n" + " " * indent), "typed")

    def indent_to(self, buf: Buffer, target: int) -> None:
        """From auto-indent to the target indent with Tab, Backspace and spaces."""
        have = buf.col
        while have < target:
            step = 4 if target - have >= 4 and have % 4 == 0 else 1
            self.wait(self.timing.repeat())
            self.emit(buf.type(" " * step), "typed")
            have += step
        while have > target:
            step = have % 4 or 4
            self.wait(self.timing.repeat())
            self.emit(buf.backspace(step), "typed")
            have -= step
            if have < target:
                self.wait(self.timing.repeat())
                self.emit(buf.type(" " * (target - have)), "typed")
                have = target

    def type_lines(self, buf: Buffer, lines: list[str], *, first_enter: bool = True) -> None:
        """Type `lines` after the caret's line (or, without first_enter, starting at the caret)."""
        k = 0
        while k < len(lines):
            block = k == 0 or lines[k].lstrip().startswith(("def ", "class ", "async def ", "@")) or (
                lines[k - 1].strip() == "")
            delay = self.timing.line_end(block) + self.timing.key()
            if first_enter or k > 0:
                self.enter(buf, delay)
                delay = self.timing.key()
            remaining = len(lines) - k
            if remaining > 2 and lines[k].strip() and self.rng.random() < self.habits.paste:
                count = min(remaining, self.rng.randint(2, 14))
                self.wait(delay + self.timing.choose())
                self.emit(buf.replace_left(buf.col, "\n".join(lines[k : k + count])), "paste")
                k += count
                continue
            line = lines[k]
            if line.strip():
                self.indent_to(buf, indent_of(line))
                self.type_content(buf, line, indent_of(line))
            k += 1
        if buf.current.strip() == "" and buf.col > 0:
            self.wait(self.timing.repeat())
            self.emit(buf.backspace(buf.col), "typed")  # leave no trailing whitespace

    def type_content(self, buf: Buffer, line: str, start: int) -> None:
        pairs = auto_pairs(line)
        buf.typing = True
        closers: list[int] = []  # partner indexes of auto-inserted closers right of the caret
        i = start
        if (self.offer is not None and len(line) - start >= 8 and (buf.line or start)
                and self.rng.random() < self.habits.inline):  # (nothing before the caret: no suggestion)
            i = self._inline(buf, line, start)
        while i < len(line):
            ch = line[i]
            delay = self.timing.key()
            word = IDENT.match(line, i)
            at_word_start = i == 0 or not (line[i - 1].isalnum() or line[i - 1] == "_")
            if word and at_word_start and self.rng.random() < self.habits.complete:
                i = self._complete(buf, word.group(), i)
                continue
            if ch.isalpha() and self.rng.random() < self.habits.typo:
                self._typo(buf, line, i)
            if ch == " " and i > start and self.rng.random() < self.habits.retype_word:
                back = self._retype_word(buf, line, i)
                if back != i:
                    i = back
                    continue
            self.wait(delay)
            if closers and closers[-1] == i:
                closers.pop()
                buf.move(buf.line, buf.col + 1)  # typing over the auto-inserted closer
            elif i in pairs:
                closers.append(pairs[i])
                change = buf.type(ch + line[pairs[i]])
                buf.move(buf.line, buf.col - 1)  # the caret stays between the pair
                self.emit(change, "typed")
            else:
                self.emit(buf.type(ch), "typed")
            if not ch.isalnum():
                self.wait(self.timing.after_word())
            i += 1
        buf.typing = False

    def _complete(self, buf: Buffer, word: str, i: int) -> int:
        typed = self.rng.randint(1, min(3, len(word) - 2))
        for ch in word[:typed]:
            self.wait(self.timing.key())
            self.emit(buf.type(ch), "typed")
        self.wait(self.timing.choose())
        if self.offer is not None:  # the list pylsp offered, filtered by what is typed
            self.offer({"via": "completion", "evidence": "lsp:textDocument/completion", "provider": "pylsp",
                        "items": [{"text": word}, {"text": word + "_"}, {"text": word.upper()}],
                        "decision": "accepted", "taken": 0})
        self.emit(buf.replace_left(typed, word), "completion")
        return i + len(word)

    def _inline(self, buf: Buffer, line: str, start: int) -> int:
        """An AI's suggestion for the rest of the line at `start`; where the typing goes on from."""
        assert self.offer is not None
        rest, roll = line[start:], self.rng.random()
        wrong = self.guess(rest)
        if roll < 0.4 or wrong is None:  # taken whole
            self.take_inline(buf, rest)
            return len(line)
        same = next((n for n, (a, b) in enumerate(zip(rest, wrong, strict=False)) if a != b), None)
        assert same is not None  # (guess: they differ before either ends)
        word = WORD_END.match(wrong)
        if roll < 0.65 and word is not None and 2 <= word.end() <= same:  # a word taken, then their own
            self.wait(self.timing.choose())
            self.offer({**INLINE, "items": [{"text": wrong}], "decision": "partly_accepted", "taken": 0,
                        "taken_chars": word.end()})
            self.emit(buf.type(wrong[:word.end()]), "ai_completion")
            return start + word.end()
        for ch in rest[:same]:  # typed through while it matches (the bridge keeps it pending), then not
            self.wait(self.timing.key())
            self.emit(buf.type(ch), "typed")
        self.wait(self.timing.key())
        self.offer({**INLINE, "items": [{"text": wrong[same:]}], "decision": "not_taken"})
        self.emit(buf.type(rest[same]), "typed")
        return start + same + 1

    def take_inline(self, buf: Buffer, text: str) -> None:
        """An AI's inline suggestion of `text` at the caret, taken whole."""
        assert self.offer is not None
        self.wait(self.timing.choose())
        self.offer({**INLINE, "items": [{"text": text}], "decision": "accepted", "taken": 0})
        self.emit(buf.type(text), "ai_completion")

    def guess(self, rest: str) -> str | None:
        """An AI's wrong guess at `rest`: one of its names another; None when it has none to change or
        the guess would end where `rest` goes on (a suggestion typed through to its end is taken)."""
        names = list(NAME.finditer(rest))
        if not names:
            return None
        found = self.rng.choice(names)
        other = self.rng.choice([guess for guess in GUESSES if guess != found.group()])
        wrong = rest[:found.start()] + other + rest[found.end():]
        if self.rng.random() < 0.3:
            wrong = wrong[:found.start() + len(other)]  # and it stops there
        differ = next((n for n, (a, b) in enumerate(zip(rest, wrong, strict=False)) if a != b), None)
        return None if differ is None else wrong

    def _typo(self, buf: Buffer, line: str, i: int) -> None:
        wrong = self.rng.choice(NEIGHBOURS.get(line[i].lower(), "e"))
        self.wait(self.timing.key())
        self.emit(buf.type(wrong), "typed")
        extra = 0
        while extra < 2 and i + extra < len(line) and line[i + extra] in WORDISH and self.rng.random() < 0.4:
            self.wait(self.timing.key())
            self.emit(buf.type(line[i + extra]), "typed")
            extra += 1
        delay = self.timing.notice()
        for _ in range(extra + 1):
            self.wait(delay)
            self.emit(buf.backspace(), "typed")
            delay = self.timing.repeat()

    def _retype_word(self, buf: Buffer, line: str, i: int) -> int:
        start = i
        while start > 0 and (line[start - 1].isalnum() or line[start - 1] == "_"):
            start -= 1
        if start == i or start <= indent_of(line):
            return i
        self.wait(self.timing.notice())
        self.emit(buf.backspace(i - start), "typed")
        return start
