"""Where codetape keeps its local state: `CODETAPE_HOME` when set, else the platform's dirs."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from collector.errors import CodetapeError, UnsafeHome
from collector.platform.files import open_to_others, owned_by_me, writable_by_others
from collector.platform.loopback import ENDPOINT_NAME, uses_tcp
from collector.platform.sockets import address_fits, short_socket

TYPE_CHECKING = False  # typing is not loaded at a command's start-up (~3 ms)
if TYPE_CHECKING:
    from typing import NoReturn


class Home:
    """All of codetape's local state, under one root (tests always pass their own). A frozen value, as a
    frozen dataclass's (equal and hashed by its root), written out: every short-lived command makes one,
    and dataclasses (with inspect) costs a command's start-up ~5 ms."""

    root: Path

    def __init__(self, root: Path) -> None:
        object.__setattr__(self, "root", root)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        return self.root == other.root if other.__class__ is self.__class__ else NotImplemented

    def __hash__(self) -> int:
        return hash((self.root,))

    def __repr__(self) -> str:
        return f"Home(root={self.root!r})"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Home:
        env = os.environ if env is None else env
        explicit = env.get("CODETAPE_HOME")
        if explicit:
            home = cls(Path(explicit).expanduser().resolve())
        else:
            # deferred: with CODETAPE_HOME set (a test, a CI) platformdirs (~3 ms) is not needed
            import platformdirs

            home = cls(Path(platformdirs.user_data_dir("codetape", appauthor=False)))
        home.check_private()
        return home

    def check_private(self) -> None:
        """Refuse a home that is not this user's alone: the root or a folder in it owned by another user,
        or writable by group or others (whoever can write there can swap episodes and keys)."""
        try:
            folders = [self.root, *(entry for entry in self.root.iterdir() if entry.is_dir())]
        except (FileNotFoundError, NotADirectoryError):
            if not self.root.exists():
                return  # created private (0700) when first needed
            if not self.root.is_dir():
                raise UnsafeHome(f"CODETAPE_HOME {self.root} is not a directory") from None
            folders = [self.root]  # another process created it just now: it holds nothing yet
        except OSError as exc:
            raise UnsafeHome(f"cannot read CODETAPE_HOME {self.root}: {exc.strerror}") from None
        for folder in folders:
            problem = _foreign(folder)
            if problem is not None:
                where = "CODETAPE_HOME" if folder == self.root else f"{folder.name}/ in CODETAPE_HOME"
                raise UnsafeHome(f"{where} {folder} {problem}")

    @property
    def config(self) -> Path:
        return self.root / "config.toml"

    @property
    def keys(self) -> Path:
        return self.root / "keys"

    @property
    def run(self) -> Path:
        return self.root / "run"

    @property
    def journals(self) -> Path:
        return self.root / "journals"

    @property
    def episodes(self) -> Path:
        return self.root / "episodes"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def receipts(self) -> Path:
        return self.root / "receipts"

    @property
    def enrolment(self) -> Path:
        """Unlinkable mode: the issuer credential, the batches of per-episode keys, the used-key ledger."""
        return self.root / "enrolment"

    @property
    def socket(self) -> Path:
        """`run/collector.sock`, or where a socket address fits when that path would not (macOS takes 103
        bytes, Linux 107): /tmp/codetape-UID/HASH.sock. On loopback TCP (Windows, or
        CODETAPE_COLLECTOR_TRANSPORT=tcp: platform/loopback.py) the endpoint file `run/collector.tcp`."""
        if uses_tcp(os.environ):
            return self.run / ENDPOINT_NAME
        inside = self.run / "collector.sock"
        return inside if address_fits(inside) else short_socket(self.root)

    @property
    def log(self) -> Path:
        """The collector's log: a detached collector's output, and a shell recorder's crash."""
        return self.run / "collector.log"

    def ensure(self, directory: Path) -> Path:
        """Create a private (0700) directory under the root if missing."""
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        return directory


def read_private(path: Path, limit: int, problem: type[CodetapeError], *, missing: str | None = None
                 ) -> bytes:
    """At most `limit + 1` bytes of a file that must be this user's alone (a key): `problem` (one line)
    when it cannot be read or group or others can access it; `missing` is the line for no file at all
    (else it is reported as unreadable). Reading `limit + 1` lets the caller refuse a file above its limit."""
    try:
        with open(path, "rb") as handle:
            mode = stat.S_IMODE(os.fstat(handle.fileno()).st_mode)
            data = handle.read(limit + 1)
    except FileNotFoundError as exc:
        raise problem(missing if missing is not None else f"cannot read {path}: {exc.strerror}") from None
    except OSError as exc:
        raise problem(f"cannot read {path}: {exc.strerror}") from None
    if open_to_others(mode):
        raise problem(f"{path} is accessible by other users (mode {mode:04o}); run: chmod 600 {path}")
    return data


def _foreign(folder: Path) -> str | None:
    """Why another account could change what is in `folder`, or None."""
    try:
        info = folder.lstat()
    except OSError as exc:
        return f"cannot be checked ({exc.strerror})"
    if not owned_by_me(info):
        return (f"belongs to another user (uid {info.st_uid}); codetape keeps your recordings and keys "
                "there, so use a directory of your own")
    if writable_by_others(info):
        return f"is writable by group or others; make it private: chmod go-w {folder}"
    return None
