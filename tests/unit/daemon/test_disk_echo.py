from __future__ import annotations

from msgspec.structs import replace

from collector.daemon.echo import DiskEcho
from schemas import Step, step_from_dict

A, B = "a" * 64, "b" * 64


def step(data: dict[str, object]) -> Step:
    """A test's step as the session holds it: typed, `t_ms` 0, an editor's unless it names its source."""
    return step_from_dict({"t_ms": 0, "source": "bridge", **data})


def change(path: str, change: str, digest: str | None = None, **extra: str) -> Step:
    return step({"kind": "file_change", "source": "files", "path": path, "change": change, "sha256": digest,
                 **extra})


def test_a_save_makes_the_watchers_identical_report_an_echo() -> None:
    echo = DiskEcho()
    assert not echo.is_echo(change("x.py", "modified", A), 0)
    echo.note(step({"kind": "save", "path": "x.py", "sha256": A}), 0)
    assert echo.is_echo(change("x.py", "modified", A), 0)
    assert not echo.is_echo(change("x.py", "modified", B), 0)
    assert not echo.is_echo(change("y.py", "modified", A), 0)


def test_deletes_renames_and_new_content_move_what_is_known() -> None:
    echo = DiskEcho()
    echo.note(change("x.py", "created", A), 0)
    assert echo.is_echo(change("x.py", "modified", A), 0)
    echo.note(change("x.py", "renamed", None, new_path="z.py"), 0)
    assert not echo.is_echo(change("x.py", "created", A), 0)
    assert echo.is_echo(change("z.py", "modified", A), 0)
    echo.note(change("z.py", "deleted"), 0)
    assert not echo.is_echo(change("z.py", "created", A), 0)


def test_only_content_changes_can_be_echoes() -> None:
    echo = DiskEcho()
    echo.note(step({"kind": "save", "path": "x.py", "sha256": A}), 0)
    assert not echo.is_echo(change("x.py", "deleted", A), 0)
    assert not echo.is_echo(step({"kind": "save", "path": "x.py", "sha256": A}), 0)
    echo.note(step({"kind": "save", "path": "x.py"}), 0)  # a save without a hash teaches nothing
    assert echo.is_echo(change("x.py", "modified", A), 0)


def test_an_echo_released_after_a_later_save_is_still_an_echo_but_old_content_later_is_not() -> None:
    echo = DiskEcho(window_ms=2000)
    echo.note(step({"kind": "save", "path": "x.py", "sha256": A}), 10_000)
    echo.note(step({"kind": "save", "path": "x.py", "sha256": B}), 10_500)
    assert echo.is_echo(change("x.py", "modified", A), 10_020)  # the first save, seen by the watcher
    assert not echo.is_echo(change("x.py", "modified", A), 60_000)  # content A restored a minute later


def test_an_editors_save_after_the_watchers_save_of_the_same_content_is_an_echo() -> None:
    """The editor's save step came later than the watcher's hold: the watcher's view was recorded as the
    save the editor had not said; the editor's own save of that content says nothing new."""
    echo = DiskEcho()
    editor = step({"kind": "save", "source": "bridge", "path": "x.py", "sha256": A})
    echo.note(step({"kind": "save", "source": "files", "path": "x.py", "sha256": A}), 0)
    assert echo.is_echo(editor, 5000) and not echo.is_echo(replace(editor, sha256=B), 0)
    assert not echo.is_echo(replace(editor, path="y.py"), 0)
    # edited since: a save again (an edit step holds its changes)
    echo.note(step({"kind": "edit", "source": "bridge", "path": "x.py", "changes": [{"text": "typed"}]}), 0)
    assert not echo.is_echo(editor, 0)


def test_a_late_view_of_any_save_of_two_seconds_of_saves_every_150_ms_is_its_echo() -> None:
    echo = DiskEcho()
    digests = [f"{n:064x}" for n in range(14)]  # 14 saves 150 ms apart: 1950 ms
    for n, digest in enumerate(digests):
        echo.note(step({"kind": "save", "path": "x.py", "sha256": digest}), n * 150)
    late = [n for n, digest in enumerate(digests) if not echo.is_echo(change("x.py", "modified", digest),
                                                                      n * 150 + 40)]
    assert late == []


def test_the_editor_s_late_save_of_a_change_split_from_an_agent_s_write_is_its_echo() -> None:
    echo = DiskEcho()
    mine, merged = change("x.py", "modified", A), change("x.py", "modified", B, origin="agent")
    echo.note(mine, 1000)  # her save's view, split from the agent's write (no origin), before the save came
    echo.note(merged, 1000)
    echo.note(step({"kind": "edit", "path": "x.py", "changes": [{"text": "x"}]}), 1010)  # her edits after it
    assert echo.is_echo(step({"kind": "save", "path": "x.py", "sha256": A}), 1300)
    assert not echo.is_echo(step({"kind": "save", "path": "x.py", "sha256": A}), 1000 + echo.window_ms + 1)
    other = DiskEcho()  # a write with no origin, the agent's write later: not one change split
    other.note(mine, 1000)
    other.note(merged, 1400)
    assert not other.is_echo(step({"kind": "save", "path": "x.py", "sha256": A}), 1500)
