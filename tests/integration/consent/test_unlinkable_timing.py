"""Unlinkable signing's timing (issues 69 and 93), with keys a real issuer process authorised: drawn by
default (a burst's steps at one time, pauses drawn within their bucket, a save or test run standing in a
pause at its burst's time), `timing = "retimed"` (pauses more than 3 s and in whole seconds), `timing =
"coarse"` in 100 ms steps, `timing = "exact"` as recorded; every export builds from a drawn episode through
the real CLI."""

from __future__ import annotations

import shutil
import zipfile
from itertools import pairwise
from pathlib import Path

import pytest

from collector.consent import sign_episode
from collector.consent.mode import signing_mode
from collector.consent.retime import BUCKET_MS, PLACED
from collector.consent.statement import parse_statement, unpack_payload
from collector.consent.unlinkable import minimise_episode
from collector.episode import open_episode
from collector.export.formats import FORMATS
from collector.home import Home
from collector.policy.sharing import SigningPolicy
from collector.review.session import ReviewSession
from schemas.consent import ConsentStatement
from tests.cli import codetape
from tests.fixtures.make_golden import DIRECTORY, FULL
from tests.support.dataset_helpers import session
from tests.support.issuer import Issuer

POLICY = SigningPolicy(purpose="training", licence="CC-BY-4.0")


@pytest.fixture
def home(issuer: Issuer, tmp_path: Path, request: pytest.FixtureRequest) -> Home:
    enrolled = Home(tmp_path / "home")
    issuer.enrol(enrolled.root, request.node.name[:60], count=4)
    return enrolled


def signed(home: Home, source: Path, target: Path) -> tuple[ConsentStatement, list[int]]:
    """`source` signed as `home`'s config.toml asks, unlinkable: its statement and its steps' times."""
    mode = signing_mode(home, unlinkable=True)
    assert mode is not None
    copy = target.with_suffix(".unsigned.ctape")
    shutil.copy(source, copy)
    sign_episode(copy, target, home, workspace_policy=POLICY, unlinkable=mode)
    episode = open_episode(target)
    assert episode.consent is not None
    return parse_statement(unpack_payload(episode.consent)[1]), [step.t_ms for step in episode.steps()]


def said_by_verify(home: Home, episode: Path) -> str:
    done = codetape(home.root, "verify", str(episode))
    assert done.returncode == 0, done.stderr
    return done.stdout


def recorded() -> list[int]:
    return [step.t_ms for step in FULL]


def test_unlinkable_signing_draws_the_times_by_default(home: Home, tmp_path: Path) -> None:
    statement, held = signed(home, DIRECTORY / "full.ctape", tmp_path / "signed.ctape")
    assert statement.timing == "drawn"
    assert said_by_verify(home, tmp_path / "signed.ctape").endswith(
        f"; times drawn (a burst at one time, its length drawn, pauses drawn within {BUCKET_MS // 1000} s, a "
        "save or test run at its burst's time: no typing rhythm, no pausing habit))\n")
    was = recorded()
    assert len(held) == len(was) and held == sorted(held) and all(t % 100 == 0 for t in held)
    placed = [isinstance(step, PLACED) for step in FULL]
    assert any(placed) and any(0 < later - earlier <= 3000 for earlier, later in pairwise(was))
    last = 0  # the time of the last step not placed: the episode's start before any
    for (earlier, later), (before, after), is_placed in zip(pairwise(was), pairwise(held), placed[1:],
                                                            strict=True):
        if is_placed:
            assert after == last, (earlier, later)  # at its burst's time, however long after it
        elif later - earlier > 3000:
            assert after - before > 3000, (earlier, later)  # a pause stays a pause
        last = last if is_placed else after
    again, other = signed(home, DIRECTORY / "full.ctape", tmp_path / "again.ctape")
    assert other != held or again.content.episode_id != statement.content.episode_id  # drawn anew


def test_drawn_times_are_the_same_again_only_given_the_seed(tmp_path: Path) -> None:
    """The draw is a random.Random of the seed minimise_episode is given (signing gives none: 128 bits from
    the system, for that episode alone, kept nowhere)."""
    def held(name: str, seed: int | None) -> list[int]:
        drawn = minimise_episode(DIRECTORY / "full.ctape", tmp_path / name, "drawn", seed=seed)
        return [step.t_ms for step in open_episode(drawn).steps()]

    assert held("a.ctape", 7) == held("b.ctape", 7) != held("c.ctape", 8)
    assert held("d.ctape", None) != held("e.ctape", None)


