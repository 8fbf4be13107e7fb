"""Through the real collector: secrets sent in every channel never reach the sealed episode; it verifies."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

from collector.episode.container import decompress, iter_frames, read_preamble
from collector.redact import mask
from collector.redact.scanning.ruleset import value_hash
from collector.seal.summaries import read_summary, summary_path
from collector.text.digest import sha256_text
from tests.support.collector_harness import codetape, decoded_episodes, episode_steps, running, settle

GH = "ghp_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4"
AWS_ID = "AKIAQ3EGUIJ2ZK4PLMXW"
AWS_SECRET = "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"
DB_PASSWORD = "Vq7#mK2p!Lx9sRt"
STRIPE = "sk_live_51HxQ2mK8vN3pL7rT9wY4bC6dF1gJ5hZ0aS2eX"
PEM_BODY = ["MIIEowIBAAKCAQEAwq3J8p8K0YVgmoN2x4Vb7lQeY3tZx9hW1nT5cR2vK8sLm0Pq",
            "Xe4aD7fG2hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hI3jK5lM7nO9pQ1rS3"]
PEM = "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(PEM_BODY) + "\n-----END RSA PRIVATE KEY-----\n"
SECRETS = [GH, AWS_ID, AWS_SECRET, DB_PASSWORD, STRIPE, *PEM_BODY]


def _change(line: int, col: int, text: str, end: tuple[int, int] | None = None) -> dict[str, Any]:
    el, ec = end if end is not None else (line, col)
    return {"range": {"start": {"line": line, "character": col}, "end": {"line": el, "character": ec}},
            "text": text}


def _session() -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Steps as the bridge, the shell hook, pytest and the git watcher send them; the files' final texts."""
    steps: list[dict[str, Any]] = [{"kind": "open", "source": "bridge", "path": "src/settings.py",
                                    "version": 1, "text": "import os\n\n"}]
    line = 'GITHUB_TOKEN = "'
    for n, ch in enumerate(line + GH + '"'):  # typed one key at a time
        steps.append({"kind": "edit", "source": "bridge", "path": "src/settings.py", "version": n + 2,
                      "changes": [_change(1, n, ch)]})
    settings = 'import os\nGITHUB_TOKEN = "' + GH + '"\n'
    pasted = f'DATABASE_URL = "postgresql://app:{DB_PASSWORD}@db.internal:5432/app"\n'
    steps.append({"kind": "edit", "source": "bridge", "path": "src/settings.py",
                  "changes": [_change(2, 0, pasted)]})
    settings += pasted
    steps.append({"kind": "save", "source": "bridge", "path": "src/settings.py",
                  "sha256": sha256_text(settings)})
    # a private key pasted one line at a time into another buffer
    steps.append({"kind": "open", "source": "bridge", "path": "deploy/signing.txt", "text": ""})
    for n, text in enumerate(PEM.splitlines(keepends=True)):
        steps.append({"kind": "edit", "source": "bridge", "path": "deploy/signing.txt",
                      "changes": [_change(n, 0, text)]})
    steps.append({"kind": "save", "source": "bridge", "path": "deploy/signing.txt", "text": PEM,
                  "sha256": sha256_text(PEM)})
    steps.append({"kind": "diagnostics", "source": "bridge", "path": "src/settings.py", "items": [
        {"range": {"start": {"line": 1, "character": 16}, "end": {"line": 1, "character": 56}},
         "message": f"hard-coded credential '{GH}'", "severity": 2}]})
    steps += [
        {"kind": "command", "source": "shell", "command_line": f"export AWS_ACCESS_KEY_ID={AWS_ID} "
                                                               f"AWS_SECRET_ACCESS_KEY={AWS_SECRET}"},
        {"kind": "command", "source": "run", "argv": ["curl", "-u", f"{STRIPE}:", "https://api.stripe.com/v1"],
         "exit_code": 0, "output_tail": f'{{"error": "Invalid API Key provided: {STRIPE}"}}'},
        {"kind": "test_run", "source": "pytest", "exit_status": 1, "tests": [
            {"nodeid": "tests/test_settings.py::test_token", "outcome": "failed",
             "summary": f"AssertionError: assert '{GH}' == 'ghp_expected'"}]},
        {"kind": "git", "source": "git", "op": "commit", "sha": "0123abcd",
         "message": f"Add settings\n\nOops, the key {AWS_ID} is in here"},
        {"kind": "note", "source": "cli", "text": f"rotate {DB_PASSWORD} and {STRIPE}"},
        {"kind": "task", "source": "cli", "action": "start", "statement": f"debug login with {GH}"},
    ]
    return steps, {"src/settings.py": settings, "deploy/signing.txt": PEM}


