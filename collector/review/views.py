"""What the review's panes show, as pure functions of the session (rendered text, table cells, lines).

Kept apart from the app so they can be read and tested without a screen, as the replay's `render` is.
"""

from __future__ import annotations

from rich.text import Text

from collector.consent import KeyInfo
from collector.replay.describe import clock, plural
from collector.review.session import ReviewSession
from collector.review.timeline import Row
from collector.review.trim import TrimResult
from collector.text.oneline import one_line
from collector.upload.outbox import upload_plan

DIFF_LIMIT = 20_000  # lines shown in the diff pane
HELP = """\
1 2 3 4 5   the tabs: Summary, Timeline, Files, Diff, Shared
?           these keys

Timeline    arrows move; m marks a step: d then drops from the mark to here, and
            the Diff tab compares from the mark to here
Files       the files at the end of the episode; once you move the Timeline's
            cursor, after that step (its title says which); e: the end again;
            select text in the file, then r masks it
Diff        the whole workspace between two moments: Tab to the from / to
            inputs (a step, a time such as 90s or 2:30, start or end), Enter
Shared      what signing would share: every file whose text leaves (a file
            only opened leaves whole), commands, paths outside the workspace,
            environment variable names, the git remote, redactions still in it;
            space leaves the file under the cursor out, or shares it again

x           exclude files or folders (the file under the cursor, or a pattern);
            their path, name and lines are masked where else they are written: a
            line of two words (8+ characters) or one word of 20+; a shorter line
            only where the whole file is printed (the Summary says why each is)
d           drop a time range (the Timeline's rows, or the mark to here)
r           mask text matching a regular expression, everywhere
p           leave out what you typed to AI agents
w           unlinkable: keep the Timeline row's command whole, as typed, not
            shaped (the Summary says what that exposes)
u           undo the last change
o           the HTML report, in your browser

s           sign and queue (makes your signing key if you have none, and can set
            where signed episodes are uploaded)
k q         keep for later, unchanged      D   discard for good
Ctrl-C      keep for later (asks first when your changes would be lost)"""


def timeline_cells(row: Row) -> tuple[str, str, str, str, str]:
    steps = str(row.first) if row.first == row.last else f"{row.first}-{row.last}"
    when = clock(row.t_ms) if row.t_ms == row.end_ms else f"{clock(row.t_ms)}-{clock(row.end_ms)}"
    return steps, when, "  " * row.under + row.kind, one_line(row.path, 60), one_line(row.what(), 100)


def pending_text(session: ReviewSession) -> Text:
    """The changes made so far, and what they did."""
    lines = session.plan.describe()
    if not lines:
        return Text("no changes: signing shares the episode as recorded (after redaction). End with s (sign "
                    "and queue), k (keep for later) or D (discard); Ctrl-C keeps.", style="dim")
    text = Text("changes: ", style="bold")
    text.append("; ".join(lines))
    result = session.trimmed
    if result is not None:
        text.append(f"  ({done(result)})", style="dim")
    return text


def done(result: TrimResult) -> str:
    """What a trim did, in a few words."""
    parts = []
    if result.excluded.paths:
        files, steps = plural(len(result.excluded.paths), "file"), plural(result.excluded.steps, "step")
        parts.append(f"{files} and {steps} excluded")
    dropped = sum(d.steps for d in result.dropped)
    if result.dropped:
        parts.append(f"{plural(dropped, 'step')} dropped")
    masked = sum(result.new_counts.values())
    if masked:
        parts.append(f"{plural(masked, 'value')} masked")
    if result.prompts.prompts:
        parts.append(f"{plural(result.prompts.prompts, 'agent prompt')} left out")
    if result.beyond:
        parts.append(f"the managed policy's limits took out {result.beyond.says()}")
    return ", ".join(parts) + f"; {plural(result.steps, 'step')} left"


def sign_lines(session: ReviewSession, key: KeyInfo | None, shared: str, *,
               new_key: bool = False) -> list[str]:
    """What the sign-off dialog states before the reviewer agrees (`key` None: unlinkable mode, or with
    `new_key` a key made at this signing); `shared`: the manifest's one line (what leaves)."""
    summary = session.summary
    base = summary.base
    terms = summary.terms
    size = f"{plural(base.steps, 'step')}, {plural(len(base.files), 'file')}, {clock(base.duration_ms)}"
    lines = [f"episode   {session.episode_id}: {size}",
             f"changes   {'; '.join(session.plan.describe()) or 'none'}",
             f"shares    {shared} (5: the Shared tab lists it all)",
             f"key       {key.key_id}" if key is not None else
             "key       your new signing key, made when you sign" if new_key else
             "key       a key of this episode alone, authorised by your issuer (unlinkable mode)",
             f"purpose   {(terms.purpose if terms else None) or '(none given by the policy)'}",
             f"licence   {(terms.licence if terms else None) or '(none given by the policy)'}"]
    lines += [f"policy    {line}" for line in (terms.governing if terms is not None else ())]
    if terms is not None and terms.retain_until is not None:
        lines.append(f"kept      until {terms.retain_until.isoformat()}, purged from datasets the day after")
    if terms is not None and terms.problem:
        lines.append(f"warning   signing will be refused: {terms.problem}")
    if key is None and not new_key:
        lines += summary.unlinkable
    lines.append(f"then      written to {session.home.outbox}, the unsigned episode removed; "
                 f"{upload_plan(session.home)}")
    return lines


def diff_text(lines: list[str]) -> Text:
    """A unified diff coloured like git's: files bold, hunks cyan, additions green, removals red."""
    if not lines:
        return Text("no differences between these two steps", style="dim")
    text = Text()
    for line in lines[:DIFF_LIMIT]:
        shown = line.rstrip("\n")
        if shown.startswith(("--- ", "+++ ", "diff --git ", "index ", "new file mode", "deleted file mode",
                             "similarity index", "rename from", "rename to")):
            style = "bold"
        elif shown.startswith("@@"):
            style = "cyan"
        elif shown.startswith("+"):
            style = "green"
        elif shown.startswith("-"):
            style = "red"
        else:
            style = ""
        text.append(shown + "\n", style=style)
    if len(lines) > DIFF_LIMIT:
        text.append(f"… {len(lines) - DIFF_LIMIT} more lines (codetape diff prints them all)\n", style="dim")
    return text


def moment_text(step: int) -> str:
    """A step as the diff inputs take it: `start` before the first step."""
    return "start" if step < 0 else str(step)
