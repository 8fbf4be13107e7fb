"""The sharing policy in force when an episode is signed: `[policy]` in the workspace's `.codetape.toml`
(as far as the user accepted it, policy/effective.py) merged with the user's own `policy.toml` in
CODETAPE_HOME (the organisation's managed policy is another file: policy/managed.py).

Merging: `purpose` and `licence` come from `policy.toml` when it sets them (it speaks for where the
data goes), else from the workspace; both files' `allowed_licences` apply (a licence must be allowed
by each file that lists any); `mandatory_exclude` is the union of both and of the organisation's managed
policy's (policy/managed.py), which also requires things of a share: a purpose it allows, a consent mode.
`retain_until` is `codetape sign --retain-until`'s, else the earlier of both files', else the managed
policy's; one later than the managed policy's, or already past, is refused (`retention_problem`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from collector.errors import PolicyError, SettingsError
from collector.home import Home
from collector.policy.effective import effective_settings
from collector.policy.globs import Globs
from collector.policy.licence import FoundLicence, find_licences
from collector.policy.managed import Managed, load_managed, share_problem
from collector.policy.reach import Reach
from collector.policy.spdx import spdx_problem
from collector.policy.toml import load_model
from schemas.consent import ConsentTerms
from schemas.settings import SETTINGS_FILE, SharingPolicy

POLICY_FILE = "policy.toml"


@dataclass(frozen=True)
class SigningPolicy:
    """What signing agrees to, and what it requires of the repository and the episode."""

    purpose: str | None = None
    licence: str | None = None
    allowed_licences: tuple[str, ...] | None = None
    mandatory_exclude: tuple[str, ...] = ()
    workspace: Path | None = None
    licences: tuple[FoundLicence, ...] = ()
    managed: Managed | None = None  # the organisation's policy in force (policy/managed.py)
    retain_until: date | None = None  # what the contributor asked (--retain-until, policy.toml, [policy])

    def licence_problem(self) -> str | None:
        """Why the licence the episode would be shared under is not an SPDX expression, or the repository's
        licence forbids signing; None when neither."""
        if self.licence:
            problem = spdx_problem(self.licence)
            if problem is not None:
                return f"the policy's licence {problem} (set `licence` under [policy])"
        if self.allowed_licences is None:
            return None
        allowed = ", ".join(self.allowed_licences) or "none"
        if self.workspace is None:
            return (f"the policy allows only repositories licensed {allowed}, and no workspace was given "
                    "to check")
        if not self.licences:
            return (f"no LICENSE or COPYING file in {self.workspace}; the policy allows only repositories "
                    f"licensed {allowed}")
        for found in self.licences:
            if found.spdx is None:
                return f"{found.file}: licence not recognised; the policy allows only {allowed}"
            if found.spdx not in self.allowed_licences:
                return f"{found.file} is {found.spdx}, which the policy does not allow (allowed: {allowed})"
        return None

    def excluded_files(self, files: list[str]) -> list[tuple[str, str]]:
        """(file, glob) for each file a mandatory exclusion covers (the file or a parent directory)."""
        globs = [(glob, Globs([glob])) for glob in self.mandatory_exclude]
        hits: list[tuple[str, str]] = []
        for path in files:
            glob = next((glob for glob, matcher in globs if matcher.match(path)), None)
            if glob is not None:
                hits.append((path, glob))
        return hits

    def managed_problem(self, *, unlinkable: bool = False) -> str | None:
        """Why the managed policy forbids this share (its purpose, its licence, an attributed signature); None
        if not."""
        return share_problem(self.managed, self.purpose, unlinkable=unlinkable, licence=self.licence)

    def refusal(self, files: list[str], *, unlinkable: bool = False) -> str | None:
        """Why the licence, the managed policy or a mandatory exclusion forbids signing these files (an
        unlinkable signature when `unlinkable`); None when nothing does."""
        problem = self.licence_problem() or self.managed_problem(unlinkable=unlinkable)
        if problem is not None:
            return f"cannot sign: {problem}"
        hits = self.excluded_files(files)
        if hits:
            path, glob = hits[0]
            more = f" and {len(hits) - 1} more" if len(hits) > 1 else ""
            return (f"cannot sign: {path}{more} falls under the policy's mandatory exclusion "
                    f"{glob!r}; exclude it first (codetape sign --exclude {glob!r})")
        return None

    def retained(self) -> date | None:
        """The date signed as `retain_until`: the contributor's, else the managed policy's (None: none)."""
        if self.retain_until is not None:
            return self.retain_until
        return None if self.managed is None else self.managed.policy.retain_until

    def retention_problem(self, today: date) -> str | None:
        """Why the retention date cannot be signed on `today` (UTC): later than the managed policy allows,
        or already past (an episode is expired the day after its date); None when it can."""
        retained = self.retained()
        if retained is None:
            return None
        limit = None if self.managed is None else self.managed.policy.retain_until
        if limit is not None and retained > limit:
            return (f"retain until {retained.isoformat()} is later than the managed policy "
                    f"({self.managed_path()}) allows: {limit.isoformat()} at the latest")
        if retained < today:
            whose = "the managed policy's" if self.retain_until is None else "the"
            return (f"{whose} retention date {retained.isoformat()} is already past (today is "
                    f"{today.isoformat()} UTC): the episode would be expired when signed")
        return None

    def managed_path(self) -> str:
        return "" if self.managed is None else self.managed.where

    def terms(self) -> ConsentTerms:
        """The terms recorded in the consent statement (with the retention date, the managed policy's
        top-level file's hash and that of the file whose scope governs the episode, when there are)."""
        return ConsentTerms(
            purpose=self.purpose, licence=self.licence,
            repository_licences=sorted({found.spdx for found in self.licences if found.spdx is not None}),
            allowed_licences=None if self.allowed_licences is None else list(self.allowed_licences),
            retain_until=self.retained(),
            managed_policy_sha256=None if self.managed is None else self.managed.sha256,
            managed_scope_sha256=None if self.managed is None else self.managed.scope_sha256)


def load_sharing_policy(path: Path) -> SharingPolicy | None:
    """A `policy.toml` (top-level keys as in `[policy]`), or None when there is none."""
    return load_model(path, SharingPolicy, PolicyError)


def load_signing_policy(home: Home, workspace: Path | None, *, remotes: Sequence[str | None] = (),
                        head: str | None = None) -> SigningPolicy:
    """The policy for signing an episode of `workspace` (None: the home's policy.toml alone), recorded in
    a repository of `remotes` (the episode header's) at HEAD `head` (its `head_at_start`): the managed
    policy's `[[scope]]` sections governing the workspace, or naming one of `remotes`, or whose record in
    the home holds `head` (a scope that governed the episode's workspace when it was sealed) govern it
    (policy/managed.py, reach.py)."""
    personal = load_sharing_policy(home.root / POLICY_FILE)
    local: SharingPolicy | None = None
    root: Path | None = None
    if workspace is not None:
        root = workspace.expanduser().resolve()
        if (root / SETTINGS_FILE).is_file():
            try:
                local = effective_settings(root, home).settings.policy
            except SettingsError as exc:
                raise PolicyError(str(exc)) from None
    reach = Reach(root, home, tuple(remotes), head=head)
    return merge(personal, local, root, load_managed(reach=reach))


def merge(personal: SharingPolicy | None, local: SharingPolicy | None,
          workspace: Path | None, managed: Managed | None = None) -> SigningPolicy:
    """Combine the policies as the module docstring says; licences are read from `workspace`."""
    layers = [layer for layer in (personal, local) if layer is not None]
    allowed: set[str] | None = None
    for layer in layers:
        if layer.allowed_licences is not None:
            names = set(layer.allowed_licences)
            allowed = names if allowed is None else allowed & names
    excludes = sorted({glob for layer in layers for glob in layer.mandatory_exclude}
                      | set(() if managed is None else managed.policy.mandatory_exclude))
    dates = [layer.retain_until for layer in layers if layer.retain_until is not None]
    return SigningPolicy(
        retain_until=min(dates) if dates else None,
        purpose=next((layer.purpose for layer in layers if layer.purpose), None),
        licence=next((layer.licence for layer in layers if layer.licence), None),
        allowed_licences=None if allowed is None else tuple(sorted(allowed)),
        mandatory_exclude=tuple(excludes),
        workspace=workspace,
        licences=tuple(find_licences(workspace)) if workspace is not None else (),
        managed=managed,
    )
