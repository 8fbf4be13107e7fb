"""What the annex is written from: the settings in force on this machine, and a dataset's card.

The organisation's managed policy (collector/policy/managed.py) as it is read here, refused policies
included (PolicyError: the annex describes no policy that nothing enforces); the defaults a workspace
starts from (schemas/settings.py), which the policy bounds; the consent mode of the person who runs the
command (CODETAPE_HOME/config.toml `[consent] mode`); and, with `--dataset OUT`, what the dataset's
manifest and `episodes` table say (collector/dataset/card/facts.py read_facts, as the card is written).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from collector import __version__
from collector.consent.mode import configured_mode
from collector.home import Home
from collector.policy.config import load_config
from collector.policy.managed import Managed, each_scope, load_managed
from collector.policy.managed_places import managed_path
from schemas.settings import ALL_CHANNELS, Channel, WorkspaceSettings

if TYPE_CHECKING:  # pyarrow and pandas load (seconds) only when a dataset is described
    from collector.dataset.card.facts import Facts
    from collector.dataset.output.manifest import DatasetManifest


@dataclass(frozen=True)
class Dataset:
    """A built dataset as its card describes it."""

    url: str
    manifest: DatasetManifest
    facts: Facts

    @property
    def withdrawn(self) -> int:
        return sum(build.withdrawn for build in self.manifest.builds)


@dataclass(frozen=True)
class InForce:
    """The settings the annex describes."""

    where: str  # where the managed policy is looked for
    managed: Managed | None
    contributor_mode: str  # `[consent] mode` of the person running the command
    dataset: Dataset | None = None
    scope: str | None = None  # the `[[scope]]` whose repositories it describes (None: every workspace)
    remotes: tuple[str, ...] = ()  # ...the repositories that scope names
    version: str = __version__
    written: date = field(default_factory=date.today)

    @property
    def channels(self) -> tuple[Channel, ...]:
        """The channels that may be recorded at all, in codetape's order."""
        allowed = None if self.managed is None else self.managed.policy.channels
        return tuple(c for c in ALL_CHANNELS if allowed is None or c in allowed)

    @property
    def never_channels(self) -> tuple[Channel, ...]:
        return tuple(c for c in ALL_CHANNELS if c not in self.channels)

    @property
    def max_file_bytes(self) -> int:
        """The largest file recorded with its content: the policy's cap, or a workspace's default."""
        default = WorkspaceSettings().max_file_bytes
        cap = None if self.managed is None else self.managed.policy.max_file_bytes
        return default if cap is None else min(cap, default)

    @property
    def cap_from_policy(self) -> bool:
        return self.managed is not None and self.managed.policy.max_file_bytes is not None

    @property
    def unlinkable_required(self) -> bool:
        return self.managed is not None and self.managed.policy.consent.mode == "unlinkable"


def for_each_scope(settings: InForce) -> list[tuple[Path, InForce]]:
    """The settings in force in the repositories of each installed `[[scope]]` (the top-level keys and
    the scope's, the stricter of each key; PolicyError when they require different consent modes), with
    where its annex goes: `scopes/<its file's name>/<the scope's name>`, for that organisation's works
    council."""
    found: list[tuple[Path, InForce]] = []
    for file, name, remotes, managed in each_scope():
        folder = Path("scopes") / _slug(file.stem) / _slug(name.strip("'"))
        taken = {place for place, _ in found}
        folder = next(folder.with_name(f"{folder.name}-{n}") for n in range(2, len(found) + 3)
                      if folder.with_name(f"{folder.name}-{n}") not in taken) if folder in taken else folder
        found.append((folder, replace(settings, managed=managed, where=managed.where, scope=name,
                                      remotes=tuple(remotes))))
    return found


def _slug(name: str) -> str:
    """`name` as one folder name: letters, digits, `.`, `_` and `-` kept, every other run one `-`."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "scope"


def in_force(home: Home, dataset: str | None = None) -> InForce:
    """The settings in force here (PolicyError when the managed policy is refused), and the dataset at
    `dataset` (a directory or s3:// URL) when one is named (OutputRefused when it is no dataset)."""
    managed = load_managed()
    mode = configured_mode(home)
    found = None
    if dataset is not None:
        # a dataset's modules (pyarrow) only when a dataset is named
        from collector.dataset.card.facts import read_facts
        from collector.dataset.errors import OutputRefused
        from collector.dataset.output.manifest import read_manifest
        from collector.dataset.output.output import open_output

        out = open_output(dataset, load_config(home).upload, create=False)
        manifest = read_manifest(out)
        if manifest is None:
            raise OutputRefused(f"{out.url} is not a codetape dataset: it has no _manifest.json")
        found = Dataset(out.url, manifest, read_facts(out, manifest))
    return InForce(managed.where if managed is not None else str(managed_path()), managed, mode, found)
