"""Signing in unlinkable mode through the real CLI, with keys a real issuer process authorised blindly:
the episode's own key signs, the statement carries the issuer's authorisation and nothing of the
contributor's key, the day only, the editor's major.minor, times and durations drawn in 100 ms steps
(test_unlinkable_timing.py; unless the contributor signs `timing = "exact"`), each key used once;
`codetape verify --trust-issuer` checks the authorisation against the issuer's record."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from collector.consent.episode_keys import stored_keys, unused_counts, used_keys
from collector.consent.keys import decode_public
from collector.consent.statement import parse_statement, unpack_payload
from collector.consent.unlinkable import epoch_of
from collector.episode import open_episode
from collector.home import Home
from collector.protocol.clock import utc_now
from schemas import step_to_dict
from schemas.common import plain
from schemas.consent import ConsentStatement
from tests.cli import codetape
from tests.fixtures.make_golden import DIRECTORY, FULL, FULL_HEADER
from tests.support.issuer import Issuer
from tests.support.linkage import episode_repository

DURATIONS = ("duration_ms", "until_ms")


@pytest.fixture
def enrolled(issuer: Issuer, tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    home = tmp_path / "home"
    issuer.enrol(home, request.node.name[:60], count=3)
    episode_repository(home, tmp_path, FULL_HEADER.workspace.root_name)  # its repository, to scrub with
    return home


def a_full_episode(tmp_path: Path, name: str = "full.ctape") -> Path:
    path = tmp_path / name
    shutil.copy(DIRECTORY / "full.ctape", path)
    return path


def statement_of(path: Path) -> ConsentStatement:
    consent = open_episode(path).consent
    assert consent is not None
    return parse_statement(unpack_payload(consent)[1])


def times(value: object, where: str = "") -> dict[str, int]:
    """Every t_ms and duration anywhere in a list of step dicts, by where it is (a zero is left out, as
    the step's dict leaves it out)."""
    found: dict[str, int] = {}
    if isinstance(value, dict):
        for name, item in value.items():
            if name in ("t_ms", *DURATIONS) and isinstance(item, int):
                if item:
                    found[f"{where}.{name}"] = item
            else:
                found.update(times(item, f"{where}.{name}"))
    elif isinstance(value, list):
        for number, item in enumerate(value):
            found.update(times(item, f"{where}[{number}]"))
    return found


def test_sign_unlinkable_signs_with_an_episode_key_and_keeps_the_day_and_re_timed_steps_only(
        issuer: Issuer, enrolled: Path, tmp_path: Path) -> None:
    home = Home(enrolled)
    done = codetape(enrolled, "sign", str(a_full_episode(tmp_path)), "--unlinkable", "--yes")
    assert done.returncode == 0, done.stderr
    assert "signed unlinkable with episode key" in done.stdout and "times drawn" in done.stdout
    signed = home.outbox / f"{FULL_HEADER.episode_id}.ctape"
    statement = statement_of(signed)
    taken = used_keys(home)
    assert len(taken) == 1
    key = next(key for key in stored_keys(home) if key.public_key in taken)
    assert decode_public(statement.reviewer.public_key) == key.public_key  # the episode's own key
    assert statement.reviewer.authorisation is not None
    assert plain(statement.reviewer.authorisation) == key.authorisation.to_json()
    assert statement.reviewer.authorisation.epoch == epoch_of(utc_now())
    assert statement.timing == "drawn"  # the default (issues 69, 93; test_unlinkable_timing.py)
    day = FULL_HEADER.started_at.replace(hour=0, minute=0, second=0, microsecond=0)
    assert statement.content.started_at == day
    assert (statement.signed_at.hour, statement.signed_at.minute, statement.signed_at.second,
            statement.signed_at.microsecond) == (0, 0, 0, 0)
    assert statement.software.editor is None  # the fleet says which laptop runs which editor
    episode = open_episode(signed)
    assert episode.header.started_at == day
    assert episode.header.client is None
    steps = [step_to_dict(step) for step in episode.steps()]
    original = [step_to_dict(step) for step in FULL]
    assert len(steps) == len(original)
    assert any(t % 100 for t in times(original).values())  # times a 100 ms step does not keep
    assert all(t % 100 == 0 for t in times(steps).values())
    assert any("until_ms" in str(step) for step in steps)  # a gap's end moves with the times (a command
    # and a test run that ran within a pause, as all of this episode's did, last 0 ms when drawn)

    ok = codetape(enrolled, "verify", str(signed))
    assert ok.returncode == 0, ok.stderr
    assert "unlinkable: episode key" in ok.stdout and "not checked: give --trust-issuer" in ok.stdout
    record = tmp_path / "ISSUER.pub"
    issuer.export(record)
    ok = codetape(enrolled, "verify", str(signed), "--trust-issuer", str(record))
    assert ok.returncode == 0, ok.stderr
    assert f"authorised by issuer {issuer_id(record)} for {epoch_of(utc_now())}" in ok.stdout
    assert "not checked" not in ok.stdout

    other = Issuer(tmp_path / "other").init()
    foreign = tmp_path / "OTHER.pub"
    other.export(foreign)
    refused = codetape(enrolled, "verify", str(signed), "--trust-issuer", str(foreign))
    assert refused.returncode == 1
    assert refused.stderr.startswith("codetape: not authorised by issuer ")
    assert refused.stderr.count("\n") == 1

    second = codetape(enrolled, "sign", str(a_full_episode(tmp_path, "again.ctape")), "--unlinkable", "--yes")
    assert second.returncode == 1  # the same episode id is in the outbox already
    assert len(used_keys(home)) == 1, "a refused signing takes no key"


def issuer_id(record: Path) -> str:
    from collector.consent.authorisation import read_record

    return read_record(record.read_bytes()).issuer


def test_config_asks_for_unlinkable_and_exact_timing_is_signed_for(enrolled: Path, tmp_path: Path) -> None:
    Home(enrolled).config.write_text('[consent]\nmode = "unlinkable"\ntiming = "exact"\n', encoding="utf-8")
    done = codetape(enrolled, "sign", str(a_full_episode(tmp_path)), "--yes")
    assert done.returncode == 0, done.stderr
    signed = Home(enrolled).outbox / f"{FULL_HEADER.episode_id}.ctape"
    statement = statement_of(signed)
    assert statement.reviewer.authorisation is not None and statement.timing == "exact"
    steps = [step_to_dict(step) for step in open_episode(signed).steps()]
    assert times(steps) == times([step_to_dict(step) for step in FULL])  # to the millisecond, as signed for
    assert statement.content.started_at.hour == 0  # the day only, whatever the timing


def test_without_an_unused_key_nothing_is_signed_and_the_episode_stays(issuer: Issuer,
                                                                         tmp_path: Path) -> None:
    home = tmp_path / "home"
    issuer.enrol(home, "one-key", quota=1, count=1)  # its quota taken: the issuer refuses every top-up
    episode_repository(home, tmp_path, FULL_HEADER.workspace.root_name)
    first = codetape(home, "sign", str(a_full_episode(tmp_path)), "--unlinkable", "--yes")
    assert first.returncode == 0, first.stderr
    assert unused_counts(Home(home)) == {}
    month = epoch_of(utc_now())
    assert "episode key" not in first.stderr  # the top-up is left to a time of its own, not at the signing
    episode = tmp_path / "minimal.ctape"
    shutil.copy(DIRECTORY / "minimal.ctape", episode)
    done = codetape(home, "sign", str(episode), "--unlinkable", "--yes")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"codetape: no unused episode key authorised for {month}, and none could "
                                  "be fetched: the issuer refused: quota: "), done.stderr
    assert open_episode(episode).consent is None


