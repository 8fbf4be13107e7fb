"""Whose change it is, decided by its content, not by which event reaches the collector first (issue 86).

Each scenario's messages (an editor's through a bridge's connection, an agent's hooks through the hook's
payload reading, the file watcher's views) go to a real collector in every arrival order the scenario
allows, each order into a workspace of its own; the truth of every change is known. For each order the
sealed episode must give each change of the file on disk to whoever made it (the agent's write `origin`
`agent` with its hook as evidence, the developer's saves never), replay to what was on disk at every
save and at the end, carry the agent's write into no editor step before it is recorded, and pass
`codetape verify --against-git` at the commit that ends it. A reload held for the agent's write survives
the collector being killed (journal/pending.py).
"""

from __future__ import annotations

import itertools
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from collector.home import Home
from collector.protocol.client import Client
from collector.protocol.clock import now_ms
from collector.sources.agents.payloads import from_payload, to_step
from collector.text.digest import sha256_text
from tests.cli import codetape
from tests.support.collector_harness import (
    episode_steps,
    git,
    opt_in,
    running,
    settle,
    start_daemon,
    wait_capturing,
    wait_recorded,
)
from tests.support.disk_replay import disk_changes, saves_off_disk
from tests.waiting import wait_for

BASE = "def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n"
BUG, FIX = "    return a - b", "    return a + b"
TYPED = "# typed by the developer\n"
AGENT = BASE.replace(BUG, FIX)  # the agent's write over BASE
DEV1 = BASE + TYPED  # the developer's line, saved
MERGED = DEV1.replace(BUG, FIX)  # her save and the agent's write, seen by the watcher as one
DEV2 = AGENT + TYPED  # her line typed after the agent's write was read in
NAMES = {sha256_text(text): name for name, text in (("BASE", BASE), ("AGENT", AGENT), ("DEV1", DEV1),
                                                    ("MERGED", MERGED), ("DEV2", DEV2))}
HUNKS = [{"oldStart": 1, "oldLines": 2, "newStart": 1, "newLines": 2,
          "lines": [" def add(a, b):", f"-{BUG}", f"+{FIX}"]}]
GAPS = (0, 200)  # ms between the developer's save and the agent's write, before it or after it
CODEX_PATCH = f"*** Begin Patch\n*** Update File: app.py\n@@\n def add(a, b):\n-{BUG}\n+{FIX}\n*** End Patch"


@dataclass
class Event:
    """Messages one source sends together (`at`: ms after the scenario's start, the truth's time)."""

    name: str
    conn: str  # "editor", "agent" or "watcher"
    at: int
    steps: list[dict[str, Any]]
    after: tuple[str, ...] = ()  # events that always arrive before this one (the same source's, in order)
    late: int = 0  # ms of real time it comes after the event before it (a source slower than the holds)


@dataclass
class Scenario:
    name: str
    events: list[Event]
    truth: list[tuple[str, str | None]]  # the texts on disk in order, and whose: "agent", "developer"
    saves: int | tuple[int, ...]  # the developer's saves (one `save` step each; a tuple: the counts allowed)
    agent: str | None = "codex"
    first: list[Event] = field(default_factory=list)  # sent before the others, in this order

    def orders(self) -> Iterator[list[Event]]:
        """Every arrival order the scenario allows (each source's own messages in their order)."""
        for order in itertools.permutations(self.events):
            names = [event.name for event in order]
            if all(names.index(first) < names.index(event.name) for event in order for first in event.after):
                yield [*self.first, *order]


def edit_at_end(version: int, line: int, text: str, character: int = 0) -> dict[str, Any]:
    where = {"line": line, "character": character}
    return {"kind": "edit", "path": "app.py", "version": version,
            "changes": [{"range": {"start": where, "end": where}, "text": text}]}


def save(text: str, *, with_text: bool = False) -> dict[str, Any]:
    told = {"text": text} if with_text else {}
    return {"kind": "save", "path": "app.py", "sha256": sha256_text(text), **told}


