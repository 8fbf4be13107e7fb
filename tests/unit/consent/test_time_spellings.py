"""Times by value (issue 84, item 2): one instant of a session, in a zone of +9 and of -5, spelt as
everyday tools print it (tests/support/instants.py: at least 150 spellings), is cut from every free text
and masked in every file text and file name; a search that knows its value finds none of its clock time,
epoch value, offset or zone, and look-alikes drawn to differ from it stay as they were."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from collector.consent.wallclock import Period, spellings
from collector.redact.placeholders import Registry
from collector.redact.stream.text import TextRedactor
from collector.review.spans import review_rules
from tests.support.instants import instant, leaks, look_alikes
from tests.support.instants import spellings as spelt


def period_around(moment: datetime) -> Period:
    utc = moment.astimezone(UTC)
    return Period(utc - timedelta(minutes=40), utc + timedelta(minutes=20))


def free_texts(spelling: str) -> dict[str, str]:
    """Where a spelling stands in free text: a command's output, a test's failure."""
    return {"command output": f"$ python train.py\nstarted {spelling}\n{spelling}\ndone\n",
            "test failure": f"E   AssertionError: assert {spelling!r} == None\nE    +  where {spelling}"}


def file_texts(spelling: str) -> dict[str, str]:
    """Where it stands in file text: a notebook's output as Jupyter saves it, a log file; and as a path."""
    output = {"name": "stdout", "output_type": "stream", "text": [spelling + "\n"]}
    notebook = {"cells": [{"cell_type": "code", "execution_count": 1, "metadata": {}, "source": ["!date"],
                           "outputs": [output]}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return {"notebook": json.dumps(notebook, indent=1, ensure_ascii=False) + "\n",
            "log file": f"{spelling} job 41 queued\n",
            "file name": f"experiments/{spelling}/model.ckpt"}


@pytest.fixture(scope="module", params=[9, -5], ids=["+9", "-5"])
def moment(request: pytest.FixtureRequest) -> datetime:
    return instant(request.param)


def test_there_are_at_least_150_spellings_of_the_instant(moment: datetime) -> None:
    assert len(spelt(moment)) >= 150
    day_only = {f"{moment:%a %b %d %Y}"}  # JavaScript's toDateString: the day is shared
    assert [spelling for spelling in spelt(moment) if not leaks(spelling, moment)] == list(day_only)


def test_every_spelling_is_cut_from_free_text_and_masked_in_file_text(moment: datetime) -> None:
    cut = spellings(period_around(moment))
    masker = TextRedactor(review_rules(cut.patterns, ()), Registry())
    kept = []
    for spelling in spelt(moment):
        for where, text in free_texts(spelling).items():
            said = cut.cut(text)
            kept += [f"{where}: {spelling!r} -> {said!r}: {leak}" for leak in leaks(said, moment)]
        for where, text in file_texts(spelling).items():
            said = masker.redact(text)
            kept += [f"{where}: {spelling!r} -> {said!r}: {leak}" for leak in leaks(said, moment)]
    assert not kept, f"{len(kept)} kept, e.g.:\n" + "\n".join(kept[:25])


def test_look_alikes_stay_in_free_text_and_file_text(moment: datetime) -> None:
    cut = spellings(period_around(moment))
    masker = TextRedactor(review_rules(cut.patterns, ()), Registry())
    alikes = look_alikes(moment, random.Random(84), count=200)
    for alike in alikes:
        for text in (f"{alike}\n", f"step 3: {alike}\n", f"{moment:%Y-%m-%d} report\n{alike}\n"):
            assert cut.cut(text) == text
            assert masker.redact(text) == text


def test_a_log_level_after_a_cut_time_stays(moment: datetime) -> None:
    cut = spellings(period_around(moment))
    for level in ("INFO", "WARN", "ERROR", "DEBUG", "GET", "POST"):
        said = cut.cut(f"{moment:%Y-%m-%d %H:%M:%S} {level} /api/jobs\n")
        assert said == f"{moment:%Y-%m-%d} {level} /api/jobs\n"


def test_a_file_name_keeps_its_shape(moment: datetime) -> None:
    cut = spellings(period_around(moment))
    masker = TextRedactor(review_rules(cut.patterns, ()), Registry())
    masked = masker.redact(f"runs/{moment:%b%d_%H-%M-%S}_wonder-box/events.out.tfevents."
                           f"{int(moment.timestamp())}.wonder-box.25854.0")
    assert masked.startswith("runs/«redacted:custom-") and "»_wonder-box/events.out.tfevents.«" in masked
    assert masked.endswith("».wonder-box.25854.0")


def test_times_outside_the_period_and_a_date_alone_stay(moment: datetime) -> None:
    cut = spellings(period_around(moment))
    a_week_on = moment + timedelta(days=7)
    for text in (f"{a_week_on:%Y-%m-%d %H:%M:%S}", str(int(a_week_on.timestamp())), f"{moment:%Y-%m-%d}",
                 f"{moment:%a %b %d %Y}", "elapsed 00:00:01", "collected 12 items in 0.12s"):
        assert cut.cut(text) == text