def test_an_unenrolled_home_cannot_sign_unlinkable_and_is_told_how_to_enrol(tmp_path: Path) -> None:
    episode = a_full_episode(tmp_path)
    episode_repository(tmp_path / "home", tmp_path, FULL_HEADER.workspace.root_name)
    done = codetape(tmp_path / "home", "sign", str(episode), "--unlinkable", "--yes")
    assert done.returncode == 1
    assert done.stderr == ("codetape: this home is not enrolled with an issuer, so it holds no episode key "
                           f"for {epoch_of(utc_now())}: enrol with the URL and one-time secret your issuer "
                           "gave you (codetape enroll URL --secret S), then sign again; nothing was signed "
                           "and the episode stays\n")
    assert open_episode(episode).consent is None
    usage = codetape(tmp_path / "home", "enroll", "--help").stdout  # the command it names is the real one
    assert "usage: codetape enroll [-h] [--secret SECRET" in " ".join(usage.split()) and "url" in usage


def test_inspect_and_status_of_an_unlinkable_episode_name_its_issuer_not_a_signer(
        issuer: Issuer, enrolled: Path, tmp_path: Path) -> None:
    own = codetape(enrolled, "keys", "init", "--no-passphrase")  # a key of one's own, not used here
    assert own.returncode == 0, own.stderr
    own_id = json.loads(codetape(enrolled, "keys", "show", "--json").stdout)["key_id"]
    done = codetape(enrolled, "sign", str(a_full_episode(tmp_path)), "--unlinkable", "--yes")
    assert done.returncode == 0, done.stderr
    signed = Home(enrolled).outbox / f"{FULL_HEADER.episode_id}.ctape"
    statement = statement_of(signed)
    authorisation = statement.reviewer.authorisation
    assert authorisation is not None
    record = tmp_path / "ISSUER.pub"
    issuer.export(record)
    assert authorisation.issuer == issuer_id(record)
    inspect = codetape(enrolled, "inspect", str(signed))
    assert inspect.returncode == 0, inspect.stderr
    assert (f"signed     unlinkably, under an episode key authorised by issuer {authorisation.issuer} for "
            f"{authorisation.epoch} (signature verified)\ntiming     drawn: times drawn (") in inspect.stdout
    assert statement.reviewer.key_id not in inspect.stdout  # the episode's key names nobody: not a signer
    as_json = json.loads(codetape(enrolled, "inspect", str(signed), "--json").stdout)
    assert as_json["authorised_by"] == {"issuer": authorisation.issuer, "epoch": authorisation.epoch}
    assert as_json["timing"] == "drawn"  # the statement's (issue 93)
    assert as_json["signed_by"] == statement.reviewer.key_id
    page = codetape(enrolled, "report", str(signed), "-o", "-")
    assert page.returncode == 0, page.stderr
    assert ("signed</span> unlinkably, under an episode key authorised by issuer <span class=\"mono\">"
            f"{authorisation.issuer}</span> for {authorisation.epoch}, signature verified") in page.stdout
    assert statement.reviewer.key_id not in page.stdout
    status = codetape(enrolled, "status")
    for output in (inspect.stdout, json.dumps(as_json), page.stdout, status.stdout, status.stderr,
                   done.stdout, done.stderr):
        assert own_id not in output