def test_a_sealed_episode_holds_no_secret_and_verifies(tmp_path: Path) -> None:
    home = tmp_path / "home"
    root = tmp_path / "ws"
    root.mkdir()
    assert codetape(home, "init", str(root)).returncode == 0
    steps, files = _session()
    with running(home) as daemon, daemon.client() as client:
        assert client.hello(root.resolve(), "bridge", position_encoding="utf-16")["recording"]
        client.send_steps([(1_000 + n, step) for n, step in enumerate(steps)])
        settle(client)
        sealed = client.request("seal", workspace=str(root.resolve()))
    assert sealed is not None
    episode = Path(sealed["path"])

    decoded = decoded_episodes(daemon.home)
    raw = episode.read_bytes()
    with episode.open("rb") as stream:
        read_preamble(stream)
        frames = b"".join(decompress(f) if f.type in (0x48, 0x53) else f.payload for f in iter_frames(stream))
    for secret in SECRETS:
        assert secret not in decoded
        for blob in (raw, frames):
            assert secret.encode() not in blob
            assert secret[: len(secret) // 2].encode() not in blob  # no long prefix either
    assert "«redacted:github-token:1»" in decoded and "«redacted:private-key:1»" in decoded

    verify = codetape(home, "verify", str(episode))
    assert verify.returncode == 0, verify.stderr
    assert verify.stdout.startswith("ok")
    checkout = tmp_path / "out"
    done = codetape(home, "checkout", str(episode), str(checkout))
    assert done.returncode == 0, done.stderr
    # the files as the episode reconstructs them: the placeholders where the values were
    assert (checkout / "src/settings.py").read_text(encoding="utf-8") == files["src/settings.py"].replace(
        GH, "«redacted:github-token:1»").replace(DB_PASSWORD, "«redacted:url-password:1»")
    assert (checkout / "deploy/signing.txt").read_text(encoding="utf-8") == (
        "-----BEGIN RSA PRIVATE KEY-----\n«redacted:private-key:1»\n-----END RSA PRIVATE KEY-----\n")

    redactions = {s["placeholder"]: s for s in episode_steps(episode) if s["kind"] == "redaction"}
    assert redactions["«redacted:github-token:1»"]["count"] >= 4
    assert set(s["rule"] for s in redactions.values()) >= {"github-token", "aws-access-key", "aws-secret-key",
                                                           "url-password", "stripe-key", "private-key"}
    side = summary_path(episode)
    assert stat.S_IMODE(side.stat().st_mode) == 0o600
    summary = read_summary(episode)
    assert summary is not None and summary.counts["github-token"] == 1
    assert dict(summary.masked)["«redacted:github-token:1»"] == "ghp_…gU4"
    assert not any(secret in json.dumps(summary.to_dict()) for secret in SECRETS)


def test_the_workspace_allow_list_lets_a_false_positive_through(tmp_path: Path) -> None:
    """`[redaction] allow` in .codetape.toml, applied by the collector's own seal: the allowed value is in
    the episode as typed, a secret next to it is not, and the review lists the value as allowed."""
    fixture = "Zx9Qw8Er7Ty6Ui5Op4As"  # shaped like a token, a test fixture in truth
    home, root = tmp_path / "home", tmp_path / "ws"
    root.mkdir()
    assert codetape(home, "init", str(root)).returncode == 0
    with (root / ".codetape.toml").open("a", encoding="utf-8") as settings:
        settings.write(f'\n[redaction]\nallow = ["{value_hash(fixture)}"]\n')
    assert codetape(home, "trust", str(root), "--yes").returncode == 0  # an allow-list applies once accepted
    steps = [{"kind": "note", "source": "cli", "text": f'fixture_token = "{fixture}" and the real one {GH}'},
             {"kind": "command", "source": "shell", "command_line": f"pytest --token={fixture}"}]
    with running(home) as daemon, daemon.client() as client:
        assert client.hello(root.resolve(), "bridge", position_encoding="utf-16")["recording"]
        client.send_steps([(1_000 + n, step) for n, step in enumerate(steps)])
        settle(client)
        sealed = client.request("seal", workspace=str(root.resolve()))
    assert sealed is not None
    decoded = decoded_episodes(daemon.home)
    assert decoded.count(fixture) == 2 and GH not in decoded
    review = codetape(home, "review", sealed["path"], "--summary")
    assert review.returncode == 0, review.stderr
    assert "allowed     1 value found but not redacted (the workspace's [redaction] allow)" in review.stdout
    listed = next(line for line in review.stdout.splitlines() if value_hash(fixture) in line)
    assert listed.startswith(f"  {mask(fixture)}  generic-secret, ")
    assert listed.endswith(f"by {value_hash(fixture)}")


def test_secrets_in_file_names_base64_and_command_lines_never_reach_the_episode(tmp_path: Path) -> None:
    """Issue 24, through the real collector's seal: a token as a folder's name, credentials wrapped in base64
    (a Kubernetes Secret, `echo ... | base64 -d`) and passwords given on command lines are gone from the
    sealed bytes; the paths are renamed the same in every step, so the episode verifies and checks out."""
    import base64

    password = "Hx7#pLq2vR9z"  # made up, as every value here
    config = json.dumps({"auths": {"registry.acme.test": {"username": "ci", "password": DB_PASSWORD}}})
    dockerconfig = base64.b64encode(config.encode()).decode()
    dotenv = base64.b64encode(f"STRIPE_KEY={STRIPE}\n".encode()).decode()
    regcred = ("kind: Secret\ntype: kubernetes.io/dockerconfigjson\n"
               f"data:\n  .dockerconfigjson: {dockerconfig}\n")
    settings = "x = 1\n"
    home, root = tmp_path / "home", tmp_path / "ws"
    root.mkdir()
    assert codetape(home, "init", str(root)).returncode == 0
    folder = f"keys/{GH}"
    path = f"{folder}/settings.py"
    steps: list[dict[str, Any]] = [
        {"kind": "open", "source": "bridge", "path": path, "version": 1, "text": ""},
        {"kind": "edit", "source": "bridge", "path": path, "changes": [_change(0, 0, settings)]},
        {"kind": "save", "source": "bridge", "path": path, "sha256": sha256_text(settings)},
        {"kind": "open", "source": "bridge", "path": "deploy/regcred.yaml", "text": regcred},
        {"kind": "save", "source": "bridge", "path": "deploy/regcred.yaml", "sha256": sha256_text(regcred)},
        {"kind": "command", "source": "shell", "command_line": f"echo {dotenv} | base64 -d > .env.local"},
        {"kind": "command", "source": "shell", "command_line": f"redis-cli -h cache -a {password} ping"},
        {"kind": "command", "source": "shell", "command_line": f"htpasswd -b .htpasswd admin {password}"},
        {"kind": "command", "source": "shell", "cwd": folder,
         "command_line": f"cat <<< '{password}' | docker login -u ci --password-stdin registry.acme.test"},
    ]
    with running(home) as daemon, daemon.client() as client:
        assert client.hello(root.resolve(), "bridge", position_encoding="utf-16")["recording"]
        client.send_steps([(1_000 + n, step) for n, step in enumerate(steps)])
        settle(client)
        sealed = client.request("seal", workspace=str(root.resolve()))
    assert sealed is not None
    episode = Path(sealed["path"])
    decoded = decoded_episodes(daemon.home)
    with episode.open("rb") as stream:
        read_preamble(stream)
        frames = b"".join(decompress(f) if f.type in (0x48, 0x53) else f.payload for f in iter_frames(stream))
    for secret in (GH, dockerconfig, dotenv, DB_PASSWORD, STRIPE, password):
        assert secret not in decoded
        assert secret.encode() not in frames and secret[: len(secret) // 2].encode() not in frames
    renamed = "keys/«redacted:github-token:1»/settings.py"
    paths = {s.get("path") for s in episode_steps(episode) if s["kind"] in ("open", "edit", "save")}
    assert paths == {renamed, "deploy/regcred.yaml"}
    assert "«redacted:base64-secret:1»" in decoded and "«redacted:cli-password:1»" in decoded

    verify = codetape(home, "verify", str(episode))
    assert verify.returncode == 0, verify.stderr
    checkout = tmp_path / "out"
    done = codetape(home, "checkout", str(episode), str(checkout))
    assert done.returncode == 0, done.stderr
    assert (checkout / renamed).read_text(encoding="utf-8") == settings
    assert (checkout / "deploy/regcred.yaml").read_text(encoding="utf-8") == regcred.replace(
        dockerconfig, "«redacted:base64-secret:1»")


def test_an_assigned_base64_env_and_a_password_read_from_stdin_are_redacted(tmp_path: Path) -> None:
    """Issue 36, through the real collector's seal: a base64'd `.env` assigned to a name no secret's
    (`ENV_FILE_B64=...`) in a script and on a command line, and a plain-word password piped into a registry
    login with options before `--password-stdin`, are gone from the sealed bytes and `codetape cat`."""
    import base64

    word = "correcthorse"  # made up, as every value here: a password with no token's look
    env_b64 = base64.b64encode(f"GITHUB_TOKEN={GH}\nDEBUG=false\n".encode()).decode()
    script = f"#!/bin/sh\nexport ENV_FILE_B64={env_b64}\n./deploy.sh\n"
    home, root = tmp_path / "home", tmp_path / "ws"
    root.mkdir()
    assert codetape(home, "init", str(root)).returncode == 0
    steps: list[dict[str, Any]] = [
        {"kind": "open", "source": "bridge", "path": "deploy/ci.sh", "version": 1, "text": script},
        {"kind": "save", "source": "bridge", "path": "deploy/ci.sh", "sha256": sha256_text(script)},
        {"kind": "command", "source": "shell", "command_line": f"ENV_FILE_B64={env_b64} ./deploy.sh"},
        {"kind": "command", "source": "shell",
         "command_line": f"echo {word} | docker login -u admin --password-stdin registry.acme.test"},
        {"kind": "command", "source": "run",
         "argv": ["sh", "-c", f"printf %s {word} | podman login --username admin --password-stdin quay.io"],
         "exit_code": 0, "output_tail": "Login Succeeded!\n"},
    ]
    with running(home) as daemon, daemon.client() as client:
        assert client.hello(root.resolve(), "bridge", position_encoding="utf-16")["recording"]
        client.send_steps([(1_000 + n, step) for n, step in enumerate(steps)])
        settle(client)
        sealed = client.request("seal", workspace=str(root.resolve()))
    assert sealed is not None
    episode = Path(sealed["path"])
    with episode.open("rb") as stream:
        read_preamble(stream)
        frames = b"".join(decompress(f) if f.type in (0x48, 0x53) else f.payload for f in iter_frames(stream))
    shown = codetape(home, "cat", str(episode))
    assert shown.returncode == 0, shown.stderr
    for secret in (env_b64, word):
        assert secret.encode() not in frames and secret[: len(secret) // 2].encode() not in frames
        assert secret not in shown.stdout
    decoded = decoded_episodes(daemon.home)
    assert "«redacted:base64-secret:1»" in decoded and "«redacted:generic-secret:1»" in decoded
    assert "docker login -u admin --password-stdin registry.acme.test" in decoded
    assert codetape(home, "verify", str(episode)).returncode == 0
