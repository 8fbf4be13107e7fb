"""`progsnap2`: one ProgSnap2 dataset of all the episodes exported together (docs/exports.md says what its
tables hold, and which event each step makes).

`progsnap2` opens the dataset; each episode is replayed once, its steps (and its edit bursts,
edits/base/bursts.py, with the diagnostics reported while one was typed) made MainTable rows
(`main_table`, which progsnap2_zip.py writes per episode too) and its workspace's states written as code
states (base.py). What an episode adds (its rows, its code states) counts against its allowance
(allowance.py): an episode that would make the export pass it is refused, and MainTable.csv is not
written. Text cells are written so that spreadsheets do not evaluate them (OWASP's advice on CSV
injection): a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a `'` in front,
and so does one that begins with `'`, so that taking one leading `'` off any cell gives the original text.
"""

from __future__ import annotations

import contextlib
import csv
import io
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import assert_never

from collector.atomic import atomic_file, atomic_write
from collector.consent import check_signature
from collector.episode import Episode
from collector.errors import EpisodeError
from collector.export.allowance import Allowance, Writes
from collector.export.edits.base.bursts import Burst, Item, grouped
from collector.export.progsnap2.base import CodeStates, ZippedStates
from collector.export.result import ExportResult
from collector.export.timestamps import utc_at
from collector.reconstruct.workspace import Workspace
from schemas import steps as kinds
from schemas.contract import Contract, fields

METADATA = {"Version": "6", "IsEventOrderingConsistent": "true", "EventOrderScope": "Restricted",
            "EventOrderScopeColumns": "SessionID", "CodeStateRepresentation": "Directory"}
REQUIRED = ["EventID", "Order", "SubjectID", "ToolInstances", "EventType", "CodeStateID"]
COLUMNS = [*REQUIRED, "ClientTimestamp", "ClientTimezone", "SessionID", "ProjectID", "CodeStateSection",
           "DestinationCodeStateSection", "EditType", "ParentEventID", "CompileResult", "CompileMessageType",
           "CompileMessageData", "SourceLocation", "ExecutionID", "TestID", "ExecutionResult", "Score",
           "X-Command", "X-ExitCode", "X-Outcome", "X-Commit", "X-Step"]
# MainTable.csv's columns (DatasetMetadata.csv holds METADATA, the same for every dataset; CodeStates/ the
# files' texts at each event, in a folder per state)
_MAIN = (
    *fields(("build",),
            ("EventID", "string", "`<session>-<order>`: the event's id"),
            ("Order", "int", "the event's place in its session, from 1")),
    *fields(("header",),
            ("SubjectID", "string", "the signer's key id (16 hex digits); `local` for an unsigned episode"),
            ("ToolInstances", "string", "the editor and codetape that recorded the episode, `;`-joined",
             "editor")),
    *fields(("build",), ("EventType", "string", "Session.Start, File.Edit, File.Save, Compile, Run.Program, "
                         "Run.Test, Submit, Session.End, ...")),
    *fields(("edits", "files"),
            ("CodeStateID", "string", "the folder under CodeStates/ holding every file's text at the event",
             "file_text")),
    *fields(("header",),
            ("ClientTimestamp", "string", "when the event happened (UTC, from the episode's start)", "time"),
            ("ClientTimezone", "string", "UTC, always"),
            ("SessionID", "string", "the episode's id"),
            ("ProjectID", "string", "the workspace folder's name", "workspace")),
    *fields(("edits", "files", "diagnostics"),
            ("CodeStateSection", "string", "the workspace-relative path the event is about"),
            ("DestinationCodeStateSection", "string", "a rename's new path"),
            ("EditType", "string", "GenericEdit for an edit burst")),
    *fields(("build",), ("ParentEventID", "string", "the Compile or Run.Program event a message or test "
                         "belongs to")),
    *fields(("diagnostics",),
            ("CompileResult", "string", "Success, Warning or Error: the worst diagnostic reported"),
            ("CompileMessageType", "string", "a diagnostic's code, else its producer"),
            ("CompileMessageData", "string", "a diagnostic's message", "free_text"),
            ("SourceLocation", "string", "`Text:<line>:<column>` of a diagnostic, from 1")),
    *fields(("build",), ("ExecutionID", "string", "a test's Run.Program event")),
    *fields(("tests",),
            ("TestID", "string", "a test's id (pytest's node id)", "free_text")),
    *fields(("commands", "tests"),
            ("ExecutionResult", "string", "Success, Error, TestFailed, ...: how the run or the test ended")),
    *fields(("tests",), ("Score", "float", "1.0 for a test that succeeded, 0.0 otherwise")),
    *fields(("commands", "tests"),
            ("X-Command", "string", "the command line, or the test runner and its arguments", "command"),
            ("X-ExitCode", "int", "the command's or the runner's exit status")),
    *fields(("tests",), ("X-Outcome", "string", "the test's outcome: passed, failed, error, xfailed, "
                                                "xpassed")),
    *fields(("git",), ("X-Commit", "string", "a commit's id (Submit)", "commit")),
    *fields(("build",), ("X-Step", "int", "the episode's step the event comes from (`codetape cat`'s "
                                          "index)")),
)
CONTRACTS = {"progsnap2": Contract(
    "one ProgSnap2 dataset of all the episodes: MainTable.csv's columns", _MAIN)}
