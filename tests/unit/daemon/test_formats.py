"""A formatter's write on save told from the watcher's late view of a save: the developer saving again
and again within the window (as Vim users do, `:w` after each line) is never a formatter's write."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from collector.daemon.formats import ECHOES, SAVE_MS, Formats
from collector.text.digest import sha256_text
from schemas import steps as kinds


def save(path: str, text: str) -> kinds.SaveStep:
    return kinds.SaveStep(t_ms=0, source="bridge", path=path, sha256=sha256_text(text))


def view(path: str, text: str) -> kinds.FileChangeStep:
    return kinds.FileChangeStep(t_ms=0, source="files", path=path, change="modified", text=text,
                                sha256=sha256_text(text))


@given(st.lists(st.text(min_size=1, max_size=8), min_size=2, max_size=ECHOES, unique=True),
       st.integers(0, SAVE_MS // 20))
def test_a_late_view_of_any_save_in_the_window_is_its_echo(texts: list[str], gap_ms: int) -> None:
    formats = Formats()
    for at, text in enumerate(texts):
        formats.note(save("app.py", text), text, at * gap_ms)
    now = len(texts) * gap_ms
    last = texts[-1]
    for text in texts:  # every earlier save's view, seen after the last save: none a formatter's
        assert not formats.may_write(view("app.py", text), last, now)
    formatted = "".join(texts) + "\n"  # a text no save wrote: a formatter's may be
    assert formats.may_write(view("app.py", formatted), last, now)
    assert not formats.may_write(view("app.py", formatted), last, now + SAVE_MS + len(texts) * gap_ms)


def test_a_save_older_than_the_window_is_forgotten_with_it() -> None:
    formats = Formats()
    formats.note(save("app.py", "a"), "a", 0)
    formats.note(save("app.py", "b"), "b", SAVE_MS + 1)  # the window of "a" had closed
    assert formats.may_write(view("app.py", "a"), "b", SAVE_MS + 2)  # "a" again is a write, not an echo


def test_a_view_of_a_save_seen_half_written_is_told_by_its_text() -> None:
    formats = Formats()
    saved = "def add(a, b):\n    return a + b\n# line 1\n"
    formats.note(save("app.py", saved), saved, 0)
    assert formats.saved(view("app.py", saved)) and not formats.saved(view("app.py", saved[:20]))
    for cut in ("", saved[:20], saved[:-1]):  # truncated, then written in part
        assert formats.half_saved(view("app.py", cut), ())
    assert not formats.half_saved(view("app.py", saved), ())  # the whole save
    assert not formats.half_saved(view("app.py", saved + "x"), ())  # more than it saved
    assert not formats.half_saved(view("other.py", ""), ())  # another file: no save of it in the window
    typed = saved + "# line 2\n"  # the document's text, its save still on its way
    assert formats.half_saved(view("other.py", typed[:30]), (typed,))