def seen(text: str) -> dict[str, Any]:
    """The file watcher's view of app.py."""
    return {"kind": "file_change", "source": "files", "path": "app.py", "change": "modified", "text": text,
            "sha256": sha256_text(text)}


def opened(text: str, version: int = 0) -> dict[str, Any]:
    return {"kind": "open", "path": "app.py", "language_id": "python", "text": text, "version": version}


def reload(text: str) -> list[dict[str, Any]]:
    """Neovim's `checktime` of a clean buffer: it closes the document and opens it again."""
    return [{"kind": "close", "path": "app.py"}, opened(text)]


def hook(agent: str, event: str, root: Path, **payload: Any) -> dict[str, Any]:
    """The `agent` step the hook sends for `payload` (tests/fixtures/agents: the agents' real payloads)."""
    base = {"session_id": "s-1", "cwd": str(root), "hook_event_name": event, "transcript_path": None,
            "permission_mode": "bypassPermissions", "turn_id": "t-1", "model": "m"}
    return to_step(from_payload(agent, {**base, **payload}))  # type: ignore[arg-type]


def file_tool(agent: str, event: str, root: Path, patch: str = CODEX_PATCH) -> dict[str, Any]:
    if agent == "codex":
        return hook(agent, event, root, tool_name="apply_patch", tool_use_id="call_1",
                    tool_input={"command": patch.replace("app.py", str(root / "app.py"))},
                    **({"tool_response": "Success."} if event == "PostToolUse" else {}))
    edit = {"file_path": str(root / "app.py"), "old_string": BUG, "new_string": FIX, "replace_all": False}
    response = {"filePath": str(root / "app.py"), "structuredPatch": HUNKS, "originalFile": BASE}
    return hook(agent, event, root, tool_name="Edit", tool_use_id="toolu_1", tool_input=edit,
                **({"tool_response": response} if event == "PostToolUse" else {}))


def shell(event: str, root: Path, command: str) -> dict[str, Any]:
    return hook("codex", event, root, tool_name="Bash", tool_use_id=f"call_{command[:3]}",
                tool_input={"command": command}, **({"tool_response": ""} if event == "PostToolUse" else {}))


