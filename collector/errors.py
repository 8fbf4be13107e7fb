"""Errors a person can act on. Caught only at the command boundary, printed as one line.

    CodetapeError
    ├── UsageError            bad arguments or a reference that names nothing (exit 2)
    ├── EpisodeError          an episode file is damaged, hostile or unsupported (exit 1)
    │   ├── EpisodeNotFound   no episode at that path or with that id prefix
    │   └── EpisodeTooLarge   a frame, or a payload once decompressed or decoded, above a reader's limits
    ├── ReconstructionError   the steps do not replay (edit to an unknown document, hash mismatch)
    │   └── FilesTooLarge     the files rebuilt would take more memory than the reader's limit
    ├── CheckoutRefused       a path would land outside the target directory, or is a symlink
    ├── GitDirRefused         a workspace's repository lies through a link: its git watcher does not run
    ├── JournalError          a journal cannot be written or read
    │   └── JournalCorrupt    damage in the middle of a journal (not a torn tail)
    ├── UnsafeHome            CODETAPE_HOME is not this user's alone (owner, permissions)
    ├── RegistryUnreadable    the list of opted-in workspaces could not be read: nothing is decided from it
    ├── SettingsError         a .codetape.toml (or config.toml) is invalid
    │   └── PolicyError       a sharing policy (policy.toml, [policy] in .codetape.toml) is invalid
    └── CollectorError        the collector cannot be reached or refused a request
        ├── FramingError      a socket message is oversized or not a map (msgpack or JSON)
        └── StoppedByYou      the user stopped recording (`codetape collector stop`): nothing starts it
"""

from __future__ import annotations


class CodetapeError(Exception):
    """Base of every error codetape reports to a person."""

    exit_code = 1


class UsageError(CodetapeError):
    exit_code = 2


class EpisodeError(CodetapeError):
    pass


class EpisodeNotFound(EpisodeError):
    exit_code = 2


class EpisodeTooLarge(EpisodeError):
    pass


class ReconstructionError(CodetapeError):
    pass


class FilesTooLarge(ReconstructionError):
    pass


class CheckoutRefused(CodetapeError):
    pass


class GitDirRefused(CodetapeError):
    pass


class RegistryUnreadable(CodetapeError):
    """`workspaces.json` exists but could not be read (the file table full, memory, the device, its
    permissions): whether a folder is opted in is not known, so nothing is decided from it."""


class JournalError(CodetapeError):
    pass


class JournalCorrupt(JournalError):
    def __init__(self, message: str, *, offset: int, good_frames: int, frames_after: int) -> None:
        super().__init__(message)
        self.offset = offset
        self.good_frames = good_frames
        self.frames_after = frames_after


class UnsafeHome(CodetapeError):
    pass


class SettingsError(CodetapeError):
    pass


class PolicyError(SettingsError):
    pass


class CollectorError(CodetapeError):
    pass


class FramingError(CollectorError):
    pass


class StoppedByYou(CollectorError):
    pass


class ImportRefused(CodetapeError):
    """A transcript `codetape import` cannot make an episode of (not one of that agent's, in no opted-in
    workspace, imported already)."""
