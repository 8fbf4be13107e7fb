"""The organisation's managed policy (issue 39, item 1), through one real collector and the real CLI: a
root-owned policy.toml (CODETAPE_POLICY names it, as /etc/codetape/policy.toml would be) bounds what a
looser `.codetape.toml` records, applies at once during an episode, makes a share that lacks its
exclusion, its purpose or the consent mode it requires impossible (one line each), and is refused, failing
closed, when someone but root could have written it or it names a key it does not know.

The tests run as root (the container's user): the policy's folder and file are made root's and 0755/0644;
"not root's" is made with chown to 65534 (nobody).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from collector.consent.verify import check_signature
from collector.episode import open_episode
from collector.protocol.clock import now_ms
from tests.support.collector_harness import (
    codetape,
    every_byte_under,
    journal_steps,
    opt_in,
    running,
    send,
    settle,
    wait_capturing,
    wait_recorded,
)
from tests.waiting import wait_for

# the example of issue 39, as it is
EXAMPLE = """\
mandatory_exclude = ["docs/private/"]          # added to every workspace's exclusions
max_file_bytes = 4096                          # the smaller of this and the workspace's wins
channels = ["edits", "diagnostics", "tests", "git", "files"]   # the channels that may be recorded at all
allowed_purposes = ["model-training"]          # a share must name one of these (sign --purpose, or policy.toml)
retain_until = 2027-06-30                      # a TOML date; a share may ask for less, never more
[consent]
mode = "unlinkable"                            # required consent mode
"""  # noqa: E501
WITHOUT_CONSENT = EXAMPLE.split("[consent]")[0]
SECRET = "acquisition-target-31f7"


def install(folder: Path, text: str) -> Path:
    """The policy as an administrator installs it: root's folder 0755, root's file 0644."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    path = folder / "policy.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o644)
    os.chown(folder, 0, 0)
    os.chown(path, 0, 0)
    return path


