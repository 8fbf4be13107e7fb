"""A real issuer for tests: `codetape issuer init` in a folder of its own, then `codetape issuer serve` as a
process on a free loopback port (port 0: the kernel picks it, the server prints the URL it bound), stopped
by its pid. Its stdout and stderr go to files in the folder's parent, so that tests can read them."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.cli import codetape, environment
from tests.waiting import wait_for

_URL = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")


@dataclass
class Issuer:
    """An issuer's folder (`directory`), the CODETAPE_HOME its commands run with, and its server process."""

    base: Path
    proc: subprocess.Popen[bytes] | None = None
    url: str = ""
    secrets: dict[str, str] = field(default_factory=dict)

    @property
    def home(self) -> Path:
        return self.base / "issuer-home"

    @property
    def directory(self) -> Path:
        return self.base / "issuer"

    @property
    def stdout(self) -> Path:
        return self.base / "serve.out"

    @property
    def stderr(self) -> Path:
        return self.base / "serve.err"

    def init(self) -> Issuer:
        done = codetape(self.home, "issuer", "init", str(self.directory))
        assert done.returncode == 0, done.stderr
        return self

    def start(self, *, open_files: int | None = None) -> Issuer:
        """Serve; `open_files`: the soft limit of open files it starts with (its hard limit stays)."""
        def limited() -> None:
            import resource

            hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
            resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, hard))

        with open(self.stdout, "wb") as out, open(self.stderr, "wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "collector", "issuer", "serve", "--dir", str(self.directory),
                 "--listen", "127.0.0.1:0"], env=environment(self.home), stdin=subprocess.DEVNULL,
                stdout=out, stderr=err, preexec_fn=limited if open_files is not None else None)
        self.url = wait_for(self._bound, what="the issuer's listening line", detail=self._output)
        return self

    def add_member(self, name: str, quota: int) -> str:
        """The member's one-time enrolment secret."""
        done = codetape(self.home, "issuer", "member", "add", name, "--quota", str(quota), "--dir",
                        str(self.directory), "--json")
        assert done.returncode == 0, done.stderr
        secret = str(json.loads(done.stdout)["secret"])
        self.secrets[name] = secret
        return secret

    def enrol(self, home: Path, name: str, *, quota: int = 20, count: int = 5) -> None:
        """Add member `name` and enrol `home` with a batch of `count` keys for this month."""
        secret = self.add_member(name, quota)
        # `--secret=S`: a secret may start with "-"
        done = codetape(home, "enroll", self.url, f"--secret={secret}", "--count", str(count))
        assert done.returncode == 0, done.stderr

    def export(self, target: Path) -> bytes:
        done = codetape(self.home, "issuer", "export", "-o", str(target), "--dir", str(self.directory))
        assert done.returncode == 0, done.stderr
        return target.read_bytes()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)

    def _bound(self) -> str | None:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"codetape issuer serve exited with {self.proc.returncode}: "
                                 f"{self._output()}")
        match = _URL.search(self.stdout.read_text(encoding="utf-8", errors="replace"))
        return match.group(1) if match else None

    def _output(self) -> str:
        return (self.stdout.read_text(errors="replace") + self.stderr.read_text(errors="replace"))[-2000:]
