from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from schemas import STEP_KINDS, EpisodeHeader, StepError, WorkspaceIdentity, step_from_dict, step_to_dict
from schemas.steps import STEP_TYPES, EditStep, GapStep
from tests.structs import make

REQUIRED = {
    "open": {"path": "a.py", "text": "x"},
    "close": {"path": "a.py"},
    "edit": {"path": "a.py", "changes": [{"text": "y"}]},
    "save": {"path": "a.py"},
    "diagnostics": {"path": "a.py", "items": []},
    "test_run": {},
    "command": {"command_line": "ls"},
    "git": {"op": "commit", "sha": "a" * 40},
    "file_change": {"path": "a.py", "change": "deleted"},
    "cursor": {"path": "a.py", "selections": [{"anchor": {"line": 0, "character": 0},
                                                "active": {"line": 0, "character": 1}}]},
    "note": {"text": "n"},
    "task": {"action": "start", "statement": "fix it"},
    "gap": {"reason": "paused"},
    "redaction": {"rule": "aws-access-key", "placeholder": "«redacted:aws-access-key:1»", "count": 2},
    "agent": {"agent": "claude-code", "hook": "UserPromptSubmit", "event": "prompt"},
    "offer": {"path": "a.py",
              "range": {"start": {"line": 0, "character": 1}, "end": {"line": 0, "character": 1}},
              "via": "inline", "evidence": "lsp:textDocument/inlineCompletion", "items": [{"text": "x = 1"}],
              "decision": "not_taken"},
}


def test_every_kind_has_one_model_and_an_example() -> None:
    assert set(REQUIRED) == STEP_KINDS
    assert len(STEP_TYPES) == len(STEP_KINDS)


@pytest.mark.parametrize("kind", sorted(REQUIRED))
def test_each_kind_round_trips_through_its_plain_form(kind: str) -> None:
    data = {"kind": kind, "t_ms": 7, "source": "bridge", **REQUIRED[kind]}
    step = step_from_dict(data)
    assert step.kind == kind
    plain = step_to_dict(step)
    assert list(plain)[:2] == ["kind", "t_ms"]
    assert step_from_dict(plain) == step


def test_unknown_fields_and_kinds_are_rejected() -> None:
    with pytest.raises(StepError):
        step_from_dict({"kind": "note", "t_ms": 0, "source": "cli", "text": "x", "secret": 1})
    with pytest.raises(StepError):
        step_from_dict({"kind": "telemetry", "t_ms": 0, "source": "cli"})


@pytest.mark.parametrize("bad", [{"t_ms": -1}, {"source": "Bad Source"}, {"source": ""}, {"source": "cli\n"},
                                 {"t_ms": 1.0}, {"t_ms": True}])
def test_clock_and_source_are_checked(bad: dict[str, object]) -> None:
    with pytest.raises(StepError):
        step_from_dict({"kind": "note", "t_ms": 0, "source": "cli", "text": "x"} | bad)


def test_edit_needs_changes_and_positions_are_non_negative() -> None:
    with pytest.raises(StepError):
        make(EditStep, {"t_ms": 0, "source": "bridge", "path": "a.py", "changes": []})
    with pytest.raises(StepError):
        step_from_dict({"kind": "edit", "t_ms": 0, "source": "bridge", "path": "a.py", "changes": [
            {"range": {"start": {"line": -1, "character": 0}, "end": {"line": 0, "character": 0}},
             "text": ""}]})


def test_gap_state_is_a_state_jump() -> None:
    gap = make(GapStep, {"t_ms": 1, "source": "review", "reason": "dropped_by_review",
                         "state": [{"path": "a.py", "text": "new"}, {"path": "gone.py", "text": None}]})
    assert gap.state is not None and gap.state[1].text is None


def test_redaction_placeholder_has_one_shape() -> None:
    with pytest.raises(StepError):
        step_from_dict({"kind": "redaction", "t_ms": 0, "source": "collector", "rule": "aws",
                        "placeholder": "<redacted>", "count": 1})


def _header(started_at: datetime) -> EpisodeHeader:
    return EpisodeHeader(codetape_version="0.1.0", episode_id=uuid.uuid4(), started_at=started_at,
                         workspace=WorkspaceIdentity(root_name="w"))


def test_header_start_must_be_utc() -> None:
    assert _header(datetime(2026, 1, 1, tzinfo=UTC)).position_encoding == "utf-16"
    with pytest.raises(ValueError, match="started_at must be a timezone-aware UTC time"):
        _header(datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="started_at must be a timezone-aware UTC time"):
        _header(datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=2))))


def test_the_custom_message_names_and_models_agree() -> None:
    """schemas/methods.py names what schemas/messages.py models (the bridge routes by the names alone)."""
    from schemas import messages, methods

    assert tuple(messages.NOTIFICATIONS) == methods.NOTIFICATION_METHODS
