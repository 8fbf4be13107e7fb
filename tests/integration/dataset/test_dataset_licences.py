"""`dataset build --allow-licence`: only episodes signed under a licence the list permits are built; the
others are rows of rejected (reason licence), read back with DuckDB."""

from __future__ import annotations

import json
from pathlib import Path

from collector.consent import sign_episode
from collector.episode import open_episode
from collector.policy.sharing import SigningPolicy
from tests.cli import codetape
from tests.support.dataset_helpers import Contributor, contributor, duck, session, sign, upload


def test_allow_licence_keeps_what_the_list_permits(tmp_path: Path) -> None:
    alice = contributor(tmp_path, "alice")
    licences = ((41, "MIT OR GPL-3.0-only"), (42, "CC-BY-4.0"), (43, "MIT AND CC-BY-4.0"))
    signed = {licence: sign(alice, session(alice.home, seed), licence=licence) for seed, licence in licences}
    ids = {licence: str(open_episode(path).header.episode_id) for licence, path in signed.items()}
    upload(alice, (tmp_path / "source").as_uri())
    out = tmp_path / "out"

    def build(*extra: str) -> tuple[int, str]:
        done = codetape(tmp_path / "team", "dataset", "build", str(tmp_path / "source"), "-o", str(out),
                        *extra)
        return done.returncode, done.stderr

    assert build("--allow-licence", "mit,Apache-2.0") == (0, "")
    con = duck(out)
    assert con.execute("SELECT episode_id, licence FROM episodes").fetchall() == [
        (ids["MIT OR GPL-3.0-only"], "MIT OR GPL-3.0-only")]
    rejected = con.execute("SELECT episode_id, detail FROM rejected WHERE reason = 'licence'").fetchall()
    said = "which --allow-licence Apache-2.0, MIT does not permit"
    assert dict(rejected) == {ids["CC-BY-4.0"]: f"it is licensed CC-BY-4.0, {said}",
                              ids["MIT AND CC-BY-4.0"]: f"it is licensed MIT AND CC-BY-4.0, {said}"}
    manifest = json.loads((out / "_manifest.json").read_text(encoding="utf-8"))
    assert manifest["allowed_licences"] == ["Apache-2.0", "MIT"]
    for table in ("steps", "edits", "file_states", "transitions"):  # every row says its terms
        found = con.execute(f"SELECT DISTINCT licence FROM read_parquet('{out}/{table}/**/*.parquet', "
                            "hive_partitioning = true)").fetchall()
        assert found == [("MIT OR GPL-3.0-only",)], table
    code, stderr = build()
    assert code == 2 and "was built accepting --allow-licence Apache-2.0,MIT" in stderr
    code, stderr = build("--allow-licence", "MIT or")
    assert code == 2 and "is not an SPDX licence id" in stderr


class Unchecked(SigningPolicy):
    """A signer's codetape changed to sign any licence text: what a build must not take on trust."""

    def licence_problem(self) -> str | None:
        return None


def sign_unchecked(person: Contributor, unsigned: Path, licence: str) -> Path:
    target = person.home.ensure(person.home.outbox) / f"{open_episode(unsigned).header.episode_id}.ctape"
    sign_episode(unsigned, target, person.home,
                 workspace_policy=Unchecked(purpose="training", licence=licence))
    return target


def test_the_build_checks_the_signed_licence_itself_and_a_with_exception_is_not_the_bare_licence(
        tmp_path: Path) -> None:
    """Signed by a codetape that skips the SPDX check: a licence whose WITH names no SPDX exception, or a
    licence as its exception, is rejected (licence) by every build; `MIT WITH <exception>` is not `MIT`
    for --allow-licence MIT, and is kept when the list names the pair."""
    mallory = contributor(tmp_path, "mallory")
    pair = "GPL-2.0-only WITH Classpath-exception-2.0"
    licences = ((71, "MIT WITH NoAI-NonCommercial"), (72, "GPL-2.0-only WITH LicenseRef-scancode-"
                "agpl-generic-additional-terms"), (73, "MIT WITH MIT"), (74, pair), (75, "MIT"),
                (76, f"mit OR {pair}"))
    ids = {licence: str(open_episode(sign_unchecked(mallory, session(mallory.home, seed), licence))
                        .header.episode_id) for seed, licence in licences}
    upload(mallory, (tmp_path / "source").as_uri())
    not_spdx = {ids[licence] for _, licence in licences[:3]}

    def build(out: str, *extra: str) -> tuple[set[str], dict[str, str]]:
        done = codetape(tmp_path / "team", "dataset", "build", str(tmp_path / "source"), "-o",
                        str(tmp_path / out), *extra)
        assert done.returncode == 0, done.stderr
        con = duck(tmp_path / out)
        kept = {row[0] for row in con.execute("SELECT episode_id FROM episodes").fetchall()}
        return kept, dict(con.execute("SELECT episode_id, detail FROM rejected WHERE reason = 'licence'")
                          .fetchall())

    kept, rejected = build("any")
    assert set(rejected) == not_spdx and kept == set(ids.values()) - not_spdx
    assert rejected[ids["MIT WITH NoAI-NonCommercial"]].startswith(
        "it is licensed 'MIT WITH NoAI-NonCommercial', which is not an SPDX expression")
    kept, rejected = build("mit", "--allow-licence", "MIT")
    assert kept == {ids["MIT"], ids[f"mit OR {pair}"]}
    assert "which --allow-licence MIT does not permit" in rejected[ids[pair]]
    kept, rejected = build("pair", "--allow-licence", pair.lower())
    assert kept == {ids[pair], ids[f"mit OR {pair}"]}
    manifest = json.loads((tmp_path / "pair" / "_manifest.json").read_text(encoding="utf-8"))
    assert manifest["allowed_licences"] == ["GPL-2.0-only WITH Classpath-exception-2.0"]


def test_episodes_with_the_same_steps_share_steps_sha256_and_the_build_counts_them(tmp_path: Path) -> None:
    """One session signed by two people (two episodes, two signers), another session alone: the first two
    share steps_sha256, and the build says there are 2 near duplicates."""
    alice, bob = contributor(tmp_path, "alice"), contributor(tmp_path, "bob")
    shared = session(alice.home, 51)
    sign(alice, shared)
    sign(bob, shared, target=bob.home.ensure(bob.home.outbox) / shared.name)
    sign(alice, session(alice.home, 52))
    for person in (alice, bob):
        upload(person, (tmp_path / "source").as_uri())
    out = tmp_path / "out"
    done = codetape(tmp_path / "team", "dataset", "build", str(tmp_path / "source"), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "near duplicates: 2 episodes with the same steps as another (episodes.steps_sha256)" in done.stdout
    rows = duck(out).execute("SELECT signer_key_id, steps_sha256 FROM episodes ORDER BY 2").fetchall()
    hashes = [digest for _, digest in rows]
    assert len(rows) == 3 and len(set(hashes)) == 2 and all(len(digest) == 64 for digest in hashes)
    assert json.loads((out / "_manifest.json").read_text(encoding="utf-8"))["near_duplicates"] == 2
