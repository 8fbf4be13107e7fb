"""The `codetape` command line for tests: in this process by default, in a fresh one where that is the point.

`codetape(home, ARGS)` runs `collector.cli.main.main(ARGS, env)` here, with CODETAPE_HOME=`home` in `env`,
stdin, stdout and stderr swapped for buffers (none is a terminal, as under `subprocess.run`) and the
working directory changed for the call, and returns what `subprocess.run(..., text=True)` would: exit
code, stdout and stderr decoded as a real process decodes them. A command starts in milliseconds instead
of the half second a new interpreter takes to import it, which is most of a CLI test's time.

`codetape_process` is the same call in a fresh `python -m collector`: for the commands that own the
process (`run`, `collector`, `bridge`, `demo`), for an environment of the test's own (HOME, USER, AWS
credentials: the in-process call hands the command CODETAPE_HOME only, and what reads the environment below
the command line reads this process's), and for the smoke tests that the real entry point works.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from collector.cli.main import main

NO_AWS_OF_THE_USERS = {"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": os.devnull,
                       "AWS_SHARED_CREDENTIALS_FILE": os.devnull}  # tests/conftest.py sets them for the run
# fds, signals, a server: a process each
OWN_THE_PROCESS = frozenset({"run", "collector", "bridge", "acp", "demo"})
TIMEOUT_S = 120


def environment(home: Path, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment with CODETAPE_HOME=`home`, and `env` on top."""
    return {**os.environ, **(env or {}), "CODETAPE_HOME": str(home)}


def codetape(home: Path, *args: str, cwd: Path | None = None,
             stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`codetape ARGS` run in this process, its output as text (newlines translated, as with text=True)."""
    done = codetape_bytes(home, *args, cwd=cwd, stdin=None if stdin is None else stdin.encode())
    return subprocess.CompletedProcess(done.args, done.returncode, _text(done.stdout, "surrogateescape"),
                                       _text(done.stderr, "replace"))


def codetape_bytes(home: Path, *args: str, cwd: Path | None = None,
                   stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """`codetape ARGS` run in this process, its output as the bytes a process would have written."""
    command = next((arg for arg in args if not arg.startswith("-")), "")
    if command in OWN_THE_PROCESS:
        raise AssertionError(f"codetape {command} owns its process: run it with tests.cli.codetape_process")
    out, err = io.BytesIO(), io.BytesIO()
    with _standard_streams(stdin or b"", out, err), contextlib.chdir(cwd or Path.cwd()):
        try:
            code = main(list(args), environment(home))
        except SystemExit as exc:  # argparse: --help, --version and usage errors
            code = _exit_code(exc)
    return subprocess.CompletedProcess(["codetape", *args], code, out.getvalue(), err.getvalue())


def codetape_process(home: Path, *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None,
                     stdin: str | None = None, timeout: float = TIMEOUT_S,
                     ) -> subprocess.CompletedProcess[str]:
    """`codetape ARGS` in a fresh `python -m collector` (stdin empty unless given)."""
    return subprocess.run([sys.executable, "-m", "collector", *args], env=environment(home, env), cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout, input=stdin,
                          stdin=None if stdin is not None else subprocess.DEVNULL, check=False)


@contextlib.contextmanager
def _standard_streams(stdin: bytes, out: io.BytesIO, err: io.BytesIO) -> Iterator[None]:
    """sys.stdin, sys.stdout and sys.stderr as a process whose three are pipes has them (UTF-8; stderr
    backslash-escapes what it cannot encode), over these buffers."""
    streams = (io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8", errors="surrogateescape"),
               io.TextIOWrapper(out, encoding="utf-8", errors="surrogateescape"),
               io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace", line_buffering=True))
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = streams
    try:
        yield
    finally:
        for stream in streams[1:]:
            stream.flush()
            stream.detach()  # the buffer outlives its wrapper
        sys.stdin, sys.stdout, sys.stderr = saved


def _exit_code(exc: SystemExit) -> int:
    """The exit status the interpreter would give `exc` (a message is printed, as it would be)."""
    if exc.code is None or isinstance(exc.code, int):
        return exc.code or 0
    print(exc.code, file=sys.stderr)
    return 1


def _text(data: bytes, errors: str) -> str:
    return data.decode("utf-8", errors).replace("\r\n", "\n").replace("\r", "\n")
