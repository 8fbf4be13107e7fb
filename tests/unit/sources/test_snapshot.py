"""A snapshot's step (collector/sources/git/snapshot.py) without reading a repository: its detail names what
was left out, one path a line in a fixed order, and `named_in` reads back exactly those paths."""

from __future__ import annotations

from collector.sources.git.snapshot import MAX_BYTES, MAX_FILES, NAMED, Snapshot, named_in
from schemas import step_from_dict


def test_the_detail_names_what_was_left_out_and_named_in_reads_it_back() -> None:
    many = [f"src/m{n:02}.py" for n in range(NAMED + 5)]
    taken = Snapshot(state=[{"path": "a.py", "text": "a\n"}], bytes=2,
                     left_out={"cap": many, "link": ["cfg"], "binary": ["logo, new.png"]})
    gap = step_from_dict({**taken.step(), "t_ms": 0})
    assert gap.kind == "gap" and gap.reason == "snapshot" and gap.on_disk_only  # type: ignore[attr-defined]
    lines = taken.detail().split("\n")
    cap = f"left out, past the snapshot's cap of {MAX_FILES} files and {MAX_BYTES} bytes (25):"
    assert lines[:6] == ["snapshot of the files git tracks: 1 recorded (2 bytes)", "left out, binary (1):",
                         "  logo, new.png", "left out, a link (1):", "  cfg", cap]
    assert lines[-1] == "  (and 5 more)"
    assert named_in(taken.detail()) == ["logo, new.png", "cfg", *many[:NAMED]]


def test_a_snapshot_that_could_not_be_taken_says_why_and_holds_no_state() -> None:
    taken = Snapshot(problem="the workspace is not in a git repository")
    assert taken.step() == {"kind": "gap", "source": "collector", "reason": "snapshot",
                            "detail": "no snapshot of the files git tracks: the workspace is not in a git "
                                      "repository"}
    assert named_in(taken.detail()) == []


def test_past_a_count_of_the_rest_the_detail_says_more_than() -> None:
    taken = Snapshot(left_out={"cap": [f"f{n}" for n in range(30)]}, uncounted=True)
    lines = taken.detail().split("\n")
    assert lines[1].endswith("bytes (more than 30):") and lines[-1] == "  (and more than 10 more)"
    assert len(named_in(taken.detail())) == NAMED
