"""`codetape acp -- AGENT` forwards every byte both ways unchanged and exits with the agent's status, with
or without a collector (a real process behind it: `cat` returns what the client sends, byte for byte)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.cli import codetape_process, environment

# not only ACP's lines of JSON: whatever a client sends is forwarded as it is (a line of 1 MiB, bytes that
# are not UTF-8, a last line without its break)
TRAFFIC = (b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":1}}\n'
           + b'{"x":"' + b"y" * (1 << 20) + b'"}\n' + bytes(range(256)) + b"\n{half a line")


def test_every_byte_is_forwarded_and_the_agent_s_status_is_codetape_s(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "collector", "acp", "--no-autostart", "--", "cat"],
                          input=TRAFFIC, capture_output=True, env=environment(tmp_path / "home"), timeout=60,
                          check=False)
    assert done.stdout == TRAFFIC
    assert done.returncode == 0, done.stderr
    failed = codetape_process(tmp_path / "home", "acp", "--no-autostart", "--", "sh", "-c", "exit 3")
    assert failed.returncode == 3


def test_an_agent_that_cannot_start_is_one_line(tmp_path: Path) -> None:
    done = codetape_process(tmp_path / "home", "acp", "--no-autostart", "--", str(tmp_path / "no-such-agent"))
    assert done.returncode == 1
    assert done.stderr.startswith("codetape: cannot start the ACP agent") and done.stderr.count("\n") == 1, \
        done.stderr
    usage = codetape_process(tmp_path / "home", "acp")
    assert usage.returncode != 0 and usage.stderr.startswith("codetape:"), usage.stderr
