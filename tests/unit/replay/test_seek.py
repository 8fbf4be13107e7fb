"""Seeking: the state at any step, reached in any order, is the state a straight replay reaches there."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from collector.episode import open_episode, write_episode_file
from collector.errors import EpisodeError, ReconstructionError
from collector.reconstruct.keyframes import keyframe_states
from collector.reconstruct.workspace import workspace_at
from collector.replay.seek import Index, Seeker
from collector.replay.state import EditSize, PlayState
from schemas import step_from_dict
from tests.fixtures.make_golden import DIRECTORY, FULL, FULL_HEADER
from tests.fixtures.replay.episodes import BUGFIX, BUGFIX_HEADER, write_bugfix, write_chunked
from tests.support.sessions import generate

Generated = tuple[Path, list[tuple[Any, ...]]]


def digest(state: PlayState) -> tuple[Any, ...]:
    workspace = state.workspace
    diagnostics = {path: dict(origins) for path, origins in state.diagnostics.items()}
    return (workspace.files(), dict(workspace.disk), workspace.omitted, sorted(workspace.buffers),
            state.focus, dict(state.marks), diagnostics)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """A generated session in chunks of 97 steps, and the digest of the state after every step."""
    session = generate(3, "mixed", scale=0.06)
    path = tmp_path_factory.mktemp("seek") / "mixed.ctape"
    write_chunked(path, session.header, session.steps, 97)
    state = PlayState(session.header.position_encoding)
    digests = []
    for step in session.steps:
        state.apply(step)
        digests.append(digest(state))
    return path, digests


def test_seeking_in_any_order_matches_a_straight_replay(generated: Generated) -> None:
    path, digests = generated
    index = Index.build(open_episode(path))
    assert index.count == len(digests) > 2000 and len(index.chunks) == -(-len(digests) // 97)
    seeker = Seeker(index)
    jumps = random.Random(5).sample(range(index.count), 700)
    for target in [*jumps, *range(index.count - 1, -1, -7)]:
        seeker.seek(target)
        assert seeker.position == target
        assert digest(seeker.state) == digests[target], target
    seeker.seek(0)
    while seeker.advance():  # playing: one step at a time, across every chunk boundary
        if seeker.position % 97 in (0, 1, 96) or seeker.position % 11 == 0:
            assert digest(seeker.state) == digests[seeker.position], seeker.position
    assert seeker.position == index.count - 1


def test_the_files_at_a_step_are_what_checkout_reconstructs(generated: Generated) -> None:
    path, _ = generated
    episode = open_episode(path)
    seeker = Seeker(Index.build(episode))
    for target in (0, 96, 97, 500, 1234, seeker.index.count - 1):
        seeker.seek(target)
        expected = workspace_at(episode.header.position_encoding, episode.steps(), target)
        assert seeker.state.workspace.files() == expected.files()


def test_the_index_knows_events_and_where_to_jump(tmp_path: Path) -> None:
    write_chunked(tmp_path / "full.ctape", FULL_HEADER, FULL, 3)
    index = Index.build(open_episode(tmp_path / "full.ctape"))
    assert [event.index for event in index.events] == [0, 1, *range(4, 21)]  # no edit (3), no cursor (2)
    assert [index.jumps[name].tolist() for name in ("markers", "failures", "commits", "switches")] == \
        [[0, 13, 20], [], [11], [1]]
    assert index.jump("markers", 0, 1) == 13 and index.jump("markers", 13, 1) == 20
    assert index.jump("markers", 20, 1) is None and index.jump("markers", 13, -1) == 0
    assert index.jump("commits", 11, 1) is None and index.jump("commits", 12, -1) == 11
    assert [event.index for event in index.events_until(9, 3)] == [7, 8, 9]
    assert [event.index for event in index.events_until(3, 10)] == [0, 1]
    by_index = {event.index: event for event in index.events}
    assert (by_index[9].text, by_index[9].tone) == ("1 passed 1 skipped", "pass")
    assert (by_index[10].tone, by_index[11].tone, by_index[13].tone, by_index[14].tone) == \
        ("fail", "git", "marker", "gap")
    assert index.step_at_time(21_400) == 11 and index.step_at_time(0) == 0


def test_jumps_in_a_session_with_failures(tmp_path: Path) -> None:
    index = Index.build(open_episode(write_bugfix(tmp_path / "bugfix.ctape")))
    assert index.jumps["failures"].tolist() == [2, 19]
    assert index.jumps["switches"].tolist() == [1, 14]
    assert index.jumps["markers"].tolist() == [0, 12, 24]
    assert index.jumps["commits"].tolist() == [11]
    seeker = Seeker(index)
    seeker.seek(4)
    assert seeker.step == BUGFIX[4] and isinstance(seeker.effect, EditSize) and seeker.effect.deleted == 1
    assert seeker.state.marks["calc.py"].span == ((1, 13), (1, 13))
    seeker.seek(5)
    assert [item.message for item in seeker.state.diagnostics["calc.py"]["pyflakes"]] == ["invalid syntax"]
    seeker.seek(7)
    assert "calc.py" not in seeker.state.diagnostics


def test_diagnostics_that_change_nothing_are_no_events(tmp_path: Path) -> None:
    error = {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}},
             "severity": 1, "message": "e"}
    steps = [step_from_dict({"kind": "diagnostics", "t_ms": n, "source": "bridge", "path": "a.py",
                             "origin": "pylsp", "items": items})
             for n, items in enumerate([[], [error], [error], [], [], [error]])]
    write_chunked(tmp_path / "diagnostics.ctape", BUGFIX_HEADER, steps, 4)
    index = Index.build(open_episode(tmp_path / "diagnostics.ctape"))
    assert [(event.index, event.text) for event in index.events] == [
        (1, "1 error (pylsp): e"), (3, "cleared (pylsp)"), (5, "1 error (pylsp): e")]


def test_checkpoints_share_the_texts_no_step_touched(tmp_path: Path) -> None:
    index = Index.build(open_episode(write_bugfix(tmp_path / "bugfix.ctape")))
    firsts = [chunk.first for chunk in index.chunks]
    assert firsts == [0, 4, 8, 12, 16, 20, 24]
    later = [checkpoint.buffers["calc.py"] for checkpoint in index.checkpoints[3:]]
    assert all(text is later[0] for text in later)  # calc.py is last touched at step 8
    assert index.checkpoints[0].buffers == {} and index.checkpoints[0].index == -1


def test_steps_of_unknown_kinds_are_skipped_and_counted() -> None:
    index = Index.build(open_episode(DIRECTORY / "future.ctape"))
    assert index.count == 2 and dict(index.skipped) == {"bookmark": 1}


def test_a_step_that_does_not_replay_is_named(tmp_path: Path) -> None:
    steps = [step_from_dict({"kind": "note", "t_ms": 0, "source": "cli", "text": "n"}),
             step_from_dict({"kind": "edit", "t_ms": 5, "source": "bridge", "path": "a.py",
                             "changes": [{"text": "x"}]})]
    write_episode_file(tmp_path / "bad.ctape", BUGFIX_HEADER, steps)
    with pytest.raises(ReconstructionError, match=r"^step 1: edit at 5 ms to a\.py, which is not open"):
        Index.build(open_episode(tmp_path / "bad.ctape"))


def test_a_file_replaced_after_it_was_opened_is_refused(tmp_path: Path) -> None:
    path = write_bugfix(tmp_path / "bugfix.ctape")
    episode = open_episode(path)
    write_chunked(path, BUGFIX_HEADER, BUGFIX[:-1], 4)
    with pytest.raises(EpisodeError, match="changed since it was opened; run the command again"):
        Index.build(episode)


@pytest.fixture(scope="module")
def keyframed(tmp_path_factory: pytest.TempPathFactory, generated: Generated) -> Path:
    """The generated session again, written by the episode writer with a keyframe every 97 steps."""
    session = generate(3, "mixed", scale=0.06)
    path = tmp_path_factory.mktemp("keyframed") / "mixed.ctape"
    write_episode_file(path, session.header, session.steps, level=3,
                       states=keyframe_states(session.header.position_encoding), chunk_steps=97)
    return path


def test_before_the_full_pass_seeking_starts_from_keyframes(generated: Generated, keyframed: Path) -> None:
    _, digests = generated
    index = Index.open(open_episode(keyframed))
    assert index.count == len(digests) and index.scanned == 0 and not index.checkpoints
    assert index.usable == set(range(1, len(index.chunks)))
    seeker = Seeker(index)
    for target in [*random.Random(9).sample(range(index.count), 150), index.count - 1, 97, 96, 0]:
        seeker.seek(target)
        files = seeker.state.workspace.files()
        assert files == digests[target][0], target  # the files, exactly
        assert (dict(seeker.state.workspace.disk), seeker.state.workspace.omitted) == digests[target][1:3]
    assert index.scanned == 0  # every seek came from a keyframe, none from the full pass
    chunk = index.chunks[7]
    seeker.seek(chunk.first)  # from the keyframe: the carets it does not hold fill in as the steps go on
    while seeker.position < chunk.first + chunk.count - 1:
        seeker.advance()
        marks = digests[seeker.position][5]
        assert all(marks[path] == mark for path, mark in seeker.state.marks.items()), seeker.position
    assert seeker.state.marks and seeker.state.focus == digests[seeker.position][4]


def test_without_keyframes_seeking_before_the_full_pass_replays_from_the_start(generated: Generated) -> None:
    path, digests = generated
    index = Index.open(open_episode(path))
    assert not index.usable
    seeker = Seeker(index)
    seeker.seek(1500)
    assert seeker.state.workspace.files() == digests[1500][0]


def test_the_full_pass_runs_a_slice_at_a_time_and_a_jump_takes_it_as_far_as_it_must(tmp_path: Path) -> None:
    write_chunked(tmp_path / "full.ctape", FULL_HEADER, FULL, 3)
    index = Index.open(open_episode(tmp_path / "full.ctape"))
    assert index.count == 21 and index.events == [] and not index.complete
    assert not index.scan(5)
    assert index.scanned == 6 and [event.index for event in index.events] == [0, 1, 4, 5]
    assert [event.index for event in index.events_until(20, 10)] == [0, 1, 4, 5]  # not further than scanned
    assert index.jump("commits", 6, 1) == 11 and index.scanned >= 12
    assert index.jump("markers", 20, -1) == 13
    assert index.scan(budget_s=10) and index.complete and len(index.checkpoints) == 7
    full = Index.build(open_episode(tmp_path / "full.ctape"))
    assert index.events == full.events and index.jumps == full.jumps


def test_a_step_that_does_not_replay_is_named_when_seeking_meets_it(tmp_path: Path) -> None:
    steps = [step_from_dict({"kind": "note", "t_ms": 0, "source": "cli", "text": "n"}),
             step_from_dict({"kind": "edit", "t_ms": 5, "source": "bridge", "path": "a.py",
                             "changes": [{"text": "x"}]})]
    write_episode_file(tmp_path / "bad.ctape", BUGFIX_HEADER, steps)
    index = Index.open(open_episode(tmp_path / "bad.ctape"))
    seeker = Seeker(index)
    seeker.seek(0)
    with pytest.raises(ReconstructionError, match=r"^step 1: edit at 5 ms to a\.py, which is not open"):
        seeker.seek(1)
    with pytest.raises(ReconstructionError, match=r"^step 1: edit at 5 ms to a\.py"):
        index.scan()
