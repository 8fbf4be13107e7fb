"""`codetape export --format progsnap2` through the real CLI: the spec's required columns and metadata, a
directory for every CodeStateID equal to `codetape checkout` at its step, the events a session makes,
and a signed episode's signer as its SubjectID."""

from __future__ import annotations

import csv
import filecmp
import json
import shutil
import uuid
import zipfile
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from collector.episode import open_episode, write_episode_file
from collector.text.digest import sha256_text
from schemas import EpisodeHeader, WorkspaceIdentity, step_from_dict
from tests.fixtures.make_golden import DIRECTORY
from tests.integration.export.export_sessions import (  # noqa: F401 (fixtures)
    COMMIT,
    calc_session,
    codetape,
    secret_session,
)
from tests.support.dataset_helpers import contributor, sign, upload

# ProgSnap2's MainTable columns every event must have (EventType, EventID, SubjectID, ToolInstances,
# CodeStateID; Order since EventOrderScope is not None), and the timestamp of the clock that made them
REQUIRED = ["EventType", "EventID", "SubjectID", "ToolInstances", "CodeStateID", "Order", "ClientTimestamp"]
FULL = DIRECTORY / "full.ctape"
# and the columns each event type requires, as CSSPLICE/ProgSnapToolbox's src/spec/progsnap2.yaml lists them
BY_EVENT = {
    "Session.Start": ["SessionID"], "Session.End": ["SessionID"],
    **{f"File.{name}": ["CodeStateSection"] for name in ("Create", "Delete", "Open", "Close", "Save")},
    "File.Rename": ["CodeStateSection", "DestinationCodeStateSection"],
    "File.Edit": ["CodeStateSection", "EditType"], "Compile": ["CodeStateSection", "CompileResult"],
    **{kind: ["ParentEventID", "CodeStateSection", "CompileMessageType", "CompileMessageData",
              "SourceLocation"] for kind in ("Compile.Error", "Compile.Warning")},
    "Submit": [], "Run.Program": ["ExecutionResult"],
    "Run.Test": ["ExecutionID", "TestID", "ExecutionResult"]}
EXECUTION_RESULTS = {"Success", "Timeout", "Error", "TestFailed"}


def export(home: Path, out: Path, *episodes: Path) -> list[dict[str, str]]:
    done = codetape(home, "export", *map(str, episodes), "--format", "progsnap2", "-o", str(out))
    assert done.returncode == 0, done.stderr
    with open(out / "MainTable.csv", newline="", encoding="utf-8") as table:
        return list(csv.DictReader(table))


def test_required_columns_metadata_and_a_directory_for_every_code_state(
        tmp_path: Path, secret_session: tuple[Path, Path], calc_session: tuple[Path, Path]) -> None:  # noqa: F811
    out = tmp_path / "out"
    rows = export(tmp_path, out, FULL, secret_session[1], calc_session[1])
    with open(out / "DatasetMetadata.csv", newline="", encoding="utf-8") as metadata:
        properties = {row["Property"]: row["Value"] for row in csv.DictReader(metadata)}
    assert {name: properties[name] for name in ("CodeStateRepresentation", "EventOrderScope",
                                                "EventOrderScopeColumns", "IsEventOrderingConsistent")} == {
        "CodeStateRepresentation": "Directory", "EventOrderScope": "Restricted",
        "EventOrderScopeColumns": "SessionID", "IsEventOrderingConsistent": "true"}
    assert properties["Version"]
    assert set(REQUIRED) <= set(rows[0])
    for row in rows:
        assert all(row[column] for column in REQUIRED), row
        assert all(row[column] for column in BY_EVENT.get(row["EventType"], [])), row
        assert row["EventType"] in BY_EVENT, row
        assert (out / "CodeStates" / row["CodeStateID"]).is_dir(), row
    assert len({row["EventID"] for row in rows}) == len(rows)
    assert {row["ExecutionResult"] for row in rows if row["ExecutionResult"]} <= EXECUTION_RESULTS
    orders: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        orders[row["SessionID"]].append(int(row["Order"]))
    assert len(orders) == 3 and all(o == sorted(o) for o in orders.values())
    used = {row["CodeStateID"] for row in rows}
    assert {p.name for p in (out / "CodeStates").iterdir()} == used  # no stray or half-written state