TEST_RESULT = {"passed": "Success", "xfailed": "Success", "failed": "TestFailed", "xpassed": "TestFailed",
               "error": "Error"}  # skipped tests did not run: no Run.Test
MAX_MESSAGES = 200  # Compile.Error / Compile.Warning rows per Compile
Row = dict[str, str | int | float | None]
States = CodeStates | ZippedStates
METADATA_CSV = "Property,Value\r\n" + "".join(f"{key},{value}\r\n" for key, value in METADATA.items())
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")  # what a spreadsheet could evaluate; the escape


@contextlib.contextmanager
def progsnap2(out_dir: Path, result: ExportResult) -> Iterator[ProgSnap2Exporter]:
    """The exporter; MainTable.csv and DatasetMetadata.csv replace older ones only when all went well."""
    states = CodeStates(out_dir)
    with atomic_file(out_dir / "MainTable.csv") as staged, \
            main_table(staged.file, states, result) as exporter:
        yield exporter
    atomic_write(out_dir / "DatasetMetadata.csv", METADATA_CSV)
    result.files += 2 + states.files


@contextlib.contextmanager
def main_table(file: Writes, states: States, result: ExportResult) -> Iterator[ProgSnap2Exporter]:
    """The exporter writing MainTable.csv's bytes into `file` and code states into `states`."""
    meter = Meter(file)
    text = io.TextIOWrapper(meter, encoding="utf-8", errors="surrogatepass", newline="")
    table = csv.DictWriter(text, fieldnames=COLUMNS)
    table.writeheader()
    yield ProgSnap2Exporter(table, states, result, meter)
    text.flush()
    text.detach()


class Meter(io.BufferedIOBase):
    """MainTable.csv's bytes on their way to the file, counted against the allowance of the episode whose
    rows they are (give or take the few kilobytes a text stream holds back)."""

    def __init__(self, out: Writes) -> None:
        super().__init__()
        self.out = out
        self.allowance: Allowance | None = None

    @property
    def name(self) -> str:
        return "MainTable.csv"

    def writable(self) -> bool:
        return True

    def write(self, data: bytes, /) -> int:  # type: ignore[override]  # (bytes from the text stream only)
        if self.allowance is not None:
            self.allowance.spend(len(data))
        self.out.write(data)
        return len(data)


class ProgSnap2Exporter:
    def __init__(self, table: csv.DictWriter[str], states: States, result: ExportResult,
                 meter: Meter) -> None:
        self.table = table
        self.states = states
        self.result = result
        self.meter = meter
        self.session, self.order = "", 0  # the episode being added, and its events so far

    def add(self, episode: Episode) -> None:
        """The episode's rows and code states; the states it wrote are removed when it is refused."""
        since = len(self.states.written)
        try:
            self._add(episode)
        except Exception:
            self.states.discard(since)
            raise

    def _add(self, episode: Episode) -> None:
        header = episode.header
        client = header.client
        tools = ([f"{client.name} {client.version or ''}".strip()] if client else []) + \
            [f"codetape {header.codetape_version}"]
        common: Row = {"SubjectID": _subject(episode), "ToolInstances": ";".join(tools),
                       "SessionID": str(header.episode_id), "ProjectID": header.workspace.root_name}
        workspace = Workspace(header.position_encoding, limit=episode.limits.files)
        allowance = self.meter.allowance = Allowance.of(episode)
        self.session, self.order = str(header.episode_id), 0
        state = self.states.id_of(workspace, allowance)
        self._row(common, utc_at(header, 0), state, EventType="Session.Start")
        end_ms, end_step, changed = 0, None, False
        for item in grouped(episode.steps(), workspace):
            end_ms, end_step = max(end_ms, item.end_ms), max(end_step or 0, item.last)
            changed = changed or isinstance(item, Burst) or _changes_files(item)
            for row in _events(item):
                if changed:  # a state is written only when an event refers to it
                    state, changed = self.states.id_of(workspace, allowance), False
                self._row(common, utc_at(header, item.end_ms), state, **row, **{"X-Step": item.last})
        if changed:
            state = self.states.id_of(workspace, allowance)
        self._row(common, utc_at(header, end_ms), state, EventType="Session.End", **{"X-Step": end_step})

    def _row(self, common: Row, when: str, state: str, **fields: str | int | float | None) -> None:
        self.result.records += 1
        self.order += 1
        parent, execution = fields.pop("ParentEventID", None), fields.pop("ExecutionID", None)
        row: Row = {"EventID": self._id(0), "Order": self.order, "CodeStateID": state,
                    "ClientTimestamp": when, "ClientTimezone": "UTC", **common, **fields,
                    "ParentEventID": None if parent is None else self._id(int(parent)),
                    "ExecutionID": None if execution is None else self._id(int(execution))}
        self.table.writerow({name: inert(value) for name, value in row.items()})

    def _id(self, back: int) -> str:
        """The EventID of the event `back` rows before this one (0: this one)."""
        return f"{self.session}-{self.order - back}"