def scenarios(root: Path) -> dict[str, Scenario]:
    """The scenarios of issue 86, for the workspace at `root`."""
    found: dict[str, Scenario] = {}
    for agent in ("codex", "claude-code"):
        # 1. the agent writes the file the developer has open, the editor reads it in (before or after the
        # hook's result, before or after the watcher's view), then she types a line and saves
        found[f"reload-{agent}"] = Scenario(
            f"reload-{agent}", agent=agent, saves=1,
            first=[Event("pre", "agent", 0, [file_tool(agent, "PreToolUse", root)])],
            events=[Event("written", "watcher", 30, [seen(AGENT)]),
                    Event("reload", "editor", 40, reload(AGENT)),
                    Event("typed", "editor", 300, [edit_at_end(1, 6, TYPED), save(DEV2)], after=("reload",)),
                    Event("post", "agent", 60, [file_tool(agent, "PostToolUse", root)])],
            truth=[(AGENT, "agent"), (DEV2, "developer")])
    # 2. she types a line and saves it 0-200 ms before Codex's apply_patch of the same file: the watcher
    # sees one change holding both lines
    for gap in GAPS:
        found[f"save-then-patch-{gap}ms"] = Scenario(
            f"save-then-patch-{gap}ms", saves=1,
            first=[Event("typed", "editor", -500, [edit_at_end(1, 6, TYPED)])],
            events=[Event("saved", "editor", 40 - gap, [save(DEV1)]),
                    Event("pre", "agent", 0, [file_tool("codex", "PreToolUse", root)]),
                    Event("written", "watcher", 40, [seen(MERGED)]),
                    Event("post", "agent", 60, [file_tool("codex", "PostToolUse", root)], after=("pre",))],
            truth=[(DEV1, "developer"), (MERGED, "agent")])
    # 2'''. the same, her typed line and save reaching the collector after the watcher's view and the hook
    # (a bridge slower than the watcher under load): the view, split by its text, waits for her edits and
    # save (collector/daemon/held_views.py): her save is a `save` as she made it, never a change
    # of nobody's, and the agent's write the rest of the view
    found["save-then-patch-editor-late"] = Scenario(
        "save-then-patch-editor-late", saves=1,
        first=[Event("pre", "agent", 0, [file_tool("codex", "PreToolUse", root)])],
        events=[Event("saved", "editor", 20, [edit_at_end(1, 6, TYPED), save(DEV1)]),
                Event("written", "watcher", 40, [seen(MERGED)]),
                Event("post", "agent", 60, [file_tool("codex", "PostToolUse", root)])],
        truth=[(DEV1, "developer"), (MERGED, "agent")])
    # 2''''. Claude Code's turn just after her save (tests/e2e/neovim/test_agent_meets_neovim.py): the first
    # keys of her line reached the collector, the watcher's view of her save came, and her last keys and the
    # save came more than HOLD_MS later (the bridge holds an edit for its origin up to 1.5 s, more under
    # load): that view is her save, never another program's change, and the agent's write comes after it
    half = TYPED.index(" the ")
    found["save-then-turn-editor-late"] = Scenario(
        "save-then-turn-editor-late", agent="claude-code", saves=1,
        first=[Event("typed", "editor", -500, [edit_at_end(1, 6, TYPED[:half])])],
        events=[Event("written", "watcher", 40, [seen(DEV1)]),
                Event("saved", "editor", 30, [edit_at_end(2, 6, TYPED[half:], half), save(DEV1)], late=1300),
                Event("pre", "agent", 3000, [file_tool("claude-code", "PreToolUse", root)],
                      after=("written", "saved")),
                Event("patched", "watcher", 3030, [seen(MERGED)], after=("pre",)),
                Event("post", "agent", 3050, [file_tool("claude-code", "PostToolUse", root)],
                      after=("pre",))],
        truth=[(DEV1, "developer"), (MERGED, "agent")])
    # 2''. her save, then Codex's apply_patch of the file 40 ms later, which the editor reads in: the agent's
    # write, not a formatter's on save (collector/daemon/formats.py)
    found["save-then-patch-reloaded"] = Scenario(
        "save-then-patch-reloaded", saves=1,
        first=[Event("typed", "editor", -500, [edit_at_end(1, 6, TYPED)]),
               Event("saved", "editor", -10, [save(DEV1)]),
               Event("pre", "agent", 0, [file_tool("codex", "PreToolUse", root)])],
        events=[Event("written", "watcher", 40, [seen(MERGED)]),
                Event("reload", "editor", 50, reload(MERGED)),
                Event("post", "agent", 60, [file_tool("codex", "PostToolUse", root)])],
        truth=[(DEV1, "developer"), (MERGED, "agent")])
    # 2'. the agent's write, then her save of the buffer she had typed in (it overwrites the write) 0-200 ms
    # later, the watcher seeing each
    for gap in GAPS:
        found[f"patch-then-save-{gap}ms"] = Scenario(
            f"patch-then-save-{gap}ms", saves=1,
            first=[Event("typed", "editor", -500, [edit_at_end(1, 6, TYPED)]),
                   Event("pre", "agent", 0, [file_tool("codex", "PreToolUse", root)])],
            events=[Event("written", "watcher", 30, [seen(AGENT)]),
                    Event("post", "agent", 50, [file_tool("codex", "PostToolUse", root)]),
                    # (the watcher's view of the write before her later save: collector/daemon/intake/hold.py)
                    Event("saved", "editor", 30 + gap, [save(DEV1)], after=("written",)),
                    Event("overwritten", "watcher", 60 + gap, [seen(DEV1)], after=("written",))],
            truth=[(AGENT, "agent"), (DEV1, "developer")])
    # 3. a turn that only runs `git diff` while she saves
    found["shell-while-saving"] = Scenario(
        "shell-while-saving", saves=1,
        first=[Event("pre", "agent", 0, [shell("PreToolUse", root, "git diff")])],
        events=[Event("saved", "editor", 40, [edit_at_end(1, 6, TYPED), save(DEV1)]),
                Event("written", "watcher", 80, [seen(DEV1)]),
                Event("post", "agent", 300, [shell("PostToolUse", root, "git diff")])],
        truth=[(DEV1, "developer")])
    # 3''''. the same, her last keys and save reaching the collector 1.3 s after the watcher's view of that
    # save (its first keys before it), while the call is open: her save, not the shell call's by its time
    found["shell-while-saving-editor-late"] = Scenario(
        "shell-while-saving-editor-late", saves=1,
        first=[Event("pre", "agent", 0, [shell("PreToolUse", root, "git diff")]),
               Event("typed", "editor", 20, [edit_at_end(1, 6, TYPED[:half])])],
        events=[Event("written", "watcher", 80, [seen(DEV1)]),
                Event("saved", "editor", 60, [edit_at_end(2, 6, TYPED[half:], half), save(DEV1)], late=1300),
                Event("post", "agent", 3000, [shell("PostToolUse", root, "git diff")],
                      after=("written", "saved"))],
        truth=[(DEV1, "developer")])
    # 3'. the agent's shell command rewrites the file she has open, unedited, and the editor reads it in
    # (Neovim closes and opens it; VS Code sends its whole text)
    whole = {"kind": "edit", "path": "app.py", "version": 1, "changes": [{"text": AGENT}]}
    for editor, read in (("neovim", reload(AGENT)), ("vscode", [whole])):
        found[f"shell-rewrites-{editor}"] = Scenario(
            f"shell-rewrites-{editor}", saves=0,
            first=[Event("pre", "agent", 0, [shell("PreToolUse", root, "sed -i s/-/+/ app.py")])],
            events=[Event("written", "watcher", 30, [seen(AGENT)]),
                    Event("reload", "editor", 40, read),
                    Event("post", "agent", 60, [shell("PostToolUse", root, "sed -i s/-/+/ app.py")])],
            truth=[(AGENT, "agent")])
    # 3''. Kate (its whole text at every pause in typing) typing and saving while a shell command runs
    found["kate-while-shell"] = Scenario(
        "kate-while-shell", agent=None, saves=1,
        first=[Event("pre", "agent", 0, [shell("PreToolUse", root, "pytest -q")])],
        events=[Event("saved", "editor", 40, [{"kind": "edit", "path": "app.py", "version": 2,
                                               "changes": [{"text": DEV1}]}, save(DEV1, with_text=True)]),
                Event("written", "watcher", 80, [seen(DEV1)]),
                Event("post", "agent", 300, [shell("PostToolUse", root, "pytest -q")])],
        truth=[(DEV1, "developer")])
    # 3'''. she saves every 150 ms while the agent's shell call (`pytest -q`) runs: the watcher sees her first
    # save half written (Neovim truncates the file and writes it), then only her third (its views of the
    # others merged into it), before or after the bridge's saves
    lines = [BASE + "".join(f"# line {n}\n" for n in range(1, last + 1)) for last in range(1, 4)]
    typed = [Event(f"save{n}", "editor", 150 * n, [edit_at_end(n, 5 + n, f"# line {n}\n"), save(text)],
                   after=(f"save{n - 1}",) if n > 1 else ()) for n, text in enumerate(lines, 1)]
    found["saves-under-shell-cut"] = Scenario(
        "saves-under-shell-cut", agent=None, saves=3,
        first=[Event("pre", "agent", 0, [shell("PreToolUse", root, "pytest -q")])],
        events=[*typed, Event("cut", "watcher", 155, [seen("")]),
                Event("view3", "watcher", 470, [seen(lines[2])], after=("cut",)),
                Event("post", "agent", 1500, [shell("PostToolUse", root, "pytest -q")],
                      after=("save3", "view3"))],
        truth=[(text, "developer") for text in lines])
    # 4. Kate: a save that carries its text, its late didChange of the same text, the watcher's view late
    found["late-view"] = Scenario(
        "late-view", agent=None, saves=1,
        first=[Event("typed", "editor", -500, [{"kind": "edit", "path": "app.py", "version": 2,
                                                "changes": [{"text": DEV1}]}])],
        events=[Event("saved", "editor", 20, [save(DEV1, with_text=True),
                                              {"kind": "edit", "path": "app.py", "version": 4,
                                               "changes": [{"text": DEV1}]}]),
                Event("written", "watcher", 650, [seen(DEV1)])],
        truth=[(DEV1, "developer")])
    # 4'. Neovim: her save, then a key typed and undone (her buffer is the saved text again, edited), the
    # watcher's view of the save coming late: that save, not another
    typed_x = {"start": {"line": 7, "character": 0}, "end": {"line": 7, "character": 1}}
    undone = {"kind": "edit", "path": "app.py", "version": 4, "changes": [{"range": typed_x, "text": ""}]}
    found["late-view-undone"] = Scenario(
        "late-view-undone", agent=None, saves=1,
        first=[Event("saved", "editor", 20, [edit_at_end(2, 6, TYPED), save(DEV1)])],
        events=[Event("undone", "editor", 300, [edit_at_end(3, 7, "x"), undone]),
                Event("written", "watcher", 650, [seen(DEV1)])],
        truth=[(DEV1, "developer")])
    return found