def test_a_session_makes_edits_opens_compiles_errors_runs_and_a_submit(
        tmp_path: Path, secret_session: tuple[Path, Path]) -> None:  # noqa: F811
    rows = export(tmp_path, tmp_path / "out", secret_session[1])
    assert [row["EventType"] for row in rows] == [
        "Session.Start", "File.Open", "Compile", "File.Edit", "File.Edit", "Compile", "Compile.Error",
        "File.Save", "Run.Program", "Run.Test", "Run.Program", "File.Open", "File.Edit", "File.Save",
        "File.Open", "File.Edit", "File.Save", "Run.Program", "Run.Test", "Submit", "File.Edit", "File.Save",
        "Session.End"]
    assert [row["EventID"] for row in rows] == [f"{secret_session[1].stem}-{n}" for n in range(1, 24)]
    by_id = {row["EventID"]: row for row in rows}
    error = next(row for row in rows if row["EventType"] == "Compile.Error")
    parent = by_id[error["ParentEventID"]]
    assert parent["EventType"] == "Compile" and parent["CompileResult"] == "Error"
    assert (error["CompileMessageType"], error["CompileMessageData"], error["SourceLocation"]) == (
        "E999", "f-string: expecting '}'", "Text:2:15")
    assert [row["X-Command"] for row in rows if row["EventType"] == "Run.Program"] == [
        "pytest -q", "pytest -q", "pytest -q"]
    assert [row["X-ExitCode"] for row in rows if row["EventType"] == "Run.Program"] == ["1", "1", "0"]
    assert [row["ExecutionResult"] for row in rows if row["EventType"] == "Run.Program"] == [
        "Error", "Error", "Success"]
    tests = [row for row in rows if row["EventType"] == "Run.Test"]
    run = [by_id[t["ExecutionID"]] for t in tests]  # each test's Run.Program, the one just before it
    assert [(r["EventType"], r["ExecutionID"], r["Order"]) for r in run] == [
        ("Run.Program", t["ExecutionID"], str(int(t["Order"]) - 1)) for t in tests]
    assert [(t["TestID"], t["ExecutionResult"], t["Score"], t["X-Outcome"]) for t in tests] == [
        ("tests/test_app.py::test_greet", "TestFailed", "0.0", "failed"),
        ("tests/test_app.py::test_greet", "Success", "1.0", "passed")]
    assert [row["CodeStateSection"] for row in rows if row["EventType"] == "File.Save"] == [
        "src/app.py", "tests/test_app.py", "src/settings.py", "src/app.py"]
    assert next(row for row in rows if row["EventType"] == "Submit")["X-Commit"] == COMMIT
    assert {row["ToolInstances"] for row in rows} == {"Neovim 0.11.4;codetape 0.1.0"}
    assert {row["SubjectID"] for row in rows} == {"local"}
    edits = [row["CodeStateSection"] for row in rows if row["EventType"] == "File.Edit"]
    assert edits == ["src/app.py", "src/app.py", "tests/test_app.py", "src/settings.py", "src/app.py"]
    assert rows[1]["ClientTimestamp"].endswith("Z") and rows[1]["ClientTimezone"] == "UTC"


