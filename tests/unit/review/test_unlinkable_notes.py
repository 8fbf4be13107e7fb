"""What the review says of an episode it would sign unlinkably (issue 52, items 4 and 5): that signing drops
the folder's name and a remote the managed policy does not share, that it keeps a shared one, and that a
set of channels other than the default singles the contributor out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from collector.consent.retime import BUCKET_MS
from collector.episode import open_episode
from collector.policy.managed import Managed
from collector.review.summary_view import build_summary
from collector.review.unlinkable import HABITS, RHYTHM, unlinkable_notes
from schemas.header import CaptureSettings, ClientInfo, EpisodeHeader, WorkspaceIdentity
from schemas.settings import ALL_CHANNELS, ManagedPolicy
from tests.fixtures.make_golden import DIRECTORY, FULL_HEADER

SHARED = "https://git.acme.example/platform/app.git"


def managed(**policy: Any) -> Managed:
    return Managed(Path("/etc/codetape/policy.toml"), "ab" * 32, ManagedPolicy(**policy))


def header(root: str, remote: str | None, channels: list[str]) -> EpisodeHeader:
    workspace = WorkspaceIdentity(root_name=root, git_remote=remote)
    capture = CaptureSettings(channels=channels)
    return msgspec.structs.replace(FULL_HEADER, workspace=workspace, capture=capture, client=None)


def test_the_folder_and_a_personal_remote_are_said_to_be_left_out() -> None:
    notes = unlinkable_notes(header("alice-attrs", "git@github.com:alice/attrs.git", list(ALL_CHANNELS)),
                             managed(shared_remotes=[SHARED]))
    assert notes == ["unlinkable  repository left out: the folder name alice-attrs and the remote "
                     "git@github.com:alice/attrs.git would join your episodes, so signing drops them (only "
                     "a shared remote the organisation's policy lists is kept)"]
    assert unlinkable_notes(header("attrs", None, []), None)[0].startswith(
        "unlinkable  repository left out: the folder name attrs would join your episodes")


def test_a_shared_remote_is_said_to_stay() -> None:
    ssh = "git@git.acme.example:platform/app.git"
    shared = managed(shared_remotes=[SHARED])
    notes = unlinkable_notes(header("app", ssh, list(reversed(ALL_CHANNELS))), shared)
    assert notes == [f"unlinkable  repository kept: {ssh} is a shared remote of the organisation's policy "
                     "(the folder name app is left out)"]  # and the channels in any order are the default


def test_channels_other_than_the_default_are_said_to_single_you_out() -> None:
    notes = unlinkable_notes(header("app", None, ["edits", "git"]), None)
    assert notes[1] == ("unlinkable  channels edits, git are recorded, not the default set (edits, "
                        "diagnostics, tests, commands, git, files): signed, a set few others choose is in "
                        "all your episodes and can single you out (the channels travel: a receiver must "
                        "know what was recorded)")
    narrowed = managed(channels=["edits", "git"])
    assert len(unlinkable_notes(header("app", None, ["git", "edits"]), narrowed)) == 1  # the organisation's


def test_the_summary_says_it_only_when_signing_would_be_unlinkable() -> None:
    episode = open_episode(DIRECTORY / "full.ctape")
    assert build_summary(episode).unlinkable == []
    summary = build_summary(episode, unlinkable=True)
    lines = summary.lines()
    assert lines[-5].startswith("unlinkable  repository left out: the folder name pager and the remote "
                                "https://github.com/example/pager.git")
    assert lines[-4].startswith("unlinkable  editor left out: Neovim 0.11.4 is what your laptop runs")
    assert lines[-3].startswith("unlinkable  channels lsp, terminal, tests, git, files are recorded, not the "
                                "default set")  # an old episode's channels
    assert lines[-2].startswith("unlinkable  could not check whether this episode's 1 commit(s) are pushed")
    assert lines[-1].startswith("unlinkable  times drawn: a burst of typing at one time")
    said = summary.to_json()["unlinkable"]
    assert said[0].startswith("commands shaped: 2 of 2 keep their program, subcommand and flags")  # issue 94
    assert said[1:4] == ["  pytest -q tests/test_pager.py  ->  pytest -q tests/test_«name».py",
                         "  make lint  ->  make «word»", said[3]]
    assert said[3].startswith("repository left out: ")


def test_the_summary_gives_the_rhythm_and_habits_figures_of_the_timing_signed_for() -> None:
    """Issues 69 and 93: drawn (the default), neither the rhythm nor the pauses name anybody, and what the
    episode holds still links; re-timed, the pauses link; coarse or exact, the rhythm can, and the summary
    gives bench/rhythm.py's and bench/habits.py's figures."""
    episode = open_episode(DIRECTORY / "full.ctape")
    drawn = build_summary(episode, unlinkable=True).lines()[-1]
    assert drawn.startswith("unlinkable  times drawn: a burst of typing at one time, its length drawn, each "
                            "pause drawn within 60 s and a save or test run at its burst's time, so neither "
                            "your typing rhythm nor how long you pause tells you apart: ")
    assert "names the right one of 10 typists 10 % of the time (chance 10 %)" in drawn
    assert ("your pauses between bursts and where your saves and test runs fall with 0.58 (re-timed to the "
            "second: 0.83)") in drawn
    assert drawn.endswith("how many keystrokes your bursts hold, how much you delete and how often you save "
                          "and run tests are what the episode holds, and tell two episodes of yours from two "
                          "people's with ROC AUC 0.89 on a model population whose people differ")
    retimed = build_summary(episode, unlinkable=True, timing="retimed").lines()[-1]
    assert retimed.startswith('unlinkable  times re-timed (timing = "retimed"): a burst of typing at one '
                              "time")
    assert "names the right one of 10 typists 10 % of the time (chance 10 %)" in retimed
    assert "ROC AUC 0.50 (in 100 ms steps: 88 %, 0.98)" in retimed
    assert ("your pauses between bursts and where your saves and test runs fall tell two episodes of yours "
            'from two people\'s with ROC AUC 0.83 (the default, timing = "drawn", leaves 0.58)') in retimed
    exact = build_summary(episode, unlinkable=True, timing="exact").lines()[-1]
    assert exact.startswith('unlinkable  times to the millisecond (timing = "exact"): your typing rhythm can '
                            "link your episodes and name you: ")
    assert "82 % of the time" in exact and 'the default, timing = "drawn", leaves 10 % and 0.50' in exact
    coarse = build_summary(episode, unlinkable=True, timing="coarse").lines()[-1]
    assert "88 % of the time" in coarse and "ROC AUC 0.98" in coarse


def test_the_editor_is_said_to_be_left_out() -> None:
    """The fleet's configuration says which laptop runs which editor and build (issue 52, item 4)."""
    editor = ClientInfo(name="Visual Studio Code - Insiders", version="1.97.0")
    with_editor = msgspec.structs.replace(header("app", None, list(ALL_CHANNELS)), client=editor)
    assert unlinkable_notes(with_editor, None)[1] == (
        "unlinkable  editor left out: Visual Studio Code - Insiders 1.97.0 is what your laptop runs, which "
        "the fleet's configuration says, so signing drops it")


