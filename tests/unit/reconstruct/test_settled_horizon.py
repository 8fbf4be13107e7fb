"""An offer's `settled` text is what stands in its place at the horizon (collector/reconstruct/offers.py:
HORIZON_MS after the offer, survived_5min's), or at the episode's end if that comes first, and every
reader of it reads the same: kto's `settled` and label, dpo's pair, the dataset's `offers` and
`preferences` tables.

Generated sessions: two suggestions, each taken on a line of its own and then rewritten by the developer
as Vim does it (`S`: the line's text deleted, its line break kept; the new line typed; `dd`: the line
taken whole), the second offered at a generated time, every edit at a generated time, many of them just
before, at or just after a horizon. A reference model keeps the file as lines, each suggestion's line
followed by identity: the truth is its line's text once every step up to the horizon is applied (an edit
at the horizon itself is in, as `survived_5min` counts a deletion then as before it), empty once the line
is gone.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collector.dataset.rows.offers import OfferRows
from collector.episode import open_episode, write_episode_file
from collector.export.preferences.dpo import DpoExporter
from collector.export.preferences.kto import KtoExporter
from collector.export.result import ExportResult
from collector.reconstruct.horizons import DEFAULT, HORIZONS
from collector.reconstruct.offers import HORIZON_MS, Place, Places
from collector.reconstruct.workspace import Workspace
from schemas import EpisodeHeader, Step, step_from_dict
from tests.examples import examples

ITEM, REWRITE = "return a", "return -a"
TEXT = "def f(a):\n\ndef g(a):\n\nx = 1\n"  # each suggestion offered on an empty line (1 and 3)
ACTIONS = ("S", "retype", "dd")  # what the developer does to each suggestion's line, in this order
PROFILE = settings(derandomize=True, database=None, deadline=None, max_examples=examples(300),
                   suppress_health_check=[HealthCheck.too_slow])


def step(kind: str, t_ms: int, **fields: Any) -> Step:
    return step_from_dict({"kind": kind, "t_ms": t_ms, "source": "test", **fields})


def span(line: int, start: int, end_line: int, end: int) -> dict[str, Any]:
    return {"start": {"line": line, "character": start}, "end": {"line": end_line, "character": end}}


@dataclass(eq=False)
class Line:
    """A line of the model's file, known by identity."""

    text: str


@dataclass
class Model:
    """The file as lines; each suggestion's line by identity (None once `dd` took it)."""

    lines: list[Line] = field(default_factory=lambda: [Line(text) for text in TEXT.split("\n")[:-1]])

    def row(self, line: Line) -> int:
        return next(at for at, other in enumerate(self.lines) if other is line)

    def step(self, t_ms: int, line: Line, action: str) -> Step:
        """The edit `action` makes to `line`, as Neovim's client sends it, applied to the model."""
        row = self.row(line)
        if action == "S":
            where, text = span(row, 0, row, len(line.text)), ""
            line.text = ""
        elif action == "retype":
            where, text = span(row, len(line.text), row, len(line.text)), REWRITE
            line.text += REWRITE
        elif action == "item":
            where, text = span(row, len(line.text), row, len(line.text)), ITEM
            line.text += ITEM
        else:  # dd
            where, text = span(row, 0, row + 1, 0), ""
            del self.lines[row]
        return step("edit", t_ms, path="a.py", origin="ai_completion" if action == "item" else "typed",
                    changes=[{"range": where, "text": text}])

    def text_of(self, line: Line) -> str:
        return line.text if any(other is line for other in self.lines) else ""


@dataclass(frozen=True)
class Session:
    steps: list[Step]
    truth: list[str]  # each suggestion's settled text, in the order offered
    horizons: list[int]