def test_each_code_state_is_the_checkout_at_its_step(
        tmp_path: Path, secret_session: tuple[Path, Path], calc_session: tuple[Path, Path]) -> None:  # noqa: F811
    compared = 0
    for home, episode in (secret_session, calc_session):
        out = tmp_path / episode.stem
        for row in export(home, out, episode):
            if row["EventType"] not in ("File.Edit", "Submit", "Run.Program", "Session.End"):
                continue
            checkout = tmp_path / f"checkout-{compared}"
            done = codetape(home, "checkout", str(episode), str(checkout), "--step", row["X-Step"])
            assert done.returncode == 0, done.stderr
            state = out / "CodeStates" / row["CodeStateID"]
            assert _same_tree(state, checkout), (row, sorted(p.name for p in state.rglob("*")))
            compared += 1
    assert compared >= 10


def test_a_signed_episode_names_its_signer(tmp_path: Path, calc_session: tuple[Path, Path]) -> None:  # noqa: F811
    home = tmp_path / "home"
    shutil.copytree(calc_session[0], home, ignore=shutil.ignore_patterns("run"))
    assert codetape(home, "keys", "init", "--no-passphrase").returncode == 0
    signed = codetape(home, "sign", calc_session[1].stem, "--yes")
    assert signed.returncode == 0, signed.stderr
    key = json.loads(codetape(home, "keys", "show", "--json").stdout)["key_id"]
    rows = export(home, tmp_path / "out", home / "outbox" / calc_session[1].name, FULL)
    subjects = {row["SessionID"]: row["SubjectID"] for row in rows}
    assert subjects == {calc_session[1].stem: key, "0b5e7e1a-93c4-4d2f-8e61-a7f2c9d40e15": "local"}


def test_no_cell_is_a_formula_a_spreadsheet_would_evaluate(tmp_path: Path) -> None:
    """A signed episode whose project, file, diagnostics, commands and test runner start like formulas (=, +,
    -, @, a tab, a carriage return) or with the escape itself: every such cell starts with ', and taking
    that ' off gives the recorded text."""
    path, text = "=1+2.py", "x = 1\n"
    texts = {"project": "@SUM(1+1)", "path": path, "message": "+cmd|' /C calc'!A0", "code": "-2+3",
             "command": "=cmd|' /C notepad'!A1", "tab": "\t=1+1", "cr": "\r=1+1", "quote": "'=kept as typed",
             "runner": "@pytest"}
    steps = [
        {"kind": "open", "t_ms": 0, "source": "bridge", "path": path, "language_id": "python", "version": 1,
         "text": text},
        {"kind": "edit", "t_ms": 500, "source": "bridge", "path": path, "version": 2,
         "changes": [{"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}},
                      "text": "y = 2\n"}]},
        {"kind": "save", "t_ms": 900, "source": "bridge", "path": path,
         "sha256": sha256_text(text + "y = 2\n")},
        {"kind": "diagnostics", "t_ms": 1000, "source": "bridge", "path": path, "origin": "pyflakes",
         "items": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}},
                    "severity": 1, "code": texts["code"], "message": texts["message"]}]},
        *({"kind": "command", "t_ms": 2000 + n, "source": "shell", "command_line": texts[name], "cwd": ".",
           "exit_code": -1} for n, name in enumerate(("command", "tab", "cr", "quote"))),
        {"kind": "test_run", "t_ms": 3000, "source": "pytest", "framework": texts["runner"], "args": ["-q"],
         "exit_status": 0, "duration_ms": 5, "tests": [{"nodeid": "=t.py::test", "outcome": "passed"}]},
    ]
    header = EpisodeHeader(codetape_version="0.1.0", episode_id=uuid.uuid4(),
                           started_at=datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC),
                           workspace=WorkspaceIdentity(root_name=texts["project"]))
    signer = contributor(tmp_path, "mallory")
    unsigned = signer.home.ensure(signer.home.episodes) / f"{header.episode_id}.ctape"
    write_episode_file(unsigned, header, [step_from_dict(step) for step in steps])
    rows = export(signer.home.root, tmp_path / "out", sign(signer, unsigned))
    cells = [cell for row in rows for cell in row.values() if cell]
    risky = [cell for cell in cells if cell.startswith(("=", "+", "@", "\t", "\r"))
             or (cell.startswith("-") and not cell.lstrip("-").isdigit())]
    assert risky == []
    assert "-1" in {row["X-ExitCode"] for row in rows}  # numbers are written as they are
    escaped = {cell[1:] for cell in cells if cell.startswith("'")}
    expected = {*texts.values()} - {"@pytest"} | {"@pytest -q"}
    assert expected <= escaped, expected - escaped
    assert {row["CodeStateSection"] for row in rows if row["EventType"] == "File.Edit"} == {f"'{path}"}


