"""ReflogTail reads what git appended, once, and notices rewrites and removals."""

from __future__ import annotations

from pathlib import Path

from collector.sources.git.reflog import ReflogTail, parse_line

A, B, C = "a" * 40, "b" * 40, "c" * 40


def line(old: str, new: str, message: str, seconds: int = 1_700_000_000) -> bytes:
    return f"{old} {new} Ann Dev <ann@example.com> {seconds} +0100\t{message}\n".encode()


def test_parse_line_reads_shas_time_and_message() -> None:
    entry = parse_line(line("0" * 40, A, "commit (initial): émoji 🎉 and: colons"))
    assert entry is not None
    assert (entry.old, entry.new, entry.seconds) == (None, A, 1_700_000_000)
    assert entry.message == "commit (initial): émoji 🎉 and: colons"
    assert parse_line(b"not a reflog line\n") is None


def test_tail_returns_only_new_complete_entries(tmp_path: Path) -> None:
    log = tmp_path / "HEAD"
    log.write_bytes(line("0" * 40, A, "commit (initial): one"))
    tail = ReflogTail(tmp_path, log.name)
    tail.skip_to_end()
    assert tail.read_new() == []
    with log.open("ab") as file:
        file.write(line(A, B, "commit: two"))
        file.write(line(B, C, "commit: three")[:30])  # git is still writing this one
    assert [e.message for e in tail.read_new() or []] == ["commit: two"]
    with log.open("ab") as file:
        file.write(line(B, C, "commit: three")[30:])
    assert [e.message for e in tail.read_new() or []] == ["commit: three"]
    assert tail.read_new() == []


def test_tail_reports_a_rewrite_and_continues_after_it(tmp_path: Path) -> None:
    log = tmp_path / "stash"
    log.write_bytes(line("0" * 40, A, "WIP on main: one") + line(A, B, "WIP on main: two"))
    tail = ReflogTail(tmp_path, log.name)
    assert len(tail.read_new() or []) == 2
    log.write_bytes(line("0" * 40, C, "On main: other"))  # `git stash drop` rewrites the file
    assert tail.read_new() is None
    with log.open("ab") as file:
        file.write(line(C, A, "On main: after"))
    assert [e.message for e in tail.read_new() or []] == ["On main: after"]


def test_a_removed_log_is_read_from_its_start_when_it_returns(tmp_path: Path) -> None:
    log = tmp_path / "topic"
    log.write_bytes(line("0" * 40, A, "branch: Created from HEAD"))
    tail = ReflogTail(tmp_path, log.name)
    tail.skip_to_end()
    log.unlink()  # `git branch -D topic`
    assert tail.read_new() is None
    assert tail.read_new() == []
    log.write_bytes(line("0" * 40, B, "branch: Created from main"))
    assert [e.message for e in tail.read_new() or []] == ["branch: Created from main"]


def test_a_log_that_is_a_link_or_behind_one_reads_as_empty(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "HEAD").write_bytes(line("0" * 40, A, "reset: moving to a secret"))
    git_dir = tmp_path / "git"
    (git_dir / "logs").mkdir(parents=True)
    (git_dir / "logs" / "HEAD").symlink_to(outside / "HEAD")
    (git_dir / "logs" / "refs").symlink_to(outside, target_is_directory=True)
    assert ReflogTail(git_dir, "logs/HEAD").entries() == []
    assert ReflogTail(git_dir, "logs/refs/HEAD").entries() == []