@st.composite
def near(draw: st.DrawFn, after: int, horizon: int) -> int:
    """A time after `after`: mostly just before, at or just after `horizon`, else anywhere near it."""
    edge = draw(st.sampled_from((-2, -1, 0, 1, 2)))
    if draw(st.booleans()) and horizon + edge > after:
        return horizon + edge
    return draw(st.integers(after + 1, max(after + 2, horizon + 2 * HORIZON_MS // 3)))


@st.composite
def sessions(draw: st.DrawFn) -> Session:
    """Two suggestions taken, each line then rewritten (some of ACTIONS, in order, each at a generated
    time), every step in time order; the truth read off the model as it stands at each horizon."""
    second = draw(st.integers(20, 2 * HORIZON_MS))
    offered = [10, second]
    horizons = [at + HORIZON_MS for at in offered]
    timed: list[tuple[int, int, str]] = []  # (t_ms, suggestion, action)
    for which, at in enumerate(offered):
        timed += [(at, which, "offer"), (at, which, "item")]
        last = at
        for action in ACTIONS[:draw(st.integers(0, len(ACTIONS)))]:
            last = draw(near(last, horizons[which]))
            timed.append((last, which, action))
    timed.sort(key=lambda entry: entry[0])  # (stable: each suggestion's own steps keep their order)
    model = Model()
    mine = [model.lines[1], model.lines[3]]
    steps: list[Step] = [step("open", 0, path="a.py", text=TEXT)]
    truth: list[str | None] = [None, None]
    for t_ms, which, action in timed:
        for other in (0, 1):  # a horizon passed: the truth is the text the steps before left
            if truth[other] is None and horizons[other] < t_ms:
                truth[other] = model.text_of(mine[other])
        if action == "offer":
            row = model.row(mine[which])
            steps.append(step("offer", t_ms, path="a.py", range=span(row, 0, row, 0), via="inline", ai=True,
                              evidence="lsp:textDocument/inlineCompletion", items=[{"text": ITEM}],
                              decision="accepted", taken=0))
        else:
            steps.append(model.step(t_ms, mine[which], action))
    ended = [model.text_of(line) if known is None else known for line, known in zip(mine, truth, strict=True)]
    return Session(steps, ended, horizons)


def followed(steps: list[Step]) -> list[Place]:
    workspace, places = Workspace("utf-16"), Places()
    for index, each in enumerate(steps):
        places.before(index, each, workspace)
        workspace.apply(each)
    return places.finish(workspace)


def exported(steps: list[Step], header: EpisodeHeader) -> dict[str, list[dict[str, Any]]]:
    with tempfile.TemporaryDirectory() as where:
        out = Path(where)
        path = out / f"{header.episode_id}.ctape"
        write_episode_file(path, header, steps)
        rows = {}
        for fmt, exporter in (("kto", KtoExporter), ("dpo", DpoExporter)):
            result = ExportResult(fmt, out)
            result.splits[str(header.episode_id)] = "train"
            exporter(out, result, f".{fmt}.jsonl").add(open_episode(path))
            written = out / f"{header.episode_id}.{fmt}.jsonl"
            rows[fmt] = [json.loads(line) for line in written.read_text(encoding="utf-8").splitlines()]
        return rows


def tables(steps: list[Step]) -> dict[str, list[dict[str, Any]]]:
    common: dict[str, str | None] = {"episode_id": "e", "signer_key_id": "k", "month": "2026-01",
                                     "licence": None}
    rows = OfferRows(common, lambda size: None, lambda text: text)
    workspace = Workspace("utf-16")
    for index, each in enumerate(steps):
        rows.before(index, each, workspace)
        workspace.apply(each)
    return {name: table.to_pylist() for name, table in rows.finish(workspace).items()}


def test_the_horizon_is_survived_5mins() -> None:
    assert HORIZON_MS == HORIZONS[DEFAULT] == HORIZONS["survived_5min"] == 300_000


@PROFILE
@given(sessions())
def test_settled_is_what_stands_in_the_place_at_the_horizon(session: Session) -> None:
    places = followed(session.steps)
    assert [place.settled for place in places] == session.truth, session.steps


@settings(PROFILE, max_examples=examples(60), suppress_health_check=[HealthCheck.too_slow,
                                                                      HealthCheck.function_scoped_fixture])
@given(session=sessions())
def test_every_reader_reads_it_at_the_horizon(session: Session, episode_header: EpisodeHeader) -> None:
    """kto's settled and label, dpo's pairs and the tables: each the truth at the horizon (a suggestion
    standing there true, one retyped a pair whose chosen side is the new line, one deleted false and no
    pair), whatever the developer did after it."""
    rows, found = exported(session.steps, episode_header), tables(session.steps)
    offers = [index for index, each in enumerate(session.steps) if each.kind == "offer"]
    names = [f"{episode_header.episode_id}:{index}" for index in offers]
    kto = {row["name"]: row for row in rows["kto"]}
    assert [kto[name]["settled"] for name in names] == session.truth, rows["kto"]
    assert [kto[name]["label"] for name in names] == [truth == ITEM for truth in session.truth]
    assert {row["name"]: row["chosen"] for row in rows["dpo"]} == {
        name: REWRITE for name, truth in zip(names, session.truth, strict=True) if truth == REWRITE}
    assert [row["settled"] for row in found["offers"]] == session.truth, found["offers"]
    assert {row["step"]: row["chosen"] for row in found["preferences"]} == {
        index: REWRITE for index, truth in zip(offers, session.truth, strict=True) if truth == REWRITE}


def test_an_edit_at_the_horizon_counts_and_one_just_after_it_does_not() -> None:
    """The edge by hand: `S` at the horizon, the retyped line 1 ms after it: the place stands emptied then;
    the same line retyped at the horizon settles as the new line, and a `dd` 1 ms after it is not counted."""
    model = Model()
    line = model.lines[1]
    opened = step("open", 0, path="a.py", text=TEXT)
    offer = step("offer", 10, path="a.py", range=span(1, 0, 1, 0), via="inline", ai=True,
                 evidence="lsp:textDocument/inlineCompletion", items=[{"text": ITEM}], decision="accepted",
                 taken=0)
    taken = model.step(10, line, "item")
    horizon = 10 + HORIZON_MS
    emptied = Model()
    emptied_line = emptied.lines[1]
    steps = [opened, offer, emptied.step(10, emptied_line, "item"), emptied.step(horizon, emptied_line, "S"),
             emptied.step(horizon + 1, emptied_line, "retype")]
    assert [place.settled for place in followed(steps)] == [""]
    steps = [opened, offer, taken, model.step(horizon - 1, line, "S"), model.step(horizon, line, "retype"),
             model.step(horizon + 1, line, "dd")]
    assert [place.settled for place in followed(steps)] == [REWRITE]