def _same_tree(left: Path, right: Path) -> bool:
    compared = filecmp.dircmp(left, right)
    if compared.left_only or compared.right_only or compared.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(left, right, compared.common_files, shallow=False)
    return not mismatch and not errors and all(_same_tree(left / d, right / d) for d in compared.common_dirs)


def _dataset(zipped: Path, into: Path) -> list[dict[str, str]]:
    """A progsnap2-zip file opened as a ProgSnap2 consumer would: unzipped, its MainTable's rows."""
    with zipfile.ZipFile(zipped) as archive:
        assert {"DatasetMetadata.csv", "MainTable.csv"} <= set(archive.namelist())
        archive.extractall(into)
    with open(into / "MainTable.csv", newline="", encoding="utf-8") as table:
        return list(csv.DictReader(table))


def test_one_dataset_per_episode_zipped_joins_into_the_dataset_of_all(
        tmp_path: Path, secret_session: tuple[Path, Path], calc_session: tuple[Path, Path]) -> None:  # noqa: F811
    episodes = [FULL, secret_session[1], calc_session[1]]
    whole = export(tmp_path, tmp_path / "whole", *episodes)
    done = codetape(tmp_path, "export", *map(str, episodes), "--format", "progsnap2-zip", "-o",
                    str(tmp_path / "zips"))
    assert done.returncode == 0, done.stderr
    assert f"wrote 3 episodes, {len(whole)} events in 3 files" in done.stderr
    joined: list[dict[str, str]] = []
    for episode in episodes:
        episode_id = str(open_episode(episode).header.episode_id)
        unzipped = tmp_path / "unzipped" / episode_id
        rows = _dataset(tmp_path / "zips" / f"{episode_id}.progsnap2.zip", unzipped)
        assert {row["SessionID"] for row in rows} == {episode_id}
        for row in rows:  # every state it names is in it, and is the one the dataset of all holds
            state = row["CodeStateID"]
            assert _same_tree(unzipped / "CodeStates" / state, tmp_path / "whole" / "CodeStates" / state), row
        joined += rows
    assert joined == whole  # the MainTables concatenate into the one of all the episodes


def test_a_dataset_build_exports_progsnap2_one_zip_per_episode(
        tmp_path: Path, calc_session: tuple[Path, Path]) -> None:  # noqa: F811
    alice = contributor(tmp_path, "alice")
    unsigned = alice.home.ensure(alice.home.episodes) / calc_session[1].name
    shutil.copy(calc_session[1], unsigned)
    signed = sign(alice, unsigned)
    source = tmp_path / "source"
    upload(alice, source.as_uri(), signed)
    out = tmp_path / "out"
    done = codetape(tmp_path / "team", "dataset", "build", source.as_uri(), "-o", str(out),
                    "--trust", str(alice.trust_file(tmp_path)), "--exports", "progsnap2-zip")
    assert done.returncode == 0, done.stderr
    built = out / "exports" / "progsnap2-zip" / alice.key.key_id / f"{calc_session[1].stem}.progsnap2.zip"
    rows = _dataset(built, tmp_path / "unzipped")
    assert rows == export(alice.home.root, tmp_path / "direct", signed)  # what codetape export writes
    assert {row["SubjectID"] for row in rows} == {alice.key.key_id}
    assert "Run.Test" in {row["EventType"] for row in rows}
