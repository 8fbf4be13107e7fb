"""Trimming: excluded files leave no step and no trace of their path, a dropped range becomes one gap that
keeps reconstruction exact, redacted spans are masked everywhere; every trimmed episode replays.

Reconstruction equality is checked the strong way: the trimmed episode is replayed next to the original,
and at every save after a dropped range, and at the end, the kept files have the same texts.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest
from msgspec.structs import replace

from collector.consent import init_keys, sign_episode
from collector.episode import open_episode, write_episode_file
from collector.errors import UsageError
from collector.home import Home
from collector.reconstruct.workspace import Workspace
from collector.review.errors import ReviewError
from collector.review.plan import Exclusions, TrimPlan, parse_drop
from collector.review.trim import trim_episode
from collector.text.digest import sha256_text
from collector.verify.integrity import verify_replay
from schemas import EpisodeHeader, Step, WorkspaceIdentity, step_from_dict, step_to_dict
from schemas.steps import GapStep, SaveStep
from tests.support.sessions import Session, generate

HEADER = EpisodeHeader(codetape_version="0.1.0", episode_id=uuid.UUID("0f0e0d0c-0b0a-4908-8706-050403020100"),
                       started_at=datetime(2026, 5, 4, 9, 0, tzinfo=UTC),
                       workspace=WorkspaceIdentity(root_name="w"))
PLAN_TEXT = "launch plan: codename BLUEHERON, budget 40k\n"
APP = "def main():\n    return 1\n"


def _at(line: int, character: int) -> dict[str, int]:
    return {"line": line, "character": character}


def edit(t_ms: int, path: str, line: int, character: int, text: str) -> dict[str, Any]:
    at = _at(line, character)
    return {"kind": "edit", "t_ms": t_ms, "source": "bridge", "path": path,
            "changes": [{"range": {"start": at, "end": at}, "text": text}]}


def save(t_ms: int, path: str, text: str) -> dict[str, Any]:
    return {"kind": "save", "t_ms": t_ms, "source": "bridge", "path": path, "sha256": sha256_text(text)}


def write(path: Path, steps: list[dict[str, Any]] | list[Step], header: EpisodeHeader = HEADER) -> Path:
    models = [step if not isinstance(step, dict) else step_from_dict(step) for step in steps]
    write_episode_file(path, header, models, level=3)
    return path


def dumped(path: Path) -> str:
    steps = open_episode(path).steps()
    return "\n".join(json.dumps(step_to_dict(step), ensure_ascii=False) for step in steps)


def checkpoints(path: Path, keep: Callable[[str], bool], after_ms: int) -> list[dict[str, str]]:
    """The kept files after every save of a kept file later than `after_ms`, and at the end."""
    episode = open_episode(path)
    workspace = Workspace(episode.header.position_encoding)
    found = []
    for step in episode.steps():
        workspace.apply(step)
        if isinstance(step, SaveStep) and step.t_ms > after_ms and keep(step.path):
            found.append({p: text for p, text in workspace.files().items() if keep(p)})
    found.append({p: text for p, text in workspace.files().items() if keep(p)})
    return found


def two_files() -> list[dict[str, Any]]:
    """A session on app.py with a private notes file next to it, touching it through every channel."""
    steps: list[dict[str, Any]] = [
        {"kind": "open", "t_ms": 0, "source": "bridge", "path": "app.py", "text": APP},
        {"kind": "open", "t_ms": 100, "source": "bridge", "path": "private/plan.md", "text": ""},
    ]
    steps += [edit(200 + n, "private/plan.md", 0, n, ch) for n, ch in enumerate(PLAN_TEXT[:-1])]
    steps += [
        edit(400, "private/plan.md", 0, len(PLAN_TEXT) - 1, "\n"),
        {"kind": "cursor", "t_ms": 410, "source": "bridge", "path": "private/plan.md",
         "selections": [{"anchor": _at(0, 3), "active": _at(0, 3)}]},
        {"kind": "diagnostics", "t_ms": 420, "source": "bridge", "path": "private/plan.md",
         "items": [{"range": {"start": _at(0, 0), "end": _at(0, 4)}, "message": "spelling: BLUEHERON"}]},
        {"kind": "save", "t_ms": 500, "source": "bridge", "path": "private/plan.md",
         "sha256": sha256_text(PLAN_TEXT)},
        edit(600, "app.py", 1, 12, "  # see private/plan.md"),
        {"kind": "save", "t_ms": 700, "source": "bridge", "path": "app.py",
         "sha256": sha256_text(APP.replace("1", "1  # see private/plan.md"))},
        {"kind": "file_change", "t_ms": 800, "source": "watcher", "path": "private/budget.csv",
         "change": "created", "text": "item,cost\nBLUEHERON,40000\n"},
        {"kind": "command", "t_ms": 900, "source": "shell", "command_line": "cat private/plan.md",
         "exit_code": 0, "cwd": "private"},
        {"kind": "command", "t_ms": 950, "source": "shell",
         "command_line": "wc -l private/plan.md ./private/plan.md", "exit_code": 0},
        {"kind": "test_run", "t_ms": 1000, "source": "pytest", "exit_status": 0,
         "tests": [{"nodeid": "tests/test_app.py::test_main", "outcome": "passed"}]},
        {"kind": "git", "t_ms": 1100, "source": "git", "op": "commit", "sha": "a1b2c3d",
         "message": "app: use the plan in private/plan.md",
         "files": [{"path": "app.py", "added": 1, "deleted": 1}, {"path": "private/plan.md", "added": 1},
                   {"path": "private/budget.csv", "added": 2}]},
        {"kind": "gap", "t_ms": 1200, "source": "collector", "reason": "recorder_behind",
         "state": [{"path": "app.py", "text": APP},
                   {"path": "private/plan.md", "text": PLAN_TEXT + "more\n"}]},
        {"kind": "file_change", "t_ms": 1300, "source": "watcher", "path": "app.py", "change": "renamed",
         "new_path": "private/app_old.py"},
        {"kind": "file_change", "t_ms": 1400, "source": "watcher", "path": "private/plan.md",
         "change": "renamed", "new_path": "docs/plan.md"},
        {"kind": "file_change", "t_ms": 1500, "source": "watcher", "path": "docs/plan.md",
         "change": "modified", "text": PLAN_TEXT + "even more\n"},
        {"kind": "file_change", "t_ms": 1600, "source": "watcher", "path": "main.py", "change": "created",
         "text": "print('hi')\n"},
        {"kind": "note", "t_ms": 1700, "source": "cli", "text": "moved private/plan.md to docs"},
        {"kind": "close", "t_ms": 1800, "source": "bridge", "path": "private/plan.md"},
    ]
    return steps


# -- exclude ---------------------------------------------------------------------------------------------


def test_excluding_a_folder_removes_every_step_content_and_path_mention(tmp_path: Path) -> None:
    src = write(tmp_path / "src.ctape", two_files())
    result = trim_episode(src, tmp_path / "out.ctape", TrimPlan().exclude("/private/"))
    text = dumped(result.path)
    for secret in ("BLUEHERON", "launch plan", "40000", "private/plan.md", "private/budget.csv", "budget.csv",
                   "even more"):
        assert secret not in text, secret
    # a file renamed out of the folder stays excluded under its new name (its content is the plan)
    assert "docs/plan.md" not in text
    assert result.excluded.paths == {"private/plan.md", "private/budget.csv", "private/app_old.py",
                                     "docs/plan.md"}
    steps = [step_to_dict(step) for step in open_episode(result.path).steps()]
    kinds = [step["kind"] for step in steps]
    assert kinds.count("open") == 1 and "cursor" not in kinds and "diagnostics" not in kinds
    # the command run inside the folder is gone; the one naming the path has it masked, `./` form too
    commands = [step for step in steps if step["kind"] == "command"]
    masked = "«redacted:excluded-path:1»"
    assert [c["command_line"] for c in commands] == [f"wc -l {masked} ./{masked}"]
    commit = next(step for step in steps if step["kind"] == "git")
    assert [f["path"] for f in commit["files"]] == ["app.py"]
    assert commit["message"] == "app: use the plan in «redacted:excluded-path:1»"
    gap = next(step for step in steps if step["kind"] == "gap")
    assert [f["path"] for f in gap["state"]] == ["app.py"]
    # app.py renamed into the excluded folder: on the kept side it was deleted
    assert {"kind": "file_change", "t_ms": 1300, "source": "watcher", "path": "app.py",
            "change": "deleted"} in steps
    assert result.new_counts == {"excluded-path": 1}
    assert open_episode(result.path).header.capture.exclude == []  # the glob itself is not published


def test_excluding_keeps_the_other_files_exactly(tmp_path: Path) -> None:
    steps = [step for step in two_files() if step["t_ms"] < 1300]  # before app.py moves away
    src = write(tmp_path / "src.ctape", steps)
    result = trim_episode(src, tmp_path / "out.ctape", TrimPlan().exclude("*.md").exclude("*.csv"))
    kept = Exclusions(("*.md", "*.csv"))

    def keep(path: str) -> bool:
        return not kept(path)

    original = checkpoints(src, keep, -1)
    masked = [{p: t.replace("private/plan.md", "«redacted:excluded-path:1»") for p, t in files.items()}
              for files in original]
    assert checkpoints(result.path, keep, -1) == masked
    assert masked[-1] == {"app.py": APP}
    verify_replay(open_episode(result.path))


def test_a_glob_matching_nothing_is_reported(tmp_path: Path) -> None:
    src = write(tmp_path / "src.ctape", two_files())
    result = trim_episode(src, tmp_path / "out.ctape", TrimPlan().exclude("/privat/").exclude("*.md"))
    assert result.unused() == ["exclude /privat/ matches no file in the episode"]


def test_an_excluded_file_is_masked_in_every_spelling_and_its_lines_in_free_text(tmp_path: Path) -> None:
    steps = [step for step in two_files() if step["t_ms"] < 1300]
    steps.append({"kind": "command", "t_ms": 1250, "source": "run", "argv": ["cat", "private\\plan.md"],
                  "output_tail": f"/home/dev/w/private/plan.md:\n{PLAN_TEXT}", "exit_code": 0})
    steps.append({"kind": "test_run", "t_ms": 1260, "source": "pytest", "exit_status": 1, "tests": [
        {"nodeid": "tests/test_app.py::test_plan", "outcome": "failed",
         "summary": f"AssertionError: assert {PLAN_TEXT[:14]!r}...{PLAN_TEXT[-12:]!r} == ''"}]})
    result = trim_episode(write(tmp_path / "src.ctape", steps), tmp_path / "out.ctape",
                          TrimPlan().exclude("/private/"))
    text = dumped(result.path)
    for secret in ("BLUEHERON", "launch plan", "budget 40k", "private/plan.md", "private\\\\plan.md",
                   "private/"):
        assert secret not in text, secret
    assert "/home/dev/w/«redacted:excluded-path:1»:" in text
    assert set(result.new_counts) == {"excluded-path", "excluded-content"}
    verify_replay(open_episode(result.path))


# -- drop ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def session() -> Session:
    return generate(3, "mixed", scale=0.05)


def _save_times(steps: list[Step]) -> list[int]:
    return [step.t_ms for step in steps if isinstance(step, SaveStep)]


def test_a_dropped_range_is_one_gap_and_every_later_save_reconstructs_the_same(session: Session,
                                                                               tmp_path: Path) -> None:
    src = write(tmp_path / "src.ctape", session.steps, session.header)
    saves = _save_times(session.steps)
    start, end = saves[3] - 5_000, saves[len(saves) // 2] + 1  # ends right after a save, mid-typing elsewhere
    result = trim_episode(src, tmp_path / "out.ctape", TrimPlan().drop(start, end))
    inside = [step for step in session.steps if start <= step.t_ms <= end]
    assert result.dropped[0].steps == len(inside) > 100
    trimmed = list(open_episode(result.path).steps())
    gaps = [step for step in trimmed if isinstance(step, GapStep)]
    assert len(gaps) == 1
    gap = gaps[0]
    assert (gap.reason, gap.source, gap.lost_steps) == ("dropped_by_review", "review", len(inside))
    assert gap.t_ms == inside[0].t_ms and gap.until_ms == inside[-1].t_ms
    assert not any(start <= step.t_ms <= end for step in trimmed if step is not gap and step.kind != "close")
    # the gap holds the full text of every file the range changed, as it was at the end of the range
    at_end = Workspace(session.header.position_encoding)
    for step in session.steps:
        if step.t_ms > end:
            break
        at_end.apply(step)
    assert gap.state is not None
    assert {file.path: file.text for file in gap.state} == {f.path: at_end.text(f.path) for f in gap.state}
    assert {file.path for file in gap.state} >= {step.path for step in inside if step.kind == "edit"}

    def every(path: str) -> bool:
        return True

    assert checkpoints(result.path, every, end) == checkpoints(src, every, end)
    assert checkpoints(src, every, end)[-1] == session.expected


@pytest.mark.parametrize("seed", range(6))
def test_random_exclusions_and_drops_keep_the_kept_files_exact(session: Session, tmp_path: Path,
                                                                seed: int) -> None:
    rng = random.Random(seed)
    src = write(tmp_path / "src.ctape", session.steps, session.header)
    files = sorted(session.expected)
    excluded = rng.sample(files, rng.randint(0, 2))
    times = sorted(rng.sample([step.t_ms for step in session.steps], 4))
    plan = TrimPlan()
    for path in excluded:
        plan = plan.exclude("/" + path)
    plan = plan.drop(times[0], times[1]).drop(times[2], times[3])
    result = trim_episode(src, tmp_path / "out.ctape", plan)

    def keep(path: str) -> bool:
        return path not in excluded

    text = dumped(result.path)
    for path in excluded:
        assert path not in text
        assert session.expected[path][:200] not in text
    gaps = [step for step in open_episode(result.path).steps() if isinstance(step, GapStep)]
    assert len(gaps) == len([dropped for dropped in result.dropped if dropped.steps]) >= 1
    assert checkpoints(result.path, keep, times[3]) == checkpoints(src, keep, times[3])
    final = {path: text for path, text in session.expected.items() if keep(path)}
    assert checkpoints(result.path, keep, times[3])[-1] == final


def test_a_range_that_closes_and_saves_files_leaves_the_editor_as_it_was(tmp_path: Path) -> None:
    steps = [
        {"kind": "open", "t_ms": 0, "source": "bridge", "path": "a.py", "text": "a = 1\n"},
        {"kind": "open", "t_ms": 0, "source": "bridge", "path": "b.py", "text": "b = 1\n"},
        edit(10, "a.py", 1, 0, "a += 1\n"),  # unsaved before the range
        {"kind": "file_change", "t_ms": 20, "source": "watcher", "path": "d.py", "change": "created",
         "text": "d = 1\n"},
        # the range: a.py saved and closed, b.py edited, saved and closed, c.py opened and left open
        save(100, "a.py", "a = 1\na += 1\n"),
        {"kind": "close", "t_ms": 110, "source": "bridge", "path": "a.py"},
        edit(120, "b.py", 1, 0, "b += 2\n"),
        save(130, "b.py", "b = 1\nb += 2\n"),
        {"kind": "close", "t_ms": 140, "source": "bridge", "path": "b.py"},
        {"kind": "open", "t_ms": 150, "source": "bridge", "path": "c.py", "text": "c = 3\n"},
        {"kind": "open", "t_ms": 155, "source": "bridge", "path": "d.py", "text": "d = 1\n"},  # as on disk
        {"kind": "redaction", "t_ms": 160, "source": "redact", "rule": "github-token",
         "placeholder": "«redacted:github-token:1»", "count": 1},
        # after it: changes on disk to the closed files show; the open one is edited and saved
        {"kind": "file_change", "t_ms": 300, "source": "watcher", "path": "a.py", "change": "modified",
         "text": "a = 9  # «redacted:github-token:1»\n"},  # the redaction step's value: shared, so said
        edit(310, "c.py", 1, 0, "c += 1\n"),
        save(320, "c.py", "c = 3\nc += 1\n"),
        {"kind": "file_change", "t_ms": 330, "source": "watcher", "path": "b.py", "change": "modified",
         "text": "b = 0\n"},
        edit(340, "d.py", 0, 0, "# d\n"),  # d.py was opened in the range without a change: still open
        save(350, "d.py", "# d\nd = 1\n"),
    ]
    src = write(tmp_path / "src.ctape", steps)
    result = trim_episode(src, tmp_path / "out.ctape", TrimPlan().drop(100, 200))
    trimmed = [step_to_dict(step) for step in open_episode(result.path).steps()]
    assert [step["kind"] for step in trimmed] == [
        "open", "open", "edit", "file_change", "gap", "close", "close", "redaction", "file_change", "edit",
        "save", "file_change", "edit", "save"]
    gap = trimmed[4]
    assert gap["state"] == [{"path": "a.py", "text": "a = 1\na += 1\n"},
                            {"path": "b.py", "text": "b = 1\nb += 2\n"},
                            {"path": "c.py", "text": "c = 3\n"}, {"path": "d.py", "text": "d = 1\n"}]
    assert [step["path"] for step in trimmed[5:7]] == ["a.py", "b.py"]
    assert checkpoints(result.path, lambda p: True, 200) == checkpoints(src, lambda p: True, 200)
    assert checkpoints(result.path, lambda p: True, 200)[-1] == {
        "a.py": "a = 9  # «redacted:github-token:1»\n", "b.py": "b = 0\n", "c.py": "c = 3\nc += 1\n",
        "d.py": "# d\nd = 1\n"}


def test_ranges_merge_and_an_empty_one_is_reported(tmp_path: Path) -> None:
    src = write(tmp_path / "src.ctape", two_files())
    plan = TrimPlan().drop(200, 300).drop(250, 400).drop(5000, 6000)
    assert plan.ranges() == [(200, 400), (5000, 6000)]
    result = trim_episode(src, tmp_path / "out.ctape", plan)
    assert [(d.start_ms, d.end_ms, d.steps) for d in result.dropped] == [(200, 400, len(PLAN_TEXT)),
                                                                          (5000, 6000, 0)]
    assert result.unused() == ["drop 5000:6000 holds no steps"]


# -- redact ----------------------------------------------------------------------------------------------


def test_a_redacted_pattern_is_masked_everywhere_even_typed_key_by_key(tmp_path: Path) -> None:
    src = write(tmp_path / "src.ctape", two_files())
    result = trim_episode(src, tmp_path / "out.ctape", TrimPlan().redact(r"BLUE\w+").redact(r"budget (\d+k)"))
    text = dumped(result.path)
    assert "BLUEHERON" not in text and "BLUEHER" not in text and "40k" not in text
    assert "«redacted:custom-1:1»" in text and "budget «redacted:custom-2:1»" in text
    assert result.new_counts == {"custom-1": 1, "custom-2": 1}
    assert result.redaction.rules_version.endswith("+review2")
    assert dict(result.redaction.masked)["«redacted:custom-1:1»"].startswith("B")
    # saves of the masked text carry the masked text's hash, so the episode still verifies
    verify_replay(open_episode(result.path))
    assert result.unused() == []
    nothing = trim_episode(src, tmp_path / "none.ctape", TrimPlan().redact("NOT-THERE"))
    assert nothing.unused() == ["redact /NOT-THERE/ matches nothing"]


def test_dropping_and_redacting_together_still_replays(tmp_path: Path) -> None:
    secret = "token = 'SEKRIT-4711'\n"
    steps = [
        {"kind": "open", "t_ms": 0, "source": "bridge", "path": "a.py", "text": "x = 1\n"},
        # dropped: b.py opened with a secret in it and edited; after the range it is edited on and saved
        {"kind": "open", "t_ms": 100, "source": "bridge", "path": "b.py", "text": secret},
        edit(150, "b.py", 1, 0, "y = 2\n"),
        edit(300, "b.py", 2, 0, "z = 3\n"),
        save(400, "b.py", secret + "y = 2\nz = 3\n"),
    ]
    src = write(tmp_path / "src.ctape", steps)
    result = trim_episode(src, tmp_path / "out.ctape", TrimPlan().drop(100, 200).redact(r"SEKRIT-\d+"))
    assert "SEKRIT" not in dumped(result.path)
    assert checkpoints(result.path, lambda p: True, 200)[-1]["b.py"] == (
        "token = '«redacted:custom-1:1»'\ny = 2\nz = 3\n")


def test_new_placeholders_are_numbered_after_the_episode_s_own(tmp_path: Path) -> None:
    steps = [
        *two_files()[:2],
        {"kind": "note", "t_ms": 150, "source": "cli",
         "text": "see «redacted:excluded-path:3» and docs/x.txt"},
        {"kind": "file_change", "t_ms": 160, "source": "watcher", "path": "docs/x.txt", "change": "created",
         "text": "x"},
        {"kind": "redaction", "t_ms": 170, "source": "redact", "rule": "excluded-path",
         "placeholder": "«redacted:excluded-path:3»", "count": 1},
    ]
    src = write(tmp_path / "src.ctape", steps)
    result = trim_episode(src, tmp_path / "out.ctape", TrimPlan().exclude("/docs/"))
    assert "see «redacted:excluded-path:3» and «redacted:excluded-path:4»" in dumped(result.path)


def test_a_pattern_renames_the_paths_it_matches_and_masks_the_header(tmp_path: Path) -> None:
    client = "src/acme_client.py"
    steps: list[dict[str, Any]] = [
        {"kind": "open", "t_ms": 0, "source": "bridge", "path": client, "language_id": "python", "text": APP},
        edit(100, client, 1, 12, "  # acme"),
        save(200, client, APP.replace("1\n", "1  # acme\n")),
        {"kind": "diagnostics", "t_ms": 300, "source": "bridge", "path": client, "origin": "acme-lint",
         "items": [{"range": {"start": _at(0, 0), "end": _at(0, 3)}, "message": "ok", "source": "acme-lint",
                    "code": "ACME1"}]},
        {"kind": "close", "t_ms": 400, "source": "bridge", "path": client},
        {"kind": "file_change", "t_ms": 500, "source": "watcher", "path": client, "change": "renamed",
         "new_path": "src/acme/api.py"},
        {"kind": "command", "t_ms": 600, "source": "run", "argv": ["ls"], "cwd": "src/acme", "exit_code": 0},
        {"kind": "git", "t_ms": 700, "source": "git", "op": "commit", "sha": "a1b2c3d", "message": "move",
         "files": [{"path": "src/acme/api.py", "added": 2}]},
        {"kind": "gap", "t_ms": 800, "source": "collector", "reason": "recorder_behind",
         "state": [{"path": "src/acme/api.py", "text": APP}]},
    ]
    header = replace(HEADER, workspace=WorkspaceIdentity(
        root_name="acme-tools", git_remote="git@example.org:team/acme-tools.git"))
    src = write(tmp_path / "src.ctape", steps, header)
    result = trim_episode(src, tmp_path / "out.ctape", TrimPlan().redact("(?i)acme"))
    episode = open_episode(result.path)
    text = dumped(result.path) + msgspec.json.encode(episode.header).decode()
    assert "acme" not in text.lower()
    masked = "«redacted:custom-1:1»"
    assert episode.header.workspace.root_name == f"{masked}-tools"
    paths = [step_to_dict(step).get("path") for step in episode.steps()]
    assert paths[:6] == [f"src/{masked}_client.py"] * 6
    assert next(step for step in episode.steps() if step.kind == "command").cwd == f"src/{masked}"
    assert result.renamed == {client: f"src/{masked}_client.py", "src/acme/api.py": f"src/{masked}/api.py"}
    verify_replay(episode)


def test_two_files_masked_into_one_name_are_refused(tmp_path: Path) -> None:
    steps = [{"kind": "open", "t_ms": 0, "source": "bridge", "path": path, "text": ""}
             for path in ("secret.py", "«redacted:custom-1:1».py")]
    src = write(tmp_path / "src.ctape", steps)
    with pytest.raises(ReviewError, match=r"would give .* one name"):
        trim_episode(src, tmp_path / "out.ctape", TrimPlan().redact("secret"))


def test_a_pattern_never_matches_inside_a_placeholder(tmp_path: Path) -> None:
    steps = [{"kind": "open", "t_ms": 0, "source": "bridge", "path": "app.py",
              "text": 'TOKEN = "«redacted:github-token:1»"  # redacted by hand\n'},
             {"kind": "note", "t_ms": 100, "source": "cli",
              "text": "token «redacted:github-token:1» was redacted"},
             {"kind": "redaction", "t_ms": 200, "source": "redact", "rule": "github-token",
              "placeholder": "«redacted:github-token:1»", "count": 2}]
    result = trim_episode(write(tmp_path / "src.ctape", steps), tmp_path / "out.ctape",
                          TrimPlan().redact("redacted").redact("token «.*"))
    texts = [step_to_dict(step) for step in open_episode(result.path).steps()]
    assert texts[0]["text"] == 'TOKEN = "«redacted:github-token:1»"  # «redacted:custom-1:1» by hand\n'
    assert texts[1]["text"] == "«redacted:custom-2:1»«redacted:github-token:1»«redacted:custom-2:2»"


# -- refusals and the plan -------------------------------------------------------------------------------


def test_a_signed_episode_is_not_trimmed(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    init_keys(home)
    src = write(tmp_path / "src.ctape", two_files())
    sign_episode(src, tmp_path / "signed.ctape", home)
    with pytest.raises(ReviewError, match="is signed"):
        trim_episode(tmp_path / "signed.ctape", tmp_path / "out.ctape", TrimPlan().exclude("*.md"))
    assert not (tmp_path / "out.ctape").exists()


def test_drop_ranges_globs_and_patterns_are_checked() -> None:
    assert parse_drop("1200:3400") == (1200, 3400)
    assert parse_drop(" 5ms : 9 ms ") == (5, 9)
    # times as the review shows them; an end given to the second takes in that whole second
    assert parse_drop("2:38-3:10") == parse_drop("0:02:38 - 0:03:10") == (158_000, 190_999)
    assert parse_drop("0:02:38.500-0:03:10.250") == parse_drop("0:02:38.500..0:03:10.250") == \
        (158_500, 190_250)
    assert parse_drop("90s-2m") == (90_000, 120_999) and parse_drop("1500ms-2000") == (1_500, 2_000)
    for bad in ("", "12", "a:b", "-1:5", "9:3", "1:2:3", "2:38-", "3:10-2:38", "2:38-3:10-4:00",
                "2:61-3:00"):
        with pytest.raises(UsageError):
            parse_drop(bad)
    with pytest.raises(UsageError, match="names nothing"):
        TrimPlan().exclude(" / ")
    with pytest.raises(UsageError, match="not a valid regular expression"):
        TrimPlan().redact("(unclosed")
    with pytest.raises(UsageError, match="empty string"):
        TrimPlan().redact("x*")
    plan = TrimPlan().exclude("/a/").drop(1, 2).redact("k")
    assert plan.describe() == ["exclude /a/", "drop 1 ms to 2 ms", "redact /k/"]
    excluded = Exclusions(("/a/", "*.csv"))
    assert excluded("a/b/c.py") and excluded("x/y.csv") and not excluded("b/a/c.py") and not excluded("a.py")
