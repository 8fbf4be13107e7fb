"""Times by value through `sign --unlinkable` (issue 84, item 2): one instant of a session, in a zone of
+9 and of -5, in each of its spellings (tests/support/instants.py), stands in a command's output, a test
failure, a notebook's output, a log file's text and, for the file-name stamps, a file's name; in the
signed episode a search that knows the value finds none of its clock time, epoch value, offset or zone,
and the look-alikes beside them are there as they were. The signed episode still verifies."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import pytest

from collector.episode import open_episode, write_episode_file
from collector.home import Home
from schemas import step_from_dict, step_to_dict
from tests.cli import codetape
from tests.fixtures.make_golden import FULL_HEADER
from tests.support.instants import FILE_NAMES, instant, leaks, look_alikes, spellings
from tests.support.issuer import Issuer
from tests.support.linkage import episode_repository


def strings(value: object) -> list[str]:
    """Every string anywhere in a step's or header's dict (numbers are the episode's own times)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in strings(item)]
    return []


def notebook(output: str) -> str:
    cell = {"cell_type": "code", "execution_count": 2, "metadata": {}, "source": ["!date"],
            "outputs": [{"name": "stdout", "output_type": "stream", "text": [output]}]}
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1,
                      ensure_ascii=False) + "\n"


def steps_holding(moment: datetime, alikes: list[str]) -> list[dict[str, object]]:
    names = {template(moment) for template in FILE_NAMES}
    made: list[dict[str, object]] = []
    for number, spelt in enumerate(spellings(moment)):
        made += [
            {"kind": "command", "source": "shell", "command_line": "python train.py", "exit_code": 0,
             "output_tail": f"started {spelt}\n{alikes[number % len(alikes)]}\n"},
            {"kind": "test_run", "source": "pytest", "exit_status": 1, "args": ["-x"],
             "tests": [{"nodeid": f"tests/test_log.py::test_{number}", "outcome": "failed",
                        "summary": f"AssertionError: assert {spelt!r} == None"}]},
            {"kind": "file_change", "source": "watcher", "path": f"notebooks/n{number}.ipynb",
             "change": "created", "text": notebook(f"{spelt}\n{alikes[-number % len(alikes)]}\n")},
            {"kind": "file_change", "source": "watcher", "path": f"logs/run{number}.log", "change": "created",
             "text": f"{spelt} job {number} queued\n"}]
        if spelt in names:
            made.append({"kind": "file_change", "source": "watcher", "path": f"{spelt}/config.yaml",
                         "change": "created", "text": "lr: 0.1\n"})
    return [{**step, "t_ms": 100 * n} for n, step in enumerate(made)]


@pytest.mark.parametrize("offset_h", [9, -5])
def test_no_spelling_of_the_instant_survives_signing(issuer: Issuer, tmp_path: Path, offset_h: int) -> None:
    moment = instant(offset_h)
    home = tmp_path / "home"
    issuer.enrol(home, f"times{offset_h}", count=3)
    episode_repository(home, tmp_path, FULL_HEADER.workspace.root_name)
    alikes = look_alikes(moment, random.Random(offset_h), count=40)
    header = msgspec.structs.replace(FULL_HEADER, episode_id=uuid.uuid4(),
                                     started_at=moment.astimezone(UTC) - timedelta(minutes=10))
    unsigned = Home(home).ensure(Home(home).episodes) / f"{header.episode_id}.ctape"
    write_episode_file(unsigned, header, [step_from_dict(step) for step in steps_holding(moment, alikes)])

    done = codetape(home, "sign", str(unsigned), "--unlinkable", "--yes")
    assert done.returncode == 0, done.stderr
    signed = Home(home).outbox / unsigned.name
    episode = open_episode(signed)
    texts = [*strings(msgspec.to_builtins(episode.header)),
             *(text for step in episode.steps() for text in strings(step_to_dict(step)))]
    everything = "\n".join(texts)
    assert everything.count("started ") >= len(spellings(moment))  # every command's output is there
    found = leaks(everything, moment)
    assert not found, f"{len(found)} left in the signed episode, e.g. {found[:10]}"
    for alike in alikes:
        assert alike in everything
    done = codetape(home, "verify", str(signed))
    assert done.returncode == 0, done.stdout + done.stderr
