"""Three contributors sign unlinkably through the real CLI, with keys a real issuer process authorised, under
a managed policy that lists the organisation's shared remote (issue 52, items 3 to 5). Each records one
episode in the shared repository (her own clone, her own URL form) and one in a repository of her own (a
fork, or no remote), with her own folder names, settings, editor channel, codetape build, redaction marks
and agent build. The review says what signing drops; the signed episodes, their statements and the
dataset built from them hold no value that joins two episodes of one contributor and no other's."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from collector.consent.statement import parse_statement, unpack_payload
from collector.episode import open_episode, write_episode_file
from collector.home import Home
from collector.reconstruct.keyframes import keyframe_states
from collector.redact import RedactionSummary
from collector.seal.summaries import summary_path, write_summary
from schemas import step_from_dict, step_to_dict
from schemas.common import plain
from schemas.header import CaptureSettings, ClientInfo, WorkspaceIdentity
from tests.cli import codetape
from tests.fixtures.make_golden import FULL, header
from tests.integration.policy.test_managed_policy import install
from tests.support.dataset_helpers import duck, place
from tests.support.issuer import Issuer
from tests.support.linkage import episode_repository

SHARED = "https://git.acme.example/platform/app.git"
ALL = ["edits", "diagnostics", "tests", "commands", "git", "files"]
RULES = "2026.12.3+kingfisher-1.4.0"


@dataclass(frozen=True)
class Person:
    name: str
    shared_form: str  # how her clone names the shared repository
    own: tuple[str, str | None]  # her own repository: folder name, remote
    codetape: str
    editor: ClientInfo
    capture: CaptureSettings
    rules: str
    agent: str  # how her ACP agent names itself

    def episode(self, folder: Path, root: str, remote: str | None, number: int) -> Path:
        head = header(str(uuid.uuid4()), codetape_version=self.codetape, client=self.editor,
                      capture=self.capture, workspace=WorkspaceIdentity(root_name=root, git_remote=remote))
        start = {"kind": "agent", "t_ms": 46100, "source": "agent", "agent": "acp", "hook": "session/new",
                 "event": "session_start", "session": f"sess_{self.name}", "detail": self.agent}
        path = folder / f"{self.name}-{number}.ctape"
        write_episode_file(path, head, [*FULL, step_from_dict(start)],
                           states=keyframe_states(head.position_encoding))
        write_summary(summary_path(path), RedactionSummary(self.rules))
        return path


PEOPLE = (
    Person("alice", "git@git.acme.example:platform/app.git",
           ("alice-attrs", "git@github.com:alice/attrs.git"),
           "0.1.0+dev.3", ClientInfo(name="Visual Studio Code - Insiders", version="1.97.0-insider"),
           CaptureSettings(channels=list(reversed(ALL)), idle_timeout_s=600, max_file_bytes=65_536),
           f"{RULES}+custom2", "@zed-industries/claude-agent-acp 0.23.1"),
    Person("bob", "https://git.acme.example/platform/app", ("bob-scratch", None), "0.1.2",
           ClientInfo(name="Visual Studio Code", version="1.97.2"), CaptureSettings(channels=ALL), RULES,
           "@zed-industries/claude-agent-acp 0.23.4"),
    Person("carol", "ssh://git@git.acme.example:22/platform/app.git", ("app", "https://github.com/carol-dev/app"),
           "0.1.1", ClientInfo(name="Visual Studio Code - Exploration", version="1.97.1-exploration"),
           CaptureSettings(channels=sorted(ALL), idle_timeout_s=3600), f"{RULES}+custom1",
           "@zed-industries/claude-agent-acp 0.23.0"),
)


def statement_of(path: Path) -> dict[str, Any]:
    consent = open_episode(path).consent
    assert consent is not None
    return plain(parse_statement(unpack_payload(consent)[1]))


def joining(values: dict[str, list[tuple[str, object]]]) -> list[str]:
    """The values (by where they are) that two episodes of one contributor share with not every other:
    each value must be an episode's own, or everyone's."""
    found = []
    for where, held in values.items():
        by_value: dict[str, set[str]] = defaultdict(set)
        counts: dict[str, int] = defaultdict(int)
        for person, value in held:
            key = json.dumps(value, sort_keys=True, default=str)
            by_value[key].add(person)
            counts[key] += 1
        found += [f"{where}={key} ({sorted(people)})" for key, people in by_value.items()
                  if counts[key] > 1 and len(people) < len(PEOPLE)]
    return found


def test_three_contributors_sign_unlinkably_and_no_value_joins_one_s_episodes(
        issuer: Issuer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tmp_path.chmod(0o755)
    monkeypatch.setenv("CODETAPE_POLICY", str(install(tmp_path / "etc-codetape",
                                                      f'shared_remotes = ["{SHARED}"]\n')))
    signed: list[tuple[str, Path]] = []
    for person in PEOPLE:
        home = tmp_path / person.name
        issuer.enrol(home, person.name, count=4)
        (home / "config.toml").write_text('[consent]\nmode = "unlinkable"\n', encoding="utf-8")
        shared = person.episode(tmp_path, f"{person.name}-app", person.shared_form, 1)
        own = person.episode(tmp_path, *person.own, 2)
        said = codetape(home, "review", str(own), "--summary")
        assert said.returncode == 0, said.stderr
        root, remote = person.own
        dropped = f"the folder name {root}" + (f" and the remote {remote}" if remote else "")
        assert f"unlinkable  repository left out: {dropped} would join your episodes" in said.stdout
        said = codetape(home, "review", str(shared), "--summary")
        assert f"unlinkable  repository kept: {person.shared_form} is a shared remote" in said.stdout
        for path in (shared, own):
            ids = open_episode(path).header.episode_id
            named = open_episode(path).header.workspace.root_name
            episode_repository(home, tmp_path / f"{person.name}-src", named)
            done = codetape(home, "sign", str(path), "--yes")
            assert done.returncode == 0, done.stderr
            signed.append((person.name, Home(home).outbox / f"{ids}.ctape"))

    values: dict[str, list[tuple[str, object]]] = defaultdict(list)
    for person, path in signed:
        episode = open_episode(path)
        head = plain(episode.header)
        assert head["workspace"]["root_name"] == "workspace"
        assert head["workspace"].get("git_remote") in (None, SHARED)
        statement = statement_of(path)
        assert statement["software"] == {"codetape_version": "0.1", "recorded_with": "0.1", "editor": None}
        assert head.get("client") is None
        assert statement["redaction"]["rules_version"] == "2026.12"
        start = next(step_to_dict(s) for s in episode.steps() if step_to_dict(s).get("agent") == "acp")
        assert start["detail"] == "@zed-industries/claude-agent-acp 0.23"
        for name, value in {**{f"header.{k}": v for k, v in head.items() if k != "episode_id"},
                            "statement.scope.channels": statement["scope"]["channels"],
                            "statement.software": statement["software"],
                            "statement.redaction": statement["redaction"]["rules_version"],
                            "agent.session": start["session"], "agent.detail": start["detail"]}.items():
            values[name].append((person, value))
    assert len(signed) == 6 and joining(values) == []

    source = tmp_path / "source"
    for _person, path in signed:
        place(source, path)
    record = tmp_path / "ISSUER.pub"
    issuer.export(record)
    out = tmp_path / "out"
    built = codetape(tmp_path, "dataset", "build", str(source), "-o", str(out), "--trust-issuer", str(record),
                     "--workers", "1", "--min-contributors", "3")
    assert built.returncode == 0, built.stderr
    assert "6 accepted, 0 rejected" in built.stdout, built.stdout
    whose = {str(open_episode(path).header.episode_id): person for person, path in signed}
    con = duck(out)
    columns = ["workspace", "git_remote", "head_at_start", "codetape_version", "editor", "editor_version",
               "channels", "signed_with", "redaction_rules_version", "repository", "purpose", "licence"]
    rows = con.execute(f"SELECT episode_id, {', '.join(columns)} FROM episodes").fetchall()
    table: dict[str, list[tuple[str, object]]] = defaultdict(list)
    for row in rows:
        for column, value in zip(columns, row[1:], strict=True):
            table[f"episodes.{column}"].append((whose[row[0]], value))
    acp = "SELECT episode_id, session, detail FROM agent_events WHERE agent = 'acp'"
    for row in con.execute(acp).fetchall():
        table["agent_events.session"].append((whose[row[0]], row[1]))
        table["agent_events.detail"].append((whose[row[0]], row[2]))
    assert len(rows) == 6 and joining(table) == []
    repositories = {whose[row[0]]: row[columns.index("repository") + 1] for row in rows}
    assert {value for value in repositories.values() if not value.startswith("episode:")} <= \
        {"git:git.acme.example/platform/app"}
