"""dpo-agent's rule (collector/export/preferences/refinements.py) over generated step sequences: an agent
writes lines over a file the editor shows, the editor reads the write in, the developer changes lines in and
around them, saves and commits, then edits again; the rule's `chosen` is the agent's lines as the developer
left them at the commit, told by a model of the file's lines that knows which are the agent's (never by
the rule's own text matching), and a write left alone, changed after the horizon, or deleted whole is what
docs/exports.md says."""

from __future__ import annotations

import random
from typing import Any

import pytest

from collector.export.preferences.refinements import Settled, changed, refinements
from schemas import Step, step_from_dict

PROMPT = "make the loop count down"


def step(kind: str, t_ms: int, **fields: Any) -> Step:
    return step_from_dict({"kind": kind, "t_ms": t_ms, "source": "test", **fields})


def prompt(t_ms: int, text: str | None = PROMPT) -> Step:
    return step("agent", t_ms, agent="claude-code", hook="UserPromptSubmit", event="prompt", session="s1",
                **({"prompt": text} if text is not None else {}))


def write(t_ms: int, text: str, change: str = "modified") -> Step:
    return step("file_change", t_ms, path="a.py", change=change, origin="agent",
                origin_detail="claude-code:Edit", text=text)


def reload(t_ms: int, old: str, new: str) -> Step:
    """The editor reading the write into its buffer (VS Code's edit of the whole text)."""
    end = {"line": old.count("\n"), "character": 0}
    return step("edit", t_ms, path="a.py", origin="unknown", changes=[{"range": {
        "start": {"line": 0, "character": 0}, "end": end}, "text": new}])


def lines_edit(t_ms: int, first: int, last: int, text: str) -> Step:
    """The developer replacing lines [first, last) with `text` (whole lines)."""
    return step("edit", t_ms, path="a.py", origin="typed", changes=[{"range": {
        "start": {"line": first, "character": 0}, "end": {"line": last, "character": 0}}, "text": text}])


def commit(t_ms: int) -> Step:
    return step("git", t_ms, op="commit", sha="a" * 40, files=[{"path": "a.py"}])


def solid(text: str) -> int:
    return sum(1 for char in text if not char.isspace())


def session(seed: int) -> tuple[list[Step], str, str, float]:
    """A generated session: (steps, the agent's lines, the truth of them at the commit, the share kept)."""
    rng = random.Random(seed)
    old = [f"o{n} = old;\n" for n in range(rng.randint(2, 8))]
    first = rng.randint(0, len(old))
    gone = rng.randint(0, min(2, len(old) - first))
    agent = [f"A{n} = agent({seed})!\n" for n in range(rng.randint(1, 5))]
    before, after = "".join(old), "".join(old[:first] + agent + old[first + gone:])
    # the model: each line (text, the agent's line it was, or None; in the agent's place)
    model: list[tuple[str, str | None, bool]] = [(line, None, False) for line in old[:first]]
    model += [(line, line, True) for line in agent]
    model += [(line, None, False) for line in old[first + gone:]]
    steps = [step("open", 0, path="a.py", text=before), prompt(1_000), write(2_000, after),
             reload(2_100, before, after)]
    t = 3_000
    for number in range(rng.randint(0, 6)):
        t += 1_000
        placed = [index for index, (_, _, inside) in enumerate(model) if inside]
        what = rng.choice(["change", "delete", "insert", "outside"])
        new = f"d{number} = mine({seed});\n"
        if what == "outside" or not placed:
            outside = [index for index, (_, _, inside) in enumerate(model) if not inside]
            if not outside:
                continue
            at = rng.choice(outside)
            model[at] = (new, None, False)
            steps.append(lines_edit(t, at, at + 1, new))
        elif what == "change":
            at = rng.choice(placed)
            model[at] = (new, None, True)
            steps.append(lines_edit(t, at, at + 1, new))
        elif what == "delete":
            at = rng.choice(placed)
            del model[at]
            steps.append(lines_edit(t, at, at + 1, ""))
        elif len(placed) >= 2:  # a line between two of its lines
            at = rng.choice(placed[1:])
            model.insert(at, (new, None, True))
            steps.append(lines_edit(t, at, at, new))
    steps += [step("save", t + 500, path="a.py"), commit(t + 1_000),
              lines_edit(t + 2_000, 0, 0, "after = 'the commit';\n"), prompt(t + 3_000, "next")]
    chosen = "".join(text for text, _, inside in model if inside)
    kept = sum(solid(was) for _, was, _ in model if was is not None) / solid("".join(agent))
    return steps, "".join(agent), chosen, kept


