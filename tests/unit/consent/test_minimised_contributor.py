"""Unlinkable minimisation of what describes the contributor (issue 52, items 3 to 5): two people's episodes
that differ in their folder, fork, settings, editor channel, codetape build and agent build have the same
header once minimised, but for the episode id; a remote the managed policy shares stays, spelt as the
policy spells it; the statement's versions keep their release level."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from collector.consent.pseudonyms import Pseudonyms
from collector.consent.unlinkable import minimise_episode, minimised_header
from collector.episode import open_episode, write_episode_file
from collector.reconstruct.keyframes import keyframe_states
from schemas import EpisodeHeader, step_from_dict, step_to_dict
from schemas.common import plain
from schemas.consent import (
    ConsentContent,
    ConsentRedaction,
    ConsentReviewer,
    ConsentScope,
    ConsentSoftware,
    ConsentStatement,
    ConsentTerms,
)
from schemas.header import CaptureSettings, ClientInfo, WorkspaceIdentity
from tests.fixtures.make_golden import FULL, FULL_HEADER, header

SHARED = "https://git.acme.example/platform/app.git"
NEUTRAL_ROOT = "workspace"  # unlinkable.NEUTRAL_ROOT: every unlinkable episode's folder name
FORK = "git@github.com:alice/attrs.git"
ALICE = header("a11ce000-0000-4000-8000-000000000001", codetape_version="0.1.0+dev.3",
               workspace=WorkspaceIdentity(root_name="alice-attrs", git_remote=FORK),
               client=ClientInfo(name="Visual Studio Code - Insiders", version="1.97.0-insider"),
               editors=[ClientInfo(name="Visual Studio Code - Insiders", version="1.97.0-insider"),
                        ClientInfo(name="Neovim", version="0.11.4")],  # (Bob's episode names one editor)
               capture=CaptureSettings(channels=["git", "edits", "files", "tests", "diagnostics", "commands"],
                                       idle_timeout_s=600, max_file_bytes=65_536))
BOB = header("b0b00000-0000-4000-8000-000000000002", codetape_version="0.1.2",
             workspace=WorkspaceIdentity(root_name="bob-scratch"),
             client=ClientInfo(name="Visual Studio Code", version="1.97.2"),
             capture=CaptureSettings(channels=["edits", "diagnostics", "tests", "commands", "git", "files"]))
ACP_START = {"kind": "agent", "t_ms": 46100, "source": "agent", "agent": "acp", "hook": "session/new",
             "event": "session_start", "session": "sess_7f3a"}


def episode(path: Path, head: EpisodeHeader, acp: str) -> Path:
    steps = [*FULL, step_from_dict({**ACP_START, "detail": acp})]
    write_episode_file(path, head, steps, states=keyframe_states(head.position_encoding))
    return path


def minimised(tmp_path: Path, head: EpisodeHeader, acp: str) -> EpisodeHeader:
    source = episode(tmp_path / f"{head.episode_id}.ctape", head, acp)
    return open_episode(minimise_episode(source, tmp_path / f"{head.episode_id}-m.ctape", "coarse")).header


def test_two_contributors_headers_are_one_once_minimised_but_for_the_episode_id(tmp_path: Path) -> None:
    alice = minimised(tmp_path, ALICE, "@zed-industries/claude-agent-acp 0.23.1")
    bob = minimised(tmp_path, BOB, "@zed-industries/claude-agent-acp 0.23.4")
    assert plain(alice) != plain(ALICE)
    assert {**plain(alice), "episode_id": None} == {**plain(bob), "episode_id": None}
    assert alice.workspace == WorkspaceIdentity(root_name=NEUTRAL_ROOT)  # the folder and the fork left out
    assert alice.codetape_version == "0.1" and alice.client is None and alice.editors is None  # the fleet
    # says who runs which
    assert alice.capture == CaptureSettings(channels=["edits", "diagnostics", "tests", "commands", "git",
                                                      "files"])  # defaults, and the channels in one order
    everything = json.dumps(plain(alice))
    for personal in ("alice", "Insiders", "insider", "Neovim", "600", "65536", "0.1.0"):
        assert personal not in everything


def test_an_acp_agent_s_build_keeps_major_minor(tmp_path: Path) -> None:
    head = minimised(tmp_path, ALICE, "@zed-industries/claude-agent-acp 0.23.1 claude-sonnet-4-5-20250929")
    steps = [step_to_dict(step) for step in open_episode(tmp_path / f"{head.episode_id}-m.ctape").steps()]
    start = next(step for step in steps if step.get("agent") == "acp")
    assert start["detail"] == "@zed-industries/claude-agent-acp 0.23 claude-sonnet"
    assert start["session"] != ACP_START["session"]  # a per-episode pseudonym (item 1)


def test_a_shared_remote_stays_as_the_policy_spells_it_and_no_other_does(tmp_path: Path) -> None:
    names = Pseudonyms([])
    for form in ("git@git.acme.example:platform/app.git", "https://git.acme.example/platform/app",
                 "ssh://git@git.acme.example:22/platform/app.git/", "https://GIT.acme.example/platform/app.git"):
        own = msgspec.structs.replace(ALICE, workspace=WorkspaceIdentity(root_name="app", git_remote=form))
        assert minimised_header(own, names, [SHARED]).workspace == WorkspaceIdentity(root_name=NEUTRAL_ROOT,
                                                                                     git_remote=SHARED)
    for other in ("git@github.com:alice/app.git", "https://git.acme.example/alice/app.git",
                  "https://git.acme.example/platform/app-fork.git"):
        own = msgspec.structs.replace(ALICE, workspace=WorkspaceIdentity(root_name="app", git_remote=other))
        assert minimised_header(own, names, [SHARED]).workspace.git_remote is None
    source = episode(tmp_path / "full.ctape", FULL_HEADER, "x 1.0.0")  # github.com/example/pager: not shared
    workspace = open_episode(minimise_episode(source, tmp_path / "m.ctape", "coarse", [SHARED])).header\
        .workspace
    assert (workspace.root_name, workspace.git_remote) == (NEUTRAL_ROOT, None)


def test_the_statement_s_software_and_rules_keep_their_release_level() -> None:
    from collector.consent.unlinkable import minimised_statement

    statement = ConsentStatement(
        content=ConsentContent(sha256="0" * 64, bytes=12, episode_id=ALICE.episode_id,
                               started_at=datetime(2026, 3, 14, tzinfo=UTC), step_count=1),
        scope=ConsentScope(files=[], channels=[]),
        redaction=ConsentRedaction(rules_version="2026.12.3+kingfisher-1.4.0+custom2", counts={"custom": 1}),
        terms=ConsentTerms(), reviewer=ConsentReviewer(public_key="A" * 43 + "=", key_id="0" * 16),
        signed_at=datetime(2026, 3, 14, tzinfo=UTC),
        software=ConsentSoftware(codetape_version="0.1.0", recorded_with="0.1.0+dev.3",
                                 editor=ClientInfo(name="Cursor Nightly", version="2.1.7")))
    minimal = minimised_statement(statement)
    assert minimal.software == ConsentSoftware(codetape_version="0.1", recorded_with="0.1",
                                               editor=None)
    assert minimal.redaction == ConsentRedaction(rules_version="2026.12", counts={"custom": 1})
