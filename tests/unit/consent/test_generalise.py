"""What describes the contributor rather than the episode, generalised for unlinkable mode (issue 52, items
3 and 4): versions to their release level, an editor's release channel to its product, a model name to its
family, an agent's build to major.minor, settings a receiver does not need to their defaults."""

from __future__ import annotations

import pytest

from collector.consent.generalise import (
    agent_label,
    default_capture,
    major_minor,
    model_family,
)
from schemas.header import CaptureSettings


@pytest.mark.parametrize(("name", "family"), [
    ("claude-sonnet-4-5-20250929", "claude-sonnet"),
    ("claude-opus-4-1", "claude-opus"),
    ("claude-3-5-haiku-20241022", "claude-haiku"),
    ("claude-2.1", "claude-2"),
    ("gpt-5.1-codex-max", "gpt-5"),
    ("gpt-4o-mini", "gpt-4"),
    ("gemini-2.5-pro", "gemini-2"),
    ("o4-mini", "o4"),
    ("o3", "o3"),
    ("openai/gpt-5.1", "openai/gpt-5"),
    ("anthropic/claude-sonnet-4-5", "anthropic/claude-sonnet"),
    ("claude-agent-acp", None),  # an agent's name, not a model's
    ("gemini-cli", None),
    ("gpt-oss-120b", None),
    ("startup", None),
])
def test_a_model_name_becomes_its_family(name: str, family: str | None) -> None:
    assert model_family(name) == family


def test_versions_keep_their_release_level_only() -> None:
    assert major_minor("0.1.0") == "0.1"
    assert major_minor("1.97.0-insider") == "1.97"
    assert major_minor("2026.12.3+kingfisher-1.4.0+custom2+review1") == "2026.12"  # the rules' own marks too
    assert major_minor("unknown+review2") == "unknown"


def test_an_agent_s_build_keeps_major_minor_and_its_model_its_family() -> None:
    assert agent_label("@zed-industries/claude-agent-acp 0.23.1") == "@zed-industries/claude-agent-acp 0.23"
    assert agent_label("gemini-cli v0.61.0-nightly.20251120 (gemini-2.5-pro)") == \
        "gemini-cli v0.61 (gemini-2)"
    assert agent_label("codex-acp 0.4.2 gpt-5.1-codex-max") == "codex-acp 0.4 gpt-5"
    assert agent_label("startup") == "startup"


def test_settings_no_receiver_needs_go_to_their_defaults_and_channels_to_one_order() -> None:
    own = CaptureSettings(channels=["git", "edits", "files", "tests", "diagnostics", "commands", "git"],
                          idle_timeout_s=600, max_file_bytes=65_536)
    assert default_capture(own) == CaptureSettings(
        channels=["edits", "diagnostics", "tests", "commands", "git", "files"])
    assert default_capture(CaptureSettings(channels=["terminal", "files", "lsp"])).channels == \
        ["files", "lsp", "terminal"]  # names this codetape does not know go last, sorted