SCENARIOS = ("reload-codex", "reload-claude-code", *(f"save-then-patch-{gap}ms" for gap in GAPS),
             "save-then-patch-reloaded", "save-then-patch-editor-late", "save-then-turn-editor-late",
             *(f"patch-then-save-{gap}ms" for gap in GAPS), "shell-while-saving",
             "shell-while-saving-editor-late",
             "saves-under-shell-cut", "shell-rewrites-neovim", "shell-rewrites-vscode", "kate-while-shell",
             "late-view", "late-view-undone")


class Sources:
    """The three connections of one workspace: the editor's bridge, the agent's hook, the watcher."""

    def __init__(self, home: Home, root: Path) -> None:
        self.conns: dict[str, Client] = {}
        for name, source in (("editor", "bridge"), ("agent", "agent"), ("watcher", "files")):
            conn = Client.connect(home, autostart=False, timeout=10.0)
            editor = {"name": "Neovim", "version": "0.11"} if name == "editor" else None
            conn.hello(root, source, client=editor)
            self.conns[name] = conn

    def send(self, event: Event, start: int) -> None:
        conn = self.conns[event.conn]
        time.sleep(event.late / 1000)
        for offset, step in enumerate(event.steps):
            conn.send_step(start + event.at + offset, step)
        settle(conn)  # processed before the next event, whichever connection sends it

    def close(self) -> None:
        for conn in self.conns.values():
            conn.close()


