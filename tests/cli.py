"""The `codetape` command line for tests: in this process by default, in a fresh one where that is the point.

`codetape(home, ARGS)` runs `collector.cli.main.main(ARGS, env)` here, with CODETAPE_HOME=`home` in `env`,
stdin, stdout and stderr swapped for buffers (none is a terminal, as under `subprocess.run`) and the
working directory changed for the call, and returns what `subprocess.run(..., text=True)` would: exit
code, stdout and stderr decoded as a real process decodes them. A command starts in milliseconds instead
of the half second a new interpreter takes to import it, which is most of a CLI test's time. It runs the
command in a fresh process instead (`codetape_process`) when the call gives an environment of its own, or
when the command owns the process.

`codetape_process` is the same call in a fresh `python -m collector`: for the commands that own the
process (`run`, `collector`, `bridge`, `demo`), for an environment of the test's own (HOME, USER, AWS
credentials: the in-process call hands the command CODETAPE_HOME only, and what reads the environment below
the command line reads this process's), and for the smoke tests that the real entry point works.

`codetape_limited` runs it in a fresh process under a CPU or address-space limit, and measures its own
peak RSS: for the tests of hostile input, whose point is what the command costs.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from collector.cli.main import main

NO_AWS_OF_THE_USERS = {"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": os.devnull,
                       "AWS_SHARED_CREDENTIALS_FILE": os.devnull}  # tests/conftest.py sets them for the run
# fds, signals, a server: a process each
OWN_THE_PROCESS = frozenset({"run", "collector", "bridge", "acp", "demo"})
TIMEOUT_S = 300


def environment(home: Path, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment with CODETAPE_HOME=`home`, and `env` on top."""
    return {**os.environ, **(env or {}), "CODETAPE_HOME": str(home)}


def codetape(home: Path, *args: str, cwd: Path | None = None, stdin: str | None = None,
             env: Mapping[str, str] | None = None, timeout: float = TIMEOUT_S, check: bool = False,
             keep_cr: bool = False) -> subprocess.CompletedProcess[str]:
    """`codetape ARGS` run in this process, its output as text (newlines translated, as with text=True,
    unless `keep_cr`: a diff's CRs kept); in a fresh process (`codetape_process`) when `env` adds to the
    environment or the command owns its process. `check`: it must succeed (AssertionError with its stderr)."""
    if env is not None or _command(args) in OWN_THE_PROCESS:
        return codetape_process(home, *args, cwd=cwd, env=env, stdin=stdin, timeout=timeout, check=check,
                                keep_cr=keep_cr)
    done = codetape_bytes(home, *args, cwd=cwd, stdin=None if stdin is None else stdin.encode())
    return _checked(_decoded(done, keep_cr), check, args)


def codetape_bytes(home: Path, *args: str, cwd: Path | None = None,
                   stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """`codetape ARGS` run in this process, its output as the bytes a process would have written."""
    command = _command(args)
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
                     stdin: str | None = None, timeout: float = TIMEOUT_S, check: bool = False,
                     keep_cr: bool = False) -> subprocess.CompletedProcess[str]:
    """`codetape ARGS` in a fresh `python -m collector` (stdin empty unless given)."""
    done = subprocess.run([sys.executable, "-m", "collector", *args], env=environment(home, env), cwd=cwd,
                          capture_output=True, timeout=timeout, check=False,
                          input=None if stdin is None else stdin.encode(),
                          stdin=None if stdin is not None else subprocess.DEVNULL)
    return _checked(_decoded(done, keep_cr), check, args)


@dataclass(frozen=True)
class Limited:
    """How a command run by `codetape_limited` ended, and its own peak RSS."""

    returncode: int
    stdout: str
    stderr: str
    peak_mb: float


# Linux counts in a child's ru_maxrss the memory it had before exec: a child forked from this test process
# would report this process's size, which grows over a long run. So a small launcher, small after its own
# exec, starts the command under the limits and reports the command's own peak from wait4 (its waited-for
# children, a build's workers, included).
LAUNCHER = """
import os, resource, subprocess, sys
address_space, cpu_s, peak_file, *argv = sys.argv[1:]
def limits():
    if int(address_space):
        resource.setrlimit(resource.RLIMIT_AS, (int(address_space), int(address_space)))
    if int(cpu_s):
        resource.setrlimit(resource.RLIMIT_CPU, (int(cpu_s), int(cpu_s)))
proc = subprocess.Popen(argv, preexec_fn=limits)
_, status, usage = os.wait4(proc.pid, 0)
with open(peak_file, "w") as out:
    out.write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


def codetape_limited(home: Path, *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None,
                     address_space: int = 0, cpu_s: int = 0, timeout: float = TIMEOUT_S) -> Limited:
    """`codetape ARGS` in a fresh process limited to `address_space` bytes and `cpu_s` seconds of CPU
    (0: no limit), its process group killed after `timeout` s; its output and its own peak RSS (MB; 0 when
    it was killed)."""
    with tempfile.TemporaryDirectory(prefix="codetape-limited-") as scratch:
        out_path, err_path, peak_path = (Path(scratch) / name for name in ("stdout", "stderr", "peak"))
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            proc = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(address_space), str(cpu_s),
                                     str(peak_path), sys.executable, "-m", "collector", *args],
                                    stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=cwd,
                                    env=environment(home, env), start_new_session=True)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        peak_kb = int(peak_path.read_text()) if peak_path.exists() else 0
        return Limited(proc.returncode, _text(out_path.read_bytes(), "surrogateescape"),
                       _text(err_path.read_bytes(), "replace"), peak_kb / 1024)


def _command(args: tuple[str, ...]) -> str:
    return next((arg for arg in args if not arg.startswith("-")), "")


def _decoded(done: subprocess.CompletedProcess[bytes], keep_cr: bool) -> subprocess.CompletedProcess[str]:
    return subprocess.CompletedProcess(done.args, done.returncode,
                                       _text(done.stdout, "surrogateescape", keep_cr),
                                       _text(done.stderr, "replace", keep_cr))


def _checked(done: subprocess.CompletedProcess[str], check: bool,
             args: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    if check and done.returncode != 0:
        raise AssertionError(f"codetape {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return done


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


def _text(data: bytes, errors: str, keep_cr: bool = False) -> str:
    text = data.decode("utf-8", errors)
    return text if keep_cr else text.replace("\r\n", "\n").replace("\r", "\n")
