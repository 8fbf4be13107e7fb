"""A formatter the editor runs on save outside its language server is recorded as the formatter's change of
the lines it changed, in every arrival order (issue 90, collector/daemon/formats.py).

The agent's edit inserts a line, the developer types one and saves, a save hook's formatter (`ruff format`)
rewrites the file and the editor reads it in (Neovim closes and opens the document, VS Code sends its whole
text). Each arrival order of the editor's save and reload and the watcher's views of the save and of the
formatter's write goes to a real collector, into a workspace of its own. For each the sealed episode must
hold the formatter's write as a `file_change` of origin `format` (evidence `collector:saved then
reloaded`, `changed_lines` the lines it changed) just before the reload, give in Agent Trace's replay the
agent's line to `ai`, the formatter's and the developer's lines to `human` and no other line to anyone,
and pass `codetape verify` and `verify --against-git` at the commit. The watcher's view held past HOLD_MS
before the reload comes is still the formatter's; a program's write after a save that no editor reads in
stays a program's.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from collector.daemon.formats import DETAIL
from collector.export.authors import Authors
from collector.home import Home
from collector.protocol.client import Client
from collector.protocol.clock import now_ms
from collector.reconstruct.workspace import Workspace
from collector.text.digest import sha256_text
from schemas import step_from_dict
from tests.cli import codetape
from tests.integration.daemon.test_whose_change import holding
from tests.support.collector_harness import (
    episode_steps,
    git,
    opt_in,
    running,
    settle,
    wait_capturing,
    wait_recorded,
)
from tests.waiting import wait_for

BASE = "x=1\n\n\ndef add(a, b):\n    return a+b\n"
AGENT_LINE, TYPED = "LIMIT = 10\n", "y=2\n"
SAVED = "x=1\n" + AGENT_LINE + "\n\ndef add(a, b):\n    return a+b\n" + TYPED
FORMATTED = "x = 1\n" + AGENT_LINE + "\n\ndef add(a, b):\n    return a + b\n\n\ny = 2\n"  # (ruff format's)
RUNS = [[1, 1, 1, 1], [6, 2, 6, 4]]  # the lines the formatter changed: `x = 1`, `return a + b` to `y = 2`
NAMES = {sha256_text(text): name
         for name, text in (("BASE", BASE), ("SAVED", SAVED), ("FORMATTED", FORMATTED))}


@dataclass
class Event:
    name: str
    conn: str  # "editor" or "watcher"
    steps: list[dict[str, Any]]
    after: tuple[str, ...] = ()  # events that always arrive before this one (the same source's)
    recorded: str | None = None  # a path whose file change the collector has recorded before the next event


def opened(text: str, version: int = 0) -> dict[str, Any]:
    return {"kind": "open", "path": "app.py", "language_id": "python", "text": text, "version": version}


def inserted(version: int, line: int, text: str, origin: str, detail: str) -> dict[str, Any]:
    where = {"line": line, "character": 0}
    return {"kind": "edit", "path": "app.py", "version": version, "origin": origin, "origin_detail": detail,
            "changes": [{"range": {"start": where, "end": where}, "text": text}]}


def seen(text: str) -> dict[str, Any]:
    """The file watcher's view of app.py."""
    return {"kind": "file_change", "source": "files", "path": "app.py", "change": "modified", "text": text,
            "sha256": sha256_text(text)}


RELOADS = {  # how an editor reads in the file a program wrote under its clean buffer
    "neovim": [{"kind": "close", "path": "app.py"}, opened(FORMATTED, 5)],
    "vscode": [{"kind": "edit", "path": "app.py", "version": 4, "changes": [{"text": FORMATTED}]}],
}
NOTES = "notes\n"  # another file, which the watcher sees written when a test needs HOLD_MS to pass
SAVE = {"kind": "save", "path": "app.py", "sha256": sha256_text(SAVED)}
FIRST = [Event("open", "editor", [opened(BASE)]),
         Event("agent", "editor", [inserted(1, 1, AGENT_LINE, "agent", "claude-code:PostToolUse Edit")]),
         Event("typed", "editor", [inserted(2, 6, TYPED, "typed", "nvim:keys")])]


