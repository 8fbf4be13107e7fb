"""What the tables' writers (this package) declare for the data contract beside their schemas (tables.py):
the channels that fill each table's columns, what each column is to the consent modes (its sort,
schemas/contract.py), and which columns are labels or follow from one.

A column's meaning is the data dictionary's (card/dictionary.py) and its type the Arrow schema's, so only
what neither says lives here. A column takes its table's channels unless CHANNELS_OF names its own, and
its sort from SORT_OF (by its name, the same in every table) unless SORT_IN names one for its table.
"""

from __future__ import annotations

from collector.dataset.rows.tables import LABELS as SURVIVAL
from collector.dataset.rows.tables import PUSHBACK
from schemas.contract import Sort
from schemas.settings import ALL_CHANNELS

_EVERY = (*ALL_CHANNELS, "notebook_outputs", "agents", "notes", "gaps")
_OUTCOME = ("outcome", "outcome_signal", "outcome_confidence", "outcome_signals")
_OUTCOME_CHANNELS = ("tests", "notes", "git", "edits", "files")

# table -> the channels (or schemas/contract.py SOURCES) its rows come from
CHANNELS: dict[str, tuple[str, ...]] = {
    "episodes": ("header",), "steps": _EVERY, "file_states": ("edits", "files", "git"),
    "test_runs": ("tests",), "commands": ("commands",), "edits": ("edits", "files"),
    "diagnostics": ("diagnostics",), "git": ("git",), "cursor": ("edits",), "agent_events": ("agents",),
    "transitions": ("edits", "files", "commands", "tests", "git", "gaps"), "tasks": ("notes",),
    "offers": ("edits",), "preferences": ("edits",), "blobs": ("edits", "files", "git", "gaps"),
    "rejected": ("build",),
}
_KEYS = {"episode_id": ("header",), "signer_key_id": ("header",), "month": ("header",),
         "licence": ("header",)}
_BUILD = ("build",)
# table -> column -> its channels, where they are not its table's
CHANNELS_OF: dict[str, dict[str, tuple[str, ...]]] = {
    "episodes": {**{name: _BUILD for name in ("sha256", "source_key", "bytes", "content_sha256", "build",
                                              "repository", "diff_minhash", "steps_sha256", "split",
                                              "file_state_count")},
                 **{name: _OUTCOME_CHANNELS for name in _OUTCOME},
                 "task": ("notes",), "task_outcome": ("notes",), "step_count": _EVERY,
                 "file_count": ("edits", "files"), "edit_count": ("edits",), "save_count": ("edits",),
                 "test_run_count": ("tests",), "command_count": ("commands",), "commit_count": ("git",),
                 "gap_count": ("gaps",), "inserted_by_origin": ("edits", "files", "agents"),
                 "human_share": ("edits", "files"), "ai_share": ("edits", "files", "agents"),
                 "unknown_share": ("edits", "files")},
    "edits": {"survived_to_commit": ("edits", "files", "git")},
    "transitions": {"diagnostics": ("diagnostics",), "diagnostic_count": ("diagnostics",),
                    **{name: ("tests",) for name in ("test_run_step", "tests_passed", "tests_failed",
                                                     "failing")},
                    "caret_line": ("edits",), "caret_character": ("edits",), "caret_from": ("edits",)},
    "tasks": {name: _OUTCOME_CHANNELS for name in _OUTCOME},
    "rejected": {"episode_id": ("header",), "signer_key_id": ("header",)},
}

# a column's sort by its name, in whichever table it stands; the rest are `plain`
SORT_OF: dict[str, Sort] = {
    **{name: "time" for name in ("t_ms", "duration_ms", "run_duration_ms", "start_ms", "end_ms")},
    "reverted_within_ms": "from_times", "undone_within_ms": "from_times",
    "started_at": "day", "signed_at": "day",
    **{name: "commit" for name in ("head_at_start", "sha", "parents", "old", "new")},
    "session": "conversation", "ref": "ref",
    **{name: "free_text" for name in ("message", "summary", "nodeid", "output_tail", "cwd", "detail",
                                      "statement", "task", "items", "taken_text", "failing", "tool")},
    **{name: "command" for name in ("args", "argv", "command_line")},
    **{name: "file_text" for name in ("inserted", "deleted", "text", "diff", "context_before",
                                      "context_after", "chosen", "rejected", "settled")},
    "editor": "editor", "editor_version": "editor", "workspace": "workspace", "git_remote": "remote",
    "repository": "remote", "codetape_version": "version", "redaction_rules_version": "version",
    "data": "step_fields",  # steps.data: a step's own fields, texts of both kinds and commit ids among them
}
# table -> column -> its sort there, where a name means something else in that table
SORT_IN: dict[str, dict[str, Sort]] = {
    "offers": {"outcome": "from_times"},  # read at the 5-minute horizon, in the times the receiver holds
    "rejected": {"detail": "plain"},  # the build's own sentence
    "transitions": {"diagnostics": "free_text"},  # their messages
}

# table -> the columns that are a label or follow from one: what happened after the row's moment (a
# reward model given them as features learns nothing)
LABELS: dict[str, frozenset[str]] = {
    "episodes": frozenset({*_OUTCOME, "task_outcome"}),
    "tasks": frozenset(_OUTCOME),
    "edits": frozenset(SURVIVAL),
    "transitions": frozenset(SURVIVAL),
    "agent_events": frozenset(PUSHBACK),
    "offers": frozenset({"decision", "taken", "taken_text", "settled", "outcome"}),
    "preferences": frozenset({"outcome"}),
}


def channels_of(table: str, column: str) -> tuple[str, ...]:
    """The channels that fill `column` of `table`."""
    return CHANNELS_OF.get(table, {}).get(column) or _KEYS.get(column) or CHANNELS[table]


def sort_of(table: str, column: str) -> Sort:
    """What `column` of `table` is to the consent modes."""
    return SORT_IN.get(table, {}).get(column) or SORT_OF.get(column, "plain")
