"""`zeta2`: next-edit examples as Zed's `ExampleSpec` (zed-industries/zed,
crates/edit_prediction/src/example_spec.rs), one JSON line per settled edit burst whose caret is known
(docs/exports.md says what each field holds).

`Zeta2Exporter` follows the replay's items (follow.py) as zeta does (zeta.py `History`: the bursts
before, as events within zeta's EVENT_TOKENS): each file's text at the revision comes from revision.py
(the snapshot, `head_text`, the commits made on HEAD), never from a text merely seen first, and an
example that needs a file whose text there is not known is left out whole, counted by why. Every diff but
`uncommitted_diff` (which goes to `git apply`) lists, in a hunk whose old and new texts both end without
a line break, the added lines before the deleted ones (`zed_order`): Zed's parser takes only a hunk's
first `\\ No newline at end of file`, so in the usual order it would give the new last line a break it
does not have. `rejected_patch` is known when the episode ends (whether the developer's text replaced
the suggestion: collector/reconstruct/offers.py), so once an AI has offered something in an episode its
examples are held until its end, then written.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from collector.consent.statement import signed_unlinkably
from collector.episode import Episode
from collector.episode.lines import json_line
from collector.export.allowance import Allowance, Writes
from collector.export.edits.base.bursts import Burst, Item, Single
from collector.export.edits.excerpt import unfit
from collector.export.edits.zeta import PLACEHOLDER, History
from collector.export.follow import Items
from collector.export.per_episode import Following
from collector.export.revision import Revision
from collector.reconstruct.offer_rule import preferred
from collector.reconstruct.offers import Places, shown
from collector.reconstruct.workspace import Workspace
from collector.redact.placeholders import PLACEHOLDER_RE
from collector.text.linediff import line_diff
from schemas import steps as kinds
from schemas.contract import Contract, fields

INLINE_CURSOR = "<|user_cursor|>"  # Zed's INLINE_CURSOR_MARKER
HUNK_RE = re.compile(r"@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")
CONTEXT_LINES = 40

CONTRACTS = {"zeta2": Contract(
    "a next-edit example per settled edit burst whose caret is known, as Zed's ExampleSpec",
    (*fields(("build",), ("name", "string", "`<episode id>:<first step>-<last step>`: the example's id")),
     *fields(("header",),
             ("repository_url", "string", "the repository's remote URL; empty: none", "remote")),
     *fields(("header", "git"),
             ("revision", "string", "the commit the example's files are read at", "commit")),
     *fields(("build", "edits"),
             ("tags", "list[string]", "split:<train|eval>, caret:<editor|edit>, codetape")),
     *fields(("edits", "files", "git"),
             ("uncommitted_diff", "string", "the diff from the revision to the files before the burst (`git "
              "apply`)", "file_text")),
     *fields(("edits",),
             ("cursor_path", "string", "the workspace-relative path of the burst's file"),
             ("cursor_position", "string", "the lines around the caret, with `<|user_cursor|>` at it",
              "file_text"),
             ("edit_history", "string", "the bursts before, as unified diffs", "file_text"),
             ("expected_patches", "list[string]", "the burst's diff: what to predict", "file_text"),
             ("rejected_patch", "string", "the patch of an AI suggestion the developer's text replaced; null "
              "otherwise", "file_text"))))}
class Zeta2Exporter(Following):

    def follower(self, out: Writes, episode: Episode, allowance: Allowance) -> Specs:
        return Specs(out, episode, self.result.skipped, self.result.splits[str(episode.header.episode_id)],
                     allowance)


class Specs(Items):
    """An ExampleSpec per burst, written at once, or held until the end once an AI has offered something."""

    def __init__(self, out: Writes, episode: Episode, skipped: Counter[str], split: str,
                 allowance: Allowance) -> None:
        header = episode.header
        super().__init__(header.position_encoding, allowance.diffs)
        self.out, self.skipped, self.allowance = out, skipped, allowance
        self.episode_id, self.encoding = str(header.episode_id), header.position_encoding
        self.fixed = {"repository_url": header.workspace.git_remote or "", "split": split}
        self.revision = Revision(header.workspace.head_at_start, allowance.diffs)
        self.replacing: dict[str, str | None] | None = None  # the texts of the files the step applied sets
        self.touched: set[str] = set()  # the files a step after the snapshot may have changed
        self.history, self.examples = History(headers=True), 0
        self.places = Places()  # every offer's place, to tell the suggestions the developer's text replaced
        self.offered: dict[str, tuple[int, str, str]] = {}  # path -> an AI's last offer: step, text, proposed
        self.held: list[tuple[dict[str, Any], int | None, str | None]] = []  # once an AI offered: (example,
        # offer step, rejected patch), written at the end
        self.pseudonymous = signed_unlinkably(episode.consent)
        if self.pseudonymous:
            skipped["unlinkable episodes (their revision is a pseudonym no repository holds)"] += 1

    def before(self, index: int, step: kinds.Step, workspace: Workspace) -> None:
        self.places.before(index, step, workspace)  # (before the bursts it settles, as it counts them)
        super().before(index, step, workspace)
        paths = _replaced(step)
        self.replacing = None if paths is None else {path: workspace.text(path) for path in paths}

    def after(self, index: int, step: kinds.Step, workspace: Workspace) -> None:
        burst = self.grouper.burst
        super().after(index, step, workspace)
        replacing, self.replacing = self.replacing, None
        if replacing is not None:
            changed = [path for path, text in replacing.items() if workspace.text(path) != text]
        elif isinstance(step, kinds.EditStep) and burst is not None and burst.first == index and \
                self.grouper.burst is None:  # the editor reading a write to disk in (no burst)
            changed = [step.path]
        else:
            return
        if changed and not self.history.starts().keys().isdisjoint(changed):
            self.history.clear()  # a file the events edit got text they did not make: they lead to it no more

    def item(self, item: Item, workspace: Workspace) -> None:
        if self.pseudonymous:
            return
        offered = self.offered
        if isinstance(item, Single):
            step = item.step
            self.revision.see(step, workspace)
            if not (isinstance(step, kinds.GapStep) and step.reason == "snapshot"):
                self.touched.update(_replaced(step) or ())
            if isinstance(step, kinds.GapStep):  # a hole, or a resync: the edits before are not the path
                self.history.clear()
                offered.clear()
            elif isinstance(step, kinds.OpenStep | kinds.CloseStep | kinds.FileChangeStep):  # replaced whole
                offered.pop(step.path, None)
            elif isinstance(step, kinds.OfferStep):
                proposal = _proposal(step, workspace)
                if proposal is not None:
                    offered[step.path] = (item.index, *proposal)
            return
        self.touched.add(item.path)
        offer = offered.pop(item.path, None)
        why = unfit(item) or self._unknown(item)
        if why is not None:
            self.skipped[f"bursts with {why}"] += 1
        else:
            starts = self.history.starts()
            example = _example(self.episode_id, item, self.revision.sha, self.fixed,
                               zed_order(self.history.text()),
                               _uncommitted(self.revision, item, starts, self.touched, workspace,
                                            self.allowance),
                               self.encoding)
            if offer is not None and offer[1] == item.before:  # offered in the text the burst began in
                rejected = "".join(line_diff(item.before, offer[2], work=self.allowance.diffs).parts)
                self.held.append((example, offer[0],
                                  zed_order(f"--- a/{item.path}\n+++ b/{item.path}\n{rejected}")))
            elif self.held or offered:
                self.held.append((example, None, None))
            else:
                self.examples += _write(self.out, example, self.skipped)
        if item.too_large and item.path in self.history.starts():  # its change is in no event
            self.history.clear()
        else:
            self.history.add(item)

    def _unknown(self, burst: Burst) -> str | None:
        """Why the text at the revision of a file the example needs (its own, those its history edits) is
        not known; None when every one is."""
        for path in (burst.path, *self.history.starts()):
            why = self.revision.known(path)
            if why is not None:
                return f"a file's text at the revision not known ({why})"
        return None

    def end(self, workspace: Workspace) -> int:
        preferences = {place.index for place in self.places.finish(workspace) if preferred(place)}
        for example, index, patch in self.held:
            if index in preferences and patch is not None:
                example["rejected_patch"] = patch
            self.examples += _write(self.out, example, self.skipped)
        return self.examples


def _proposal(step: kinds.OfferStep, workspace: Workspace) -> tuple[str, str] | None:
    """An AI's offer in an open file: the file's text and that text with the offered item applied at its
    place (None: not an AI's, the file not open, or the text holds the item already, as when an editor
    reports the item it applied)."""
    doc = workspace.buffers.get(step.path)
    if doc is None or not (step.ai or step.items[step.taken if step.taken is not None else 0].ai):
        return None
    start, end, _ = doc.extract(step.range)
    text = doc.text
    proposed = text[:start] + shown(step) + text[end:]
    return None if proposed == text else (text, proposed)  # (an item the editor reported applied: in it)


def _write(out: Writes, example: dict[str, Any], skipped: Counter[str]) -> int:
    """Write `example` unless it holds a redaction placeholder (then count it); how many were written."""
    if any(PLACEHOLDER_RE.search(text) for text in _texts(example)):
        skipped[f"examples with a {PLACEHOLDER}"] += 1
        return 0
    out.write(json_line(example))
    return 1


def _example(episode_id: str, burst: Burst, revision: str, fixed: dict[str, str], history: str,
             uncommitted: str, encoding: Any) -> dict[str, Any]:
    return {
        "name": f"{episode_id}:{burst.first}-{burst.last}",
        "repository_url": fixed["repository_url"],
        "revision": revision,
        "tags": [f"split:{fixed['split']}", f"caret:{burst.caret_from or 'edit'}", "codetape"],
        "uncommitted_diff": uncommitted,
        "cursor_path": burst.path,
        "cursor_position": cursor_position(burst.before, burst.caret_offset(encoding)),
        "edit_history": history,
        "expected_patches": [zed_order(burst.diff(headers=True))],
        "rejected_patch": None,  # (the patch of a suggestion the developer's text replaced: `end`)
    }


def cursor_position(text: str, caret: int) -> str:
    """The lines of `text` around the caret (index `caret`), CONTEXT_LINES each side, with the inline
    cursor marker at the caret."""
    start = text.rfind("\n", 0, caret) + 1
    for _ in range(CONTEXT_LINES):
        if start == 0:
            break
        start = text.rfind("\n", 0, start - 1) + 1
    end = caret
    for _ in range(CONTEXT_LINES + 1):
        found = text.find("\n", end)
        if found < 0:
            end = len(text)
            break
        end = found + 1
    return text[start:caret] + INLINE_CURSOR + text[caret:end]


def _replaced(step: kinds.Step) -> list[str] | None:
    """The files whose text `step` may set other than by editing (None: it sets none)."""
    match step:
        case kinds.OpenStep() | kinds.CloseStep() | kinds.SaveStep():
            return [step.path]
        case kinds.FileChangeStep():
            return [step.path] if step.new_path is None else [step.path, step.new_path]
        case kinds.GapStep(state=list() as state):
            return [file.path for file in state]
        case _:  # on purpose: edits are the history's; the other kinds change no text
            return None


def _uncommitted(revision: Revision, burst: Burst, starts: dict[str, str], touched: set[str],
                 workspace: Workspace, allowance: Allowance) -> str:
    """Each file's change from its text at the revision to its text just before the first event of the
    history (`starts`: the files the history edits; the others are as they are now, the burst's own as
    before it), those whose text at the revision is known. Only a file some step `touched` can differ: the
    others are as the snapshot has them."""
    parts, empty = [], []
    for path in sorted(touched):
        if revision.known(path) is not None:
            continue
        then = revision.text(path)
        now = starts[path] if path in starts else burst.before if path == burst.path else workspace.text(path)
        if now == then:
            continue
        if then is None and now == "":  # no hunk makes an empty file: git's header for one, last
            empty.append(f"diff --git a/{path} b/{path}\nnew file mode 100644\n")
            continue
        hunks = "".join(line_diff(then or "", now or "", work=allowance.diffs).parts)
        if hunks:
            old = "/dev/null" if then is None else f"a/{path}"
            new = "/dev/null" if now is None else f"b/{path}"
            parts.append(f"--- {old}\n+++ {new}\n{hunks}")
    return "".join(parts + empty)


def zed_order(diff: str) -> str:
    """`diff` with the added lines before the deleted ones in each hunk whose old and new texts both end
    without a line break (two `\\ No newline at end of file` markers): Zed's parser (zeta_prompt's
    udiff.rs, `DiffParser`) takes only a hunk's first marker, so in the usual order the added last line
    would keep a line break it does not have; git and Zed read this order as the same change."""
    if diff.count("\n\\ ") < 2:
        return diff
    lines = diff.splitlines(keepends=True)
    out: list[str] = []
    n = 0
    while n < len(lines):
        found = HUNK_RE.match(lines[n])
        out.append(lines[n])
        n += 1
        if found is None:
            continue
        old, new = int(found.group(1) or 1), int(found.group(2) or 1)
        hunk: list[str] = []
        while n < len(lines) and (old > 0 or new > 0 or lines[n].startswith("\\")):
            line = lines[n]
            old -= line[0] in " -"
            new -= line[0] in " +"
            hunk.append(line)
            n += 1
        out += _added_first(hunk)
    return "".join(out)


def _added_first(hunk: list[str]) -> list[str]:
    """A hunk's lines, its last run of changes with the added lines first when it has two markers."""
    if sum(line.startswith("\\") for line in hunk) < 2:
        return hunk
    start = len(hunk)
    while start > 0 and hunk[start - 1][0] in "-+\\":
        start -= 1
    added: list[str] = []
    deleted: list[str] = []
    side = deleted
    for line in hunk[start:]:
        if line[0] != "\\":
            side = added if line[0] == "+" else deleted
        side.append(line)
    return hunk[:start] + added + deleted


def _texts(example: dict[str, Any]) -> list[str]:
    return [example["uncommitted_diff"], example["cursor_position"], example["edit_history"],
            *example["expected_patches"], example["rejected_patch"] or ""]
