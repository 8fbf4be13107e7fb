"""One review, without a screen: the original episode, the trim plan so far, and the copy it makes.

What the reviewer sees is what gets signed: every change to the plan trims the original again into a
private working directory, and the summary, timeline and browser are rebuilt over that copy. A change
that does nothing (a glob matching no file, a range without steps, a pattern matching nothing) is
refused and the plan stays as it was. The policy's mandatory exclusions are in the plan from the start,
and so are the managed policy's channels and size cap when the episode holds more than they allow.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from collector.consent.commands import shaped, typed
from collector.episode import open_episode
from collector.errors import PolicyError
from collector.home import Home
from collector.policy.sharing import SigningPolicy, load_signing_policy
from collector.redact import RedactionSummary
from collector.review.browse import Browser
from collector.review.choices import Queued, discard_episode, share_context, sign_and_queue
from collector.review.errors import ReviewError
from collector.review.locate import workspace_for
from collector.review.plan import TrimPlan
from collector.review.summary_view import ReviewSummary, Terms, build_summary
from collector.review.timeline import Timeline
from collector.review.trim import TrimResult, trim_episode
from collector.seal.summaries import read_summary


class ReviewSession:
    def __init__(self, original: Path, home: Home, *, workspace: Path | None = None) -> None:
        self.original = original
        self.home = home
        episode = open_episode(original)
        if episode.consent is not None:
            raise ReviewError(f"{original} is already signed; there is nothing left to review")
        self.episode_id = str(episode.header.episode_id)
        self.workspace = workspace_for(episode.header, home, workspace)
        self.policy: SigningPolicy | None = None
        self.policy_error: str | None = None
        try:
            self.policy = load_signing_policy(home, self.workspace,
                                              remotes=[episode.header.workspace.git_remote],
                                              head=episode.header.workspace.head_at_start)
        except PolicyError as exc:
            self.policy_error = str(exc)
        self.plan = TrimPlan()
        self.history: list[TrimPlan] = []
        self.trimmed: TrimResult | None = None
        self._workdir = Path(tempfile.mkdtemp(prefix="codetape-review-"))
        self._made = 0
        try:
            self._load()
            self.policy_excludes = self._mandatory()
        except BaseException:
            self.close()
            raise

    @property
    def current(self) -> Path:
        """The file the reviewer sees and would sign: the trimmed copy, or the original."""
        return self.original if self.trimmed is None else self.trimmed.path

    @property
    def redaction(self) -> RedactionSummary | None:
        return read_summary(self.original) if self.trimmed is None else self.trimmed.redaction

    def _load(self) -> None:
        episode = open_episode(self.current)
        self.timeline = Timeline()
        timing, destination = share_context(self.home)
        self.summary: ReviewSummary = build_summary(episode, redaction=self.redaction, policy=self.policy,
                                                    on_step=self.timeline.add, unlinkable=timing is not None,
                                                    destination=destination, workspace=self.workspace,
                                                    timing=timing or "drawn", home=self.home,
                                                    whole=frozenset(self.plan.whole))
        if self.policy_error is not None:
            self.summary.terms = Terms(problem=self.policy_error)
        self.browser = Browser(open_episode(self.current))

    def _mandatory(self) -> list[str]:
        """Exclude what the policy never lets a signed episode touch, and keep to the managed policy's
        channels and size cap, before anything else."""
        terms = self.summary.terms
        globs = list(dict.fromkeys(glob for _file, glob in terms.mandatory)) if terms is not None else []
        plan = self.plan
        for glob in globs:
            plan = plan.exclude(glob)
        managed = None if self.policy is None else self.policy.managed
        limits = None if managed is None else managed.limits()
        if limits is not None and limits.beyond(open_episode(self.original).steps()):
            plan = replace(plan, limits=limits)
        if plan != self.plan:
            self.apply(plan)
            self.history.clear()
        return globs

    def apply(self, plan: TrimPlan) -> TrimResult | None:
        """Make `plan` the plan: trim the original by it and show the result. ReviewError (the plan is
        unchanged) when part of it would change nothing."""
        if plan.empty:
            result = None
        else:
            self._made += 1
            result = trim_episode(self.original, self._workdir / f"{self._made}.ctape", plan)
            unused = result.unused()
            if unused:
                result.path.unlink(missing_ok=True)
                raise ReviewError(f"{unused[0]}; nothing changed")
        previous = self.trimmed
        self.history.append(self.plan)
        self.plan, self.trimmed = plan, result
        if previous is not None:
            previous.path.unlink(missing_ok=True)
        self._load()
        return result

    def keep_whole(self, step: int) -> str:
        """Keep the command of step number `step` (of what the reviewer sees) whole at unlinkable signing:
        the command as typed. ReviewError (the plan unchanged) when the step holds no command, or none
        that shaping changes, or it is kept whole already."""
        found = next((each for number, each in enumerate(open_episode(self.current).steps())
                      if number == step), None)
        command = None if found is None else typed(found)
        if found is None or command is None:
            raise ReviewError(f"step {step} holds no command to keep whole; nothing changed")
        if typed(shaped(found)) == command:
            raise ReviewError(f"{command} has no argument that signing shapes; nothing changed")
        if command in self.plan.whole:
            raise ReviewError(f"{command} is kept whole already; nothing changed")
        self.apply(self.plan.keep_whole(command))
        return command

    def undo(self) -> bool:
        """Go back to the plan before the last change; False when there is none."""
        if not self.history:
            return False
        plan = self.history.pop()
        self.apply(plan)
        self.history.pop()
        return True

    def sign(self, passphrase: str | None = None) -> Queued:
        """Sign what the reviewer sees and queue it; the working copy goes with the session."""
        return sign_and_queue(self.original, self.home, trimmed=self.trimmed, passphrase=passphrase,
                              workspace=self.workspace, policy=self.policy,
                              scope_files=self.summary.files, whole=frozenset(self.plan.whole))

    def discard(self) -> None:
        discard_episode(self.original)

    def close(self) -> None:
        """Remove the working copies (the original is never touched here)."""
        shutil.rmtree(self._workdir, ignore_errors=True)
