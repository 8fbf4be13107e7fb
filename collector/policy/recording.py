"""What may be recorded in one workspace: its `.codetape.toml`, git's ignore rules and secret-ish defaults.

`Policy.classify` answers for one workspace-relative path: `record`, `excluded` (never written in any
form), `binary` or `too_large` (recorded as a placeholder without content). Thread-safe: the daemon and
the capture sources' threads share one Policy per session. Git is only ever read (`--no-optional-locks`).
"""

from __future__ import annotations

import codecs
import os
import posixpath
import select
import subprocess
import threading
from pathlib import Path
from typing import Literal

from collector.errors import SettingsError
from collector.policy.globs import Globs
from collector.policy.toml import load_model
from schemas.settings import SETTINGS_FILE, WorkspaceSettings

Verdict = Literal["record", "excluded", "binary", "too_large"]

# Never recorded, whatever the workspace says: files that commonly hold credentials or keys.
SECRET_PATTERNS: tuple[str, ...] = (
    ".env*", "*.pem", "*.key", "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*", "*.p12", "*.pfx",
    "*.kdbx", "*.keystore", "*.jks", "*.gpg", "*.asc", "secrets.*", ".netrc", "_netrc", ".npmrc",
    ".pypirc", ".pgpass", ".htpasswd", ".git-credentials", "**/.aws/credentials", "**/.aws/config",
    "**/.docker/config.json", "**/.kube/config", ".ssh/", ".gnupg/", "credentials.json", "*.tfvars",
)
_GIT_TIMEOUT_S = 5.0
_CACHE_LIMIT = 200_000


def load_settings(root: Path) -> WorkspaceSettings:
    """Read and validate `root/.codetape.toml`; SettingsError names the file and the first problem."""
    settings = load_model(root / SETTINGS_FILE, WorkspaceSettings, SettingsError)
    if settings is None:
        raise SettingsError(f"{root} is not opted in (run: codetape init {root})")
    return settings


_SECRETS = Globs(SECRET_PATTERNS)


class GitIgnore:
    """Asks one long-lived `git check-ignore --stdin` process; answers True (excluded) when git fails."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._buffer = b""
        self.enabled = _inside_work_tree(root)

    def ignored(self, relpath: str) -> bool:
        if not self.enabled:
            return False
        with self._lock:
            try:
                return self._ask(relpath)
            except (OSError, TimeoutError, EOFError):
                self._stop()
                return True

    def _ask(self, relpath: str) -> bool:
        if "\0" in relpath:
            return True
        proc = self._start()
        assert proc.stdin is not None
        proc.stdin.write(relpath.encode("utf-8", "surrogateescape") + b"\0")
        proc.stdin.flush()
        _source, _line, pattern, _path = (self._field(proc) for _ in range(4))
        return bool(pattern) and not pattern.startswith(b"!")

    def _field(self, proc: subprocess.Popen[bytes]) -> bytes:
        assert proc.stdout is not None
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([proc.stdout], [], [], _GIT_TIMEOUT_S)
            if not ready:
                raise TimeoutError("git check-ignore did not answer")
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                raise EOFError("git check-ignore exited")
            self._buffer += chunk
        field, _, self._buffer = self._buffer.partition(b"\0")
        return field

    def _start(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            self._buffer = b""
            self._proc = subprocess.Popen(
                ["git", "--no-optional-locks", "check-ignore", "--stdin", "-z", "-v", "--non-matching"],
                cwd=self.root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                env={**os.environ, "GIT_FLUSH": "1", "GIT_OPTIONAL_LOCKS": "0"},
            )
        return self._proc

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc is not None:
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()

    def close(self) -> None:
        with self._lock:
            self._stop()


def _inside_work_tree(root: Path) -> bool:
    try:
        done = subprocess.run(
            ["git", "--no-optional-locks", "rev-parse", "--is-inside-work-tree"],
            cwd=root, capture_output=True, timeout=_GIT_TIMEOUT_S, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and done.stdout.strip() == b"true"


def is_binary(head: bytes) -> bool:
    """NUL bytes or invalid UTF-8 (a character cut at the end of the head is allowed)."""
    if b"\0" in head:
        return True
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return True
    return False


class Policy:
    """The recording policy of one opted-in workspace."""

    def __init__(self, root: Path, settings: WorkspaceSettings, *, git: GitIgnore | None = None,
                 also_exclude: tuple[str, ...] = ()) -> None:
        self.root = root
        self.settings = settings
        self._user = Globs([*settings.exclude, *also_exclude])
        self._git = git
        self._cache: dict[str, bool] = {}
        self._cache_lock = threading.Lock()

    @classmethod
    def load(cls, root: Path, *, also_exclude: tuple[str, ...] = ()) -> Policy:
        """The policy of the workspace at `root`; SettingsError when it is not opted in or invalid.

        `also_exclude` adds globs the workspace cannot switch off (the collector's own state dir).
        """
        root = root.expanduser().resolve()
        return cls(root, load_settings(root), git=GitIgnore(root), also_exclude=also_exclude)

    def normalize(self, relpath: str) -> str | None:
        """The clean workspace-relative POSIX form of a path, or None when it lies outside the workspace."""
        if relpath.startswith("/"):
            try:
                relpath = Path(relpath).relative_to(self.root).as_posix()
            except ValueError:
                return None
        clean = posixpath.normpath(relpath)
        if clean == ".." or clean.startswith("../") or clean.startswith("/"):
            return None
        return clean

    def is_excluded(self, relpath: str) -> bool:
        """Whether nothing about this path may be written: outside, `.git/`, secret-ish, excluded, ignored."""
        clean = self.normalize(relpath)
        if clean is None:
            return True
        if clean == ".":
            return False
        with self._cache_lock:
            cached = self._cache.get(clean)
        if cached is not None:
            return cached
        verdict = (
            ".git" in clean.split("/")
            or _SECRETS.match(clean)
            or self._user.match(clean)
            or (self._git is not None and self._git.ignored(clean))
        )
        with self._cache_lock:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[clean] = verdict
        return verdict

    def classify(self, relpath: str, *, size: int | None = None, head: bytes | None = None) -> Verdict:
        """`excluded` first, then `too_large` (above max_file_bytes), then `binary` (head), else `record`."""
        if self.is_excluded(relpath):
            return "excluded"
        if size is not None and size > self.settings.max_file_bytes:
            return "too_large"
        if head is not None and is_binary(head):
            return "binary"
        return "record"

    def close(self) -> None:
        """Stop the git helper process (the policy still answers, asking git again if needed)."""
        if self._git is not None:
            self._git.close()
