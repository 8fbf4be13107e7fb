"""What the review shows first: everything a developer needs to decide whether to share an episode.

`inspect`'s summary (collector/episode/summary.py: duration, steps by kind, files touched, and how much of
what was written is typed, pasted, completed, an AI's suggestion or an agent's, per file) plus, in the same
pass over the steps, the commands, test runs with pass/fail, git operations, gaps, notes and tasks, the
redactions still in what is shared (redactions.py: counted from the placeholders the steps hold, a
secret found at several lengths as one, apart by who masked it, each with its masked preview from the summary
written when the episode was sealed or from the review's, since the episode itself never holds a value,
and why: the rule, the review's pattern, the excluded file a text came from and where it was masked),
the values the workspace's allow-list let through unredacted ("allowed", from the same summary), the
file's size, the sharing policy signing would agree to, and, to be signed unlinkably, what names the
repository that signing leaves out, which settings still single the contributor out and what its timing
leaves of the rhythm of typing (unlinkable.py).
`lines()` is the text form (`codetape review --summary`, the review's first screen), `to_json()` the
`--json` form.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, assert_never

from collector.consent.commands import both_forms, typed
from collector.consent.unlinkable import Timing
from collector.episode import Episode
from collector.episode.resolve import show
from collector.episode.summary import FileActivity, Summary, editors_text, imported_text, shares_text
from collector.home import Home
from collector.policy.managed import Share, ShareCheck
from collector.policy.sharing import SigningPolicy
from collector.protocol.clock import utc_now
from collector.reconstruct.written import summarize_replayed
from collector.redact import RedactionSummary
from collector.redact.notebook_outputs import RULES as NOTEBOOK_RULES
from collector.replay.describe import OUTCOMES, clock, describe, plural, test_failed
from collector.review.continued import continued_note
from collector.review.notebooks import Notebooks, notebooks_of
from collector.review.pushed import pushed_note
from collector.review.redactions import EXCLUDED, PROMPT, REVIEW, SEALED, Placeholders, Redaction
from collector.review.unlinkable import LABEL, command_notes, timing_note, unlinkable_notes
from collector.text.oneline import one_line
from collector.text.sizes import byte_size
from schemas import Step
from schemas import steps as kinds

MET = {True: "met    ", False: "NOT MET", None: "--     "}
SHOWN = 12  # lines per list in the text form; the JSON form has them all
LISTED = (kinds.CommandStep, kinds.TestRunStep, kinds.GitStep, kinds.GapStep, kinds.NoteStep, kinds.TaskStep,
          kinds.AgentStep)
PLACES = 2  # places listed under a redaction the review made (the JSON form has them all)


@dataclass(frozen=True)
class Event:
    """One step worth listing: when, and what it did in a few words."""

    t_ms: int
    text: str
    failed: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"t_ms": self.t_ms, "text": self.text, "failed": self.failed}


@dataclass(frozen=True)
class Allowed:
    """A value found but not redacted: the workspace's `[redaction] allow` entry let it through."""

    rule: str
    entry: str  # `sha256:...` or `rule:ID`
    masked: str


@dataclass(frozen=True)
class Terms:
    """The sharing policy as signing would apply it, or why it cannot be read."""

    purpose: str | None = None
    licence: str | None = None
    repository_licences: tuple[str, ...] = ()
    allowed_licences: tuple[str, ...] | None = None
    problem: str | None = None  # why signing would be refused (licence), or the policy's error
    mandatory: tuple[tuple[str, str], ...] = ()  # (file, glob) the policy's mandatory exclusions cover
    managed: str | None = None  # where the organisation's managed policy was read
    required: tuple[str, ...] = ()  # what it requires of this share, one line each
    checks: tuple[ShareCheck, ...] = ()  # each requirement, and whether this share meets it
    retain_until: date | None = None  # the retention date signing would sign
    governing: tuple[str, ...] = ()  # what of the managed policy governs: file, scope, SHA-256, one each

    @classmethod
    def of(cls, policy: SigningPolicy, files: list[str], *, unlinkable: bool = False,
           destination: tuple[str, bool] | None = None) -> Terms:
        """The terms of sharing `files` under `policy`, signed unlinkable or not, to `destination` (its URL,
        and whether the managed policy allows it; None when no destination is configured)."""
        mandatory = tuple(policy.excluded_files(files))
        managed = policy.managed
        retained = policy.retained()
        share = Share(policy.purpose, policy.licence, unlinkable, len(mandatory),
                      None if destination is None else destination[0],
                      None if destination is None else destination[1], retained)
        problem = policy.licence_problem() or policy.managed_problem(unlinkable=unlinkable) or \
            policy.retention_problem(utc_now().date())
        return cls(policy.purpose, policy.licence,
                   tuple(sorted({found.spdx for found in policy.licences if found.spdx})),
                   policy.allowed_licences, problem, mandatory,
                   None if managed is None else managed.where,
                   () if managed is None else tuple(managed.requirements()),
                   () if managed is None else tuple(managed.checks(share)), retained,
                   () if managed is None else tuple(managed.governing()))

    def to_json(self) -> dict[str, Any]:
        return {"purpose": self.purpose, "licence": self.licence,
                "repository_licences": list(self.repository_licences),
                "allowed_licences": None if self.allowed_licences is None else list(self.allowed_licences),
                "problem": self.problem,
                "retain_until": None if self.retain_until is None else self.retain_until.isoformat(),
                "mandatory_exclusions": [{"file": file, "glob": glob} for file, glob in self.mandatory],
                "managed_policy": None if self.managed is None else {
                    "path": self.managed, "governing": list(self.governing), "requires": list(self.required),
                    "checks": [check.to_json() for check in self.checks]}}


