"""An accepted episode's row of `episodes`: its header, its consent statement's fields, the signer, the
terms it was shared under and what it holds."""

from __future__ import annotations

import hashlib

import pyarrow as pa

from collector.dataset.check.origins import class_shares
from collector.dataset.rows.rows import StepRows
from collector.dataset.rows.tables import EPISODES
from collector.episode import Episode
from collector.episode.summary import Summary
from collector.export.split import repository_of, side_of
from schemas.consent import ConsentStatement


def month_of(episode: Episode) -> str:
    """The partition an episode's rows go to: its UTC start, YYYY-MM."""
    return episode.header.started_at.strftime("%Y-%m")


def repository_of_signed(episode: Episode, statement: ConsentStatement) -> str:
    """The repository the split groups the episode by (export/split.py `repository_of`)."""
    return repository_of(episode.header, statement.reviewer.authorisation is not None)


def episode_table(episode: Episode, statement: ConsentStatement, statement_bytes: bytes, *, sha256: str,
                  key: str, size: int, build: int, summary: Summary, rows: StepRows) -> pa.Table:
    header, terms, reviewer = episode.header, statement.terms, statement.reviewer
    client = header.client
    row = {
        "episode_id": str(header.episode_id), "sha256": sha256, "source_key": key, "bytes": size,
        "content_sha256": statement.content.sha256,
        "statement_sha256": hashlib.sha256(statement_bytes).hexdigest(), "build": build,
        "started_at": header.started_at, "duration_ms": summary.duration_ms,
        "codetape_version": header.codetape_version, "position_encoding": header.position_encoding,
        "workspace": header.workspace.root_name, "git_remote": header.workspace.git_remote,
        "head_at_start": header.workspace.head_at_start,
        "editor": None if client is None else client.name, "editor_version": None if client is None else
        client.version, "channels": list(header.capture.channels),
        "signer_key_id": reviewer.key_id, "signer_public_key": reviewer.public_key,
        "signed_at": statement.signed_at, "signed_with": statement.software.codetape_version,
        "purpose": terms.purpose, "licence": terms.licence, "repository_licences": terms.repository_licences,
        "allowed_licences": terms.allowed_licences, "excluded_sha256": statement.scope.excluded_sha256,
        "retain_until": terms.retain_until, "managed_policy_sha256": terms.managed_policy_sha256,
        "redaction_rules_version": statement.redaction.rules_version,
        "redactions": [{"rule": rule, "values": count}
                       for rule, count in sorted(statement.redaction.counts.items())],
        "consent_statement": statement_bytes.decode("utf-8"),
        "task": rows.task, "task_outcome": rows.outcome, **rows.judged,
        "step_count": summary.steps, "file_count": len(summary.files), "edit_count": summary.kinds["edit"],
        "save_count": summary.kinds["save"], "test_run_count": summary.kinds["test_run"],
        "command_count": summary.kinds["command"], "commit_count": rows.commits,
        "gap_count": summary.kinds["gap"], "file_state_count": rows.file_state_count,
        "inserted_by_origin": rows.inserted_by_origin(),
        **{f"{whose}_share": share for whose, share in class_shares(rows.inserted, rows.written).items()},
        "steps_sha256": rows.content.hexdigest(),
        "repository": repository_of_signed(episode, statement),
        "diff_minhash": rows.written_text.signature(),
        # until the build decides it (engines/sink.py)
        "split": side_of(repository_of_signed(episode, statement)),
        "month": month_of(episode),
    }
    return pa.Table.from_pylist([row], schema=EPISODES)
