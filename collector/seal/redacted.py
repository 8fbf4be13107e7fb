"""What the collector passes to `seal_journal`: redaction of every sealed episode, before it is written.

`seal_transform()` returns a transform that `seal_journal` binds to the episode's header (its position
encoding) before use. After a seal its `summary` holds the redaction summary, and, given `summaries`,
the summary is also written next to the episodes as `<episode id>.redactions.json` (0600): the masked
previews the review shows and the header's capture exclusions, which the episode itself must not carry.

The workspace's allow-list (`[redaction] allow` in its `.codetape.toml`) is applied while redacting, so
a false positive is never redacted and no secret waits unredacted anywhere for someone to decide: the
allowed values are listed in the summary instead. Only what the user accepted applies (the entries both
the file and the content accepted in CODETAPE_HOME's registry list, policy/effective.py): an entry a
`git pull` added is not. The workspace is the one given, or else the opted-in workspace (the registry of
the CODETAPE_HOME the episodes folder is in) whose name and remote the episode's header records; none,
or more than one, means no allow-list: everything found is redacted.

Before redaction, the steps lose what the settings in force at the seal exclude (in_force.py: an
exclusion, a channel or a smaller cap made stricter while the episode was recorded), given `in_force_for`,
and every notebook on disk its outputs, execution counts and kernel metadata unless the `notebook_outputs`
channel is on in them (seal/notebooks.py); each edit of a notebook's virtual document is given its cell,
each of its saves the notebook it wrote (seal/cells.py).

The same pass masks the developer's local names (collector.redact.namemask): the workspace root (that
same workspace; when none is found, paths in it are masked as paths in the home), the home directory,
the login and host names, in every step and in the header's workspace name and remote. The
names are the ones given (the collector reads them once at start), else this process's
(`LocalNames.of_this_machine`). The developer's git identity in that workspace (collector.redact.gitnames:
user.name, user.email, a fork's owner) is masked too: everywhere when no committed file holds it, and
only in what steps say (commands, output, messages, agent text) when one does, so that file text still
matches git.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from msgspec.structs import replace

from collector.errors import CodetapeError
from collector.home import Home
from collector.policy.effective import effective_settings
from collector.redact.gitnames import read_git_names
from collector.redact.localnames import LocalNames
from collector.redact.namemask import NameMask
from collector.redact.placeholders import RedactionSummary
from collector.redact.scanning.ruleset import RuleSet
from collector.redact.stream.steps import redact_steps
from collector.seal.cells import align_cells
from collector.seal.in_force import InForce, in_force
from collector.seal.journal import SealResult, seal_journal
from collector.seal.notebooks import mask_notebooks, shares_outputs
from collector.seal.summaries import SUFFIX, write_summary
from collector.workspace.identity import identify
from collector.workspace.registry import FILE, Registry
from schemas import EpisodeHeader, Step
from schemas.common import PositionEncoding

log = logging.getLogger(__name__)
AllowFor = Callable[[EpisodeHeader], Sequence[str]]
RootFor = Callable[[EpisodeHeader], Path | None]
InForceFor = Callable[[EpisodeHeader], InForce]
GitNamesFor = Callable[[Path | None], tuple[tuple[str, ...], frozenset[str]]]  # identity, what files hold


class SealTransform:
    """Callable on a step stream. Unbound it assumes the header's default position encoding (utf-16).
    `allow_for`, given, says which allow-list entries apply to an episode, `root_for` in which workspace
    it was recorded, `in_force_for` the settings it is sealed under (all bound with its header); `names`,
    given, are the local names to mask, with the git identity `git_names` reads in the workspace (by
    default, git's own answer: collector.redact.gitnames)."""

    def __init__(self, rules: RuleSet, *, summaries: Path | None = None,
                 header: EpisodeHeader | None = None, allow_for: AllowFor | None = None,
                 names: LocalNames | None = None, root_for: RootFor | None = None,
                 mask: NameMask | None = None, in_force_for: InForceFor | None = None,
                 root: Path | None = None, said: NameMask | None = None,
                 git_names: GitNamesFor = read_git_names) -> None:
        self.rules = rules
        self.in_force_for = in_force_for
        self.root = root
        self.in_force = in_force_for(header) if in_force_for is not None and header is not None else None
        self.summaries = summaries
        self.header = header
        self.allow_for = allow_for
        self.names = names
        self.root_for = root_for
        self.mask = mask if mask is not None else NameMask(names) if names is not None else None
        self.said = said  # the names to mask in what steps say, when more than `mask`'s
        self.git_names = git_names
        self.summary = RedactionSummary(rules.version)

    def with_header(self, header: EpisodeHeader) -> SealTransform:
        """The same transform for one episode (with the allow-list of the workspace it was recorded in,
        and that workspace's root among the names to mask)."""
        rules = self.rules
        if self.allow_for is not None:
            allow = known_entries(self.allow_for(header))
            if allow:
                rules = RuleSet.default(allow=[*self.rules.allow, *allow])
        root = self.root_for(header) if self.root_for is not None else None
        mask = said = None
        if self.names is not None:
            identity, held = self.git_names(root)
            mask = NameMask(self.names.with_git(v for v in identity if v not in held), root)
            said = NameMask(self.names.with_git(identity), root) if held else None
        return SealTransform(rules, summaries=self.summaries, header=header, allow_for=self.allow_for,
                             names=self.names, root_for=self.root_for, mask=mask,
                             in_force_for=self.in_force_for, root=root, said=said, git_names=self.git_names)

    def sealed_header(self, header: EpisodeHeader) -> EpisodeHeader:
        """The header the episode is written with: the local names masked in its workspace's name and
        remote."""
        mask = self.said or self.mask
        if mask is None:
            return header
        workspace = header.workspace
        remote = workspace.git_remote
        return replace(header, workspace=replace(
            workspace, root_name=mask.mask(workspace.root_name),
            git_remote=mask.mask(remote) if remote is not None else None))

    def __call__(self, steps: Iterator[Step]) -> Iterator[Step]:
        encoding: PositionEncoding = self.header.position_encoding if self.header is not None else "utf-16"
        self.summary = RedactionSummary(self.rules.version)
        if self.in_force is not None:
            steps = self.in_force.drop(steps, self.root or Path("/"))
        steps = align_cells(steps, encoding)
        if not shares_outputs(self.in_force.settings.channels if self.in_force is not None
                              else self.header.capture.channels if self.header is not None else ()):
            steps = mask_notebooks(steps)
        yield from redact_steps(steps, encoding, self.rules, self.summary, names=self.mask,
                                said_names=self.said)
        if self.summaries is not None and self.header is not None:
            write_summary(self.summaries / f"{self.header.episode_id}{SUFFIX}", self.summary,
                          self.header.capture.exclude)


def seal_transform(rules: RuleSet | None = None, *, summaries: Path | None = None,
                   allow_for: AllowFor | None = None, names: LocalNames | None = None,
                   root_for: RootFor | None = None, in_force_for: InForceFor | None = None,
                   git_names: GitNamesFor = read_git_names) -> SealTransform:
    """The transform the collector daemon passes to `seal_journal`."""
    return SealTransform(rules if rules is not None else RuleSet.default(), summaries=summaries,
                         allow_for=allow_for, names=names, root_for=root_for, in_force_for=in_force_for,
                         git_names=git_names)


def seal_redacted(journal: Path, episodes: Path, *, workspace: Path | None = None,
                  home: Home | None = None, names: LocalNames | None = None,
                  git_names: GitNamesFor = read_git_names) -> SealResult | None:
    """Seal a journal the way the collector does: what the settings in force exclude dropped, secrets
    redacted and local names masked before the episode is written (but what `workspace`'s allow-list
    allows as accepted in `home`, by default the home `episodes` is in; see the module's docstring), the
    redaction summary (with its masked previews) kept beside it."""
    transform = collector_transform(episodes, workspace=workspace, home=home, names=names,
                                    git_names=git_names)
    return seal_journal(journal, episodes, transform=transform)


def collector_transform(episodes: Path, *, workspace: Path | None = None, home: Home | None = None,
                        names: LocalNames | None = None,
                        git_names: GitNamesFor = read_git_names) -> SealTransform:
    """The transform the collector seals with (see `seal_redacted`), its summaries written into
    `episodes`; unbound (`with_header` binds it to an episode)."""
    registry_home = home if home is not None else Home(episodes.parent)
    root_for: RootFor = ((lambda header: workspace) if workspace is not None
                         else (lambda header: recorded_root(header, episodes)))

    def allow_for(header: EpisodeHeader) -> list[str]:
        root = root_for(header)
        return workspace_allow(root, registry_home) if root is not None else []

    return seal_transform(summaries=episodes, allow_for=allow_for, root_for=root_for,
                          names=names if names is not None else LocalNames.of_this_machine(),
                          in_force_for=lambda header: in_force(header, root_for(header), registry_home),
                          git_names=git_names)


def workspace_allow(root: Path, home: Home) -> list[str]:
    """The `[redaction] allow` entries that apply in the workspace at `root` for the user of `home` (none
    when its settings cannot be read: then everything found is redacted)."""
    try:
        return list(effective_settings(root, home).settings.redaction.allow)
    except CodetapeError as exc:
        log.warning("%s: redaction allow-list not applied: %s", root, exc)
        return []


def recorded_root(header: EpisodeHeader, episodes: Path) -> Path | None:
    """The one opted-in workspace the episode was recorded in, found by its header (None: none, or more
    than one, match)."""
    if episodes.name != "episodes" or not (episodes.parent / FILE).is_file():
        return None
    named = header.workspace.root_name
    home = Home(episodes.parent)
    roots = [root for root in Registry(home).roots() if (root.name or "/") == named]
    matching = [root for root in roots if identify(root).git_remote == header.workspace.git_remote]
    if len(matching) != 1:
        if matching:
            log.warning("%s: %d workspaces match the episode; redaction allow-list not applied, "
                        "paths in the workspace masked as paths in the home",
                        header.episode_id, len(matching))
        return None
    return matching[0]


def known_entries(entries: Sequence[str]) -> list[str]:
    """The entries that name a known rule or a hash (an unknown rule allows nothing and is logged, so a
    typo in a policy never stops a seal)."""
    known: list[str] = []
    for entry in entries:
        try:
            RuleSet.default(allow=[entry])
        except CodetapeError as exc:
            log.warning("redaction allow-list: %s", exc)
            continue
        known.append(entry)
    return known
