"""Which episode a review opens by default, and which workspace an episode was recorded in.

The default is the oldest sealed episode in CODETAPE_HOME/episodes that nobody signed yet (damaged files
are skipped: `codetape episodes` names them). An episode's header names its workspace only by its
directory name (with this machine's names masked, as the seal masks them), so the workspace is the one
opted-in workspace (`codetape init`) with that name, when exactly one has it; `--workspace DIR` says
which one otherwise.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from collector.episode import open_episode
from collector.errors import CodetapeError, UsageError
from collector.home import Home
from collector.redact.localnames import LocalNames
from collector.redact.namemask import NameMask
from collector.review.errors import ReviewError
from collector.workspace.find import find_workspace
from collector.workspace.registry import Registry
from schemas import EpisodeHeader


def oldest_unsigned(home: Home) -> Path:
    """The oldest sealed, unsigned episode in the home's episodes directory."""
    return all_unsigned(home)[0]


def all_unsigned(home: Home) -> list[Path]:
    """Every sealed, unsigned episode in the home's episodes directory, oldest first; ReviewError when
    there is none."""
    found: list[tuple[datetime, Path]] = []
    paths = sorted(home.episodes.glob("*.ctape")) if home.episodes.is_dir() else []
    for path in paths:
        try:
            episode = open_episode(path)
        except CodetapeError:
            continue
        if episode.consent is None:
            found.append((episode.header.started_at, path))
    if not found:
        raise ReviewError(f"nothing to review: no sealed, unsigned episode in {home.episodes}")
    return [path for _started, path in sorted(found)]


def workspace_for(header: EpisodeHeader, home: Home, given: Path | None = None,
                  names: LocalNames | None = None) -> Path | None:
    """The workspace directory of an episode: `given` (checked), else the one opted-in workspace with the
    header's name (as the seal wrote it: with this machine's `names` masked, namemask.py), else None (the
    policy is then the home's policy.toml alone)."""
    if given is not None:
        root = find_workspace(given, home)
        if root is None:
            raise UsageError(f"--workspace {given} is not an opted-in workspace (run codetape status "
                             "there to see why)")
        return root
    mask = NameMask(names if names is not None else LocalNames.of_this_machine()).mask
    named = header.workspace.root_name
    roots = [root for root in Registry(home).roots() if named in (root.name, mask(root.name))]
    return roots[0] if len(roots) == 1 else None
