"""The benchmark's session generator: its steps replay exactly, and they survive the episode format."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.episode import open_episode, write_episode_file
from collector.reconstruct.workspace import replay, workspace_at
from collector.text.document import Document
from schemas import step_to_dict
from schemas.steps import EditStep, OfferStep
from schemas.steps.base import Position, Range
from tests.support.buffer import Buffer
from tests.support.sessions import Session, generate


@pytest.fixture(scope="module")
def session() -> Session:
    return generate(7, "edit-heavy", scale=0.06)


def test_edit_heavy_session_replays_to_the_typed_files(session: Session) -> None:
    workspace = None
    for _, step, workspace in replay(session.header.position_encoding, session.steps):
        if step.kind == "save":
            assert workspace.save_mismatch(step) is None
    assert workspace is not None
    assert session.expected
    for path, text in session.expected.items():
        assert workspace.text(path) == text


def test_session_looks_like_vscode_typing(session: Session) -> None:
    kinds = [step.kind for step in session.steps]
    assert kinds.count("edit") > 0.7 * len(kinds)
    assert {"open", "save", "diagnostics", "test_run", "git", "command"} <= set(kinds)
    times = [step.t_ms for step in session.steps]
    assert times == sorted(times)
    versions: dict[str, int] = {}
    for step in session.steps:
        if step.kind == "open":
            versions[step.path] = step.version
        elif step.kind == "edit":
            assert step.version == versions[step.path] + 1
            versions[step.path] = step.version
    assert len(session.wire) == len(session.steps)
    assert session.header.position_encoding == "utf-16"


def test_same_seed_same_session() -> None:
    first = generate(3, "mixed", scale=0.02)
    second = generate(3, "mixed", scale=0.02)
    assert [step_to_dict(s) for s in first.steps] == [step_to_dict(s) for s in second.steps]
    assert generate(4, "mixed", scale=0.02).steps != first.steps


def test_session_survives_the_episode_format(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "bench.ctape"
    write_episode_file(path, session.header, session.steps)
    episode = open_episode(path)
    assert [step_to_dict(s) for s in episode.steps()] == [step_to_dict(s) for s in session.steps]


def test_buffer_ranges_count_utf16_units() -> None:
    buf = Buffer("x = '😀'\ny")
    buf.move(0, 6)
    change = buf.type("é")
    assert change.start == change.end == (0, 7)
    buf.move(1, 1)
    change = buf.backspace()
    assert (change.start, change.end, change.range_length) == ((1, 0), (1, 1), 1)
    doc = Document("x = '😀'\ny", "utf-16")
    doc.apply(Range(start=Position(line=0, character=7), end=Position(line=0, character=7)), "é")
    doc.apply(Range(start=Position(line=1, character=0), end=Position(line=1, character=1)), "")
    assert doc.text == buf.text == "x = '😀é'\n"


def test_a_training_session_is_offered_what_it_types_and_writes_over_some_of_it() -> None:
    """The training profile's offers (tests/support/typist.py): each completion an accepted list, an AI's
    inline suggestions taken, taken a word and typed on, typed over; the files still end as their targets,
    and the session is the same for the same seed."""
    session = generate(6, "training", scale=0.1)
    offers = [step for step in session.steps if isinstance(step, OfferStep)]
    assert {(offer.via, offer.decision) for offer in offers} == {
        ("completion", "accepted"), ("inline", "accepted"), ("inline", "partly_accepted"),
        ("inline", "not_taken")}
    for at, offer in enumerate(session.steps[:-1]):  # each just before the edit that decided it, there
        if isinstance(offer, OfferStep):
            after = session.steps[at + 1]
            assert isinstance(after, EditStep) and after.path == offer.path
            assert after.changes[0].range is not None and after.changes[0].range.end == offer.range.start
    workspace = workspace_at(session.header.position_encoding, session.steps)
    assert {path: workspace.text(path) for path in session.expected} == session.expected
    again = generate(6, "training", scale=0.1)
    assert [step_to_dict(s) for s in again.steps] == [step_to_dict(s) for s in session.steps]