@pytest.fixture
def policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where CODETAPE_POLICY points, for the in-process CLI and the collectors started after it: a policy
    that requires nothing yet (a named file must hold something: it can only add a policy, issue 53)."""
    (tmp_path).chmod(0o755)
    path = install(tmp_path / "etc-codetape", "# the organisation's policy: nothing required yet\n")
    monkeypatch.setenv("CODETAPE_POLICY", str(path))
    return path


def one_error_line(done: subprocess.CompletedProcess[str], says: str) -> str:
    assert done.returncode != 0, (done.stdout, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("codetape: ") and says in lines[0], done.stderr
    return lines[0]


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def status_json(home: Path) -> dict[str, Any]:
    return dict(json.loads(ok(codetape(home, "status", "--json"))))


def workspace_status(home: Path, root: Path) -> dict[str, Any]:
    return next(w for w in status_json(home)["workspaces"] if w["root"] == str(root))


def test_a_looser_workspace_does_not_win_over_the_managed_policy(policy: Path, tmp_path: Path) -> None:
    install(policy.parent, EXAMPLE)
    home = tmp_path / "home"
    root = opt_in(tmp_path / "ws", 'max_file_bytes = 1000000\nchannels = ["edits", "commands", "files", '
                  '"git", "tests", "diagnostics"]\n', home=home)
    (root / "docs" / "private").mkdir(parents=True)
    with running(home) as daemon, daemon.client() as client:
        assert client.hello(root, "bridge", position_encoding="utf-16")["recording"]
        wait_capturing(client, root)
        send(client, [{"kind": "open", "path": "docs/private/deal.md", "text": f"{SECRET}\n"},
                      {"kind": "command", "argv": ["make", "deploy"], "cwd": ".", "exit_code": 0}], now_ms())
        (root / "docs" / "private" / "notes.md").write_text(f"{SECRET}\n", encoding="utf-8")
        (root / "big.py").write_text("x = 1\n" * 1000, encoding="utf-8")  # 6,000 bytes: above 4096
        steps = wait_recorded(daemon.home, root, lambda steps: any(s.get("path") == "big.py" for s in steps),
                              "big.py to be recorded")
        assert SECRET.encode() not in every_byte_under(home)
        assert not [s for s in steps if s["kind"] == "command"]
        big = next(s for s in steps if s.get("path") == "big.py")
        assert big.get("text") is None and big["omitted"] == "too_large"
        assert not [s for s in journal_steps(daemon.home, root) if "docs/private" in json.dumps(s)]
        status = status_json(home)
        managed = status["managed_policy"]
        assert (managed["state"], managed["path"], managed["added"]) == ("in force", str(policy), str(policy))
        assert "consent mode unlinkable" in managed["requires"]
        assert "retained until 2027-06-30 at the latest" in managed["requires"]
        text = ok(codetape(home, "status"))
        assert text.splitlines()[0].startswith(f"managed policy: {policy} (added by CODETAPE_POLICY)")
        assert "  PROBLEM: CODETAPE_POLICY is set" in text  # only adds a policy: status still flags it


def record_and_seal(home: Path, root: Path) -> Path:
    """An episode of `root` holding docs/private/plan.md and main.py, sealed: its path."""
    with running(home) as daemon, daemon.client() as client:
        assert client.hello(root, "bridge", position_encoding="utf-16")["recording"]
        send(client, [{"kind": "open", "path": "docs/private/plan.md", "text": "plan\n"},
                      {"kind": "open", "path": "main.py", "text": "print(1)\n"}], now_ms())
        wait_recorded(daemon.home, root, lambda steps: any(s.get("path") == "main.py" for s in steps),
                      "main.py to be recorded")
        sealed = json.loads(ok(codetape(home, "seal", "--json", str(root))))
    return Path(sealed["path"])


def test_a_share_lacking_what_the_managed_policy_requires_cannot_be_signed(policy: Path,
                                                                           tmp_path: Path) -> None:
    home = tmp_path / "home"
    root = opt_in(tmp_path / "ws", "", home=home)
    episode = record_and_seal(home, root)  # before the policy: it holds docs/private/plan.md
    assert ok(codetape(home, "keys", "init", "--no-passphrase"))
    install(policy.parent, EXAMPLE)

    one_error_line(codetape(home, "sign", str(episode), "--yes"),
                   "allows only the purposes model-training and this share names no purpose")
    (home / "policy.toml").write_text('purpose = "telemetry"\n', encoding="utf-8")
    one_error_line(codetape(home, "sign", str(episode), "--yes"), "names the purpose 'telemetry'")
    (home / "policy.toml").write_text('purpose = "model-training"\n', encoding="utf-8")
    one_error_line(codetape(home, "sign", str(episode), "--yes"),
                   "requires unlinkable consent and this would be an attributed signature")
    review = json.loads(ok(codetape(home, "review", str(episode), "--summary", "--json")))
    managed = review["policy"]["managed_policy"]
    assert (managed["path"], managed["requires"]) == (str(policy), [
        "purpose one of: model-training", "consent mode unlinkable",
        "retained until 2027-06-30 at the latest", "excluded: docs/private/"])
    assert [(check["requirement"].split(" ")[0], check["met"]) for check in managed["checks"]] == [
        ("purpose", True), ("consent", False), ("retained", True), ("excluded:", False)]
    assert "requires unlinkable consent" in review["policy"]["problem"]
    summary = ok(codetape(home, "review", str(episode), "--summary"))
    assert f"managed     {policy} requires of this share:\n" in summary
    assert "  met      purpose one of: model-training (this share: 'model-training')\n" in summary
    assert "  NOT MET  consent mode unlinkable (this share: attributed signature)\n" in summary
    assert "  NOT MET  excluded: docs/private/ (this share: 1 file(s) still under it)\n" in summary

    install(policy.parent, WITHOUT_CONSENT)
    one_error_line(codetape(home, "sign", str(episode), "--yes"),
                   "docs/private/plan.md falls under the policy's mandatory exclusion 'docs/private/'")
    done = codetape(home, "sign", str(episode), "--yes", "--exclude", "docs/private/")
    assert done.returncode == 0, done.stderr
    assert b"plan" not in b"".join(p.read_bytes() for p in (home / "outbox").iterdir() if p.is_file())


def test_a_managed_policy_made_during_an_episode_applies_at_once(policy: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    root = opt_in(tmp_path / "ws", "", home=home)
    with running(home) as daemon, daemon.client() as client:
        assert client.hello(root, "bridge", position_encoding="utf-16")["recording"]
        send(client, [{"kind": "open", "path": "docs/private/before.md", "text": "before\n"}], now_ms())
        wait_recorded(daemon.home, root, lambda steps: any(s.get("path") == "docs/private/before.md"
                                                           for s in steps), "before.md to be recorded")
        install(policy.parent, WITHOUT_CONSENT)
        wait_for(lambda: "[policy] mandatory_exclude" in workspace_status(home, root).get("tightened", []),
                 what="status to say the managed exclusion applies at once",
                 detail=lambda: str(workspace_status(home, root)))
        send(client, [{"kind": "open", "path": "docs/private/after.md", "text": f"{SECRET}\n"},
                      {"kind": "open", "path": "kept.py", "text": "kept\n"}], now_ms())
        wait_recorded(daemon.home, root, lambda steps: any(s.get("path") == "kept.py" for s in steps),
                      "kept.py to be recorded")
        assert SECRET.encode() not in every_byte_under(home)
        sealed = json.loads(ok(codetape(home, "seal", "--json", str(root))))
    steps = [json.loads(line) for line in ok(codetape(home, "cat", sealed["path"])).splitlines()]
    assert [s["path"] for s in steps if s["kind"] == "open"] == ["kept.py"]  # the seal dropped before.md


REFUSED = [
    ("group-writable", lambda path: path.chmod(0o664), "is writable by group or others (mode 664)"),
    ("not root's", lambda path: os.chown(path, 65534, 65534), "is owned by uid 65534, not root"),
    ("folder writable", lambda path: path.parent.chmod(0o777),
     "is in a folder writable by group or others (mode 777)"),
    ("opts a workspace in", lambda path: path.write_text(f'opt_in = ["{path.parent}"]\n', encoding="utf-8"),
     "opt_in: "),
    ("loosens", lambda path: path.write_text('max_file_bytes = "unlimited"\n', encoding="utf-8"),
     "max_file_bytes: "),
]


def refused(home: Path, root: Path, name: str) -> str:
    """Wait until the collector says the workspace does not record because of the managed policy: why."""
    problem = [""]

    def says() -> bool:
        problem[0] = workspace_status(home, root).get("problem") or ""
        return "managed policy" in problem[0]

    wait_for(says, what=f"{name}: the collector to stop recording", detail=lambda: problem[0])
    return problem[0]


def test_a_refused_managed_policy_stops_recording_and_signing(policy: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    root = opt_in(tmp_path / "ws", "", home=home)
    episode = record_and_seal(home, root)
    assert ok(codetape(home, "keys", "init", "--no-passphrase"))
    with running(home) as daemon, daemon.client() as client:
        assert client.hello(root, "bridge", position_encoding="utf-16")["recording"]
        for name, spoil, says in REFUSED:
            install(policy.parent, WITHOUT_CONSENT)
            wait_for(lambda: workspace_status(home, root).get("problem") is None, what=f"{name}: recording")
            spoil(policy)
            problem = refused(home, root, name)
            assert says in problem, (name, problem)
            line = one_error_line(codetape(home, "sign", str(episode), "--yes", "--exclude", "docs/private/"),
                                  says)
            assert "nothing is recorded or signed" in line
            first = ok(codetape(home, "status")).splitlines()[0]
            assert first.startswith("managed policy: REFUSED: ") and says in first, (name, first)
            send(client, [{"kind": "open", "path": f"{name}.py", "text": f"{SECRET}\n"}], now_ms())
            settle(client)  # the step was taken (and dropped) before the policy is mended
            assert SECRET.encode() not in every_byte_under(home), name
            os.chown(policy, 0, 0)
            policy.parent.chmod(0o755)
    assert episode.exists() and not (home / "outbox").exists()


def test_the_managed_policy_bounds_the_licence_at_signing_and_the_destination_at_upload(
        policy: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    root = opt_in(tmp_path / "ws", "", home=home)
    episode = record_and_seal(home, root)
    assert ok(codetape(home, "keys", "init", "--no-passphrase"))
    allowed = tmp_path / "receiver" / "allowed"
    (tmp_path / "receiver" / "elsewhere").mkdir(parents=True)
    allowed.mkdir()
    (allowed / "sneaky").symlink_to(tmp_path / "receiver" / "elsewhere")
    install(policy.parent, f'mandatory_exclude = ["docs/private/"]\nallowed_purposes = ["model-training"]\n'
                           f'allowed_licences = ["CC-BY-4.0", "Apache-2.0"]\n'
                           f'allowed_destinations = ["s3://acme-traces/raw", "{allowed.as_uri()}"]\n')
    sign = ("sign", str(episode), "--yes", "--exclude", "docs/private/")
    mine = home / "policy.toml"
    mine.write_text('purpose = "model-training"\n', encoding="utf-8")
    line = one_error_line(codetape(home, *sign),
                          "allows only the licences CC-BY-4.0, Apache-2.0 and this share names no licence")
    assert str(policy) in line
    mine.write_text('purpose = "model-training"\nlicence = "MIT OR CC-BY-4.0"\n', encoding="utf-8")
    review = json.loads(ok(codetape(home, "review", str(episode), "--summary", "--json")))["policy"]
    assert {"requirement": "licence allowed by: CC-BY-4.0, Apache-2.0", "met": True,
            "share": "'MIT OR CC-BY-4.0'"} in review["managed_policy"]["checks"]
    mine.write_text('purpose = "model-training"\nlicence = "MIT AND CC-BY-4.0"\n', encoding="utf-8")
    one_error_line(codetape(home, *sign), "this share is offered under 'MIT AND CC-BY-4.0'")
    (home / "config.toml").write_text(f'[upload]\nto = "{(tmp_path / "receiver" / "elsewhere").as_uri()}"\n',
                                      encoding="utf-8")
    review = json.loads(ok(codetape(home, "review", str(episode), "--summary", "--json")))["policy"]
    assert {"requirement": f"uploaded only to: s3://acme-traces/raw, {allowed.as_uri()}", "met": False,
            "share": (tmp_path / "receiver" / "elsewhere").as_uri()} in review["managed_policy"]["checks"]
    mine.write_text('purpose = "model-training"\nlicence = "Apache-2.0"\n', encoding="utf-8")
    signed = codetape(home, *sign)
    assert signed.returncode == 0, signed.stderr
    assert "the upload destination is not usable (the managed policy" in signed.stdout

    for refused in (None, (allowed / "sneaky").as_uri(), "s3://acme-traces/rawer", "s3://acme-traces"):
        words = ("upload",) if refused is None else ("upload", "--to", refused)
        line = one_error_line(codetape(home, *words), f"the managed policy ({policy}) allows uploads only to "
                              f"s3://acme-traces/raw, {allowed.as_uri()}, and ")
        assert line.endswith("is none of them; nothing was sent"), line
    assert not any((tmp_path / "receiver").rglob("*.ctape"))
    ok(codetape(home, "upload", "--to", (allowed / "team").as_uri()))
    assert len(list((allowed / "team").rglob("*.ctape"))) == 1


# issue 70, item 1: a laptop enrolled on Monday with Friday's episodes still to review and to send
LIMITS = 'channels = ["edits", "diagnostics", "tests", "git", "files"]\nmax_file_bytes = 64\n'
BIG = "value = 1  # a line of a file above the policy's cap\n" * 9  # 9 lines of 56 bytes: 504 bytes


def record_beyond(home: Path, root: Path, name: str) -> Path:
    """An episode of `root` holding a command step and `name`, a file above 64 bytes, sealed: its path."""
    with running(home) as daemon, daemon.client() as client:
        assert client.hello(root, "bridge", position_encoding="utf-16")["recording"]
        wait_capturing(client, root)
        send(client, [{"kind": "command", "argv": ["make", "deploy"], "cwd": ".", "exit_code": 0}], now_ms())
        (root / name).write_text(BIG, encoding="utf-8")
        wait_recorded(daemon.home, root, lambda steps: any(s.get("path") == name and s.get("text")
                                                           for s in steps), f"{name} to be recorded")
        sealed = json.loads(ok(codetape(home, "seal", "--json", str(root))))
    return Path(sealed["path"])


def steps_of(home: Path, episode: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in ok(codetape(home, "cat", str(episode))).splitlines()]


def test_the_managed_channels_and_size_cap_bind_at_signing_and_at_upload(policy: Path,
                                                                          tmp_path: Path) -> None:
    home = tmp_path / "home"
    root = opt_in(tmp_path / "ws", "", home=home)
    assert ok(codetape(home, "keys", "init", "--no-passphrase"))
    before = record_beyond(home, root, "friday.py")
    ok(codetape(home, "sign", str(before), "--yes"))  # signed before the policy said anything
    outbox = home / "outbox"
    first = set(outbox.glob("*.ctape"))
    later = record_beyond(home, root, "monday.py")
    held = steps_of(home, later)
    assert [s for s in held if s["kind"] == "command"]
    assert any(s.get("path") == "monday.py" and s.get("text") == BIG for s in held)
    assert "make deploy" in ok(codetape(home, "sign", str(later), "--dry-run"))
    install(policy.parent, LIMITS)
    assert "make deploy" not in ok(codetape(home, "sign", str(later), "--dry-run"))  # the review's view

    signed = codetape(home, "sign", str(later), "--yes")
    assert signed.returncode == 0, signed.stderr
    assert ("kept to the managed policy: took out 1 command step (channel commands), 1 file text of up to "
            f"{len(BIG)} bytes (above 64)\n") in signed.stdout
    (sent,) = set(outbox.glob("*.ctape")) - first
    steps = steps_of(home, sent)
    assert not [s for s in steps if s["kind"] == "command"]
    monday = [s for s in steps if s.get("path") == "monday.py" and s["kind"] == "file_change"]
    assert monday and all(s.get("text") is None for s in monday)
    assert {"omitted": "too_large", "size": len(BIG)}.items() <= monday[-1].items()
    episode = open_episode(sent)  # it says what it records under, and its statement signs that
    kept = ["edits", "diagnostics", "tests", "git", "files"]
    capture = episode.header.capture
    assert (sorted(capture.channels), capture.max_file_bytes) == (sorted(kept), 64)
    assert sorted(check_signature(episode).scope.channels) == sorted(kept)

    receiver = tmp_path / "receiver"
    receiver.mkdir()
    (home / "config.toml").write_text(f'[upload]\nto = "{receiver.as_uri()}"\n', encoding="utf-8")
    done = codetape(home, "upload")
    assert done.returncode != 0
    refused = [line for line in done.stderr.splitlines() + done.stdout.splitlines() if "stays" in line]
    assert len(refused) == 1, (done.stdout, done.stderr)
    assert (f"the managed policy ({policy}) allows at most channels edits, diagnostics, tests, git, files "
            f"and size cap 64 bytes, and it holds 1 command step (channel commands), 1 file text of up to "
            f"{len(BIG)} bytes (above 64); it was signed before the policy said so, and stays") in refused[0]
    arrived = list(receiver.rglob("*.ctape"))  # the one kept to the policy, not the one signed before
    assert len(arrived) == 1 and arrived[0].read_bytes() == sent.read_bytes()
