from __future__ import annotations

from collector.disk_echo import DiskEcho

A, B = "a" * 64, "b" * 64


def change(path: str, change: str, digest: str | None = None, **extra: str) -> dict[str, object]:
    return {"kind": "file_change", "path": path, "change": change, "sha256": digest, **extra}


def test_a_save_makes_the_watchers_identical_report_an_echo() -> None:
    echo = DiskEcho()
    assert not echo.is_echo(change("x.py", "modified", A))
    echo.note({"kind": "save", "path": "x.py", "sha256": A})
    assert echo.is_echo(change("x.py", "modified", A))
    assert not echo.is_echo(change("x.py", "modified", B))
    assert not echo.is_echo(change("y.py", "modified", A))


def test_deletes_renames_and_new_content_move_what_is_known() -> None:
    echo = DiskEcho()
    echo.note(change("x.py", "created", A))
    assert echo.is_echo(change("x.py", "modified", A))
    echo.note(change("x.py", "renamed", None, new_path="z.py"))
    assert not echo.is_echo(change("x.py", "created", A))
    assert echo.is_echo(change("z.py", "modified", A))
    echo.note(change("z.py", "deleted"))
    assert not echo.is_echo(change("z.py", "created", A))


def test_only_content_changes_can_be_echoes() -> None:
    echo = DiskEcho()
    echo.note({"kind": "save", "path": "x.py", "sha256": A})
    assert not echo.is_echo(change("x.py", "deleted", A))
    assert not echo.is_echo({"kind": "save", "path": "x.py", "sha256": A})
    echo.note({"kind": "save", "path": "x.py"})  # a save without a hash teaches nothing
    assert echo.is_echo(change("x.py", "modified", A))
