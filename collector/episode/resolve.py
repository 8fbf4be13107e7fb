"""EPISODE arguments: a path to a `.ctape` file, or an episode id (a unique prefix is enough).

Ids are looked up among the files named `<uuid>.ctape` in the home's `episodes/` (sealed) and `outbox/`
(signed, and kept there once uploaded) directories; dashes are optional in a prefix, and case does not
matter. An id in both (a signed copy whose unsigned original could not be removed) names the signed one.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from collector.episode import Episode, open_episode
from collector.errors import EpisodeNotFound
from collector.home import Home

SUFFIX = ".ctape"
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_PREFIX = re.compile(r"^[0-9a-fA-F-]{1,36}$")
SHOWN = 5


def show(text: str) -> str:
    """`text` safe for one line on a terminal: printable as is, else its escaped repr."""
    return text if text.isprintable() else repr(text)


def resolve_episode(ref: str, home: Home) -> Path:
    """The file `ref` names; raises EpisodeNotFound naming what it looked at and what it found."""
    if not ref:
        raise EpisodeNotFound("empty EPISODE: give a path or an episode id")
    path = Path(ref)
    if path.is_file():
        return path
    if path.exists():
        raise EpisodeNotFound(f"{show(ref)} is not an episode file")
    if os.sep in ref or "/" in ref or ref.endswith(SUFFIX) or not _PREFIX.match(ref):
        raise EpisodeNotFound(f"no episode file at {show(ref)}")
    known = episode_files(home)
    wanted = ref.lower().replace("-", "")
    matches = sorted(eid for eid in known if eid.replace("-", "").startswith(wanted))
    if len(matches) == 1:
        return known[matches[0]]
    if matches:
        raise EpisodeNotFound(f"episode id {ref} is ambiguous: it matches {_listing(matches)}")
    where = f"{home.episodes} and {home.outbox}"
    if not known:
        raise EpisodeNotFound(f"no episode file at {ref}, and {home.root} holds no episodes (in episodes/ "
                              "or outbox/)")
    raise EpisodeNotFound(f"no episode file at {ref}, and no episode id in {where} starts "
                          f"with it (known: {_listing(sorted(known))})")


def episode_ids(home: Home) -> list[str]:
    """Ids of the episodes in the home's episodes and outbox directories, sorted."""
    return sorted(episode_files(home))


def episode_files(home: Home) -> dict[str, Path]:
    """Episode id -> file, for `<uuid>.ctape` in episodes/ then outbox/ (the signed copy wins)."""
    found: dict[str, Path] = {}
    for directory in (home.episodes, home.outbox):
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        stems = (name[: -len(SUFFIX)] for name in names if name.endswith(SUFFIX))
        found.update((stem, directory / f"{stem}{SUFFIX}") for stem in stems if _UUID.match(stem))
    return found


def reference(path: Path, home: Home) -> str:
    """How to name `path` in a command again: its id when it lives in episodes/ or outbox/, else the path."""
    inside = path.parent in (home.episodes, home.outbox) and _UUID.match(path.name.removesuffix(SUFFIX))
    return path.name.removesuffix(SUFFIX) if inside else str(path)


def _listing(ids: list[str]) -> str:
    shown = ", ".join(ids[:SHOWN])
    return shown if len(ids) <= SHOWN else f"{shown} and {len(ids) - SHOWN} more"


def open_ref(ref: str, home: Home | None = None) -> Episode:
    """Resolve an EPISODE argument and open it (container checked end to end)."""
    return open_episode(resolve_episode(ref, Home.from_env() if home is None else home))