@dataclass
class ReviewSummary:
    base: Summary
    size: int
    commands: list[Event] = field(default_factory=list)
    tests: list[Event] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    git: list[Event] = field(default_factory=list)
    gaps: list[Event] = field(default_factory=list)
    notes: list[Event] = field(default_factory=list)
    agents: list[Event] = field(default_factory=list)  # what AI agents were asked and did
    prompts: int = 0  # of them, prompts the developer gave (with or without their text)
    redactions: list[Redaction] = field(default_factory=list)
    allowed: list[Allowed] = field(default_factory=list)
    terms: Terms | None = None
    unlinkable: list[str] = field(default_factory=list)  # what signing unlinkably leaves out, what it keeps
    notebooks: Notebooks | None = None  # whether notebooks' outputs are in it (notebooks.py)

    @property
    def files(self) -> list[str]:
        return sorted(self.base.files)

    def add(self, step: Step) -> None:
        match step:
            case kinds.CommandStep():
                self.commands.append(Event(step.t_ms, describe(step), step.exit_code not in (None, 0)))
            case kinds.TestRunStep():
                self.outcomes.update(test.outcome for test in step.tests)
                self.tests.append(Event(step.t_ms, describe(step), test_failed(step)))
            case kinds.GitStep():
                self.git.append(Event(step.t_ms, describe(step)))
            case kinds.GapStep():
                self.gaps.append(Event(step.t_ms, describe(step)))
            case kinds.NoteStep() | kinds.TaskStep():
                self.notes.append(Event(step.t_ms, f"{step.kind} {describe(step)}"))
            case kinds.AgentStep():
                self.agents.append(Event(step.t_ms, describe(step)))
                self.prompts += step.event == "prompt"
            # a file's steps: counted in the base summary, no event of their own
            case (kinds.OpenStep() | kinds.CloseStep() | kinds.EditStep() | kinds.SaveStep()
                  | kinds.DiagnosticsStep() | kinds.FileChangeStep() | kinds.CursorStep()
                  | kinds.RedactionStep() | kinds.OfferStep()):
                pass
            case _:
                assert_never(step)

    def runs_text(self) -> str:
        """`4 (3 passed, 1 failed), 5 tests (3 passed, 2 failed)`: the runs and their tests counted apart (a
        run failed when a test in it failed or erred, or, naming none, when it exited non-zero)."""
        failed = sum(event.failed for event in self.tests)
        runs = ", ".join(f"{count} {name}" for count, name in ((len(self.tests) - failed, "passed"),
                                                                (failed, "failed")) if count)
        outcomes = ", ".join(f"{self.outcomes[name]} {name}" for name in OUTCOMES if self.outcomes[name])
        tests = sum(self.outcomes.values())
        return (f"{len(self.tests)}" + (f" ({runs})" if runs else "")
                + (f", {plural(tests, 'test')} ({outcomes})" if tests else ""))

    def to_json(self) -> dict[str, Any]:
        return {
            **self.base.to_json(),
            "size_bytes": self.size,
            "commands": [event.to_json() for event in self.commands],
            "test_runs": [event.to_json() for event in self.tests],
            "test_outcomes": dict(sorted(self.outcomes.items())),
            "git": [event.to_json() for event in self.git],
            "gaps": [event.to_json() for event in self.gaps],
            "notes": [event.to_json() for event in self.notes],
            "agents": [event.to_json() for event in self.agents],
            "notebooks": None if self.notebooks is None else self.notebooks.to_json(),
            "redactions": [redaction.to_json() for redaction in self.redactions],
            "allowed": [vars(item) for item in self.allowed],
            "policy": None if self.terms is None else self.terms.to_json(),
            "unlinkable": [line.removeprefix(LABEL) for line in self.unlinkable],
        }

    def lines(self) -> list[str]:
        """The summary for a person, one fact per line, lists cut after a few entries."""
        base = self.base
        started = base.started_at.isoformat(timespec="seconds").replace("+00:00", "Z")
        editor = editors_text(base.editors, unlinkable=bool(self.unlinkable))
        lines = [
            f"episode     {base.episode_id}",
            f"recorded    {started} (UTC), {clock(base.duration_ms)} long, "
            f"in {show(base.workspace.root_name)}" + (f" with {editor}" if editor else ""),
            f"size        {byte_size(self.size)}, {plural(base.steps, 'step')}"
            + (f": {_counts(base.kinds)}" if base.kinds else ""),
            f"files       {sum(activity.touched for activity in base.files.values())} touched",
        ]
        if base.imported is not None:
            lines.insert(2, f"imported    {imported_text(base.imported)}")
        written = base.written
        if written:
            lines.insert(-1, f"written     {plural(sum(written.values()), 'character')}, whose: "
                         f"{shares_text(written)}")
        lines += _listed([f"{show(path)}  {_activity(activity)}"
                          for path, activity in sorted(base.files.items()) if activity.touched])
        snapshot = sorted(path for path, activity in base.files.items() if activity.snapshot)
        if snapshot:
            lines.append(f"snapshot    {plural(len(snapshot), 'file')} git tracks, as at the start "
                         "(x excludes any of them)")
            lines += _listed([show(path) for path in snapshot])
        lines.append(f"commands    {len(self.commands)}")
        lines += _listed([_event(event) for event in self.commands])
        lines.append(f"test runs   {self.runs_text()}")
        lines += _listed([_event(event) for event in self.tests])
        lines.append(f"git         {len(self.git)}")
        lines += _listed([_event(event) for event in self.git])
        if self.gaps:
            lines.append(f"gaps        {len(self.gaps)}")
            lines += _listed([_event(event) for event in self.gaps])
        if self.notes:
            lines.append(f"notes       {len(self.notes)}")
            lines += _listed([_event(event) for event in self.notes])
        if self.agents:
            lines.append(f"agents      {plural(len(self.agents), 'step')}, {plural(self.prompts, 'prompt')} "
                         "(p in the review, or sign --leave-out-prompts, leaves their text out)")
            lines += _listed([_event(event) for event in self.agents])
        lines += [] if self.notebooks is None else self.notebooks.lines()
        lines += redaction_lines(self.redactions)
        if self.allowed:
            lines.append(f"allowed     {plural(len(self.allowed), 'value')} found but not redacted "
                         "(the workspace's [redaction] allow)")
            lines += _listed([f"{show(a.masked)}  {a.rule}  by {a.entry}" for a in self.allowed])
        lines += self._terms_lines()
        return lines + self.unlinkable

    def _terms_lines(self) -> list[str]:
        terms = self.terms
        if terms is None:
            return ["policy      unknown (no workspace found for this episode; pass --workspace DIR)"]
        none = "(the policy names none)"
        lines = [f"purpose     {one_line(terms.purpose, 500) if terms.purpose else none}",
                 f"licence     {one_line(terms.licence, 500) if terms.licence else none}"]
        if terms.repository_licences:
            lines.append(f"repository  licensed {', '.join(terms.repository_licences)}")
        if terms.retain_until is not None:
            lines.append(f"kept until  {terms.retain_until.isoformat()} (purged from datasets the day after)")
        if terms.managed is not None:
            lines.append(f"managed     {terms.managed} requires" + (" of this share:" if terms.checks else
                                                                     " nothing of a share"))
            lines += [f"  {MET[check.met]}  {check.requirement} (this share: {one_line(check.share, 200)})"
                      for check in terms.checks]
            lines += [f"  governed by {line}" for line in terms.governing]
        if terms.problem:
            lines.append(f"signing     refused as it is: {terms.problem}")
        for file, glob in terms.mandatory:
            lines.append(f"signing     {show(file)} must be excluded first (policy: {glob})")
        return lines