def test_every_editor_is_said_to_be_left_out() -> None:
    editors = [ClientInfo(name="Neovim", version="0.11.4"), ClientInfo(name="Code - OSS", version="1.96.2")]
    plain = header("app", None, list(ALL_CHANNELS))
    both = msgspec.structs.replace(plain, client=editors[0], editors=editors)
    assert unlinkable_notes(both, None)[1] == (
        "unlinkable  editors left out: Neovim 0.11.4, Code - OSS 1.96.2 are what your laptop runs, which the "
        "fleet's configuration says, so signing drops them")


def test_the_rhythm_figures_are_the_benchs() -> None:
    """RHYTHM quotes bench/README.md's rhythm section (bench/rhythm.py): the better of the interval histogram
    and the speed, 1 of 10 rounded to a whole percent, and the pairwise AUC; rerun the bench and update
    RHYTHM (and docs/unlinkable.md) together."""
    readme = (Path(__file__).parents[3] / "bench" / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- rhythm:start -->")[1].split("<!-- rhythm:end -->")[0]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in section.splitlines()
            if line.startswith("| ")]
    names = {"exact": "exact", "coarse": "100 ms steps (coarse)", "retimed": "re-timed (retimed)",
             "drawn": "drawn (drawn)"}
    for timing, (of_ten, auc) in RHYTHM.items():
        found = [row for row in rows if row[0] == names[timing] and row[1] in ("histogram", "speed")]
        assert len(found) == 2, (timing, rows)
        assert of_ten == f"{round(max(float(row[3].rstrip('%')) for row in found))} %", timing
        assert auc == f"{max(float(row[5]) for row in found):.2f}", timing


def test_the_habits_figures_are_the_benchs() -> None:
    """HABITS quotes bench/README.md's habits section (bench/habits.py, issue 93): of re-timed and of drawn
    episodes, the better pairwise AUC of its two classifiers, to two places; rerun the bench and update
    HABITS (and docs/unlinkable.md) together."""
    readme = (Path(__file__).parents[3] / "bench" / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- habits:start -->")[1].split("<!-- habits:end -->")[0]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in section.splitlines()
            if line.startswith("| ")]
    names = {"retimed": "re-timed (retimed)", "drawn": f"drawn ({BUCKET_MS // 1000} s buckets)"}
    for timing, figures in HABITS.items():
        for features, auc in figures.items():
            found = [row for row in rows if row[0] == names[timing] and row[1] == features]
            assert len(found) == 2, (timing, features, rows)
            assert auc == f"{max(float(row[6]) for row in found):.2f}", (timing, features)
