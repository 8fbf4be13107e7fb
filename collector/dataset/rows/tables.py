"""The dataset's tables: their Arrow schemas, how they are partitioned and how large their row groups are.

Every table but `rejected` carries `month` (the episode's UTC start, `YYYY-MM`) as its Hive partition:
`OUT/steps/month=2026-03/part-*.parquet`, the column in the path, as DuckDB, Spark, Polars and pyarrow read
it, and in the files too, for readers that take no partition from a path (Hugging Face `datasets`).
`episode_id` and `signer_key_id` together join the tables: they are unique
in a dataset (one signer's episode id is one episode; another signer's episode under the same id is
another episode, kept apart by its signer: output/known.py). Row groups hold about 64 MiB of data: many small
rows in a group for `steps`, a few thousand file texts for `file_states`. Files are zstd-compressed.
"""

from __future__ import annotations

import pyarrow as pa

PARTITION = "month"
COMPRESSION = "zstd"

_ID = pa.field("episode_id", pa.string(), nullable=False)
_SIGNER = pa.field("signer_key_id", pa.string(), nullable=False)  # with episode_id: which episode
_STEP = pa.field("step", pa.int32(), nullable=False)  # the index `codetape cat` and `checkout --step` use
_T = pa.field("t_ms", pa.int64(), nullable=False)
_MONTH = pa.field(PARTITION, pa.string(), nullable=False)
# the SPDX licence expression the episode was shared under (episodes.licence), on every row of its
# tables: a table read on its own still says under what terms each row may be used
_LICENCE = pa.field("licence", pa.string())
_UTC = pa.timestamp("us", tz="UTC")
_STRINGS = pa.list_(pa.string())
# how a window of steps ended (outcome.py): pass | fail | abandoned, the signal it rests on (tests |
# self-reported | commit | abandoned), its confidence (0 to 1), and every signal's verdict with its step
_OUTCOME = [pa.field("outcome", pa.string()), pa.field("outcome_signal", pa.string()),
            pa.field("outcome_confidence", pa.float64()),
            pa.field("outcome_signals", pa.list_(pa.struct([("signal", pa.string()), ("verdict", pa.string()),
                                                           ("step", pa.int32())])))]

EPISODES = pa.schema([
    _ID,
    pa.field("sha256", pa.string(), nullable=False),  # of the whole file: its name at the source
    pa.field("source_key", pa.string(), nullable=False),
    pa.field("bytes", pa.int64(), nullable=False),
    pa.field("content_sha256", pa.string(), nullable=False),  # of the bytes signed
    pa.field("statement_sha256", pa.string(), nullable=False),
    pa.field("build", pa.int32(), nullable=False),
    pa.field("started_at", _UTC, nullable=False),
    pa.field("duration_ms", pa.int64(), nullable=False),
    pa.field("codetape_version", pa.string()),
    pa.field("position_encoding", pa.string()),
    pa.field("workspace", pa.string()),
    pa.field("git_remote", pa.string()),
    pa.field("head_at_start", pa.string()),
    pa.field("editor", pa.string()),
    pa.field("editor_version", pa.string()),
    pa.field("channels", _STRINGS),
    _SIGNER,
    pa.field("signer_public_key", pa.string(), nullable=False),
    pa.field("signed_at", _UTC, nullable=False),
    pa.field("signed_with", pa.string()),
    pa.field("purpose", pa.string()),
    pa.field("licence", pa.string()),
    pa.field("repository_licences", _STRINGS),
    pa.field("allowed_licences", _STRINGS),
    pa.field("excluded_sha256", pa.string()),  # a keyed hash of the globs kept out, never the globs
    pa.field("retain_until", pa.date32()),  # the last day it may be kept; purged the day after
    pa.field("managed_policy_sha256", pa.string()),  # of the organisation's policy it was signed under
    pa.field("redaction_rules_version", pa.string()),
    pa.field("redactions", pa.list_(pa.struct([("rule", pa.string()), ("values", pa.int64())]))),
    pa.field("consent_statement", pa.string(), nullable=False),  # the exact JSON signed
    pa.field("task", pa.string()),
    pa.field("task_outcome", pa.string()),
    *_OUTCOME,  # how the episode ended, judged by every signal (outcome.py)
    pa.field("step_count", pa.int64(), nullable=False),
    pa.field("file_count", pa.int64(), nullable=False),
    pa.field("edit_count", pa.int64(), nullable=False),
    pa.field("save_count", pa.int64(), nullable=False),
    pa.field("test_run_count", pa.int64(), nullable=False),
    pa.field("command_count", pa.int64(), nullable=False),
    pa.field("commit_count", pa.int64(), nullable=False),
    pa.field("gap_count", pa.int64(), nullable=False),
    pa.field("file_state_count", pa.int64(), nullable=False),
    # the characters the episode wrote, per origin, sorted by origin: what its edits inserted (`unknown`
    # for edits without one) and what its writes to disk outside the editor inserted (`file_change`: the
    # characters between what the old and the new text share at their start and end; `agent` when an
    # agent claimed the write, else `unknown`), as `--origin` counts them; share: of all (0 when none)
    pa.field("inserted_by_origin", pa.list_(pa.struct([("origin", pa.string()), ("chars", pa.int64()),
                                                       ("share", pa.float64())]))),
    # of what the episode wrote (its edits' inserted characters and the text of its file changes, as
    # `--origin` counts it), the share of each class of origins (schemas/steps/edit.py ORIGIN_CLASS);
    # null when it wrote nothing
    pa.field("human_share", pa.float64()),
    pa.field("ai_share", pa.float64()),
    pa.field("unknown_share", pa.float64()),
    # of the steps' content in order (each step's kind, path and fields, not its time): episodes with the
    # same steps (one session signed twice, or by two people) share it
    pa.field("steps_sha256", pa.string(), nullable=False),
    # the train/eval split (collector/export/split.py): by repository, never a duplicate or near
    # duplicate on both sides
    pa.field("repository", pa.string(), nullable=False),
    pa.field("diff_minhash", pa.list_(pa.uint32())),  # of what its edits and file writes inserted
    pa.field("split", pa.string(), nullable=False),
    _MONTH,
])