def test_timing_retimed_rounds_the_pauses_up_to_whole_seconds(home: Home, tmp_path: Path) -> None:
    """Issue 69's default, still signed when config.toml asks for it and read as it was."""
    home.config.write_text('[consent]\ntiming = "retimed"\n', encoding="utf-8")
    statement, held = signed(home, DIRECTORY / "full.ctape", tmp_path / "signed.ctape")
    assert statement.timing == "retimed"
    assert said_by_verify(home, tmp_path / "signed.ctape").endswith(
        "; times re-timed (a burst at one time, its length drawn: no typing rhythm))\n")
    was = recorded()
    assert len(held) == len(was) and held == sorted(held) and all(t % 100 == 0 for t in held)
    assert any(0 < later - earlier <= 3000 for earlier, later in pairwise(was))  # a burst to re-time
    for (earlier, later), (before, after) in zip(pairwise(was), pairwise(held), strict=True):
        pause = later - earlier
        if pause <= 3000:
            assert after == before, (earlier, later)  # one burst, one time
        else:
            assert after - before >= -(-pause // 1000) * 1000  # a pause in whole seconds, and a drawn length


def test_timing_coarse_keeps_100_ms_steps(home: Home, tmp_path: Path) -> None:
    home.config.write_text('[consent]\ntiming = "coarse"\n', encoding="utf-8")
    statement, held = signed(home, DIRECTORY / "full.ctape", tmp_path / "signed.ctape")
    assert statement.timing == "coarse"
    assert said_by_verify(home, tmp_path / "signed.ctape").endswith("; times in 100 ms steps)\n")
    assert held == [t - t % 100 for t in recorded()]


def test_timing_exact_keeps_the_times_recorded(home: Home, tmp_path: Path) -> None:
    home.config.write_text('[consent]\ntiming = "exact"\n', encoding="utf-8")
    statement, held = signed(home, DIRECTORY / "full.ctape", tmp_path / "signed.ctape")
    assert statement.timing == "exact"
    assert said_by_verify(home, tmp_path / "signed.ctape").endswith("; times to the ms)\n")
    assert held == recorded()


def test_every_export_builds_from_re_timed_episodes_with_the_rows_exact_times_give(home: Home,
                                                                                    tmp_path: Path) -> None:
    """Drawing keeps an export's edit bursts (a burst is one time, bursts stay more than 3 s apart), so
    every format writes as many rows from the drawn episode as from the same episode at exact times."""
    sources = [DIRECTORY / "full.ctape", DIRECTORY / "offers.ctape", session(Home(tmp_path / "gen"), 3),
               session(Home(tmp_path / "gen"), 5)]
    for number, source in enumerate(sources):
        target = tmp_path / f"signed-{number}.ctape"
        statement, _ = signed(home, source, target)
        assert statement.timing == "drawn"
        exact = minimise_episode(source, tmp_path / f"exact-{number}.ctape", "exact")
        for fmt in FORMATS:
            rows = []
            for name, episode in (("drawn", target), ("exact", exact)):
                out = tmp_path / "exports" / f"{number}-{fmt}-{name}"
                done = codetape(home.root, "export", str(episode), "--format", fmt, "-o", str(out))
                assert done.returncode == 0, f"{fmt} of {source.name}: {done.stderr}"
                rows.append(lines(out))
            assert rows[0] == rows[1], f"{fmt} of {source.name}: {rows[0]} rows drawn, {rows[1]} exact"


def lines(out: Path) -> int:
    """How many lines the files under `out` hold, a zip archive's members' too."""
    count = 0
    for path in (path for path in out.rglob("*") if path.is_file()):
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                count += sum(archive.read(name).count(b"\n") for name in archive.namelist())
        else:
            count += path.read_bytes().count(b"\n")
    return count


def test_review_summary_gives_the_rhythm_figures_of_the_timing_config_asks_for(tmp_path: Path) -> None:
    episode = tmp_path / "full.ctape"
    shutil.copy(DIRECTORY / "full.ctape", episode)
    reviewer = Home(tmp_path / "reviewer")
    reviewer.root.mkdir()
    for timing, said in (("drawn", "unlinkable  times drawn: "),
                         ("retimed", 'unlinkable  times re-timed (timing = "retimed"): '),
                         ("coarse", 'unlinkable  times in 100 ms steps (timing = "coarse"): your typing'),
                         ("exact", 'unlinkable  times to the millisecond (timing = "exact"): your typing')):
        reviewer.config.write_text(f'[consent]\nmode = "unlinkable"\ntiming = "{timing}"\n', encoding="utf-8")
        done = codetape(reviewer.root, "review", "--summary", str(episode))
        assert done.returncode == 0, done.stderr
        assert said in done.stdout, done.stdout


def test_the_review_session_gives_the_rhythm_figures_of_the_timing_config_asks_for(tmp_path: Path) -> None:
    reviewer = Home(tmp_path / "reviewer")
    episode = reviewer.ensure(reviewer.episodes) / "full.ctape"
    shutil.copy(DIRECTORY / "full.ctape", episode)
    for timing, said in (("drawn", "unlinkable  times drawn: "),
                         ("exact", 'unlinkable  times to the millisecond (timing = "exact"): your typing')):
        reviewer.config.write_text(f'[consent]\nmode = "unlinkable"\ntiming = "{timing}"\n', encoding="utf-8")
        session = ReviewSession(episode, reviewer)
        try:
            notes = session.summary.unlinkable
            assert any(line.startswith(said) for line in notes), notes
        finally:
            session.close()
