"""Through the real collector: the developer's home, workspace path, login and host names never reach the
sealed episode, in any channel; paths in the workspace become relative, the home `~`, the names
placeholders, and the developer's code is left as it was."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from collector.episode.container import decompress, iter_frames, read_preamble
from collector.text.digest import sha256_text
from tests.support.collector_harness import (
    codetape,
    codetape_process,
    env_for,
    running,
    settle,
    wait_capturing,
    wait_recorded,
)

LOGIN = "zqxlogin7"
HOST = "zqxhost-box"
CODE = ("import getpass, os\n"
        "print('cwd', os.getcwd())\n"
        "print('python', os.path.join(os.environ['HOME'], '.venv/bin/python'))\n"
        "print('on', os.environ['HOSTNAME'], 'as', getpass.getuser())\n"
        "raise SystemExit(3)\n")
FAILING = ("import os\n\nimport pytest\n\n\n"
           "def test_paths(tmp_path):\n"
           "    here, cache = os.path.abspath(__file__), os.path.expanduser('~/.cache/golden')\n"
           "    if not os.path.exists(cache):\n"
           "        pytest.fail(f\"no {cache} for {here} (tmp {tmp_path} on {os.environ['HOSTNAME']})\")\n")
NORMAL = 'import os\n\n\ndef main(argv: list[str]) -> int:\n    return len(argv) + 1  # a / b ~ c\n'


def _change(line: int, col: int, text: str) -> dict[str, Any]:
    at = {"line": line, "character": col}
    return {"range": {"start": at, "end": at}, "text": text}


def _editor_steps(home: Path) -> tuple[list[dict[str, Any]], str]:
    """An editor session on src/app.py: normal code, a home path typed one key at a time, a diagnostic
    naming an absolute path; the file's final text."""
    typed = f'LOG = "{home}/logs"\n'
    steps: list[dict[str, Any]] = [{"kind": "open", "source": "bridge", "path": "src/app.py", "version": 1,
                                    "text": NORMAL}]
    line = NORMAL.count("\n")
    steps += [{"kind": "edit", "source": "bridge", "path": "src/app.py", "version": n + 2,
               "changes": [_change(line, n, ch)]} for n, ch in enumerate(typed)]
    text = NORMAL + typed
    steps.append({"kind": "diagnostics", "source": "bridge", "path": "src/app.py", "items": [
        {"range": {"start": {"line": line, "character": 7},
                   "end": {"line": line, "character": 7 + len(str(home))}},
         "message": f"'{home}/logs' does not exist", "severity": 2}]})
    steps.append({"kind": "save", "source": "bridge", "path": "src/app.py", "sha256": sha256_text(text)})
    return steps, text


def _every_channel(steps: list[dict[str, Any]]) -> bool:
    return {"command", "test_run", "note"} <= {s["kind"] for s in steps} \
        and any(s.get("op") == "commit" for s in steps) \
        and any(s["kind"] == "file_change" and s["path"] == "tests/test_paths.py" for s in steps)


def _git(root: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args], cwd=root, env=env,
                   check=True, capture_output=True)


def _episode_text(path: Path) -> str:
    """Every frame of the episode file, decompressed, as text (header, steps, keyframes, trailer)."""
    with path.open("rb") as stream:
        read_preamble(stream)
        return b"".join(decompress(f) if f.type in (0x48, 0x53, 0x4B) else f.payload
                        for f in iter_frames(stream)).decode("utf-8", "replace")


