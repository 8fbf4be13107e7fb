"""What differs between operating systems, in one place: every stage and the bridge go through it.

    files.py     open flags (no-follow, directory, non-blocking), directory fsync, private-file checks
    locks.py     whole-file locks held by a descriptor (flock; LockFileEx through msvcrt on Windows)
    process.py   liveness, signals, priority, blocking pipes, ending with the parent
    sockets.py   the collector's Unix socket: its address limit, peer credentials, the asyncio server
    loopback.py  loopback TCP with a per-user secret, where there are no Unix sockets (Windows), and the
                 one `connect` of every client (standard library only: the pytest plugin and the agent
                 hook load it by path)
    users.py     this account: uid, login name and home from the password database
    folders.py   the machine's shared data folder (Windows' ProgramData known folder, not the environment's)
    terminal.py  `codetape run`'s pseudo-terminal (pty, termios, window size, foreground group)
    spawn.py     the bridge's language server: posix_spawn, waitpid, pidfd, poll

Each module has a POSIX implementation, used on Linux and macOS, chosen by what the running Python
offers (`SO_PEERCRED` on Linux, `LOCAL_PEERCRED` on macOS) rather than by name where both exist.
The Windows side is written where the API is clear (liveness through psutil, locks through msvcrt) and
says so where it is not (pty, spawn); the collector's transport there is loopback TCP: see
docs/platforms.md.
`mypy --platform win32` and `--platform darwin` check it (scripts/check); outside this package no
POSIX-only name may be used (ruff's TID251, pyproject.toml). It imports nothing of codetape, and only
the standard library at import, so the bridge's start does not pay for it.
"""
