"""The split's rules (collector/export/split.py): one repository under its remote's spellings, the side
taken by a repository, by the same steps and by a near duplicate, `none` when those disagree, and the leak
count that the build checks its rows with."""

from __future__ import annotations

from collector.export.split import SplitIndex, duplicates, leaks, repository_key, side_of, signature
from schemas import WorkspaceIdentity

CODE = "\n".join(f"def handler_{n}(request):\n    return respond(request, status={n})" for n in range(60))


def key(remote: str | None, root: str = "app") -> str:
    return repository_key(WorkspaceIdentity(root_name=root, git_remote=remote))


def test_a_repository_is_one_key_however_its_remote_is_spelt() -> None:
    spellings = ["git@GitHub.com:acme/app.git", "https://github.com/acme/app.git", "https://github.com/acme/app",
                 "ssh://git@github.com/acme/app.git/", "https://github.com/acme/app/"]
    assert {key(remote) for remote in spellings} == {"git:github.com/acme/app"}
    assert key(None, "app") == "workspace:app" != key("https://github.com/acme/other")


def test_a_side_is_taken_by_the_repository_the_same_steps_and_a_near_duplicate() -> None:
    index = SplitIndex()
    first = index.place("git:h/a", "s1", signature(CODE))
    assert first == side_of("git:h/a")
    assert index.place("git:h/a", "s2", None) == first  # its repository's
    other = next(f"git:h/r{n}" for n in range(400) if side_of(f"git:h/r{n}") != first)
    assert index.place(other, "s1", None) == first  # the same steps, in a repository the hash puts apart
    near = CODE.replace("status=7)", "status=8)")
    assert index.decide(f"{other}-fork", "s3", signature(near)) == first  # a near duplicate
    unrelated = signature("an unrelated text " * 50)
    assert index.decide(f"{other}-fork", "s3", unrelated) == side_of(f"{other}-fork")


def test_an_episode_matching_both_sides_is_in_neither() -> None:
    index = SplitIndex()
    train = next(f"git:h/t{n}" for n in range(400) if side_of(f"git:h/t{n}") == "train")
    evaluated = next(f"git:h/e{n}" for n in range(400) if side_of(f"git:h/e{n}") == "eval")
    index.place(train, "s1", None)
    index.place(evaluated, "s2", None)
    assert index.place(train, "s2", None) == "none"  # its repository says train, its steps eval
    assert index.decide("git:h/new", "s2", None) == "eval"  # a `none` gives no side to what matches it


def test_leaks_and_duplicates_are_counted_from_the_rows() -> None:
    code = signature(CODE)
    assert leaks([("train", "s1", code), ("eval", "s2", signature("unrelated words " * 40))]) == 0
    assert leaks([("train", "s1", None), ("eval", "s1", None)]) == 2
    assert leaks([("train", "s1", code), ("eval", "s2", signature(CODE + "\n# end"))]) == 2
    ended = signature(CODE + "\n# end")
    assert duplicates([("s1", code), ("s1", code), ("s2", ended), ("s3", None)]) == (2, 1)


def test_an_unlinkable_episode_without_a_remote_is_a_repository_of_its_own() -> None:
    """Issue 52, item 5: every unlinkable episode's folder is `workspace`; grouped by it, all of them
    would fall on one side of the split, in an export as in a dataset."""
    from collector.export.split import repository_of
    from tests.fixtures.make_golden import MINIMAL_HEADER

    header = MINIMAL_HEADER
    assert repository_of(header, unlinkable=True) == f"episode:{header.episode_id}"
    assert repository_of(header, unlinkable=False) == repository_key(header.workspace)