def test_no_local_name_reaches_the_sealed_episode(tmp_path: Path) -> None:
    ct_home = tmp_path / "ct"
    user_home = tmp_path / "users" / LOGIN
    root = user_home / "src" / f"{LOGIN}-app"  # the workspace's name holds the login too
    (root / "src").mkdir(parents=True)
    (root / "tests").mkdir()
    names = {"HOME": str(user_home), "USER": LOGIN, "LOGNAME": LOGIN, "HOSTNAME": HOST,
             "PYTEST_DEBUG_TEMPROOT": str(tmp_path / "tmp"), "GIT_CONFIG_NOSYSTEM": "1"}
    (tmp_path / "tmp").mkdir()
    env = env_for(ct_home, names)
    _git(root, env, "init", "-q")
    _git(root, env, "remote", "add", "origin", f"{user_home}/remotes/app.git")
    assert codetape_process(ct_home, "init", str(root), env=names).returncode == 0
    editor, final = _editor_steps(user_home)
    with running(ct_home, env=names) as daemon:
        with daemon.client() as client:
            wait_capturing(client, root)
            assert client.hello(root, "bridge", position_encoding="utf-16")["recording"]
            client.send_steps([(1_000 + n, step) for n, step in enumerate(editor)])
            settle(client)
        (root / "src" / "app.py").write_text(final)
        (root / "tests" / "test_paths.py").write_text(FAILING)
        run = subprocess.run([sys.executable, "-m", "collector", "run", "--", sys.executable, "-c", CODE,
                              f"{root}/src/app.py", f"{user_home}/.config/app.toml"],
                             cwd=root / "src", env=env, capture_output=True, text=True, timeout=60,
                             check=False)
        assert run.returncode == 3 and f"cwd {root}/src" in run.stdout, run.stderr
        tests = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests"], cwd=root,
                               env=env, capture_output=True, text=True, timeout=120, check=False)
        assert tests.returncode == 1, tests.stdout
        _git(root, env, "add", "-A")
        _git(root, env, "commit", "-q", "-m", f"Fix the paths on {HOST}\n\nSeen by {LOGIN} in {root}")
        assert codetape_process(ct_home, "note", f"see {user_home}/notes.txt on {HOST}", "--dir", str(root),
                                env=names).returncode == 0
        recorded = wait_recorded(daemon.home, root, _every_channel, "every channel")
        journal = json.dumps(recorded)
        # what the sources sent holds every name (so the episode below is a real test)
        for name in (str(root), str(user_home), LOGIN, HOST):
            assert name in journal
        sealed = codetape_process(ct_home, "seal", "--json", str(root), env=names)
    assert sealed.returncode == 0, sealed.stderr
    episode = Path(json.loads(sealed.stdout)["path"])

    cat = codetape(ct_home, "cat", str(episode))
    inspect = codetape(ct_home, "inspect", "--json", str(episode))
    assert cat.returncode == 0 and inspect.returncode == 0, cat.stderr + inspect.stderr
    raw = episode.read_bytes()
    everything = "\n".join([cat.stdout, inspect.stdout, _episode_text(episode)])
    for name in (str(root), str(user_home), LOGIN):
        assert name not in everything and name.encode() not in raw
    assert HOST.lower() not in everything.lower() and HOST.encode() not in raw

    steps = [json.loads(line) for line in cat.stdout.splitlines()]
    command = next(s for s in steps if s["kind"] == "command")
    assert command["argv"][-2:] == ["./src/app.py", "~/.config/app.toml"]
    assert "cwd ./src\npython ~/.venv/bin/python\non «host» as «user»\n" in command["output_tail"]
    summary = next(s for s in steps if s["kind"] == "test_run")["tests"][0]["summary"]
    assert "no ~/.cache/golden for tests/test_paths.py (tmp " in summary
    assert "/pytest-of-«user»/pytest-0/test_paths0 on «host»)" in summary
    commit = next(s for s in steps if s["kind"] == "git" and s["op"] == "commit")
    assert commit["message"] == "Fix the paths on «host»\n\nSeen by «user» in .\n"
    assert next(s for s in steps if s["kind"] == "note")["text"] == "see ~/notes.txt on «host»"
    diagnostic = next(s for s in steps if s["kind"] == "diagnostics")["items"][0]
    assert diagnostic["message"] == "'~/logs' does not exist"
    assert diagnostic["range"]["end"]["character"] - diagnostic["range"]["start"]["character"] == 1
    assert json.loads(inspect.stdout)["workspace"] == {
        "root_name": "«user»-app", "git_remote": "~/remotes/app.git", "head_at_start": None}
    # the review on this machine still finds the workspace the masked name stands for
    review = codetape_process(ct_home, "review", str(episode), "--summary", "--json", env=names)
    assert review.returncode == 0, review.stderr
    assert json.loads(review.stdout)["workspace_dir"] == str(root)

    # the developer's code as it was, the home path in it masked; the episode replays exactly
    verify = codetape(ct_home, "verify", str(episode))
    assert verify.returncode == 0, verify.stdout + verify.stderr
    out = tmp_path / "out"
    assert codetape(ct_home, "checkout", str(episode), str(out)).returncode == 0
    assert (out / "src/app.py").read_text() == NORMAL + 'LOG = "~/logs"\n'
    assert (out / "tests/test_paths.py").read_text() == FAILING