STEPS = pa.schema([
    _ID, _SIGNER, _STEP, _T,
    pa.field("kind", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("path", pa.string()),
    pa.field("data", pa.string(), nullable=False),  # the kind's other fields as JSON, defaults left out
    # whose work an edit or file_change is (schemas/steps/edit.py); null when it says none (unknown,
    # external) and for every other kind (a diagnostics step's `origin`, its producer, stays in `data`)
    pa.field("origin", pa.string()),
    pa.field("origin_detail", pa.string()),
    _LICENCE,
    _MONTH,
])

FILE_STATES = pa.schema([
    _ID, _SIGNER, _STEP, _T,
    pa.field("event", pa.string(), nullable=False),  # save | commit | end
    pa.field("path", pa.string(), nullable=False),
    pa.field("sha256", pa.string(), nullable=False),  # of the text's UTF-8 bytes: its row of `blobs`
    _LICENCE,
    _MONTH,
])

TEST_RUNS = pa.schema([
    _ID, _SIGNER, _STEP, _T,
    pa.field("framework", pa.string(), nullable=False),
    pa.field("args", _STRINGS),
    pa.field("exit_status", pa.int64()),
    pa.field("run_duration_ms", pa.int64(), nullable=False),
    pa.field("test_index", pa.int32()),  # one row per test, in the run's order; a run without tests is
    pa.field("nodeid", pa.string()),  # one row with none
    pa.field("outcome", pa.string()),
    pa.field("duration_ms", pa.int64()),
    pa.field("summary", pa.string()),
    pa.field("kind", pa.string()),  # test | collection (a file the runner could not collect)
    _LICENCE,
    _MONTH,
])

COMMANDS = pa.schema([
    _ID, _SIGNER, _STEP, _T,
    pa.field("source", pa.string(), nullable=False),
    pa.field("argv", _STRINGS),
    pa.field("command_line", pa.string()),
    pa.field("cwd", pa.string(), nullable=False),
    pa.field("exit_code", pa.int64()),
    pa.field("duration_ms", pa.int64(), nullable=False),
    pa.field("output_tail", pa.string()),
    _LICENCE,
    _MONTH,
])

# Whether what a change inserted stayed (survival.py), on `edits` and `transitions`: of the characters it
# inserted (traced through the replay), the share still in the file at the episode's end and on disk at
# the next commit listing the file (null: no such commit); the step after which none was left and how
# long after the insertion (null while one is left). All four null when it inserted nothing.
_LABELS = [pa.field("survived_to_end", pa.float64()), pa.field("survived_to_commit", pa.float64()),
           pa.field("reverted_at_step", pa.int32()), pa.field("reverted_within_ms", pa.int64())]
LABELS = tuple(field.name for field in _LABELS)

# Typed tables of the steps whose shape is fixed (typed_rows.py): `steps` keeps them too, in `data`.
_POSITIONS = [pa.field(name, pa.int32()) for name in ("start_line", "start_character", "end_line",
                                                       "end_character")]  # in the episode's encoding
EDITS = pa.schema([
    _ID, _SIGNER, _STEP,
    pa.field("change", pa.int32(), nullable=False),  # the change's index in its step, applied in order
    _T,
    pa.field("path", pa.string(), nullable=False),
    pa.field("version", pa.int64()),
    *_POSITIONS,  # null: the change replaced the whole text
    # characters (code points) into the file's text before this change, clamped as LSP clamps
    pa.field("start_offset", pa.int64(), nullable=False),
    pa.field("end_offset", pa.int64(), nullable=False),
    pa.field("inserted", pa.large_string(), nullable=False),
    pa.field("deleted", pa.large_string(), nullable=False),
    pa.field("origin", pa.string()),  # as `steps.origin`: null when unknown
    pa.field("origin_detail", pa.string()),
    *_LABELS,  # (survival.py: filled once the episode's last step is replayed)
    _LICENCE,
    _MONTH,
])

DIAGNOSTICS = pa.schema([
    _ID, _SIGNER, _STEP, _T,
    pa.field("path", pa.string(), nullable=False),
    pa.field("origin", pa.string(), nullable=False),  # who produced them ("" when not said)
    pa.field("version", pa.int64()),
    pa.field("item", pa.int32()),  # one row per diagnostic; a step that cleared them: one row with none
    *_POSITIONS,
    pa.field("severity", pa.int8()),  # 1 error, 2 warning, 3 information, 4 hint (LSP)
    pa.field("message", pa.string()),
    pa.field("code", pa.string()),
    pa.field("source", pa.string()),
    _LICENCE,
    _MONTH,
])

GIT = pa.schema([
    _ID, _SIGNER, _STEP, _T,
    pa.field("op", pa.string(), nullable=False),
    pa.field("sha", pa.string()),
    pa.field("message", pa.string()),
    pa.field("parents", _STRINGS),
    pa.field("files", pa.list_(pa.struct([("path", pa.string()), ("added", pa.int64()),
                                          ("deleted", pa.int64()), ("change", pa.string()),
                                          ("escaped", pa.bool_())]))),
    pa.field("ref", pa.string()),
    pa.field("old", pa.string()),
    pa.field("new", pa.string()),
    pa.field("detail", pa.string()),
    _LICENCE,
    _MONTH,
])

CURSOR = pa.schema([
    _ID, _SIGNER, _STEP, _T,
    pa.field("path", pa.string(), nullable=False),
    pa.field("line", pa.int32(), nullable=False),  # the caret: the first selection's active end
    pa.field("character", pa.int32(), nullable=False),
    pa.field("selections", pa.list_(pa.struct([("anchor_line", pa.int32()), ("anchor_character", pa.int32()),
                                               ("active_line", pa.int32()),
                                               ("active_character", pa.int32())]))),
    _LICENCE,
    _MONTH,
])

# what became of an agent's turn (collector/reconstruct/turns.py), on its prompt's row; null on the others
_PUSHBACK = [pa.field("interrupted", pa.bool_()), pa.field("wrote_chars", pa.int64()),
             pa.field("undone_within_ms", pa.int64()), pa.field("survived_to_end", pa.float64())]
PUSHBACK = tuple(field.name for field in _PUSHBACK)

# `agent` steps (schemas/steps/agent.py): one row per hook call of an AI agent the developer works with
AGENT_EVENTS = pa.schema([
    _ID, _SIGNER, _STEP, _T,
    pa.field("agent", pa.string(), nullable=False),
    pa.field("session", pa.string()),  # the agent's own id of its conversation
    pa.field("event", pa.string(), nullable=False),  # session_start, prompt, tool_call, tool_result, ...
    pa.field("hook", pa.string(), nullable=False),  # the agent's own name for the event
    pa.field("tool", pa.string()),
    pa.field("targets", _STRINGS),  # workspace-relative paths the tool call named
    pa.field("command_line", pa.string()),
    pa.field("prompt_chars", pa.int64()),  # the prompt's length; null when none (or left out at review)
    pa.field("detail", pa.string()),
    pa.field("truncated", pa.bool_(), nullable=False),
    *_PUSHBACK,  # (turns.py: a prompt's, filled once the episode's last step is replayed)
    _LICENCE,
    _MONTH,
])

# `offer` steps (schemas/steps/offer.py) and what became of them (offers.py): one row per offer
OFFERS = pa.schema([
    _ID, _SIGNER, _STEP, _T,
    pa.field("path", pa.string(), nullable=False),
    pa.field("line", pa.int32(), nullable=False),  # where it was offered (the step's range's start)
    pa.field("character", pa.int32(), nullable=False),
    pa.field("via", pa.string(), nullable=False),  # completion | inline
    pa.field("evidence", pa.string(), nullable=False),
    pa.field("provider", pa.string()),
    pa.field("ai", pa.bool_(), nullable=False),
    pa.field("items", _STRINGS),  # what each item inserts, in the order offered
    pa.field("more", pa.int32(), nullable=False),
    pa.field("decision", pa.string(), nullable=False),  # accepted | partly_accepted | not_taken
    pa.field("taken", pa.int32()),
    pa.field("taken_text", pa.large_string()),
    pa.field("settled", pa.large_string()),  # the text at its place at the horizon (offers.py)
    pa.field("outcome", pa.string()),  # accepted | partly_accepted | overwritten | retyped | ignored
    _LICENCE,
    _MONTH,
])

# (context, chosen, rejected): an AI's suggestion the developer's own settled text replaced (offers.py)
PREFERENCES = pa.schema([
    _ID, _SIGNER, _STEP, _T,
    pa.field("path", pa.string(), nullable=False),
    pa.field("via", pa.string(), nullable=False),
    pa.field("provider", pa.string()),
    pa.field("evidence", pa.string(), nullable=False),
    pa.field("context_before", pa.large_string(), nullable=False),
    pa.field("context_after", pa.large_string(), nullable=False),
    pa.field("chosen", pa.large_string(), nullable=False),
    pa.field("rejected", pa.large_string(), nullable=False),
    pa.field("outcome", pa.string(), nullable=False),
    _LICENCE,
    _MONTH,
])

TYPED = {"edits": EDITS, "diagnostics": DIAGNOSTICS, "git": GIT, "cursor": CURSOR,
         "agent_events": AGENT_EVENTS}

# `transitions`: one row per action and file it changed (transitions.py), an action that changed no file
# one row without a path. `kind`: edit (a settled burst of edits to one file), command, test_run, git
# (the developer's actions), or open, close, save, file_change, gap (what changed the files otherwise:
# replaying every row's after_sha256 in order gives the files `codetape checkout` writes)
_DIAGNOSTIC = pa.struct([("path", pa.string()), ("origin", pa.string()), ("severity", pa.int8()),
                         ("message", pa.string()), ("start_line", pa.int32()),
                         ("start_character", pa.int32()), ("end_line", pa.int32()),
                         ("end_character", pa.int32())])
TRANSITIONS = pa.schema([
    _ID, _SIGNER,
    pa.field("action", pa.int32(), nullable=False),  # the action's number in the episode, from 0
    pa.field("kind", pa.string(), nullable=False),
    pa.field("first_step", pa.int32(), nullable=False),
    pa.field("last_step", pa.int32(), nullable=False),
    pa.field("start_ms", pa.int64(), nullable=False),
    pa.field("end_ms", pa.int64(), nullable=False),
    pa.field("edits", pa.int32(), nullable=False),  # edit steps in the burst (0 for other kinds)
    pa.field("path", pa.string()),
    pa.field("before_sha256", pa.string()),  # the file's text before (null: it did not exist): `blobs`
    pa.field("after_sha256", pa.string()),  # and after the action (null: deleted, or not recorded)
    # unified, git's form; null when the file was created or deleted (its blob is the text) or either
    # text is too large
    pa.field("diff", pa.large_string()),
    pa.field("diff_coarse", pa.bool_()),  # one hunk from the first change to the last (linediff.py)
    # whose work it is: an edit burst's origin (null: its edits said none; `mixed` when they differ, then
    # origin_detail is the share of the characters inserted per origin, `typed 80%, paste 20%`), a
    # file_change's (`agent`, `external`; null: none said, a program's), null for every other kind
    pa.field("origin", pa.string()),
    pa.field("origin_detail", pa.string()),
    # the state the action started from: the caret in `path`, in the episode's encoding, where the editor
    # last reported it or else where the last edit left it (caret_from: `editor` or `edit`; null when the
    # file had neither since it was opened, closed, changed on disk or the recording had a gap)
    pa.field("caret_line", pa.int32()),
    pa.field("caret_character", pa.int32()),
    pa.field("caret_from", pa.string()),
    # the diagnostics then current (every file's, the action's file first, errors first; at most 64)
    pa.field("diagnostics", pa.list_(_DIAGNOSTIC)),
    pa.field("diagnostic_count", pa.int32(), nullable=False),  # all of them, beyond the 64
    pa.field("test_run_step", pa.int32()),  # the last test run before the action (its rows: test_runs)
    pa.field("tests_passed", pa.int32()),
    pa.field("tests_failed", pa.int32()),  # failed or error
    pa.field("failing", _STRINGS),  # their node ids (at most 64)
    *_LABELS,  # of what the action inserted and still held when it ended
    _LICENCE,
    _MONTH,
])

# `tasks`: one row per task in an episode (from its `task start` to its `task done`, the next start or the
# episode's end; a `task done` without its start in the episode: from the episode's first step)
TASKS = pa.schema([
    _ID, _SIGNER,
    pa.field("task", pa.int32(), nullable=False),  # its number in the episode, from 0
    pa.field("statement", pa.string()),
    pa.field("first_step", pa.int32(), nullable=False),
    pa.field("last_step", pa.int32(), nullable=False),
    pa.field("done_step", pa.int32()),  # its `task done` (null: the episode or the next task ended it)
    *_OUTCOME,
    _LICENCE,
    _MONTH,
])

# `blobs`: every file text the dataset refers to (transitions, file_states), once, by its SHA-256
# (of the text's UTF-8 bytes as recorded; a lone surrogate, which Parquet cannot hold, becomes U+FFFD).
# Not partitioned: a text two episodes share is one row, kept while one of them is in the dataset.
BLOBS = pa.schema([
    pa.field("sha256", pa.string(), nullable=False),
    pa.field("text", pa.large_string(), nullable=False),
])

REJECTED = pa.schema([
    pa.field("sha256", pa.string(), nullable=False),  # the name it is stored under
    pa.field("source_key", pa.string(), nullable=False),  # the episode's, or the revocation record's
    pa.field("episode_id", pa.string()),  # when it could be read
    pa.field("signer_key_id", pa.string()),  # when its signature verified
    pa.field("reason", pa.string(), nullable=False),
    pa.field("detail", pa.string(), nullable=False),
    pa.field("build", pa.int32(), nullable=False),
])

ROWS = {"episodes": EPISODES, "steps": STEPS, "file_states": FILE_STATES, "test_runs": TEST_RUNS,
        "commands": COMMANDS, **TYPED,
        "transitions": TRANSITIONS,
        "tasks": TASKS, "offers": OFFERS,
        "preferences": PREFERENCES}  # the tables an accepted episode has rows in, partitioned by month
TABLES = {**ROWS, "blobs": BLOBS, "rejected": REJECTED}

# rows per row group: about 64 MiB each at the sizes rows have in recorded sessions
ROW_GROUP_ROWS = {"episodes": 16_384, "steps": 262_144, "file_states": 65_536, "test_runs": 262_144,
                  "commands": 65_536, "edits": 262_144, "diagnostics": 262_144, "git": 65_536,
                  "cursor": 262_144, "agent_events": 65_536, "transitions": 16_384, "blobs": 4_096,
                  "rejected": 65_536, "tasks": 65_536, "offers": 65_536,
                  "preferences": 65_536}


# the tables a worker writes for the episodes it checked: all but `episodes`, which the build writes once it
# has decided each episode's split, in source order (engines/sink.py)
WORKER_ROWS = [table for table in ROWS if table != "episodes"]


def partitioned(table: str) -> bool:
    return table in ROWS