def workspace(base: Path, home: Path, name: str) -> Path:
    root = opt_in(base / name, home=home)
    git(root, "init", "-q")
    (root / "app.py").write_text(BASE)
    git(root, "add", "app.py")
    git(root, "commit", "-qm", "base")
    return root


def holding(client: Client, root: Path) -> int:
    workspaces = client.request("status")["workspaces"]
    return int(next(w["holding"] for w in workspaces if Path(w["root"]) == root))


def check(scenario: Scenario, order: list[str], steps: list[dict[str, Any]], root: Path, episode: Path,
          home: Path) -> None:
    where = f"{scenario.name}, order {' '.join(order)}"
    changes = disk_changes(steps, "app.py")
    told = [(s["kind"], s.get("source"), s.get("origin"), NAMES.get(s.get("sha256") or "")) for s in steps]
    assert [(text, whose) for text, whose, _ in changes] == scenario.truth, (where, told)
    for _text, whose, step in changes:
        if whose == "agent":
            assert step["origin_detail"].startswith(f"{scenario.agent}:"), (where, step)
    saves = [s for s in steps if s["kind"] == "save"]
    allowed = scenario.saves if isinstance(scenario.saves, tuple) else (scenario.saves,)
    assert len(saves) in allowed, (where, steps)  # one save step a save, however late its view came
    assert saves_off_disk(steps, "app.py") == [], (where, told)  # the replay is the disk at every save
    agent_at = next((n for n, (_, whose, _s) in enumerate(changes) if whose == "agent"), None)
    if agent_at is not None:  # no editor step carries the agent's write before it is recorded
        recorded = steps.index(changes[agent_at][2])
        for step in steps[:recorded]:
            texts = [step.get("text") or ""] + [c.get("text", "") for c in step.get("changes", [])]
            assert not any(FIX in text for text in texts), (where, step)
    done = codetape(home, "verify", str(episode))
    assert done.returncode == 0, (where, done.stdout, done.stderr)
    against = codetape(home, "verify", str(episode), "--against-git", str(root))
    assert against.returncode == 0 and against.stdout.startswith("ok (1 commit"), (where, against.stdout,
                                                                                      against.stderr)


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_arrival_order_gives_each_change_to_whoever_made_it(name: str, tmp_path: Path) -> None:
    home = tmp_path / "ct"
    probe = scenarios(tmp_path / "probe")[name]
    orders = list(probe.orders())
    roots = [workspace(tmp_path, home, f"ws{n}") for n in range(len(orders))]
    with running(home) as daemon, daemon.client() as client:
        sent: list[tuple[Path, Scenario, list[Event], int, Sources]] = []
        for root in roots:
            wait_capturing(client, root)
        for root, number in zip(roots, range(len(orders)), strict=True):
            scenario = scenarios(root)[name]
            order = list(scenario.orders())[number]
            sources = Sources(daemon.home, root)
            start = now_ms()
            sources.send(Event("open", "editor", -1000, [opened(BASE)]), start)
            for event in order:
                sources.send(event, start)
            sent.append((root, scenario, order, start, sources))
        for root, *_ in sent:  # every held step written (the holds end HOLD_MS after the last message)
            wait_for(lambda root=root: holding(client, root) == 0, what=f"{root.name}'s held steps",
                     detail=lambda root=root: holding(client, root))
        for root, scenario, order, _start, sources in sent:
            final = scenario.truth[-1][0]
            (root / "app.py").write_text(final)
            git(root, "commit", "-qam", "the work")
            head = git(root, "rev-parse", "HEAD")
            wait_recorded(daemon.home, root, lambda s, head=head: any(x.get("sha") == head for x in s),
                          "the commit")
            sealed = client.request("seal", workspace=str(root))
            sources.close()
            episode = Path(sealed["path"])
            check(scenario, [e.name for e in order], episode_steps(episode), root, episode, home)


