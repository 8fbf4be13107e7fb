"""What may be recorded in one workspace: its `.codetape.toml`, git's ignore rules and secret-ish defaults.

`Policy.classify` answers for one workspace-relative path: `record`, `excluded` (never written in any
form), `binary` or `too_large` (recorded as a placeholder without content). Thread-safe: the daemon and
the capture sources' threads share one Policy per session. Git is only ever read (`--no-optional-locks`).

NEVER_RECORDED (secret-ish files and codetape's own settings file, whose exclusion globs can name what
they hide) matches whatever the case of a path's letters: `.ENV` is as secret as `.env`. The workspace's
own globs (and `.git`) do too where its file system ignores case (macOS's and Windows' defaults), which
`ignores_case` finds out once per policy; elsewhere they match as written, as git's do. Compiled and
cache files (build_noise.py) are excluded unless git tracks them, ignore file or not.

Answers are cached, and git's long-lived `check-ignore` caches the ignore files it read, so both are
dropped when those files change: `refresh` stats the few that lie outside the work tree's own
`.gitignore` files (`.git/info/exclude`, `core.excludesFile`, the `.gitignore` files from the
repository's top down to the workspace); the watchers call it before each pass and the session a few
times a second. The file watcher calls `invalidate` as soon as it sees a `.gitignore` or
`.git/info/exclude` change, before it looks at any later event.
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
from collector.platform.files import relative_within
from collector.policy.build_noise import noise_prefix
from collector.policy.globs import Globs, glob_regex
from collector.policy.toml import parse_model, read_text
from schemas.settings import SETTINGS_FILE, WorkspaceSettings

Verdict = Literal["record", "excluded", "binary", "too_large"]

# Never recorded, whatever the workspace says: files that commonly hold credentials or keys.
SECRET_PATTERNS: tuple[str, ...] = (
    ".env*", "*.pem", "*.key", "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*", "*.p12", "*.pfx",
    "*.kdbx", "*.keystore", "*.jks", "*.gpg", "*.asc", "secrets.*", ".netrc", "_netrc", ".npmrc",
    ".pypirc", ".pgpass", ".htpasswd", ".git-credentials", "**/.aws/credentials", "**/.aws/config",
    "**/.docker/config.json", "**/.kube/config", ".ssh/", ".gnupg/", "credentials.json", "*.tfvars",
)
# ...and codetape's own settings file: its `exclude` globs can name what they hide (`acme-merger/`)
NEVER_RECORDED: tuple[str, ...] = (*SECRET_PATTERNS, SETTINGS_FILE)
_GIT_TIMEOUT_S = 5.0
_CACHE_LIMIT = 200_000
IGNORE_FILE = ".gitignore"
_Stamp = tuple[tuple[int, int, int, int] | None, ...]


def load_settings(root: Path) -> WorkspaceSettings:
    """Read and validate `root/.codetape.toml` as it is, accepted or not (what a session records under is
    policy/effective.py's); SettingsError names the file, the line and the first problem."""
    return read_settings(root)[1]


def read_settings(root: Path) -> tuple[str, WorkspaceSettings]:
    """The text of `root/.codetape.toml` and its validated content; SettingsError as `load_settings`."""
    path = root / SETTINGS_FILE
    text = read_text(path, SettingsError)
    if text is None:
        raise SettingsError(f"{root} is not opted in (run: codetape init {root})")
    return text, parse_model(text, WorkspaceSettings, SettingsError, path)


_SECRETS = Globs(NEVER_RECORDED, ignore_case=True)
_SECRETS_OWN = [glob_regex(p, ignore_case=True) for p in NEVER_RECORDED]


def ignores_case(root: Path) -> bool:
    """Whether the file system holding the workspace at `root` ignores the case of names: its settings
    file (else the folder itself) found again under the name with every letter's case swapped."""
    for name in (root / SETTINGS_FILE, root):
        swapped = name.with_name(name.name.swapcase())
        if swapped == name:
            continue
        try:
            return os.path.samestat(name.lstat(), swapped.lstat())
        except OSError:
            continue
    return False


class GitIgnore:
    """Asks one long-lived `git check-ignore --stdin` process; answers True (excluded) when git fails."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._buffer = b""
        self.sources = _ignore_sources(root)
        self.enabled = self.sources is not None

    def ignored(self, relpath: str) -> bool:
        if not self.enabled:
            return False
        with self._lock:
            try:
                return self._ask(relpath)
            except (OSError, TimeoutError, EOFError):
                self._stop()
                return True

    def tracks(self, prefix: str) -> bool:
        """Whether git tracks the file `prefix` or any file below the folder `prefix` (False outside a work
        tree, or when git cannot say: build noise is then left out, the safe side)."""
        if not self.enabled or "\0" in prefix:
            return False
        return bool(_git_lines(self.root, "--literal-pathspecs", "ls-files", "--", prefix))

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


def _ignore_sources(root: Path) -> tuple[Path, ...] | None:
    """The ignore files git reads for `root` besides the `.gitignore` files below it; None outside a work
    tree. `.git/info/exclude`, the global excludes file, the `.gitignore` files from the top down to root."""
    found = _git_lines(root, "rev-parse", "--is-inside-work-tree", "--show-toplevel",
                       "--git-path", "info/exclude")
    if found is None or len(found) != 3 or found[0] != "true":
        return None
    top, exclude = Path(found[1]), Path(os.path.normpath(root / found[2]))
    configured = _git_lines(root, "config", "--path", "--get", "core.excludesFile")
    if configured:
        excludes = Path(configured[0])
    else:
        config_home = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
        excludes = Path(config_home) / "git" / "ignore"
    gitignores = [d / IGNORE_FILE for d in (root, *root.parents) if d.is_relative_to(top)]
    return (exclude, excludes, *gitignores)


def _git_lines(root: Path, *args: str) -> list[str] | None:
    try:
        done = subprocess.run(["git", "--no-optional-locks", *args], cwd=root, capture_output=True,
                              timeout=_GIT_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "surrogateescape").splitlines()


def _stamp(paths: tuple[Path, ...]) -> _Stamp:
    stamps: list[tuple[int, int, int, int] | None] = []
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            stamps.append(None)
        else:
            stamps.append((st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino))
    return tuple(stamps)


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
                 also_exclude: tuple[str, ...] = (), ignore_case: bool = False) -> None:
        self.root = root
        self.settings = settings
        self.also_exclude = also_exclude
        self.ignore_case = ignore_case  # the workspace's file system ignores case (`ignores_case`)
        globs = [*settings.exclude, *also_exclude]
        self._user = Globs(globs, ignore_case=ignore_case)
        self._own = [*_SECRETS_OWN, *(glob_regex(p, ignore_case=ignore_case) for p in globs)]
        self._git = git
        self._cache: dict[str, bool] = {}
        self._cache_lock = threading.Lock()
        self._generation = 0  # answers computed before an invalidation are not cached
        self._tracked: dict[str, bool] = {}  # build noise's prefixes (build_noise.py): whether git tracks any
        self._sources: tuple[Path, ...] = (git.sources or ()) if git is not None else ()
        self._sources_stamp = _stamp(self._sources)

    @classmethod
    def load(cls, root: Path, *, also_exclude: tuple[str, ...] = ()) -> Policy:
        """The policy of the workspace at `root` under its `.codetape.toml` as it is (a session records
        under the settings its user accepted, policy/effective.py); SettingsError when it is missing or
        invalid. `also_exclude` adds globs the workspace cannot switch off (the collector's own state dir).
        """
        root = root.expanduser().resolve()
        return cls.under(root, load_settings(root), also_exclude=also_exclude)

    @classmethod
    def under(cls, root: Path, settings: WorkspaceSettings, *, also_exclude: tuple[str, ...] = ()) -> Policy:
        """The policy of the workspace at `root` (resolved) under these settings and git's ignore rules."""
        return cls(root, settings, git=GitIgnore(root), also_exclude=also_exclude,
                   ignore_case=ignores_case(root))

    def _in_git_dir(self, clean: str) -> bool:
        parts = clean.lower().split("/") if self.ignore_case else clean.split("/")
        return ".git" in parts

    def normalize(self, relpath: str) -> str | None:
        """The clean workspace-relative POSIX form of a path, or None when it lies outside the workspace."""
        if relpath.startswith("/"):
            inside = relative_within(Path(relpath), self.root, ignore_case=self.ignore_case)
            if inside is None:
                return None
            relpath = inside
        clean = posixpath.normpath(relpath)
        if clean == ".." or clean.startswith("../") or clean.startswith("/"):
            return None
        return clean

    def is_excluded(self, relpath: str) -> bool:
        """Whether nothing about this path may be written: outside, `.git/`, secret-ish, codetape's settings
        file, excluded, ignored."""
        with self._cache_lock:  # a clean path asked before (the keys are clean forms, which normalize to
            cached = self._cache.get(relpath)  # themselves): every keystroke's step asks again
        if cached is not None:
            return cached
        clean = self.normalize(relpath)
        if clean is None:
            return True
        if clean == ".":
            return False
        parent = posixpath.dirname(clean)
        with self._cache_lock:
            cached = self._cache.get(clean)
            inherited = self._cache.get(parent) if parent else False
            generation = self._generation
        if cached is not None:
            return cached
        if inherited is None:  # the path and each directory above it (globs match either)
            verdict = self._in_git_dir(clean) or _SECRETS.match(clean) or self._user.match(clean)
        else:  # the parent's verdict covers the directories above (a walk asks top-down): no re-matching
            verdict = (inherited or self._in_git_dir(posixpath.basename(clean))
                       or any(r.fullmatch(clean) for r in self._own))
        verdict = verdict or self._build_noise(clean) or (self._git is not None and self._git.ignored(clean))
        with self._cache_lock:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            if generation == self._generation:
                self._cache[clean] = verdict
        return verdict

    def _build_noise(self, clean: str) -> bool:
        """Whether `clean` is compiled or cache output (build_noise.py) that git does not track."""
        prefix = noise_prefix(clean)
        if prefix is None:
            return False
        with self._cache_lock:
            tracked = self._tracked.get(prefix)
        if tracked is None:
            tracked = self._git is not None and self._git.tracks(prefix)
            with self._cache_lock:
                self._tracked[prefix] = tracked
        return not tracked

    def excluded_by_workspace(self, relpath: str) -> bool:
        """Whether the workspace's own rules exclude the path (outside, `.git/`, secret-ish, its exclude
        globs), leaving git's ignore files aside: what may be read for a derived step, such as a test
        report the build writes into an ignored folder."""
        clean = self.normalize(relpath)
        if clean is None:
            return True
        return self._in_git_dir(clean) or bool(_SECRETS.match(clean)) or self._user.match(clean)

    def invalidate(self) -> None:
        """Forget every answer and restart git's helper (which caches the ignore files it read)."""
        with self._cache_lock:
            self._generation += 1
            self._cache.clear()
            self._tracked.clear()
        if self._git is not None:
            self._git.close()

    def refresh(self) -> None:
        """`invalidate` when an ignore file outside the work tree's own `.gitignore` files changed (a few
        stats: cheap enough before every pass of a watcher)."""
        stamp = _stamp(self._sources)
        with self._cache_lock:
            if stamp == self._sources_stamp:
                return
            self._sources_stamp = stamp
        self.invalidate()

    def changes_ignores(self, path: str) -> bool:
        """Whether a change of the file at `path` (absolute) may change what git ignores."""
        return posixpath.basename(path) == IGNORE_FILE or any(path == str(p) for p in self._sources)

    def classify(self, relpath: str, *, size: int | None = None, head: bytes | None = None) -> Verdict:
        """`excluded` first, then `too_large` (above max_file_bytes), then `binary` (head), else `record`."""
        if self.is_excluded(relpath):
            return "excluded"
        return self.content(size=size, head=head)

    def content(self, *, size: int | None = None, head: bytes | None = None) -> Verdict:
        """`classify` of a file already known not to be excluded: `too_large`, `binary` or `record`."""
        if size is not None and size > self.settings.max_file_bytes:
            return "too_large"
        if head is not None and is_binary(head):
            return "binary"
        return "record"

    def close(self) -> None:
        """Stop the git helper process (the policy still answers, asking git again if needed)."""
        if self._git is not None:
            self._git.close()