def test_a_managed_policy_that_requires_unlinkable_consent_is_met_by_sign_unlinkable(
        issuer: Issuer, enrolled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.integration.policy.test_managed_policy import install

    tmp_path.chmod(0o755)
    policy = install(tmp_path / "etc-codetape", '[consent]\nmode = "unlinkable"\n')
    monkeypatch.setenv("CODETAPE_POLICY", str(policy))
    episode = a_full_episode(tmp_path)
    assert codetape(enrolled, "keys", "init", "--no-passphrase").returncode == 0  # a key of one's own too
    attributed = codetape(enrolled, "sign", str(episode), "--yes")
    assert attributed.returncode == 1 and "requires unlinkable consent" in attributed.stderr, attributed
    unlinkable = codetape(enrolled, "sign", str(episode), "--unlinkable", "--yes")
    assert unlinkable.returncode == 0, unlinkable.stderr
    assert statement_of(Home(enrolled).outbox / f"{FULL_HEADER.episode_id}.ctape").reviewer.authorisation


def test_no_commit_id_of_an_unlinkable_episode_leaves_in_it_or_its_exports(enrolled: Path,
                                                                            tmp_path: Path) -> None:
    """Issue 52, item 1: a commit id names its author, second and zone to whoever holds the repository and
    the staff list, and chains one person's episodes. The signed episode and what is exported from it hold
    per-episode pseudonyms; zeta2 leaves the episode out (no repository holds its revision) and says so."""
    from tests.fixtures.make_golden import COMMIT, HEAD

    done = codetape(enrolled, "sign", str(a_full_episode(tmp_path)), "--unlinkable", "--yes")
    assert done.returncode == 0, done.stderr
    signed = Home(enrolled).outbox / f"{FULL_HEADER.episode_id}.ctape"
    texts = [codetape(enrolled, *command, str(signed)).stdout
             for command in (("cat",), ("inspect", "--json"))]
    for fmt in ("jsonl", "agent-trace", "progsnap2", "swe-messages", "atif"):
        out = tmp_path / fmt
        exported = codetape(enrolled, "export", str(signed), "--format", fmt, "-o", str(out))
        assert exported.returncode == 0, exported.stderr
        texts += [read_all(path) for path in out.rglob("*") if path.is_file()]
    everything = "\n".join(texts)
    for commit in (COMMIT, HEAD):
        assert commit[:7] not in everything
    zeta2 = codetape(enrolled, "export", str(signed), "--format", "zeta2", "-o", str(tmp_path / "zeta2"))
    assert zeta2.returncode == 0, zeta2.stderr
    said = zeta2.stdout + zeta2.stderr
    assert "unlinkable episodes (their revision is a pseudonym no repository holds)" in said
    assert not [p for p in (tmp_path / "zeta2").rglob("*.jsonl") if p.read_text().strip()]


def read_all(path: Path) -> str:
    """A file's text, a zip archive's members' (ProgSnap2's export is one)."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return path.read_text(encoding="utf-8", errors="replace")
