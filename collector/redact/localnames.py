"""Who and where the developer is on this machine: home directory, login name, host name.

`LocalNames.of_this_machine(env)` reads them once, from one place: the environment the process was given
(`HOME`; `LOGNAME`, `USER`, `LNAME` or `USERNAME`, as `getpass.getuser` reads them; `HOSTNAME`) and, for
what it does not set, the password database (the account's home and name) and `socket.gethostname()`.
The collector reads them at start and passes them to every seal; the seal-ahead process, started by the
collector with its environment, reads the same. Tests give the daemon their own `HOME`, `USER` and
`HOSTNAME`. Masking them is namemask.py's job.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from collector.platform.users import account

LOGIN_VARIABLES = ("LOGNAME", "USER", "LNAME", "USERNAME")  # as getpass.getuser reads them


@dataclass(frozen=True)
class LocalNames:
    """Absolute home directories (as given and resolved), login names and host names, each without
    duplicates, in the order found; `git`: the names, e-mails and handles the developer has in a
    workspace's git (gitnames.py), masked as the login is."""

    homes: tuple[str, ...] = ()
    logins: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    git: tuple[str, ...] = ()

    def with_git(self, values: Iterable[str]) -> LocalNames:
        """These names and the git identity `values`."""
        return LocalNames(self.homes, self.logins, self.hosts, _unique(value.strip() for value in values))

    @classmethod
    def of_this_machine(cls, env: Mapping[str, str] | None = None, *, uid: int | None = None) -> LocalNames:
        """The names `env` (default: this process's environment) sets; for the others, those of the
        account `uid` (default: this process's) and the system's host name."""
        env = os.environ if env is None else env
        home = env.get("HOME", "")
        login = next((env[name] for name in LOGIN_VARIABLES if env.get(name)), "")
        host = env.get("HOSTNAME", "")
        known = account(uid) if not os.path.isabs(home) or not login else None
        if known is not None:  # None: an account the password database does not know
            login, home = login or known[0], home if os.path.isabs(home) else known[1]
        if not host:
            with contextlib.suppress(OSError):
                host = socket.gethostname()
        return cls.of(homes=[home], logins=[login], hosts=[host])

    @classmethod
    def of(cls, *, homes: Iterable[str] = (), logins: Iterable[str] = (),
           hosts: Iterable[str] = ()) -> LocalNames:
        """Names as given, cleaned: homes absolute (and each one's resolved path too), none empty."""
        paths: list[str] = []
        for home in homes:
            if os.path.isabs(home):
                paths += [os.path.normpath(home), os.path.realpath(home)]
        return cls(_unique(paths), _unique(s.strip() for s in logins), _unique(s.strip() for s in hosts))


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))