@pytest.mark.parametrize("seed", range(60))
def test_chosen_is_the_agents_lines_as_the_developer_left_them_at_the_commit(seed: int) -> None:
    steps, rejected, truth, kept = session(seed)
    [one] = refinements(steps)
    assert (one.rejected, one.chosen) == (rejected, truth)
    assert one.prompt == PROMPT and one.agent == "claude-code" and one.before is not None
    assert one.kept_share == pytest.approx(kept)
    assert changed(one) is (truth != rejected)
    assert one.actors == (("developer",) if truth != rejected else ())
    assert one.settled_index == len(steps) - 2  # after the commit, before the edit that follows it


def only(steps: list[Step]) -> Settled:
    [one] = refinements(steps)
    return one


BEFORE = "a = 1;\nb = 2;\n"
AFTER = "a = 1;\nx = agent()!\ny = agent()!\nb = 2;\n"


def agent_session(*after: Step, said: str | None = PROMPT) -> list[Step]:
    return [step("open", 0, path="a.py", text=BEFORE), prompt(1_000, said), write(2_000, AFTER),
            reload(2_100, BEFORE, AFTER), *after]


def test_a_write_left_alone_makes_no_row_one_deleted_whole_has_chosen_empty() -> None:
    assert not changed(only(agent_session(commit(5_000))))
    deleted = only(agent_session(lines_edit(3_000, 1, 3, ""), commit(5_000)))
    assert changed(deleted) and deleted.chosen == "" and deleted.kept_share == 0.0
    # a line typed where the deleted lines stood is in front of their (empty) place: not theirs
    typed = only(agent_session(lines_edit(3_000, 1, 3, ""), lines_edit(3_500, 1, 1, "z = 3;\n")))
    assert typed.chosen == ""


def test_the_horizon_is_the_next_prompt_or_kto_s_five_minutes() -> None:
    late = only(agent_session(lines_edit(2_000 + 300_001, 1, 2, "x = mine;\n")))
    assert not changed(late)
    at = only(agent_session(lines_edit(2_000 + 300_000, 1, 2, "x = mine;\n")))
    assert at.chosen == "x = mine;\ny = agent()!\n"
    after_prompt = agent_session(prompt(3_000, "go on"), lines_edit(4_000, 1, 2, "x = mine;\n"))
    assert not changed(refinements(after_prompt)[0])


def test_the_agent_writing_the_file_again_settles_the_first_write() -> None:
    again = "a = 1;\nx = mine;\ny = agent()!\nz = agent()!\nb = 2;\n"
    steps = agent_session(lines_edit(3_000, 1, 2, "x = mine;\n"), step("save", 3_100, path="a.py"),
                          write(4_000, again))
    first, second = refinements(steps)
    assert (first.rejected, first.chosen) == ("x = agent()!\ny = agent()!\n", "x = mine;\ny = agent()!\n")
    assert second.rejected == "z = agent()!\n" and not changed(second)


def test_the_empty_lines_a_write_adds_in_front_of_its_lines_are_not_its_lines() -> None:
    spaced = "a = 1;\n\n\nz = agent()!\nb = 2;\n"
    one = only([step("open", 0, path="a.py", text=BEFORE), prompt(1_000), write(2_000, spaced),
                reload(2_100, BEFORE, spaced), lines_edit(3_000, 3, 4, "z = mine;\n")])
    assert (one.rejected, one.chosen, one.first_line) == ("z = agent()!\n", "z = mine;\n", 4)


def test_a_prompt_left_out_is_none_a_created_file_has_no_text_before() -> None:
    assert only(agent_session(lines_edit(3_000, 1, 2, "x = mine;\n"), said=None)).prompt is None
    steps = [prompt(1_000), write(2_000, "x = agent()!\n", change="created"),
             step("open", 2_100, path="a.py", text="x = agent()!\n"), lines_edit(3_000, 0, 1, "x = mine;\n")]
    created = only(steps)
    assert created.created and created.before is None and created.chosen == "x = mine;\n"