def inert(value: str | int | float | None) -> str | int | float | None:
    """A cell a spreadsheet shows as text: `'` in front of text that starts like a formula, or with `'`."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value


def _changes_files(item: Item) -> bool:
    return not isinstance(item, Burst) and item.step.kind in ("open", "save", "close", "file_change", "gap")


def _execution(exit_code: int | None) -> str:
    """Run.Program's ExecutionResult from an exit status (None: its end was not recorded)."""
    if exit_code == 0:
        return "Success"
    return "Timeout" if exit_code is None or exit_code < 0 else "Error"


def _events(item: Item) -> Iterator[Row]:
    """The rows an item makes; a child's ParentEventID or ExecutionID holds how many rows back its parent
    is (0: itself)."""
    if isinstance(item, Burst):
        yield {"EventType": "File.Edit", "CodeStateSection": item.path, "EditType": "GenericEdit"}
        return
    step = item.step
    match step:
        case kinds.OpenStep():
            yield {"EventType": "File.Open", "CodeStateSection": step.path}
        case kinds.SaveStep():
            yield {"EventType": "File.Save", "CodeStateSection": step.path}
        case kinds.CloseStep():
            yield {"EventType": "File.Close", "CodeStateSection": step.path}
        case kinds.FileChangeStep(change="created"):
            yield {"EventType": "File.Create", "CodeStateSection": step.path}
        case kinds.FileChangeStep(change="deleted"):
            yield {"EventType": "File.Delete", "CodeStateSection": step.path}
        case kinds.FileChangeStep(change="renamed"):
            yield {"EventType": "File.Rename", "CodeStateSection": step.path,
                   "DestinationCodeStateSection": step.new_path}
        case kinds.DiagnosticsStep():
            severities = [d.severity or 1 for d in step.items]
            result = "Error" if 1 in severities else "Warning" if 2 in severities else "Success"
            yield {"EventType": "Compile", "CodeStateSection": step.path, "CompileResult": result}
            reported = [d for d in step.items if (d.severity or 1) <= 2][:MAX_MESSAGES]
            for back, found in enumerate(reported, start=1):
                kind = "Compile.Error" if (found.severity or 1) == 1 else "Compile.Warning"
                start = found.range.start
                yield {"EventType": kind, "CodeStateSection": step.path, "ParentEventID": back,
                       "CompileMessageType": step.origin or None if found.code is None else str(found.code),
                       "CompileMessageData": found.message,
                       "SourceLocation": f"Text:{start.line + 1}:{start.character + 1}"}
        case kinds.CommandStep():
            line = step.command_line if step.command_line is not None else shlex.join(step.argv or [])
            yield {"EventType": "Run.Program", "ExecutionResult": _execution(step.exit_code),
                   "X-Command": line, "X-ExitCode": step.exit_code}
        case kinds.TestRunStep():
            yield {"EventType": "Run.Program", "ExecutionResult": _execution(step.exit_status),
                   "ExecutionID": 0, "X-Command": shlex.join([step.framework, *step.args]),
                   "X-ExitCode": step.exit_status}
            ran = [test for test in step.tests if test.outcome in TEST_RESULT]
            for back, test in enumerate(ran, start=1):
                result = TEST_RESULT[test.outcome]
                yield {"EventType": "Run.Test", "ExecutionID": back, "TestID": test.nodeid,
                       "ExecutionResult": result, "Score": 1.0 if result == "Success" else 0.0,
                       "X-Outcome": test.outcome}
        case kinds.GitStep(op="commit"):
            yield {"EventType": "Submit", "X-Commit": step.sha}
        case (kinds.EditStep() | kinds.CursorStep() | kinds.NoteStep() | kinds.TaskStep() | kinds.GapStep()
              | kinds.RedactionStep() | kinds.AgentStep() | kinds.OfferStep()):  # no ProgSnap2 event
            return
        case kinds.GitStep() | kinds.FileChangeStep():  # no ProgSnap2 event (only a commit is a submission)
            return
        case _:
            assert_never(step)


def _subject(episode: Episode) -> str:
    """The signer's key id when the episode's signature checks out, else `local`."""
    if episode.consent is None:
        return "local"
    try:
        return check_signature(episode).reviewer.key_id
    except EpisodeError:
        return "local"
