"""`codetape dataset build --trust-issuer`: unlinkable episodes of three members of a real issuer process are
accepted, each under a key of its own in every table; a forged authorisation, an authorisation moved to
another key, an attributed signer and an unenrolled one are `unauthorised`, a second episode under one key
`key_reused`; a month whose issuer-signed member count is below --min-contributors is held back (not
rejected) and published by a later build once the record counts enough members."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlcroissant
import msgspec
import pyarrow.fs as pafs
import pytest

from collector.consent import init_keys, sign_episode
from collector.consent.authorisation import Authorisation
from collector.consent.episode_keys import EpisodeKey, new_key_pair, store_batch, stored_keys
from collector.consent.unlinkable import epoch_of
from collector.dataset.build import BuildOptions, build_dataset
from collector.dataset.check.issuers import parse_issuer
from collector.dataset.output.manifest import DatasetManifest
from collector.home import Home
from collector.policy.sharing import SigningPolicy
from collector.protocol.clock import utc_now
from schemas.config import UploadSettings
from tests.cli import codetape
from tests.support.dataset_helpers import ROW_TABLES, TABLES, duck, local_ray, place, rows, session
from tests.support.issuer import Issuer

__all__ = ["local_ray"]

POLICY = SigningPolicy(purpose="training", licence="CC-BY-4.0")
MEMBERS = ("alice", "bob", "carol")


@dataclass
class World:
    issuer: Issuer
    base: Path
    record: Path
    source: Path
    good: dict[str, list[Path]]  # member -> their signed episodes


def sign_unlinkable(home: Home, unsigned: Path, target: Path) -> Path:
    sign_episode(unsigned, target, home, workspace_policy=POLICY, unlinkable="retimed")
    return target


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    base = tmp_path_factory.mktemp("unlinkable")
    issuer = Issuer(base).init()
    try:
        issuer.start()
        source = base / "source"
        good: dict[str, list[Path]] = {}
        for number, name in enumerate(MEMBERS):
            home = Home(base / name)
            issuer.enrol(home.root, name, quota=10, count=4)
            good[name] = []
            for seed in range(2):
                unsigned = session(home, 100 * number + seed)
                good[name].append(sign_unlinkable(home, unsigned, base / f"{name}-{seed}.ctape"))
                place(source, good[name][-1])
        record = base / "ISSUER.pub"
        issuer.export(record)
        yield World(issuer, base, record, source, good)
    finally:
        issuer.stop()


def build(world: World, out: Path, *extra: str) -> tuple[str, dict[str, Any]]:
    done = codetape(world.base, "dataset", "build", str(world.source), "-o", str(out), "--trust-issuer",
                    str(world.record), "--workers", "1", *extra)
    assert done.returncode == 0, done.stderr
    return done.stdout, json.loads((out / "_manifest.json").read_text())


def test_every_members_episode_is_accepted_under_a_key_of_its_own_in_every_table(world: World,
                                                                                   tmp_path: Path) -> None:
    out = tmp_path / "out"
    said, manifest = build(world, out, "--min-contributors", "3")
    assert "6 accepted, 0 rejected" in said, said
    assert manifest["trust_issuer"] and manifest["min_contributors"] == 3 and manifest["held"] == {}
    con = duck(out)
    signers = con.execute("SELECT episode_id, signer_key_id FROM episodes").fetchall()
    assert len(signers) == 6 and len({signer for _eid, signer in signers}) == 6
    for table in ROW_TABLES:
        per_signer = con.execute(f"SELECT signer_key_id, count(DISTINCT episode_id) FROM {table} "
                                 "GROUP BY 1").fetchall()
        assert all(count == 1 for _signer, count in per_signer), table
    started = con.execute("SELECT DISTINCT strftime(started_at, '%H:%M:%S.%f'), "
                          "strftime(signed_at, '%H:%M:%S.%f') FROM episodes").fetchall()
    assert started == [("00:00:00.000000", "00:00:00.000000")]
    assert con.execute("SELECT count(*) FROM steps WHERE t_ms % 100 <> 0").fetchone() == (0,)
    card = (out / "README.md").read_text()
    assert "k = 3" in card and "cannot tell you" in card and "which member signed an episode" in card
    assert "| episodes | 6 under 6 signing keys (an unlinkable episode's key is its own: not a count of " \
           "people) |" in card
    snapshot = json.loads((out / "_builds" / "b00001.json").read_text())
    assert snapshot["min_contributors"] == 3 and manifest["builds"][-1]["min_contributors"] == 3


def test_croissant_states_the_consent_mode_and_k_as_the_card_does(world: World, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(world, out, "--min-contributors", "3")
    mlcroissant.Dataset(jsonld=out / "croissant.json")  # raises on any validation error
    metadata = json.loads((out / "croissant.json").read_text())
    properties = {item["name"]: item for item in metadata["additionalProperty"]}
    assert properties["consent_mode"]["value"] == "unlinkable"
    assert properties["min_contributors"]["value"] == 3 and properties["min_contributors"]["minValue"] == 3
    said = metadata["rai:personalSensitiveInformation"]
    assert "Unlinkable episodes name no signer" in said and "at least k = 3 members" in said
    assert "commit ids (the git table's sha, parents, old and new" in said and "are pseudonyms" in said
    assert "Attributed episodes name their signer" not in said

    attributed = tmp_path / "attributed"  # the same source without --trust-issuer: every signer named
    done = codetape(world.base, "dataset", "build", str(world.source), "-o", str(attributed), "--workers",
                    "1")
    assert done.returncode == 0, done.stderr
    metadata = json.loads((attributed / "croissant.json").read_text())
    assert [item["name"] for item in metadata["additionalProperty"]] == ["consent_mode"]
    assert metadata["additionalProperty"][0]["value"] == "attributed"
    assert "Unlinkable" not in metadata["rai:personalSensitiveInformation"]


def test_forged_moved_attributed_and_reused_are_rejected_each_with_its_reason(world: World,
                                                                              tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(world.source, source)
    epoch = epoch_of(utc_now())
    mallory = Home(tmp_path / "mallory")  # never enrolled: a key pair and a made-up authorisation
    seed, public = new_key_pair()
    real = stored_keys(Home(world.base / "alice"))[-1].authorisation  # unused: moved to mallory's key
    forged = Authorisation(real.issuer, epoch, os.urandom(32), os.urandom(len(real.signature)))
    store_batch(mallory, [EpisodeKey(public, seed, forged)])
    place(source, sign_unlinkable(mallory, session(mallory, 900), tmp_path / "forged.ctape"))
    seed, public = new_key_pair()
    shutil.rmtree(mallory.enrolment)
    store_batch(mallory, [EpisodeKey(public, seed, real)])
    place(source, sign_unlinkable(mallory, session(mallory, 901), tmp_path / "moved.ctape"))
    attributed = Home(tmp_path / "dave")
    init_keys(attributed)
    unsigned = session(attributed, 902)
    sign_episode(unsigned, tmp_path / "attributed.ctape", attributed, workspace_policy=POLICY)
    place(source, tmp_path / "attributed.ctape")
    bob = Home(world.base / "bob")  # bob's client forgets which keys it used: one signs a second episode
    (bob.enrolment / "used").unlink()
    reused = sign_unlinkable(bob, session(bob, 903), tmp_path / "reused.ctape")
    place(source, reused)

    out = tmp_path / "out"
    done = codetape(world.base, "dataset", "build", str(source), "-o", str(out), "--trust-issuer",
                    str(world.record), "--min-contributors", "3", "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert "6 accepted, 4 rejected" in done.stdout
    rejected = dict(duck(out).execute("SELECT reason, count(*) FROM rejected GROUP BY 1").fetchall())
    assert rejected == {"unauthorised": 3, "key_reused": 1}
    details = [row[0] for row in duck(out).execute("SELECT detail FROM rejected WHERE reason = "
                                                     "'unauthorised' ORDER BY detail").fetchall()]
    assert sum("does not verify" in detail for detail in details) == 2, details
    assert sum("contributor's own key" in detail for detail in details) == 1, details


def test_a_month_below_k_is_held_back_then_published_when_the_record_counts_enough(world: World,
                                                                                 tmp_path: Path) -> None:
    out = tmp_path / "out"
    said, manifest = build(world, out, "--min-contributors", "4")
    assert "0 accepted, 0 rejected" in said
    epoch = epoch_of(utc_now())
    why = f"{epoch}: 3 members took authorisations, fewer than --min-contributors 4"
    assert f"held back for a later build: 6 episodes, their month's anonymity set too small ({why})" in said
    assert manifest["held"] == {why: 6} and manifest["builds"][-1]["held"] == {why: 6}
    assert manifest["rejected"] == {}
    assert "6 held back" in (out / "README.md").read_text()

    world.issuer.enrol(tmp_path / "erin", "erin", count=1)  # a fourth member: the anonymity set is 4
    later = tmp_path / "ISSUER-later.pub"
    world.issuer.export(later)
    done = codetape(world.base, "dataset", "build", str(world.source), "-o", str(out), "--trust-issuer",
                    str(later), "--min-contributors", "4", "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert "6 new episodes" in done.stdout and "6 accepted, 0 rejected" in done.stdout
    assert json.loads((out / "_manifest.json").read_text())["held"] == {}


def test_a_month_held_under_a_higher_k_is_not_published_by_a_lower_one(world: World, tmp_path: Path) -> None:
    """k only goes up in one dataset: a build with a lower k than an earlier one is refused in one line
    (it would publish the months held back under the higher k); the same or a higher k is taken, and
    each build's k is in its snapshot and the manifest's builds, the card saying the lowest used."""
    out = tmp_path / "out"
    said, manifest = build(world, out, "--min-contributors", "4")
    assert "0 accepted" in said and sum(manifest["held"].values()) == 6
    done = codetape(world.base, "dataset", "build", str(world.source), "-o", str(out), "--trust-issuer",
                    str(world.record), "--min-contributors", "3", "--workers", "1")
    assert done.returncode == 2  # as for any input that differs from the dataset's (--trust, ...)
    assert done.stderr == (f"codetape: {out.as_uri()} was built with --min-contributors 4: a lower k would "
                           "publish months held back under it, with fewer members than its card promised; "
                           "give --min-contributors 4 or more, or build into another OUT\n")
    assert len(json.loads((out / "_manifest.json").read_text())["builds"]) == 1  # nothing built

    said, manifest = build(world, out, "--min-contributors", "6")  # stricter: taken, still held
    assert "0 accepted" in said and sum(manifest["held"].values()) == 6
    assert [b["min_contributors"] for b in manifest["builds"]] == [4, 6]
    assert json.loads((out / "_builds" / "b00002.json").read_text())["min_contributors"] == 6
    card = (out / "README.md").read_text()
    assert "k = 6 (earlier builds published under k = 4)" in card
    assert "(2 builds, the last at" in card and "`s`" not in card  # a plural is text, not a code span


def test_an_issuer_record_that_is_not_one_is_a_usage_error(world: World, tmp_path: Path) -> None:
    bad = tmp_path / "bad.pub"
    bad.write_text("{}")
    done = codetape(world.base, "dataset", "build", str(world.source), "-o", str(tmp_path / "out"),
                    "--trust-issuer", str(bad))
    assert done.returncode == 2
    assert done.stderr.startswith("codetape: --trust-issuer: ") and done.stderr.count("\n") == 1
    done = codetape(world.base, "dataset", "build", str(world.source), "-o", str(tmp_path / "out"),
                    "--min-contributors", "3")
    assert done.returncode == 2 and "--min-contributors is for --trust-issuer" in done.stderr


def test_the_ray_engine_gives_the_local_engines_rows_reasons_and_held_months(world: World, local_ray: None,
                                                                             tmp_path: Path) -> None:
    """--engine ray (a local Ray instance) with --trust-issuer: the same rows in every table, the same
    `rejected` rows and reasons (a forged authorisation, an attributed signer, a reused key), the same
    months held back under k, and the same months published by a later build."""
    source = tmp_path / "source"
    shutil.copytree(world.source, source)
    mallory = Home(tmp_path / "mallory")
    seed, public = new_key_pair()
    real = stored_keys(Home(world.base / "alice"))[-1].authorisation
    forged = Authorisation(real.issuer, real.epoch, os.urandom(32), os.urandom(len(real.signature)))
    store_batch(mallory, [EpisodeKey(public, seed, forged)])
    place(source, sign_unlinkable(mallory, session(mallory, 910), tmp_path / "forged.ctape"))
    attributed = Home(tmp_path / "dave")
    init_keys(attributed)
    sign_episode(session(attributed, 911), tmp_path / "attributed.ctape", attributed, workspace_policy=POLICY)
    place(source, tmp_path / "attributed.ctape")
    carol = Home(tmp_path / "carol")  # a copy of carol's home that forgot which keys it used
    shutil.copytree(world.base / "carol", carol.root)
    (carol.enrolment / "used").unlink()
    place(source, sign_unlinkable(carol, session(carol, 912), tmp_path / "reused.ctape"))

    def both(record: Path) -> list[DatasetManifest]:
        made = []
        for engine in ("local", "ray"):
            options = BuildOptions(str(source), str(tmp_path / engine), issuer=parse_issuer(record, 4),
                                   engine=engine, workers=2)  # type: ignore[arg-type]
            build_dataset(options, UploadSettings())
            manifest = (tmp_path / engine / "_manifest.json").read_bytes()
            made.append(msgspec.json.decode(manifest, type=DatasetManifest))
        return made

    local, on_ray = both(world.record)  # 3 members: the month is held back under k = 4, the key reused too
    assert local.held == on_ray.held and sum(local.held.values()) == 7
    assert local.rejected == on_ray.rejected == {"unauthorised": 2}
    world.issuer.enrol(tmp_path / "frank", "frank-ray", count=1)  # at least 4 members now
    later = tmp_path / "ISSUER-later.pub"
    world.issuer.export(later)
    local, on_ray = both(later)
    assert local.held == on_ray.held == {}
    assert local.rejected == on_ray.rejected == {"key_reused": 1, "unauthorised": 2}
    assert local.rows == on_ray.rows and local.rows["episodes"] == 6
    filesystem = pafs.LocalFileSystem()
    for table in TABLES:
        found = rows(filesystem, str(tmp_path / "local"), table)
        assert found == rows(filesystem, str(tmp_path / "ray"), table), table
    reasons = sorted(row["reason"] for row in rows(filesystem, str(tmp_path / "ray"), "rejected"))
    assert reasons == ["key_reused", "unauthorised", "unauthorised"]
    assert [b.engine for b in on_ray.builds] == ["ray", "ray"]
