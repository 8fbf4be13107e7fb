"""What a command loads before it answers, seen in a fresh interpreter: the top-level help no command's
module and no pydantic, `codetape episodes` no pydantic for sealed, uploaded and recording episodes,
`status`, `note` and `run` none of what their cold start used to pay for and their answers do not need."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from collector.cli.table import COMMANDS
from collector.journal import JournalWriter
from tests.fixtures.make_golden import FULL_HEADER
from tests.unit.episode.test_listing import GOLDEN, damaged, reader_error


def test_top_level_help_imports_no_command_and_no_pydantic() -> None:
    probe = ("import sys\nfrom collector.cli.main import main\n"
             "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
             "loaded = [m for m in sys.modules\n"
             "          if m.startswith('collector.cli.commands.') or m == 'pydantic']\n"
             "print(loaded, file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stderr.strip() == "[]"
    assert all(name in done.stdout for name in COMMANDS)


def test_the_command_lists_sealed_and_uploaded_episodes_without_pydantic(tmp_path: Path) -> None:
    """A sealed episode, and a signed one in the outbox with its receipt: listed by the real command, with
    pydantic never loaded; a damaged file is its row's one line."""
    home = tmp_path / "home"
    for folder in ("episodes", "outbox", "receipts"):
        (home / folder).mkdir(parents=True, mode=0o700)
    (home / "episodes" / "full.ctape").write_bytes((GOLDEN[0].parent / "full.ctape").read_bytes())
    damaged(home / "episodes", "flipped")
    eid = "d2a9c3f4-5e6b-4a7c-8d9e-0f1a2b3c4d5e"  # unicode.ctape's id
    (home / "outbox" / f"{eid}.ctape").write_bytes((GOLDEN[0].parent / "unicode.ctape").read_bytes())
    destination = {"url": "file:///srv/ct", "endpoint_url": None, "endpoint": None, "region": None,
                   "profile": None, "allow_insecure": False}
    (home / "receipts" / f"{eid}.json").write_text(json.dumps({
        "episode_id": eid, "sha256": "0" * 64, "bytes": 1, "signer_key_id": "k",
        "deliveries": [{"destination": destination, "key": "/srv/ct/episodes/x.ctape",
                        "manifest_key": "/srv/ct/episodes/x.json", "uploaded_at": "2026-11-22T21:18:36.5Z",
                        "sent_bytes": 1}], "pending": [], "revoked": None}))
    probe = ("import sys\nfrom collector.cli.main import main\nmain(['episodes', '--json'])\n"
             "print('pydantic' in sys.modules, file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          env={"CODETAPE_HOME": str(home), "PATH": "/usr/bin:/bin"})
    assert done.stderr.strip() == "False"
    rows = {row["id"]: row for row in json.loads(done.stdout)}
    assert rows["flipped"]["state"] == f"damaged: {reader_error(home / 'episodes' / 'flipped.ctape')}"
    delivered = {"destination": "file:///srv/ct", "at": "2026-11-22T21:18:36.500000Z",
                 "key": "/srv/ct/episodes/x.ctape"}
    assert (rows[eid]["state"], rows[eid]["steps"], rows[eid]["uploads"]) == ("uploaded", 14, [delivered])
    assert rows[str(FULL_HEADER.episode_id)]["steps"] == 21


def test_listing_a_journal_loads_no_pydantic(tmp_path: Path) -> None:
    journals = tmp_path / "home" / "journals"
    journals.mkdir(parents=True, mode=0o700)
    JournalWriter.create(journals / f"{FULL_HEADER.episode_id}.journal", FULL_HEADER).close()
    probe = ("import sys\nfrom collector.cli.main import main\nmain(['episodes'])\n"
             "print('pydantic' in sys.modules, file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          env={"CODETAPE_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"})
    assert done.stderr.strip() == "False"
    fields = done.stdout.split()  # one line an episode: id, state, start (local time), duration, workspace
    assert fields[:2] == [str(FULL_HEADER.episode_id)[:8], "recording"] and fields[-1] == "pager"



# What `status` leaves unloaded on a machine with no collector running, no managed policy, no upload
# destination and no agent's hooks (issue 108, item 8): each is milliseconds of a cold start (msgspec ~10,
# tomlkit ~8, the settings' structs ~10, uuid ~3 with platform), loaded where the answer needs them.
NOT_LOADED = ("msgspec", "tomlkit", "schemas.settings", "schemas.header", "collector.policy.stricter",
              "collector.workspace.identity", "uuid", "difflib", "subprocess", "pydantic", "typing",
              "dataclasses", "tomllib", "hashlib", "collector.policy.managed", "argparse",
              "collector.safe_urls", "shlex")


def test_status_loads_only_what_its_answer_needs(tmp_path: Path) -> None:
    probe = ("import sys\nfrom collector.cli.main import main\nmain(['status'])\n"
             f"print([m for m in {NOT_LOADED!r} if m in sys.modules], file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          env={"CODETAPE_HOME": str(tmp_path / "home"), "HOME": str(tmp_path),
                               "PATH": "/usr/bin:/bin"}, cwd=tmp_path, timeout=60)
    assert done.stderr.strip() == "[]", done.stderr
    assert "collector: not running" in done.stdout


# What `status`, `note` and `run -- true` leave unloaded in an opted-in workspace with its collector running
# (issue 108, item 8; their cold start is timed in test_cli_start_times.py): each was milliseconds of it,
# loaded now only where a command's answer needs it (typing ~3, dataclasses with inspect ~5, msgspec ~10,
# tomllib ~2, hashlib ~2, argparse's help formatter with shutil ~2, the managed policy's models; then
# argparse's module with gettext ~2 (cli/quick.py's line in a SimpleNamespace), datetime ~1.5 (`note`),
# safe_urls's patterns and shlex, what starts a collector when one is running, the socket package ~2 with
# selectors: the client connects through its C half).
NOT_LOADED_BY_ANY = ("typing", "dataclasses", "inspect", "msgspec", "tomllib", "tomlkit", "hashlib", "shutil",
                     "uuid", "platformdirs", "asyncio", "pydantic", "schemas.settings",
                     "collector.policy.managed", "collector.sources.agents.codex_trust",
                     "collector.upload.destinations", "argparse", "gettext", "collector.safe_urls", "shlex",
                     "collector.protocol.starter", "socket")
NOT_LOADED_BY = {"status": ("datetime", "subprocess", "locale", "selectors", "collector.protocol.starting",
                            "collector.sources.agents.configs"),
                 "note": ("datetime", "subprocess", "locale", "selectors", "collector.protocol.spawn",
                          "collector.protocol.starting", "collector.protocol.stopped"),
                 "run": ("datetime", "collector.protocol.spawn", "collector.protocol.starting",
                         "collector.protocol.stopped", "collector.sources.shell.recorder",
                         "collector.atomic")}


def test_status_note_and_run_load_only_what_their_answers_need(tmp_path: Path) -> None:
    from tests.e2e.conftest import environment, opted_in_repository, running_collector

    env = environment(tmp_path)
    ws = opted_in_repository(tmp_path / "ws", env)
    with running_collector(env, tmp_path / "collector.log"):
        for argv in (["status"], ["note", "a cold start"], ["run", "--", "true"]):
            unloaded = (*NOT_LOADED_BY_ANY, *NOT_LOADED_BY[argv[0]])
            probe = ("import sys\nfrom collector.cli.main import main\n"
                     f"code = main({argv!r})\n"
                     f"print(code, [m for m in {unloaded!r} if m in sys.modules], file=sys.stderr)\n")
            done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                                  env=env, cwd=ws, timeout=60)
            assert done.stderr.strip() == "0 []", (argv, done.stderr)
            assert done.stdout.startswith({"status": "collector: running", "note": "noted at ",
                                           "run": ""}[argv[0]]), done.stdout
