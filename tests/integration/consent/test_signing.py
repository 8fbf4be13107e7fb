"""Signing end to end: keys through the CLI, sign_episode, `codetape verify` and `inspect`, the policy's
refusals, and the offline check documented in EPISODE_FORMAT.md run as written.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.dataset as pads
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from msgspec.structs import replace

from collector import __version__
from collector.consent import (
    KeyProblem,
    SigningRefused,
    init_keys,
    load_public,
    sign_episode,
)
from collector.consent.exclusions import exclusions_digest
from collector.consent.keys import key_path, load_private
from collector.consent.statement import encode_statement
from collector.consent.verify import check_consent
from collector.episode import EpisodeWriter, open_episode, write_episode_file
from collector.errors import EpisodeError
from collector.home import Home
from collector.policy.sharing import POLICY_FILE, load_signing_policy
from schemas import step_from_dict
from schemas.common import plain
from tests.cli import codetape
from tests.fixtures.make_golden import DIRECTORY, FULL, FULL_HEADER, MINIMAL, MINIMAL_HEADER

FORMAT_DOC = Path(__file__).resolve().parents[3] / "schemas" / "EPISODE_FORMAT.md"
GPL3 = Path("/usr/share/common-licenses/GPL-3")
MIT = ("MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this "
       "software and associated documentation files (the \"Software\").\n")
NOW = datetime(2026, 3, 15, 10, 0, 0, tzinfo=UTC)


def one_error_line(proc: subprocess.CompletedProcess[str], code: int, says: str) -> None:
    assert proc.returncode == code, proc
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("codetape: ") and says in lines[0], proc.stderr


def private_key(home: Home) -> Ed25519PrivateKey:
    return load_private(home, None)[0]


@pytest.fixture
def home(tmp_path: Path) -> Home:
    home = Home(tmp_path / "home")
    init_keys(home)
    return home


@pytest.fixture
def full(tmp_path: Path) -> Path:
    path = tmp_path / "full.ctape"
    shutil.copy(DIRECTORY / "full.ctape", path)
    return path


def test_a_signed_episode_verifies_and_inspect_names_the_signer(home: Home, full: Path,
                                                                tmp_path: Path) -> None:
    signed = tmp_path / "signed.ctape"
    statement = sign_episode(full, signed, home, now=NOW)
    kid = statement.reviewer.key_id
    proc = codetape(home.root, "verify", str(signed))
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, f"ok (signed by {kid})\n", "")
    assert codetape(home.root, "verify", str(full)).stdout == "ok\n"
    text = codetape(home.root, "inspect", str(signed)).stdout
    assert f"signed     by {kid} (signature verified)\n" in text
    summary = json.loads(codetape(home.root, "inspect", "--json", str(signed)).stdout)
    assert (summary["signed"], summary["signature_checked"], summary["signed_by"]) == (True, True, kid)
    assert summary["signature_problem"] is None
    # the episode's steps are untouched: the same `codetape cat` as the unsigned golden file
    assert codetape(home.root, "cat", str(signed)).stdout == (DIRECTORY / "full.cat.jsonl").read_text("utf-8")


def test_the_statement_describes_what_was_signed(home: Home, full: Path, tmp_path: Path) -> None:
    signed = tmp_path / "signed.ctape"
    unsigned = open_episode(full)
    statement = sign_episode(full, signed, home, now=NOW)
    episode = open_episode(signed)
    content = statement.content
    assert content.sha256 == unsigned.sha256.hex()  # no unknown frames: the unsigned file's trailer hash
    assert content.bytes == full.stat().st_size - 6 - 40 - 4  # everything before the trailer frame
    assert (content.episode_id, content.started_at) == (FULL_HEADER.episode_id, FULL_HEADER.started_at)
    assert (content.step_count, content.first_t_ms, content.last_t_ms) == (len(FULL), 0, FULL[-1].t_ms)
    assert episode.step_count == len(FULL) and episode.consent is not None
    assert statement.scope.files == ["NOTES.md", "docs/diagram.png", "scratch.txt", "src/pager.py",
                                     "tests/test_pager.py", "tests/test_paginate.py"]
    assert statement.scope.channels == FULL_HEADER.capture.channels
    assert statement.scope.excluded_sha256 == exclusions_digest(private_key(home), content.episode_id,
                                                                ["build/**"])
    assert "build/**" not in encode_statement(statement).decode()
    assert (statement.redaction.rules_version, statement.redaction.counts) == (None, {"aws-access-key": 1})
    assert statement.signed_at == NOW
    assert plain(statement.software) == {"codetape_version": __version__, "recorded_with": "0.1.0",
                                               "editor": {"name": "Neovim", "version": "0.11.4"}}
    assert statement.reviewer.public_key == (home.keys / "ed25519.pub").read_text("ascii").strip()
    assert statement.reviewer.key_id == load_public(home).key_id


def test_redaction_summary_and_policy_terms_are_recorded(home: Home, full: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "pager"
    workspace.mkdir()
    (workspace / "LICENSE").write_text(MIT, encoding="utf-8")
    (workspace / ".codetape.toml").write_text(
        '[policy]\npurpose = "Training code models at Example"\nlicence = "CC-BY-4.0"\n'
        'allowed_licences = ["MIT", "Apache-2.0"]\nmandatory_exclude = ["vendor/"]\n', encoding="utf-8")
    policy = load_signing_policy(home, workspace)
    redaction = {"rules_version": "2026.03", "counts": {"aws-access-key": 2, "jwt": 0},
                 "masked": [["«redacted:aws-access-key:1»", "AKIA…MPLE"]], "occurrences": {}}
    statement = sign_episode(full, tmp_path / "s.ctape", home, workspace_policy=policy, redaction=redaction)
    # the distinct values the shared steps' redaction steps name (issue 53, item 5), not the summary's
    assert plain(statement.redaction) == {"rules_version": "2026.03", "counts": {"aws-access-key": 1}}
    assert plain(statement.terms) == {
        "purpose": "Training code models at Example", "licence": "CC-BY-4.0", "repository_licences": ["MIT"],
        "allowed_licences": ["Apache-2.0", "MIT"]}
    assert statement.scope.excluded_sha256 == exclusions_digest(
        private_key(home), statement.content.episode_id, ["vendor/", "build/**"])
    empty = sign_episode(full, tmp_path / "e.ctape", home, redaction={"rules_version": "", "counts": {}})
    assert plain(empty.redaction) == {"rules_version": None, "counts": {"aws-access-key": 1}}
    with pytest.raises(SigningRefused, match=r"the redaction summary is invalid: counts\.aws: "):
        sign_episode(full, tmp_path / "t.ctape", home, redaction={"counts": {"aws": -1}})
    assert not (tmp_path / "t.ctape").exists()


def test_an_episode_signed_before_exclusions_were_hashed_still_verifies_and_builds(tmp_path: Path) -> None:
    """signed-v1.ctape: full.ctape as codetape signed it while statements listed `scope.excluded` in clear."""
    signed = DIRECTORY / "signed-v1.ctape"
    statement = check_consent(open_episode(signed))
    assert statement.scope.excluded == ["build/**"] and statement.scope.excluded_sha256 is None
    done = codetape(tmp_path / "home", "verify", str(signed))
    assert (done.returncode, done.stdout) == (0, f"ok (signed by {statement.reviewer.key_id})\n"), done.stderr
    source = tmp_path / "uploads" / "episodes"
    source.mkdir(parents=True)
    shutil.copyfile(signed, source / f"{hashlib.sha256(signed.read_bytes()).hexdigest()}.ctape")
    built = codetape(tmp_path / "home", "dataset", "build", str(source.parent), "-o", str(tmp_path / "out"))
    assert built.returncode == 0, built.stderr
    (row,) = pads.dataset(tmp_path / "out" / "episodes", format="parquet").to_table().to_pylist()
    assert row["excluded_sha256"] is None and "excluded" not in row


def test_the_documented_offline_check_runs_as_written(home: Home, full: Path, tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", FORMAT_DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) == 1, "EPISODE_FORMAT.md should hold exactly one Python snippet"
    namespace: dict[str, Any] = {}
    exec(compile(blocks[0], str(FORMAT_DOC), "exec"), namespace)
    check = namespace["check_consent"]
    signed = tmp_path / "signed.ctape"
    statement = sign_episode(full, signed, home)
    public = base64.b64decode((home.keys / "ed25519.pub").read_text(encoding="ascii"))
    data = signed.read_bytes()
    assert check(data, public) == json.loads(encode_statement(statement))
    other = Home(tmp_path / "other")
    with pytest.raises(InvalidSignature):
        check(data, init_keys(other).public_key)
    step_byte = data.index(b"\x53\x00") + 20  # inside the (compressed) step frame
    with pytest.raises(InvalidSignature):
        check(data[:step_byte] + bytes([data[step_byte] ^ 1]) + data[step_byte + 1 :], public)
    with pytest.raises(ValueError, match="episode is not signed"):
        check(full.read_bytes(), public)


def test_verify_key_requires_that_signer(home: Home, full: Path, tmp_path: Path) -> None:
    signed = tmp_path / "signed.ctape"
    statement = sign_episode(full, signed, home)
    pub = home.keys / "ed25519.pub"
    kid = statement.reviewer.key_id
    for key in (str(pub), pub.read_text(encoding="ascii").strip()):
        proc = codetape(home.root, "verify", "--key", key, str(signed))
        assert (proc.returncode, proc.stdout) == (0, f"ok (signed by {kid})\n"), proc.stderr
    stranger = init_keys(Home(tmp_path / "stranger"))
    one_error_line(codetape(home.root, "verify", "--key", stranger.public_b64, str(signed)), 1,
                   f"episode is signed by key {kid}, not by the expected key {stranger.key_id}")
    one_error_line(codetape(home.root, "verify", "--key", str(pub), str(full)), 1,
                   "episode is not signed (no consent frame), and --key asks for a signature")
    one_error_line(codetape(home.root, "verify", "--key", "not-a-key", str(signed)), 2,
                   "--key not-a-key: a public key is 44 characters of base64")


def test_signing_in_place_and_refusing_to_sign_twice(home: Home, full: Path, tmp_path: Path) -> None:
    statement = sign_episode(full, full, home)
    assert codetape(home.root, "verify", str(full)).stdout == f"ok (signed by {statement.reviewer.key_id})\n"
    with pytest.raises(SigningRefused, match=f"is already signed by key {statement.reviewer.key_id}; an "
                                             "episode is signed once"):
        sign_episode(full, tmp_path / "again.ctape", home)
    other = tmp_path / "other.ctape"
    shutil.copy(DIRECTORY / "minimal.ctape", other)
    with pytest.raises(SigningRefused, match=r"cannot sign into .*full\.ctape: it already exists"):
        sign_episode(other, full, home)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full.ctape", "home", "other.ctape"]
    with pytest.raises(SigningRefused, match=r"cannot write the signed episode to .*: No such file"):
        sign_episode(other, tmp_path / "missing" / "out.ctape", home)


def test_damaged_unreadable_and_unreplayable_episodes_are_not_signed(home: Home, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.ctape"
    data = bytearray((DIRECTORY / "minimal.ctape").read_bytes())
    data[40] ^= 0x10
    damaged.write_bytes(bytes(data))
    with pytest.raises(EpisodeError, match="damaged"):
        sign_episode(damaged, tmp_path / "out.ctape", home)
    future = DIRECTORY / "future.ctape"
    with pytest.raises(SigningRefused, match=r"holds 1 steps of kinds this codetape cannot show \(.*\); "
                                             "upgrade codetape to review and sign it"):
        sign_episode(future, tmp_path / "out.ctape", home)
    lying = tmp_path / "lying.ctape"
    steps = [replace(step, sha256="0" * 64) if step.kind == "save" else step
             for step in MINIMAL]
    write_episode_file(lying, MINIMAL_HEADER, steps, level=1)
    with pytest.raises(SigningRefused, match="does not replay, so it cannot be signed: step 2: save at 2015"):
        sign_episode(lying, tmp_path / "out.ctape", home)
    assert not (tmp_path / "out.ctape").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_unknown_optional_frames_are_dropped_and_chunks_kept(home: Home, tmp_path: Path) -> None:
    source = tmp_path / "chunks.ctape"
    with open(source, "wb") as out:
        writer = EpisodeWriter(out, MINIMAL_HEADER, level=1)
        writer.add(MINIMAL[0])
        writer.add_frame(0x58, b"an optional frame nobody reviewed", 0x01)
        writer.extend(MINIMAL[1:])
        writer.close()
    assert open_episode(source).chunk_count == 2
    signed = tmp_path / "signed.ctape"
    sign_episode(source, signed, home)
    assert b"nobody reviewed" in source.read_bytes() and b"nobody reviewed" not in signed.read_bytes()
    episode = open_episode(signed)
    assert (episode.chunk_count, episode.step_count) == (2, 3)
    assert codetape(home.root, "verify", str(signed)).stdout.startswith("ok (signed by ")


def test_scope_files_must_cover_every_file_the_steps_touch(home: Home, full: Path, tmp_path: Path) -> None:
    reviewed = ["NOTES.md", "docs/diagram.png", "scratch.txt", "src/pager.py", "tests/test_pager.py"]
    with pytest.raises(SigningRefused, match=r"touches 'tests/test_paginate\.py', which is outside the "
                                             r"reviewed scope"):
        sign_episode(full, tmp_path / "s.ctape", home, scope_files=reviewed)
    sign_episode(full, tmp_path / "s.ctape", home, scope_files=[*reviewed, "tests/test_paginate.py", "x"])


def test_a_repository_whose_licence_is_not_allowed_cannot_be_signed(home: Home, full: Path,
                                                                      tmp_path: Path) -> None:
    workspace = tmp_path / "pager"
    workspace.mkdir()
    (workspace / ".codetape.toml").write_text('[policy]\nallowed_licences = ["MIT", "Apache-2.0"]\n',
                                              encoding="utf-8")
    (workspace / "COPYING").write_text(GPL3.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "s.ctape"
    with pytest.raises(SigningRefused, match=r"^cannot sign: COPYING is GPL-3\.0, which the policy does not "
                                             r"allow \(allowed: Apache-2\.0, MIT\)$"):
        sign_episode(full, out, home, workspace_policy=load_signing_policy(home, workspace))
    (workspace / "COPYING").unlink()
    with pytest.raises(SigningRefused, match="cannot sign: no LICENSE or COPYING file in "):
        sign_episode(full, out, home, workspace_policy=load_signing_policy(home, workspace))
    assert not out.exists()
    (workspace / "LICENSE").write_text(MIT, encoding="utf-8")
    statement = sign_episode(full, out, home, workspace_policy=load_signing_policy(home, workspace))
    assert statement.terms.repository_licences == ["MIT"]


def test_the_home_policy_applies_without_a_workspace(home: Home, full: Path, tmp_path: Path) -> None:
    policy = home.root / POLICY_FILE
    policy.write_text('allowed_licences = ["MIT"]\n', encoding="utf-8")
    with pytest.raises(SigningRefused, match="no workspace was given to check"):
        sign_episode(full, tmp_path / "s.ctape", home)
    policy.write_text('purpose = "research"\nmandatory_exclude = ["docs/"]\n', encoding="utf-8")
    with pytest.raises(SigningRefused, match=r"docs/diagram\.png falls under the policy's mandatory "
                                             r"exclusion 'docs/'; exclude it first \(codetape sign"):
        sign_episode(full, tmp_path / "s.ctape", home)
    policy.write_text('purpose = "research"\n', encoding="utf-8")
    assert sign_episode(full, tmp_path / "s.ctape", home).terms.purpose == "research"


def test_a_passphrase_protected_key_cannot_sign_without_it(tmp_path: Path, full: Path) -> None:
    home = Home(tmp_path / "home")
    secret = tmp_path / "passphrase.txt"
    secret.write_text("tr0ub4dor & 3\n", encoding="utf-8")
    proc = codetape(home.root, "keys", "init", "--passphrase-file", str(secret))
    assert proc.returncode == 0 and "encrypted with your passphrase" in proc.stdout, proc.stderr
    out = tmp_path / "s.ctape"
    with pytest.raises(KeyProblem, match=r"is protected by a passphrase; give it \(--passphrase-file"):
        sign_episode(full, out, home)
    with pytest.raises(KeyProblem, match="wrong passphrase for signing key"):
        sign_episode(full, out, home, passphrase="tr0ub4dor & 4")
    assert not out.exists()
    statement = sign_episode(full, out, home, passphrase="tr0ub4dor & 3")
    assert codetape(home.root, "verify", str(out)).stdout == f"ok (signed by {statement.reviewer.key_id})\n"


def test_keys_init_and_show_through_the_cli(tmp_path: Path) -> None:
    home = tmp_path / "home"
    one_error_line(codetape(home, "keys", "show"), 1, "no signing key in ")
    proc = codetape(home, "keys", "init")
    assert proc.returncode == 0 and "not encrypted (no passphrase)" in proc.stdout, proc.stderr
    assert stat.S_IMODE((home / "keys").stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "keys" / "ed25519.key").stat().st_mode) == 0o600
    shown = json.loads(codetape(home, "keys", "show", "--json").stdout)
    public = (home / "keys" / "ed25519.pub").read_text(encoding="ascii").strip()
    assert shown["public_key"] == public and shown["passphrase"] is False
    assert re.fullmatch(r"[0-9a-f]{16}", shown["key_id"])
    text = codetape(home, "keys", "show").stdout
    assert f"key id      {shown['key_id']}\n" in text and f"public key  {public}\n" in text
    one_error_line(codetape(home, "keys", "init"), 1,
                   f"a signing key already exists ({shown['key_id']}) at ")
    proc = codetape(home, "keys", "init", "--force", "--passphrase-file", "-", stdin="from stdin\n")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(codetape(home, "keys", "show", "--json").stdout)["passphrase"] is True
    one_error_line(codetape(home, "keys", "init", "--force", "--passphrase-file", "-", stdin="\n"), 2,
                   "holds no passphrase")
    os.chmod(key_path(Home(home)), 0o640)
    one_error_line(codetape(home, "keys", "show"), 1,
                   "is accessible by other users (mode 0640); run: chmod 600")


def test_a_statement_with_many_files_signs(home: Home, tmp_path: Path) -> None:
    header = replace(MINIMAL_HEADER, episode_id=uuid.uuid4())
    steps = [step_from_dict({"kind": "file_change", "t_ms": n, "source": "watcher",
                             "path": f"d{n % 7}/f{n}.txt", "change": "deleted"}) for n in range(3000)]
    source = tmp_path / "many.ctape"
    write_episode_file(source, header, steps, level=1)
    statement = sign_episode(source, tmp_path / "signed.ctape", home)
    assert len(statement.scope.files) == 3000
    assert codetape(home.root, "verify", str(tmp_path / "signed.ctape")).returncode == 0