NAME, EMAIL, HANDLE = "Alice Liddell", "a.liddell@acme.example", "aliddell7"


def test_the_git_identity_is_masked_where_it_is_said_and_kept_where_committed_files_hold_it(
        tmp_path: Path) -> None:
    """Issue 52, item 2: one `git log -1` put `Author: Alice Liddell <a.liddell@acme.example>` into the
    episode. The developer's git identity (user.name, user.email, a fork's owner) is masked as the login is;
    file text keeps what a pushed file already holds (AUTHORS on a remote-tracking branch; issue 67: not the
    local HEAD, which may hold unpushed commits), so it still matches git."""
    ct_home, user_home = tmp_path / "ct", tmp_path / "users" / LOGIN
    root = user_home / "src" / "app"
    root.mkdir(parents=True)
    names = {"HOME": str(user_home), "USER": LOGIN, "LOGNAME": LOGIN, "HOSTNAME": HOST,
             "GIT_CONFIG_NOSYSTEM": "1"}
    env = env_for(ct_home, names)

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True)

    git("init", "-q")
    git("config", "user.name", NAME)
    git("config", "user.email", EMAIL)
    git("remote", "add", "origin", f"git@github.com:{HANDLE}/app.git")  # her fork
    git("remote", "add", "upstream", "https://github.com/acme-platform/app.git")
    authors = f"{NAME} <{EMAIL}>\n"
    (root / "AUTHORS").write_text(authors)
    git("add", "AUTHORS")
    git("commit", "-q", "-m", "authors")
    company = tmp_path / "company.git"  # the AUTHORS commit is pushed: a remote-tracking branch holds it
    subprocess.run(["git", "init", "-q", "--bare", str(company)], env=env, check=True, capture_output=True)
    git("push", "-q", str(company), "HEAD:refs/heads/main")
    git("fetch", "-q", str(company), "+refs/heads/main:refs/remotes/upstream/main")
    assert codetape_process(ct_home, "init", str(root), env=names).returncode == 0
    contrib = f"Fork: https://github.com/{HANDLE}/app\n"
    with running(ct_home, env=names) as daemon:
        with daemon.client() as client:
            wait_capturing(client, root)
            assert client.hello(root, "bridge", position_encoding="utf-16")["recording"]
            files = (("AUTHORS", authors), ("CONTRIB.md", contrib))
            client.send_steps([(1_000 + n, {"kind": "open", "source": "bridge", "path": path, "version": 1,
                                            "text": text}) for n, (path, text) in enumerate(files)])
            settle(client)
        (root / "x.py").write_text("x = 1\n")
        git("add", "x.py")
        git("commit", "-q", "-m", f"x\n\nSigned-off-by: {NAME} <{EMAIL}>")
        run = subprocess.run([sys.executable, "-m", "collector", "run", "--", "git", "log", "-1"], cwd=root,
                             env=env, capture_output=True, text=True, timeout=60, check=False)
        assert run.returncode == 0 and f"Author: {NAME} <{EMAIL}>" in run.stdout, run.stderr
        recorded = wait_recorded(daemon.home, root, lambda steps: any(s.get("op") == "commit" for s in steps)
                                 and any(s["kind"] == "command" for s in steps), "the commit and git log")
        assert NAME in json.dumps(recorded)  # what the sources sent holds it: the episode below is a test
        sealed = codetape_process(ct_home, "seal", "--json", str(root), env=names)
    assert sealed.returncode == 0, sealed.stderr
    steps = [json.loads(line) for line in codetape(ct_home, "cat", json.loads(sealed.stdout)["path"]).stdout
             .splitlines()]
    opened = {s["path"]: s["text"] for s in steps if s["kind"] == "open"}
    assert opened["AUTHORS"] == authors  # committed: kept, as git has it
    assert opened["CONTRIB.md"] == "Fork: https://github.com/«user»/app\n"  # her handle: no file holds it
    output = next(s for s in steps if s["kind"] == "command")["output_tail"]
    assert "Author: «user» <«user»>" in output
    commit = next(s for s in steps if s.get("op") == "commit")
    assert commit["message"] == "x\n\nSigned-off-by: «user» <«user»>\n"
    said = json.dumps([s for s in steps if s["kind"] != "open"])
    for value in (NAME, EMAIL, HANDLE):
        assert value not in said