def test_a_held_reload_survives_the_collector_being_killed(tmp_path: Path) -> None:
    home = tmp_path / "ct"
    root = workspace(tmp_path, home, "ws")
    daemon = start_daemon(home)
    try:
        with daemon.client() as client:
            wait_capturing(client, root)
        sources = Sources(daemon.home, root)
        start = now_ms()
        sources.send(Event("open", "editor", -1000, [opened(BASE)]), start)
        sources.send(Event("pre", "agent", 0, [file_tool("codex", "PreToolUse", root)]), start)
        sources.send(Event("reload", "editor", 40, reload(AGENT)), start)
        pending = list(daemon.home.journals.glob("*.pending"))
        assert len(pending) == 1 and pending[0].stat().st_size > 0
        daemon.stop(signal.SIGKILL)
        sources.close()
    finally:
        if daemon.proc.poll() is None:
            daemon.stop(signal.SIGKILL)
    with running(home) as again:
        [episode] = wait_for(lambda: sorted(again.home.episodes.glob("*.ctape")),
                             what="the recovered episode")
    steps = episode_steps(episode)
    assert [(s["kind"], s.get("text")) for s in steps if s["kind"] in ("open", "close")] == [
        ("open", BASE), ("close", None), ("open", AGENT)]
    assert not list(Home(home.resolve()).journals.glob("*.pending"))