def orders(editor: str) -> list[list[Event]]:
    """Every arrival order of the save, the reload and the watcher's two views (each source's in order)."""
    events = [Event("saved", "editor", [SAVE]),
              Event("reload", "editor", RELOADS[editor], after=("saved",)),
              Event("save-seen", "watcher", [seen(SAVED)]),
              Event("formatted", "watcher", [seen(FORMATTED)], after=("save-seen",))]
    found = []
    for order in itertools.permutations(events):
        names = [event.name for event in order]
        if all(names.index(first) < names.index(event.name) for event in order for first in event.after):
            found.append([*FIRST, *order])
    return found


CASES = [(editor, number) for editor in RELOADS for number in range(len(orders(editor)))]


class Sources:
    """An editor's bridge and the file watcher, connected to one workspace."""

    def __init__(self, client_home: Home, root: Path) -> None:
        self.conns: dict[str, Client] = {}
        for name, source in (("editor", "bridge"), ("watcher", "files")):
            conn = Client.connect(client_home, autostart=False, timeout=10.0)
            editor = {"name": "Neovim", "version": "0.11"} if name == "editor" else None
            conn.hello(root, source, client=editor)
            self.conns[name] = conn

    def send(self, event: Event, start: int, at: int) -> None:
        conn = self.conns[event.conn]
        for offset, step in enumerate(event.steps):
            conn.send_step(start + at + offset, step)
        settle(conn)  # processed before the next event, whichever connection sends it

    def close(self) -> None:
        for conn in self.conns.values():
            conn.close()


def workspace(base: Path, home: Path, name: str) -> Path:
    root = opt_in(base / name, home=home)
    git(root, "init", "-q")
    (root / "app.py").write_text(BASE)
    (root / "notes.txt").write_text(NOTES)
    git(root, "add", "app.py", "notes.txt")
    git(root, "commit", "-qm", "base")
    return root


def settled(client: Client, root: Path) -> bool:
    return holding(client, root) == 0


def committed(head: str, steps: list[dict[str, Any]]) -> bool:
    return any(step.get("sha") == head for step in steps)


def changed(path: str, steps: list[dict[str, Any]]) -> bool:
    return any(step["kind"] == "file_change" and step.get("path") == path for step in steps)


def labels_after(steps: list[dict[str, Any]], index: int) -> list[str | None]:
    """Agent Trace's contributor of each line of app.py once the episode's steps up to `index` replayed."""
    authors = Authors(Workspace("utf-16"))
    for plain in steps[: index + 1]:
        authors.apply(step_from_dict(plain))
    labels: list[str | None] = list(authors.lines.get("app.py") or [])
    return labels[: len((authors.text("app.py") or "").splitlines())]


Recorded = tuple[list[str], Path, Path, Path]  # the order's event names, the workspace, the episode, the home


def record(tmp_path: Path, cases: list[list[Event]], *, final: str) -> list[Recorded]:
    """Send each order to its own workspace of one collector, commit `final`, seal; (order, root, episode,
    home) of each."""
    home = tmp_path / "ct"
    roots = [workspace(tmp_path, home, f"ws{n}") for n in range(len(cases))]
    done = []
    with running(home) as daemon, daemon.client() as client:
        for root in roots:
            wait_capturing(client, root)
        sent: list[tuple[Path, list[Event], Sources]] = []
        for root, order in zip(roots, cases, strict=True):
            sources = Sources(daemon.home, root)
            start = now_ms()
            for at, event in enumerate(order):
                sources.send(event, start, 10 * at)
                if event.recorded is not None:  # (a change held HOLD_MS: those held before it were too)
                    wait_recorded(daemon.home, root, partial(changed, event.recorded), event.recorded)
            sent.append((root, order, sources))
        for root, _order, _sources in sent:  # every held step written
            wait_for(partial(settled, client, root), what=f"{root.name}'s held steps",
                     detail=partial(holding, client, root))
        for root, order, sources in sent:
            (root / "app.py").write_text(final)
            if any(event.recorded for event in order):
                (root / "notes.txt").write_text(NOTES + "more\n")
            git(root, "commit", "-qam", "the work")
            head = git(root, "rev-parse", "HEAD")
            wait_recorded(daemon.home, root, partial(committed, head), "the commit")
            sealed = client.request("seal", workspace=str(root))
            sources.close()
            done.append(([event.name for event in order], root, Path(sealed["path"]), home))
    return done


def verified(home: Path, episode: Path, root: Path, where: str) -> None:
    done = codetape(home, "verify", str(episode))
    assert done.returncode == 0, (where, done.stdout, done.stderr)
    against = codetape(home, "verify", str(episode), "--against-git", str(root))
    assert against.returncode == 0 and against.stdout.startswith("ok (1 commit"), (where, against.stdout,
                                                                                      against.stderr)