def build_summary(episode: Episode, *, redaction: RedactionSummary | None = None,
                  policy: SigningPolicy | None = None,
                  on_step: Callable[[Step], None] | None = None, unlinkable: bool = False,
                  destination: tuple[str, bool] | None = None,
                  workspace: Path | None = None, timing: Timing = "drawn",
                  home: Home | None = None, whole: frozenset[str] = frozenset()) -> ReviewSummary:
    """The summary of `episode` in one pass; `on_step` sees every step too (the review's timeline).
    `workspace`: where it was recorded, whose repository says which of its commits are pushed; `timing`:
    the timing an unlinkable signing takes (config.toml's); `home`: whose earlier unlinkable episodes the
    episode's unpushed text is compared with (continued.py); `whole`: the commands the review keeps whole
    at unlinkable signing (as typed)."""
    found: list[Step] = []
    commands: list[Step] = []
    placeholders = Placeholders()
    placeholders.header(episode.header)

    def steps() -> Iterator[Step]:
        for step in episode.steps():
            placeholders.add(step)
            if _listed_kind(step):
                found.append(step)
            if unlinkable and typed(step) is not None:
                commands.append(step)
            if on_step is not None:
                on_step(step)
            yield step

    base = summarize_replayed(episode, steps())
    summary = ReviewSummary(base, _file_size(episode.path))
    for step in found:
        summary.add(step)
    redactions = placeholders.redactions(redaction)
    summary.notebooks = notebooks_of(episode.header, summary.files, redactions)
    summary.redactions = [r for r in redactions if r.rule not in NOTEBOOK_RULES]  # not secrets: a line above
    if redaction is not None:
        summary.allowed = [Allowed(rule, entry, masked) for rule, entry, masked in redaction.allowed]
    if policy is not None:
        summary.terms = Terms.of(policy, summary.files, unlinkable=unlinkable, destination=destination)
    if unlinkable:
        summary.unlinkable = [*command_notes(list(both_forms(commands)), whole),  # the timing note ends it
                              *unlinkable_notes(episode.header, None if policy is None else policy.managed)]
        pushed = pushed_note(episode, workspace)
        if pushed is not None:
            summary.unlinkable.append(f"{LABEL}{pushed}")
        continued = None if home is None else continued_note(episode, workspace, home)
        if continued is not None:
            summary.unlinkable.append(f"{LABEL}{continued}")
        summary.unlinkable.append(timing_note(timing))
    return summary


