"""The intake's one pass without a session (collector/daemon/intake/): steps go admit, hold, write, and the
only thing the pass asks of whoever drives it is an event, `EpisodeWanted`, when a step needs the open
episode and none is known; the driver here answers it as the session does, with an episode it opens."""

from __future__ import annotations

import uuid
from collections.abc import Generator
from pathlib import Path
from typing import Any, TypeVar

from collector.daemon.held_changes import HOLD_MS
from collector.daemon.intake.admit import Admit
from collector.daemon.intake.hold import Hold
from collector.daemon.intake.write import EpisodeWanted, Write
from collector.daemon.open_episode import OpenEpisode
from collector.journal import JournalScanner, unpack_payload
from collector.policy.recording import Policy
from collector.text.digest import sha256_text
from schemas import WorkspaceIdentity
from schemas.settings import WorkspaceSettings

T = TypeVar("T")
START = 1_800_000_000_000


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> int:
        return self.now


class Driver:
    """What the session is to the pass: it answers `EpisodeWanted` with an episode it opens (or None while
    `refuse`), and keeps every event heard."""

    def __init__(self, journals: Path) -> None:
        self.journals = journals
        self.events: list[EpisodeWanted] = []
        self.opened: list[OpenEpisode] = []
        self.refuse = False

    def run(self, steps: Generator[EpisodeWanted, OpenEpisode | None, T]) -> T:
        answer: OpenEpisode | None = None
        try:
            event = next(steps)
            while True:
                self.events.append(event)
                answer = None if self.refuse else self._open(event.at_ms)
                event = steps.send(answer)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]

    def _open(self, at_ms: int) -> OpenEpisode:
        episode = OpenEpisode.start(self.journals, uuid.uuid4(), at_ms, encoding="utf-16", client=None,
                                    workspace=WorkspaceIdentity(root_name="ws"), settings=WorkspaceSettings())
        self.opened.append(episode)
        return episode


def written(episode: OpenEpisode) -> list[dict[str, Any]]:
    path = episode.close()
    return [unpack_payload(frame) for frame in list(JournalScanner(path).frames())[1:]]


def test_steps_go_admit_hold_write_and_the_pass_asks_for_an_episode_by_an_event(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    clock = Clock()
    policy = Policy(root.resolve(), WorkspaceSettings())
    admit = Admit()
    write = Write(root.resolve(), clock=clock)
    hold = Hold(write, clock=clock)
    driver = Driver(tmp_path)
    editor = object()

    def add(step: dict[str, Any], source: str, owner: object = None) -> object:
        arrival = admit(step, source, policy)
        assert arrival is not None
        return driver.run(hold.take(clock.now, arrival.step, owner, junit=arrival.junit, patch=arrival.patch))

    text = "a = 1\n"
    opened = add({"kind": "open", "path": str(root / "a.py"), "version": 1, "text": ""}, "bridge", editor)
    assert driver.events == [EpisodeWanted(START)]  # the first step asks for the episode, once
    assert opened is not None and driver.opened
    clock.now += 20
    add({"kind": "edit", "path": "a.py", "version": 2,
         "changes": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                      "text": text}]}, "bridge", editor)
    clock.now += 30
    watched = add({"kind": "file_change", "path": "a.py", "change": "modified", "text": text,
                   "sha256": sha256_text(text)}, "watcher")
    assert watched is None and hold.holding == 1  # the watcher's view waits for the editor's save
    clock.now += 10
    add({"kind": "save", "path": "a.py", "sha256": sha256_text(text)}, "bridge", editor)
    clock.now += HOLD_MS
    driver.run(hold.release_held(clock.now))
    assert hold.holding == 0
    assert driver.events == [EpisodeWanted(START)]  # the episode known: no step asked again
    (episode,) = driver.opened
    assert [step["kind"] for step in written(episode)] == ["open", "edit", "save"]  # the save's echo dropped

    hold.episode_ended()  # the session sealed it: the next step asks for the next one
    driver.refuse = True  # none may open (the settings cannot be used): the step is not written
    clock.now += 100
    add({"kind": "command", "command_line": "make", "cwd": str(root)}, "shell")
    assert driver.events == [EpisodeWanted(START), EpisodeWanted(clock.now)]
    driver.refuse = False
    clock.now += 100
    add({"kind": "command", "command_line": "make test", "cwd": str(root)}, "shell")
    assert driver.events[-1] == EpisodeWanted(clock.now) and len(driver.opened) == 2
    assert [step.get("command_line") for step in written(driver.opened[1])] == ["make test"]
