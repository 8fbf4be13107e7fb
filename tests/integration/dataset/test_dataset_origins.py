"""The dataset carries whose work each edit is: `steps.origin` and `steps.origin_detail` (null for an edit
without one, and for every step of an episode from before origins), and each episode row the characters
inserted per origin with their share, as DuckDB reads them from the built Parquet."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import msgspec
import pytest

from collector.episode import open_episode, write_episode_file
from schemas.steps import EditStep, FileChangeStep, Step
from tests.cli import codetape
from tests.support.dataset_helpers import SCALE, contributor, duck, session, sign, upload
from tests.support.sessions import generate

MARKS = (("completion", "lsp:textDocument/completion"), ("paste", "nvim:vim.paste"), ("typed", None))


def tagged(home_episodes: Path, seed: int) -> tuple[Path, dict[int, tuple[str, str | None]], dict[str, int]]:
    """A generated session whose every 7th edit carries an origin: the file, origin by step index, and the
    characters inserted per origin (`unknown` for the rest), counted here from the steps."""
    made = generate(seed, "mixed", scale=SCALE)
    steps: list[Step] = []
    marks: dict[int, tuple[str, str | None]] = {}
    inserted: dict[str, int] = {}
    edits = 0
    for index, step in enumerate(made.steps):
        if isinstance(step, EditStep):
            origin = "unknown"
            if edits % 7 == 0:
                origin, detail = MARKS[(edits // 7) % len(MARKS)]
                step = msgspec.structs.replace(step, origin=origin, origin_detail=detail)
                marks[index] = (origin, detail)
            inserted[origin] = inserted.get(origin, 0) + sum(len(c.text) for c in step.changes)
            edits += 1
        steps.append(step)
    path = home_episodes / f"{made.header.episode_id}.ctape"
    write_episode_file(path, made.header, steps, level=3)
    return path, marks, inserted


def test_steps_and_episodes_carry_origins(tmp_path: Path) -> None:
    alice = contributor(tmp_path, "alice")
    unsigned, marks, inserted = tagged(alice.home.ensure(alice.home.episodes), 11)
    with_origins = sign(alice, unsigned)
    before = sign(alice, session(alice.home, 12))  # no origin anywhere: as every episode until now
    upload(alice, (tmp_path / "source").as_uri())
    out = tmp_path / "out"
    done = codetape(tmp_path / "team", "dataset", "build", str(tmp_path / "source"), "-o", str(out),
                    "--trust", str(alice.trust_file(tmp_path)))
    assert done.returncode == 0, done.stderr
    con = duck(out)
    new_id = str(open_episode(with_origins).header.episode_id)
    old_id = str(open_episode(before).header.episode_id)

    found = con.execute("SELECT step, origin, origin_detail FROM steps WHERE episode_id = ? "
                        "AND origin IS NOT NULL ORDER BY step", [new_id]).fetchall()
    assert {step: (origin, detail) for step, origin, detail in found} == marks
    assert con.execute("SELECT count(*) FROM steps WHERE episode_id = ? AND (origin IS NOT NULL OR "
                       "origin_detail IS NOT NULL)", [old_id]).fetchone() == (0,)
    # a data team keeps the human's typing and pastes
    kept = con.execute("SELECT count(*) FROM steps WHERE kind = 'edit' AND origin IN ('typed', 'paste')"
                       ).fetchone()
    assert kept == (sum(1 for origin, _ in marks.values() if origin in ("typed", "paste")),)
    assert json.loads(con.execute("SELECT data FROM steps WHERE episode_id = ? AND origin = 'paste' LIMIT 1",
                                  [new_id]).fetchone()[0])["origin"] == "paste"

    shares = con.execute("SELECT s.origin, s.chars, s.share FROM (SELECT unnest(inserted_by_origin) AS s "
                         "FROM episodes WHERE episode_id = ?) ORDER BY 1", [new_id]).fetchall()
    total = sum(inserted.values())
    assert [(origin, chars) for origin, chars, _ in shares] == sorted(inserted.items())
    assert all(abs(share - inserted[origin] / total) < 1e-12 for origin, _, share in shares)
    old = con.execute("SELECT s.origin, s.share FROM (SELECT unnest(inserted_by_origin) AS s FROM episodes "
                      "WHERE episode_id = ?)", [old_id]).fetchall()
    assert old == [("unknown", 1.0)]


def test_origin_keeps_the_episodes_whose_writing_is_of_the_origins_wanted(tmp_path: Path) -> None:
    """`--origin unknown`: the episode from before origins (all unknown) is kept; the one whose edits are
    partly typed, pasted and completed is a row of rejected saying how much was of what. With
    --origin-share 0.5 both are kept; a later build into the first OUT with another --origin is refused."""
    alice = contributor(tmp_path, "alice")
    unsigned, _, inserted = tagged(alice.home.ensure(alice.home.episodes), 13)
    tagged_id = str(open_episode(sign(alice, unsigned)).header.episode_id)
    old_id = str(open_episode(sign(alice, session(alice.home, 14))).header.episode_id)
    upload(alice, (tmp_path / "source").as_uri())
    trust = str(alice.trust_file(tmp_path))

    def build(out: Path, *origin: str) -> tuple[int, str]:
        done = codetape(tmp_path / "team", "dataset", "build", str(tmp_path / "source"), "-o", str(out),
                        "--trust", trust, *origin)
        return done.returncode, done.stderr

    assert build(tmp_path / "strict", "--origin", "unknown") == (0, "")
    con = duck(tmp_path / "strict")
    assert con.execute("SELECT episode_id FROM episodes").fetchall() == [(old_id,)]
    reason, detail = con.execute("SELECT reason, detail FROM rejected WHERE episode_id = ?",
                                 [tagged_id]).fetchone()
    total = sum(inserted.values())
    assert reason == "origin"
    assert detail.startswith(f"{inserted['unknown'] / total:.0%} of the {total:,} characters")
    assert all(origin in detail for origin in ("typed", "paste", "completion")), detail
    manifest = json.loads((tmp_path / "strict" / "_manifest.json").read_text(encoding="utf-8"))
    assert manifest["origins"] == "unknown"

    assert build(tmp_path / "lenient", "--origin", "unknown", "--origin-share", "0.5") == (0, "")
    kept = duck(tmp_path / "lenient").execute("SELECT episode_id FROM episodes ORDER BY 1").fetchall()
    assert kept == sorted([(old_id,), (tagged_id,)])

    code, stderr = build(tmp_path / "strict", "--origin", "typed")
    assert code == 2 and "was built accepting --origin unknown" in stderr
    code, stderr = build(tmp_path / "other", "--origin", "typing")
    assert code == 2 and "typing is not an origin" in stderr


def typed_then_written(home_episodes: Path, seed: int, origin: str | None) -> tuple[Path, int]:
    """A generated session whose edits are all typed (and its file changes the agent's), then a
    7,880-character file written outside the editor (an agent's `cat > notes.md`), with `origin` (None:
    whose write it was is not known); and the characters written in all."""
    made = generate(seed, "mixed", scale=SCALE)
    steps: list[Step] = [msgspec.structs.replace(step, origin="typed") if isinstance(step, EditStep)
                         else msgspec.structs.replace(step, origin="agent", origin_detail="claude-code:x")
                         if isinstance(step, FileChangeStep) else step for step in made.steps]
    text = "notes line\n" * 716 + "1234"
    assert len(text) == 7880
    detail = "claude-code:PreToolUse Bash" if origin else None
    steps.append(FileChangeStep(t_ms=steps[-1].t_ms + 1, source="watcher", path="notes.md", change="created",
                                text=text, origin=origin, origin_detail=detail))  # type: ignore[arg-type]
    path = home_episodes / f"{made.header.episode_id}.ctape"
    write_episode_file(path, made.header, steps, level=3)
    return path, sum(sum(len(c.text) for c in s.changes) if isinstance(s, EditStep) else len(s.text or "")
                     if isinstance(s, FileChangeStep) else 0 for s in steps)


def test_a_write_no_agent_claimed_counts_as_unknown(tmp_path: Path) -> None:
    """A file written outside the editor without an origin (a shell command, an agent's whose hook said
    nothing) is nobody's known work: `--origin typed,agent` leaves its episode out, and keeps the same
    episode once the write is labelled the agent's."""
    alice = contributor(tmp_path, "alice")
    episodes = alice.home.ensure(alice.home.episodes)
    unsigned, total = typed_then_written(episodes, 21, None)
    unlabelled = str(open_episode(sign(alice, unsigned)).header.episode_id)
    labelled = str(open_episode(sign(alice, typed_then_written(episodes, 22, "agent")[0])).header.episode_id)
    upload(alice, (tmp_path / "source").as_uri())
    out = tmp_path / "out"
    done = codetape(tmp_path / "team", "dataset", "build", str(tmp_path / "source"), "-o", str(out),
                    "--trust", str(alice.trust_file(tmp_path)), "--origin", "typed,agent")
    assert done.returncode == 0, done.stderr
    con = duck(out)
    assert con.execute("SELECT episode_id FROM episodes").fetchall() == [(labelled,)]
    reason, detail = con.execute("SELECT reason, detail FROM rejected WHERE episode_id = ?",
                                 [unlabelled]).fetchone()
    assert reason == "origin"
    assert detail == (f"{(total - 7880) / total:.0%} of the {total:,} characters it wrote are of agent, "
                      f"typed (--origin-share 1 wanted); unknown {7880 / total:.0%}")


def relabelled(home_episodes: Path, seed: int, origins: tuple[str, ...]) -> tuple[Path, int]:
    """A generated session whose edits take `origins` in turn (none of it written outside the editor), and
    the characters its edits inserted."""
    made = generate(seed, "mixed", scale=SCALE)
    edits = [step for step in made.steps if isinstance(step, EditStep)]
    turn = {id(step): origins[n % len(origins)] for n, step in enumerate(edits)}
    steps = [msgspec.structs.replace(step, origin=turn[id(step)]) if isinstance(step, EditStep) else step
             for step in made.steps]
    path = home_episodes / f"{made.header.episode_id}.ctape"
    write_episode_file(path, made.header, steps, level=3)
    return path, sum(sum(len(c.text) for c in step.changes) for step in edits)


def test_origin_classes_keep_the_human_the_ai_or_the_unknown_work_and_episodes_say_each_share(
        tmp_path: Path) -> None:
    """`--origin human`, `ai`, `unknown` (the classes Agent Trace names): undo and redo are the developer's;
    an agent's write is ai; edits without evidence are unknown. `episodes` holds each class's share of
    what the episode wrote, as the filter counts it."""
    alice = contributor(tmp_path, "alice")
    episodes = alice.home.ensure(alice.home.episodes)
    human_path, _ = relabelled(episodes, 31, ("typed", "undo", "paste", "redo", "completion"))
    human = str(open_episode(sign(alice, human_path)).header.episode_id)
    agent_path, total = typed_then_written(episodes, 32, "agent")  # typed edits, then an agent's 7,880
    agent = str(open_episode(sign(alice, agent_path)).header.episode_id)
    old = str(open_episode(sign(alice, session(alice.home, 33))).header.episode_id)  # before origins
    upload(alice, (tmp_path / "source").as_uri())
    trust = str(alice.trust_file(tmp_path))

    def build(name: str, *origin: str) -> duckdb.DuckDBPyConnection:
        done = codetape(tmp_path / "team", "dataset", "build", str(tmp_path / "source"), "-o",
                        str(tmp_path / name), "--trust", trust, *origin)
        assert done.returncode == 0, done.stderr
        return duck(tmp_path / name)

    con = build("all")
    shares = {row[0]: row[1:] for row in con.execute(
        "SELECT episode_id, human_share, ai_share, unknown_share FROM episodes").fetchall()}
    assert shares[human] == (1.0, 0.0, 0.0)
    assert shares[old] == (0.0, 0.0, 1.0)
    assert shares[agent] == pytest.approx(((total - 7880) / total, 7880 / total, 0.0))

    con = build("human", "--origin", "human")
    assert con.execute("SELECT episode_id FROM episodes").fetchall() == [(human,)]
    rejected = dict(con.execute("SELECT episode_id, detail FROM rejected WHERE reason = 'origin'").fetchall())
    assert rejected[agent] == (f"{(total - 7880) / total:.0%} of the {total:,} characters it wrote are of "
                               f"human (--origin-share 1 wanted); agent {7880 / total:.0%}")
    assert rejected[old].startswith("0% of the ") and rejected[old].endswith("; unknown 100%")
    manifest = json.loads((tmp_path / "human" / "_manifest.json").read_text(encoding="utf-8"))
    assert manifest["origins"] == "human"

    share = 7880 / total * 0.9  # the agent's episode is at least this much ai
    con = build("ai", "--origin", "ai", "--origin-share", f"{share:.3f}")
    assert con.execute("SELECT episode_id FROM episodes").fetchall() == [(agent,)]
    con = build("unknown", "--origin", "unknown,cut")
    assert con.execute("SELECT episode_id FROM episodes").fetchall() == [(old,)]
    done = codetape(tmp_path / "team", "dataset", "build", str(tmp_path / "source"), "-o",
                    str(tmp_path / "none"), "--trust", trust, "--origin", "humans")
    assert done.returncode == 2
    assert done.stderr.startswith("codetape: --origin: humans is not an origin;") and \
        "or the classes human, ai, unknown" in done.stderr