def redaction_lines(redactions: list[Redaction]) -> list[str]:
    """The redactions still in what is shared, one group per who masked them: before review (the secrets
    the rules found at seal), in this review (the reviewer's patterns), excluded files' text where else it
    was written, left-out prompts; each a line, those the review made with why and where."""
    groups = {kind: [r for r in redactions if r.kind == kind] for kind in (SEALED, REVIEW, EXCLUDED, PROMPT)}
    sealed = groups[SEALED]
    typed = sum(bool(r.stages) for r in sealed)
    lines = [f"redactions  {plural(len(sealed), 'secret')} masked before review, still in what is shared"
             + (f" ({typed} found at several lengths, each counted once)" if typed else "")]
    lines += _listed([redaction_line(r) for r in sealed])
    heads = {REVIEW: "masked in this review (r)", EXCLUDED: "masked as excluded files hold them (x)",
             PROMPT: "masked as agent prompts are left out (p)"}
    for kind, head in heads.items():
        made = groups[kind]
        if not made:
            continue
        lines.append(f"            {plural(len(made), 'text')} {head}")
        for r in made[:SHOWN]:
            lines.append(f"  {redaction_line(r)}")
            lines += [f"      in {clock(place.t_ms)}  {place.what}" for place in r.places[:PLACES]]
            if len(r.places) > PLACES:
                more = plural(len(r.places) - PLACES, "more place")
                lines.append(f"      and {more} (--json lists them all)")
        if len(made) > SHOWN:
            lines.append(f"  … and {len(made) - SHOWN} more (--json lists them all)")
    return lines


def redaction_line(r: Redaction) -> str:
    """One redaction: placeholder, preview, times written, its stages; why, when the review made it."""
    line = f"{r.placeholder}  {r.masked or '(no preview)'}  ×{r.count}"
    if r.stages and r.kind == SEALED:
        line += f"  found at {len(r.stages) + 1} lengths, typed or cut short (also {', '.join(r.stages)})"
    elif r.stages:
        line += f"  (in part also {', '.join(r.stages)})"
    return line + (f"  masked because {r.reason}" if r.kind != SEALED else "")


def _listed_kind(step: Step) -> bool:
    return isinstance(step, LISTED)


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _listed(items: list[str]) -> list[str]:
    shown = [f"  {item}" for item in items[:SHOWN]]
    if len(items) > SHOWN:
        shown.append(f"  … and {len(items) - SHOWN} more (--json lists them all)")
    return shown


def _event(event: Event) -> str:
    return f"{clock(event.t_ms)}  {event.text}" + ("  ✗" if event.failed else "")


def _counts(counts: Counter[str]) -> str:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{kind} {count}" for kind, count in ordered)


def _activity(activity: FileActivity) -> str:
    parts = [(activity.opens, "open"), (activity.edits, "edit"), (activity.saves, "save"),
             (activity.changes, "on-disk change")]
    done = ", ".join(["in the snapshot"] * activity.snapshot
                     + [plural(count, name) for count, name in parts if count]) or "referenced"
    return done + (f"  ({shares_text(activity.written)})" if activity.written else "")
