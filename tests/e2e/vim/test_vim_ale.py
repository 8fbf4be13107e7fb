"""Real Vim 9 with ALE 3.3 (Debian's vim and vim-ale) in tmux, with codetape's shipped
`editor_extensions/vim/codetape.vim` sourced from the user's vimrc: pylsp behind the bridge for Python, the
bridge as an ALE language server for every other file type (here text). One session per module, typed as a
person would: non-ASCII mid-line, undo, a substitution and a visual-block insert (several lines changed at
once), saves, a new file, a text file."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from collector.reconstruct.workspace import step_texts
from schemas.steps import DiagnosticsStep
from tests.e2e.editor_session import (  # and the checks every editor's session passes
    Recorded,
    TerminalEditor,
    expect,
    save_problems,
    terminal_session,
    test_the_episode_checks_out_byte_exact,  # noqa: F401
    test_the_episode_verifies,  # noqa: F401
)

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = ROOT / "editor_extensions" / "vim" / "codetape.vim"
# the user's own vimrc: a status line with the file name and its modified flag, and codetape's file
VIMRC = """set nocompatible
filetype plugin indent on
set noswapfile nobackup nowritebackup laststatus=2 statusline=%%f%%m
set hidden  " as codetape.vim advises: ALE sends a buffer unloaded mid-lint as empty
source %s
"""


class Vim(TerminalEditor):
    """Vim in a tmux window, typed into key by key, waited on by what its screen shows."""

    def type(self, text: str) -> None:
        self.term.keys("-l", text)

    def normal(self) -> None:
        """Leave insert mode, once Vim shows it (the keys before may still be on their way)."""
        self.term.wait(lambda s: "-- INSERT --" in s, "Vim in insert mode")
        self.term.keys("Escape")
        self.term.wait(lambda s: "-- INSERT --" not in s, "Vim in normal mode")

    def open(self, relpath: str) -> None:
        """`:e relpath`, and wait until its server has the buffer (ALE starts it on opening)."""
        self.term.keys(f":e {relpath}", "Enter")
        self.recorded("open", relpath)

    def save(self, relpath: str) -> None:
        """`:w`, once Vim has written the file (the status line drops [+]); keep the bytes it wrote."""
        count = len(self.disk.setdefault(relpath, []))
        self.term.wait(lambda s: f"{relpath}[+]" in s, f"{relpath} modified before its save")
        self.term.keys(":w", "Enter")
        # written: the status line (`%f%m`) drops [+]; Vim's "written" message may already be replaced
        # by ALE's echo of a diagnostic (CI once saw only that)
        self.term.wait(lambda s: relpath in (line.strip() for line in s.splitlines()), f"{relpath} written")
        self.disk[relpath].append((self.workspace / relpath).read_bytes())
        self.recorded("save", relpath, count + 1)


def type_the_session(editor: Vim) -> None:
    """The session, typed once pylsp's first diagnostic is on the screen."""
    editor.term.keys("G", "o")
    editor.type('name = "café 中文 done"')
    editor.normal()
    editor.term.keys("0", "f", "d", "i")  # back into the middle of the line, before "done"
    editor.type("😀 ")
    editor.normal()
    editor.save("app.py")
    editor.term.keys("u")  # undo the emoji
    editor.term.wait(lambda s: "😀" not in s, "the undo")
    editor.save("app.py")
    editor.term.keys("G", "o")
    editor.type("value = 1")
    editor.term.keys("Enter")
    editor.type("value += value")
    editor.normal()
    editor.type(":%s/value/tötal/g")
    editor.term.keys("Enter")
    editor.term.wait(lambda s: "3 substitutions on 2 lines" in s, "the substitution")
    editor.term.keys("g", "g", "j", "C-v", "j", "I")  # a visual block over lines 2 and 3, inserted before
    editor.type("# ")
    editor.term.keys("Escape")
    editor.term.wait(lambda s: "# tötal = 1" in s, "the visual-block insert")
    editor.save("app.py")
    editor.new_file_and_text_file()


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    assert shutil.which("vim") and Path("/usr/share/vim-ale").is_dir(), (
        "Vim or ALE is missing: run scripts/setup (apt: vim vim-ale)")
    base = tmp_path_factory.mktemp("vim")
    vimrc = base / ".vimrc"
    vimrc.write_text(VIMRC % SHIPPED, encoding="utf-8")
    yield from terminal_session(base, Vim, "vim", {}, type_the_session)


def test_vim_typed_what_the_session_meant(recorded: Recorded) -> None:
    app, new, notes = (recorded.workspace / name for name in ("app.py", "new.py", "notes.txt"))
    typed = 'import os\n# name = "café 中文 done"\n# tötal = 1\ntötal += tötal\n'
    assert app.read_text(encoding="utf-8") == typed
    assert recorded.disk["app.py"][0] == 'import os\nname = "café 中文 😀 done"\n'.encode()
    assert new.read_text(encoding="utf-8") == 'print("新 ✨")\n'
    assert notes.read_text(encoding="utf-8") == "notes: héllo 中 😀 bye\n"


def test_vim_every_write_is_a_save_that_reconstructs_byte_exact(recorded: Recorded) -> None:
    """ALE also sends didSave when it lints, without a write: each write is a save's text, in order."""
    expect(save_problems(recorded, lint_saves=True), "the saves")


def test_ales_literal_backslash_n_never_reaches_the_episode(recorded: Recorded) -> None:
    """ALE's didSave text joins lines with a literal backslash-n: the bridge sees it disagree with both its
    copy and the file on disk, and ignores it (issue 27, item 3)."""
    texts = [text for step in recorded.episode.steps() for text in step_texts(step)]
    assert texts and not any("\\n" in text for text in texts)


def test_vim_records_pylsp_diagnostics_through_the_proxy(recorded: Recorded) -> None:
    messages = [item.message for step in recorded.episode.steps() if isinstance(step, DiagnosticsStep)
                for item in step.items]
    assert any("'os' imported but unused" in message for message in messages), messages
    assert any("undefined name 'tötal'" in message for message in messages), messages