@pytest.mark.parametrize("editor", sorted(RELOADS))
def test_every_arrival_order_gives_the_formatter_its_lines(editor: str, tmp_path: Path) -> None:
    for names, root, episode, home in record(tmp_path, orders(editor), final=FORMATTED):
        steps = episode_steps(episode)
        where = f"{editor}, order {' '.join(names)}: " + repr(
            [(s["kind"], s.get("origin"), NAMES.get(s.get("sha256") or "")) for s in steps])
        writes = [n for n, s in enumerate(steps) if s["kind"] == "file_change" and s["path"] == "app.py"]
        assert len(writes) == 1, where
        [at] = writes
        write = steps[at]
        assert (write["origin"], write["origin_detail"], write["changed_lines"], write["text"]) == (
            "format", DETAIL, RUNS, FORMATTED), where
        assert [s["kind"] for s in steps if s["kind"] == "save"] == ["save"], where  # the one save, said
        reload_at = at + 1  # the editor's reading it in, just after it
        assert steps[reload_at]["kind"] in ("open", "edit") and steps[reload_at].get("text", FORMATTED) == \
            FORMATTED and all(
            s["kind"] not in ("open", "edit") for s in steps[next(n for n, s in enumerate(steps)
                                                                  if s["kind"] == "save"):at]), where
        before = labels_after(steps, at - 1)  # the lines of SAVED: the agent's, the developer's, the rest
        assert before[1] == "ai" and before[6] == "human", (where, before)
        assert labels_after(steps, reload_at) == ["human", *before[1:5], *["human"] * 4], where
        verified(home, episode, root, where)


def test_a_write_after_a_save_that_no_editor_reads_in_is_a_programs(tmp_path: Path) -> None:
    """The same write, the editor never reading it in (its buffer edited on): not the formatter's; it is
    held for a reload until SAVE_MS after the save, then goes as any program's write."""
    order = [*FIRST, Event("saved", "editor", [SAVE]), Event("formatted", "watcher", [seen(FORMATTED)])]
    [(names, root, episode, home)] = record(tmp_path, [order], final=FORMATTED)
    steps = episode_steps(episode)
    [write] = [s for s in steps if s["kind"] == "file_change"]
    assert write.get("origin") is None and "changed_lines" not in write, (names, write)
    verified(home, episode, root, " ".join(names))


def test_a_reload_long_after_the_watcher_s_view_still_finds_the_formatter_s_write(tmp_path: Path) -> None:
    """The watcher's view of the formatter's write held past HOLD_MS (another file's change, seen after it,
    recorded: it waited HOLD_MS) before Neovim reads the file in: still the formatter's."""
    past_hold = Event("past-hold", "watcher", [{**seen(NOTES + "more\n"), "path": "notes.txt"}],
                      recorded="notes.txt")
    order = [*FIRST, Event("saved", "editor", [SAVE]), Event("formatted", "watcher", [seen(FORMATTED)]),
             past_hold, Event("reload", "editor", RELOADS["neovim"])]
    [(names, root, episode, home)] = record(tmp_path, [order], final=FORMATTED)
    steps = episode_steps(episode)
    [at] = [n for n, s in enumerate(steps) if s["kind"] == "file_change" and s["path"] == "app.py"]
    assert (steps[at]["origin"], steps[at]["changed_lines"]) == ("format", RUNS), steps
    assert (steps[at + 1]["kind"], steps[at + 1].get("text")) == ("open", FORMATTED), steps
    verified(home, episode, root, " ".join(names))


def test_a_formatter_s_write_seen_half_done_is_still_one_write_of_the_formatter(tmp_path: Path) -> None:
    """ruff rewrites the file in place: the watcher may see it truncated, then whole."""
    order = [*FIRST, Event("saved", "editor", [SAVE]), Event("truncated", "watcher", [seen("")]),
             Event("formatted", "watcher", [seen(FORMATTED)]), Event("reload", "editor", RELOADS["neovim"])]
    [(names, root, episode, home)] = record(tmp_path, [order], final=FORMATTED)
    steps = episode_steps(episode)
    writes = [s for s in steps if s["kind"] == "file_change" and s["path"] == "app.py"]
    assert [(s["origin"], s["changed_lines"], s["text"]) for s in writes] == [
        ("format", RUNS, FORMATTED)], steps
    verified(home, episode, root, " ".join(names))
