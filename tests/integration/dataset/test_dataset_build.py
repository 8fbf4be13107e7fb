"""`codetape dataset build` from a file:// source the real upload filled: a session recorded by the real
collector and generated sessions, signed and uploaded by two contributors, plus everything a receiver
must refuse (tampered at rest, tampered before upload, unsigned, revoked, a second signing of one
episode, a signer --trust does not list). DuckDB queries the tables; file states equal `codetape
checkout`; a second build checks only what is new and removes an episode revoked in between."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from collector.episode import open_episode
from collector.home import Home
from tests.cli import codetape
from tests.support.dataset_helpers import (
    ROW_TABLES,
    Contributor,
    contributor,
    duck,
    expected_counts,
    file_sha256,
    forged_revocation,
    place,
    revoke,
    session,
    session_as,
    sign,
    signed_before,
    signed_high,
    table_files,
    upload,
)
from tests.support.upload_helpers import one_error_line, record_and_sign, tampered

PAGE = Path(__file__).resolve().parents[3] / "docs" / "datasets.md"


class World:
    """The source, the contributors, and which episode is which."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.source = base / "source"
        self.source.mkdir()
        self.to = self.source.as_uri()
        self.out = base / "out"
        recorded_home, recorded_id = record_and_sign(base / "recorded")
        self.alice = Contributor(Home(recorded_home))  # her first episode: recorded by the real collector
        self.bob = contributor(base, "bob")
        self.good: dict[str, Path] = {"recorded": self.alice.home.outbox / f"{recorded_id}.ctape"}
        self.refused: dict[str, str] = {}  # source sha256 -> reason expected

    def signed(self, person: Contributor, seed: int, profile: str = "mixed", **how: Any) -> Path:
        return sign(person, session(person.home, seed, profile), **how)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    w = World(tmp_path_factory.mktemp("dataset"))
    alice = w.alice
    for seed, profile in ((1, "mixed"), (2, "edit-heavy"), (3, "mixed")):
        w.good[f"seed{seed}"] = w.signed(alice, seed, profile)
    revoked = w.signed(alice, 4)
    twice = session(alice.home, 5)
    first = sign(alice, twice, now=datetime(2026, 6, 1, tzinfo=UTC))
    second = sign(alice, twice, target=w.base / "second-signing.ctape", now=datetime(2026, 6, 2, tzinfo=UTC))
    at_rest = w.signed(alice, 7)
    upload(alice, w.to)  # everything in her outbox
    revoke(alice, revoked)
    w.refused[file_sha256(revoked)] = "revoked"
    # the same episode signed a second time, uploaded from another machine of hers (another receipts/)
    other = w.base / "alice-laptop"
    shutil.copytree(alice.home.root, other, ignore=shutil.ignore_patterns("receipts", "run"))
    upload(other, w.to, second)
    kept, dropped = sorted([first, second], key=file_sha256)  # the first in source order stays
    w.good["seed5"] = kept
    w.refused[file_sha256(dropped)] = "duplicate"
    stored = w.source / "episodes" / f"{file_sha256(at_rest)}.ctape"
    data = bytearray(stored.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit, at rest
    stored.write_bytes(bytes(data))
    w.refused[file_sha256(at_rest)] = "hash_mismatch"
    bobs = w.signed(w.bob, 6)
    upload(w.bob, w.to)
    w.refused[file_sha256(bobs)] = "untrusted_signer"
    changed = tampered(w.signed(alice, 8), w.base / "tampered.ctape")  # steps changed, consent frame kept
    w.refused[place(w.source, changed)] = "signature"
    w.refused[place(w.source, session(alice.home, 9))] = "unsigned"
    return w


@pytest.fixture(scope="module")
def first_build(world: World) -> dict[str, Any]:
    trust = world.alice.trust_file(world.base)
    done = codetape(world.base / "team", "dataset", "build", world.source.as_posix(), "-o", str(world.out),
                    "--trust", str(trust))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    manifest: dict[str, Any] = json.loads((world.out / "_manifest.json").read_text())
    return {"stdout": done.stdout, "manifest": manifest, "trust": trust}


def test_every_good_episode_is_built_and_counted(world: World, first_build: dict[str, Any]) -> None:
    expected = expected_counts(list(world.good.values()))
    con = duck(world.out)
    assert con.execute("SELECT count(*) FROM episodes").fetchone() == (len(world.good),)
    ids = {str(open_episode(path).header.episode_id) for path in world.good.values()}
    assert {row[0] for row in con.execute("SELECT episode_id FROM episodes").fetchall()} == ids
    kinds = dict(con.execute("SELECT kind, count(*) FROM steps GROUP BY kind").fetchall())
    assert kinds == expected["kinds"]
    assert con.execute("SELECT count(*) FROM test_runs").fetchone() == (expected["test_rows"],)
    assert con.execute("SELECT count(*) FROM commands").fetchone() == (expected["commands"],)
    assert con.execute("SELECT count(DISTINCT episode_id) FROM steps").fetchone() == (len(world.good),)
    misplaced = con.execute("SELECT count(*) FROM episodes e JOIN steps s USING (episode_id) WHERE "
                            "e.month <> strftime(e.started_at, '%Y-%m') OR s.month <> e.month").fetchone()
    assert misplaced == (0,)  # every row in its episode's month partition
    per_episode = con.execute("SELECT e.step_count = count(s.step) FROM episodes e JOIN steps s "
                              "USING (episode_id) GROUP BY e.episode_id, e.step_count").fetchall()
    assert per_episode == [(True,)] * len(world.good)
    licences = dict(con.execute("SELECT licence, count(*) FROM episodes GROUP BY licence").fetchall())
    assert licences == {None: 1, "CC-BY-4.0": len(world.good) - 1}  # the recorded one was signed by the CLI
    signer = con.execute("SELECT DISTINCT signer_key_id FROM episodes").fetchall()
    assert signer == [(world.alice.key.key_id,)]
    manifest = first_build["manifest"]
    assert manifest["rows"]["episodes"] == len(world.good)
    assert manifest["rows"]["steps"] == sum(expected["kinds"].values())
    assert manifest["trust"] == [world.alice.key.public_b64]
    assert manifest["source"] == world.to
    [build] = manifest["builds"]
    assert (build["new"], build["accepted"], build["engine"]) == (len(world.good) + len(world.refused),
                                                                   len(world.good), "local")


def test_every_refusal_is_a_row_of_rejected_and_none_reaches_the_tables(world: World,
                                                                        first_build: dict[str, Any]) -> None:
    con = duck(world.out)
    rejected = {sha: reason for sha, reason in con.execute("SELECT sha256, reason FROM rejected").fetchall()}
    assert rejected == world.refused
    counts: dict[str, int] = {}
    for reason in world.refused.values():
        counts[reason] = counts.get(reason, 0) + 1
    assert first_build["manifest"]["rejected"] == dict(sorted(counts.items()))
    out_ids = [row[0] for row in con.execute("SELECT episode_id FROM rejected WHERE episode_id IS NOT NULL "
                                          "AND reason <> 'duplicate'").fetchall()]
    assert out_ids  # the ones that could be read name their episode
    for table in ROW_TABLES:
        leaked = con.execute(f"SELECT count(*) FROM {table} WHERE episode_id IN (SELECT episode_id "
                             "FROM rejected WHERE reason <> 'duplicate')").fetchone()
        assert leaked == (0,), table
    details = dict(con.execute("SELECT reason, detail FROM rejected").fetchall())
    assert "revoked by its signer" in details["revoked"]
    assert world.bob.key.key_id in details["untrusted_signer"]
    assert "not to the name it is stored under" in details["hash_mismatch"]
    assert first_build["stdout"].splitlines()[0].endswith(
        f"{len(world.good)} accepted, {len(world.refused)} rejected (duplicate 1, hash_mismatch 1, "
        "revoked 1, signature 1, unsigned 1, untrusted_signer 1)")


def test_file_states_equal_checkout_at_the_same_step(world: World, first_build: dict[str, Any],
                                                      tmp_path: Path) -> None:
    con = duck(world.out)
    sample = con.execute("""
        SELECT DISTINCT ON (f.event) e.sha256, f.episode_id, f.step, f.event
        FROM file_states f JOIN episodes e USING (episode_id)
        ORDER BY f.event, e.bytes, f.step DESC
    """).fetchall()  # the last save, commit and end of the smallest episode that has one
    assert {row[3] for row in sample} == {"save", "commit", "end"}
    for sha, episode_id, step, event in sample:
        target = tmp_path / f"{sha[:8]}-{step}-{event}"
        done = codetape(world.base / "team", "checkout", str(world.source / "episodes" / f"{sha}.ctape"),
                        str(target), "--step", str(step))
        assert done.returncode == 0, done.stderr
        written = {path.relative_to(target).as_posix(): path.read_text(encoding="utf-8")
                   for path in target.rglob("*") if path.is_file()}
        states = dict(con.execute("SELECT path, text FROM file_states JOIN blobs USING (sha256) "
                                  "WHERE episode_id = ? AND step = ? AND event = ?",
                                  [episode_id, step, event]).fetchall())
        assert states, (sha, step, event)
        if event == "save":
            assert all(written[path] == text for path, text in states.items())
        else:  # every file the workspace holds, exactly
            assert states == written


def test_a_second_build_checks_only_new_episodes_and_removes_one_revoked_since(
        world: World, first_build: dict[str, Any]) -> None:
    alice = world.alice
    before = duck(world.out).execute("SELECT count(*) FROM steps").fetchone()
    newer = [world.signed(alice, seed) for seed in (10, 11)]
    upload(alice, world.to, *newer)
    gone = world.good.pop("seed2")
    revoke(alice, gone)
    gone_id = str(open_episode(gone).header.episode_id)
    done = codetape(world.base / "team", "dataset", "build", str(world.source), "-o", str(world.out),
                    "--trust", str(first_build["trust"]), "--exports", "atif,zeta")
    assert done.returncode == 0, done.stderr
    assert "2 new episodes" in done.stdout and "2 accepted, 0 rejected" in done.stdout
    assert "removed: 1 episode revoked since built (revoked 1)" in done.stdout
    world.good.update({f"seed{seed}": path for seed, path in zip((10, 11), newer, strict=True)})
    expected = expected_counts(list(world.good.values()))
    con = duck(world.out)
    assert con.execute("SELECT count(*) FROM episodes").fetchone() == (len(world.good),)
    assert dict(con.execute("SELECT kind, count(*) FROM steps GROUP BY kind").fetchall()) == expected["kinds"]
    assert before != con.execute("SELECT count(*) FROM steps").fetchone()
    for table in ROW_TABLES:
        assert con.execute(f"SELECT count(*) FROM {table} WHERE episode_id = ?", [gone_id]).fetchone() == (0,)
    reason, detail, build = con.execute("SELECT reason, detail, build FROM rejected WHERE episode_id = ?",
                                        [gone_id]).fetchone() or ("", "", 0)
    assert (reason, build) == ("revoked", 2) and "its rows were removed" in detail
    manifest = json.loads((world.out / "_manifest.json").read_text())
    second = manifest["builds"][1]
    assert (second["new"], second["accepted"], second["withdrawn"]) == (2, 2, 1)
    assert table_files(world.out) == {path for files in manifest["files"].values() for path in files}
    again = codetape(world.base / "team", "dataset", "build", str(world.source), "-o", str(world.out),
                     "--trust", str(first_build["trust"]))
    assert again.returncode == 0 and "0 new episodes" in again.stdout, again
    assert json.loads((world.out / "_manifest.json").read_text())["rows"] == manifest["rows"]


def test_exports_hold_every_episode_of_the_dataset_as_codetape_export_writes_it(
        world: World, first_build: dict[str, Any], tmp_path: Path) -> None:
    """The second build above named --exports atif,zeta: the episodes already built were exported then
    too, the one revoked in that build was not, and each file is what `codetape export` writes."""
    manifest = json.loads((world.out / "_manifest.json").read_text())
    assert manifest["exports"] == ["atif", "zeta"]
    assert manifest["builds"][1]["exports"] == {"atif": len(world.good), "zeta": len(world.good)}
    ids = {str(open_episode(path).header.episode_id): path for path in world.good.values()}
    signer = world.alice.key.key_id  # each signer's exports in a folder of their own
    assert {path.name for path in (world.out / "exports" / "atif" / signer).iterdir()} == {
        f"{eid}.atif.json" for eid in ids}
    assert {path.name for path in (world.out / "exports" / "zeta" / signer).iterdir()} == {
        f"{eid}.zeta.jsonl" for eid in ids}
    sample = min(ids)
    done = codetape(world.base / "team", "export", str(ids[sample]), "--format", "atif", "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    built = (world.out / "exports" / "atif" / signer / f"{sample}.atif.json").read_bytes()
    assert built == (tmp_path / f"{sample}.atif.json").read_bytes()
    assert json.loads(built)["steps"]
    unknown = codetape(world.base / "team", "dataset", "build", str(world.source), "-o", str(world.out),
                       "--trust", str(first_build["trust"]), "--exports", "progsnap2")
    one_error_line(unknown, 2, "--exports: progsnap2 is one dataset of all the episodes")


def test_the_readme_query_runs_on_the_dataset(world: World, first_build: dict[str, Any]) -> None:
    text = PAGE.read_text(encoding="utf-8")
    block = re.search(r"<!-- dataset-query -->\s*```sql\n(.*?)```", text, re.S)
    assert block is not None, "docs/datasets.md lost its DuckDB query (marked <!-- dataset-query -->)"
    con = duck(world.out)
    statements = [part.strip() for part in block.group(1).replace("OUT/", f"{world.out}/").split(";")]
    results = [con.execute(statement).fetchall() for statement in statements if statement]
    per_licence, per_kind, transitions = (result for result in results if result)
    assert sum(count for _licence, count in per_licence) == len(world.good)
    assert dict(per_kind) == expected_counts(list(world.good.values()))["kinds"]
    expected = 0
    for path in world.good.values():
        last: dict[str, str] = {}
        for step in open_episode(path).steps():
            for test in getattr(step, "tests", []) if step.kind == "test_run" else []:
                expected += last.get(test.nodeid) in ("failed", "error") and test.outcome == "passed"
                last[test.nodeid] = test.outcome
    assert expected > 0  # the generated sessions fix failing tests
    assert sum(row[-1] for row in transitions) == expected


def test_a_build_with_other_inputs_is_refused_in_one_line(world: World, first_build: dict[str, Any],
                                                          tmp_path: Path) -> None:
    home = world.base / "team"
    other = codetape(home, "dataset", "build", str(world.source), "-o", str(world.out))
    one_error_line(other, 2, "was built accepting --trust", "give the same --trust")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    moved = codetape(home, "dataset", "build", str(elsewhere), "-o", str(world.out), "--trust",
                     str(first_build["trust"]))
    one_error_line(moved, 2, f"was built from {world.to}")
    stranger = tmp_path / "not-a-dataset"
    stranger.mkdir()
    (stranger / "notes.txt").write_text("mine\n")
    refused = codetape(home, "dataset", "build", str(world.source), "-o", str(stranger))
    one_error_line(refused, 2, "is not a codetape dataset")
    assert [path.name for path in stranger.iterdir()] == ["notes.txt"]
    bad = codetape(home, "dataset", "build", str(world.source), "-o", str(tmp_path / "x"), "--trust", "abc")
    one_error_line(bad, 2, "--trust: abc is not a file, a public key")


def test_trust_takes_what_keys_show_prints_for_several_signers(world: World, first_build: dict[str, Any],
                                                               tmp_path: Path) -> None:
    """The trust file is what `codetape keys show` (and `--json`) printed for each contributor, with
    comments: both are accepted, so bob's episode is built where --trust naming alice alone refused it."""
    shown = [codetape(person.home.root, "keys", "show", *flags)
             for person, flags in ((world.alice, ()), (world.bob, ("--json",)))]
    assert all(done.returncode == 0 for done in shown), shown
    trust = tmp_path / "team.pub"
    trust.write_text(f"# alice, from her laptop\n{shown[0].stdout}\n# bob\n{shown[1].stdout}",
                     encoding="utf-8")
    out = tmp_path / "out"
    done = codetape(world.base / "team", "dataset", "build", str(world.source), "-o", str(out), "--trust",
                    str(trust))
    assert done.returncode == 0, done.stderr
    con = duck(out)
    signers = {row[0] for row in con.execute("SELECT DISTINCT signer_key_id FROM episodes").fetchall()}
    assert signers == {world.alice.key.key_id, world.bob.key.key_id}
    assert con.execute("SELECT count(*) FROM rejected WHERE reason = 'untrusted_signer'").fetchone() == (0,)
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["trust"] == sorted([world.alice.key.public_b64, world.bob.key.public_b64])


def test_a_revocation_whose_episode_was_deleted_still_removes_its_rows(world: World,
                                                                         first_build: dict[str, Any]) -> None:
    gone = world.good.pop("seed3")
    revoke(world.alice, gone)
    (world.source / "episodes" / f"{file_sha256(gone)}.ctape").unlink()  # the bucket's owner tidied up
    done = codetape(world.base / "team", "dataset", "build", str(world.source), "-o", str(world.out),
                    "--trust", str(first_build["trust"]))
    assert done.returncode == 0 and "removed: 1 episode revoked since built" in done.stdout, done
    gone_id = str(open_episode(gone).header.episode_id)
    con = duck(world.out)
    assert con.execute("SELECT count(*) FROM steps WHERE episode_id = ?", [gone_id]).fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM episodes").fetchone() == (len(world.good),)
    assert not list((world.out / "exports").rglob(f"{gone_id}.*"))


def team_trust(where: Path, *people: Contributor) -> Path:
    """A --trust file of what `codetape keys show` printed for each of `people`."""
    shown = [codetape(person.home.root, "keys", "show") for person in people]
    assert all(done.returncode == 0 for done in shown), shown
    path = where / "team.pub"
    path.write_text("".join(done.stdout for done in shown), encoding="utf-8")
    return path


def build(home: Path, source: Path, out: Path, trust: Path, *more: str) -> str:
    done = codetape(home, "dataset", "build", str(source), "-o", str(out), "--trust", str(trust), *more)
    assert done.returncode == 0 and done.stderr == "", done
    return done.stdout


def test_only_a_revocation_signed_by_the_episodes_signer_withdraws_it(tmp_path: Path) -> None:
    """Mallory can write to the source. Her revocation of alice's episode (signed with her own key), bytes
    that are no record, a genuine revocation of another episode copied beside one: each is a row of
    `rejected` (revocation_unverified) and the episode stays, built or not. A record she put first does not
    keep alice's own `codetape revoke` out: that one withdraws the episode, as mallory's own does hers."""
    source, out, home = tmp_path / "source", tmp_path / "out", tmp_path / "team"
    alice, mallory = contributor(tmp_path, "alice"), contributor(tmp_path, "mallory")
    forged, garbled, copied = (sign(alice, session(alice.home, seed)) for seed in (41, 42, 43))
    upload(alice, source.as_uri())
    hers = sign(mallory, session(mallory.home, 44))
    upload(mallory, source.as_uri())
    folder = source / "episodes"
    (folder / f"{file_sha256(forged)}.revocation.json").write_bytes(forged_revocation(mallory, forged))
    (folder / f"{file_sha256(garbled)}.revocation.json").write_bytes(b"{}")
    trust = team_trust(tmp_path, alice, mallory)
    said = build(home, source, out, trust)
    assert "ignored: 2 revocation records" in said and "4 accepted, 0 rejected" in said, said
    con = duck(out)
    assert con.execute("SELECT count(*) FROM episodes").fetchone() == (4,)
    noted = con.execute("SELECT sha256, source_key, signer_key_id, detail FROM rejected WHERE reason = "
                        "'revocation_unverified' ORDER BY detail").fetchall()
    assert {row[0] for row in noted} == {file_sha256(forged), file_sha256(garbled)}
    assert all(row[1] == f"episodes/{row[0]}.revocation.json" and row[2] == alice.key.key_id for row in noted)
    assert "not the expected one" in noted[0][3] and "revocation record is invalid" in noted[1][3], noted
    manifest = json.loads((out / "_manifest.json").read_text())
    assert (manifest["rejected"], manifest["unverified_revocations"]) == ({}, 2)

    revoke(mallory, hers)  # genuine: hers, by her key
    revoke(alice, forged)  # in the place of mallory's record
    shutil.copyfile(folder / f"{file_sha256(forged)}.revocation.json",
                    folder / f"{file_sha256(copied)}.revocation.json")  # alice's own, but of another episode
    said = build(home, source, out, trust)
    assert "removed: 2 episodes revoked since built (revoked 2)" in said, said
    assert "ignored: 1 revocation record" in said, said
    con = duck(out)
    kept = {row[0] for row in con.execute("SELECT sha256 FROM episodes").fetchall()}
    assert kept == {file_sha256(garbled), file_sha256(copied)}
    reasons = con.execute("SELECT reason, count(*) FROM rejected GROUP BY reason ORDER BY reason").fetchall()
    assert reasons == [("revocation_unverified", 3), ("revoked", 2)]  # the garbled one noted once
    assert con.execute("SELECT detail FROM rejected WHERE sha256 = ? AND build = 2",
                       [file_sha256(copied)]).fetchone() == (
        f"the revocation record beside it names another episode ({file_sha256(forged)[:16]}...); ignored, "
        "the episode stays",)
    assert json.loads((out / "_manifest.json").read_text())["unverified_revocations"] == 3


def test_nobody_pushes_an_episode_out_by_signing_another_under_its_id(tmp_path: Path) -> None:
    """Mallory signs her own steps under alice's episode id, again and again until her file sorts first.
    With --trust listing both, both are built, told apart by their signer in every table and export; a
    second content alice signs under the same id later is an id conflict, and the same content signed
    again a duplicate: the episode already built stays."""
    source, out, home = tmp_path / "source", tmp_path / "out", tmp_path / "team"
    alice, mallory = contributor(tmp_path, "alice"), contributor(tmp_path, "mallory")
    unsigned = session(alice.home, 51)
    genuine = signed_high(alice, unsigned)
    episode_id = open_episode(genuine).header.episode_id
    upload(alice, source.as_uri())
    fake = signed_before(mallory, session_as(mallory.home, 52, episode_id), genuine, tmp_path / "fake.ctape")
    upload(mallory, source.as_uri(), fake)
    trust = team_trust(tmp_path, alice, mallory)
    said = build(home, source, out, trust, "--exports", "atif")
    assert "2 accepted, 0 rejected" in said, said
    con = duck(out)
    both = con.execute("SELECT signer_key_id, sha256, step_count FROM episodes WHERE episode_id = ? ORDER BY "
                       "sha256", [str(episode_id)]).fetchall()
    assert both == [(mallory.key.key_id, file_sha256(fake), len(list(open_episode(fake).steps()))),
                    (alice.key.key_id, file_sha256(genuine), len(list(open_episode(genuine).steps())))]
    per_signer = dict(con.execute("SELECT signer_key_id, count(*) FROM steps WHERE episode_id = ? GROUP BY "
                                  "ALL", [str(episode_id)]).fetchall())
    assert per_signer == {signer: steps for signer, _sha, steps in both}
    for person in (alice, mallory):
        assert (out / "exports" / "atif" / person.key.key_id / f"{episode_id}.atif.json").is_file()

    again = sign(alice, unsigned, target=tmp_path / "again.ctape", now=datetime(2026, 7, 1, tzinfo=UTC))
    other = signed_before(alice, session_as(alice.home, 53, episode_id), genuine, tmp_path / "other.ctape")
    for path in (again, other):
        place(source, path)
    said = build(home, source, out, trust)
    assert "0 accepted, 2 rejected (duplicate 1, id_conflict 1)" in said, said
    con = duck(out)
    assert con.execute("SELECT sha256 FROM episodes WHERE signer_key_id = ?",
                       [alice.key.key_id]).fetchall() == [(file_sha256(genuine),)]
    refused = dict(con.execute("SELECT sha256, reason FROM rejected").fetchall())
    assert refused == {file_sha256(again): "duplicate", file_sha256(other): "id_conflict"}
