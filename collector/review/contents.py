"""What the review left out, masked where the steps kept show it: a command's output (`cat notes.md`,
`ls notes`), its arguments, a test's failure text, a diagnostic, a commit message, a note.

The texts the excluded files had (opened, saved, changed on disk, set by a gap, at the end) are replayed
from their own steps; every line of them that says enough (`distinctive`: at least `MIN_LINE` characters
besides blanks and placeholders, and two words or more, or one word of `ONE_WORD` characters or more: a
single identifier like `TWINE_PASSWORD` is ordinary text in a command) is masked wherever it appears in
the free text of the steps kept, under the rule `excluded-content`, one placeholder per text masked; a
line that does not is masked only as a whole line of a text in which a line of the same file that does
was found (the file's text printed, `cat notes.md`); so
is a part of one at its start or end where the text was cut (a repr cut short in the middle, `'Acquire
Zeph...quarters'`) from `MIN_PART` characters on, and anywhere from `ONE_WORD` characters on. A mask
never takes the blanks around what it masks: a part found from a line's start that ran on over a blank
ends before it, and one found from its end starts after it. The lines of the agent prompts left out are
masked the same way (in every spelling `prompts.spellings` gives, under `left-out-prompt`; any part of
`MIN_PART` characters or more), and so is a prompt given on a command line as shell words or as a run of
arguments, whatever its length (`PromptMasks`).
An excluded file's bare name is masked as a word (`spans.name_regex`, under `excluded-name`): a listing
(`ls notes`, `git status` in `notes/`, `tree`) prints it without its folder, and which folder a
listing is of cannot be told from its text (`ls -R`, `tree`, a test's `os.listdir`), so the name is
masked wherever it stands alone; a name a kept file of the episode has too (`__init__.py`) is not, as
it tells nothing that file does not (`docs/plan.md`, another file, written with its folder stays). Only
free text: the files kept are the developer's own, and a line (or a name) they share with what was left
out stays in them. Each placeholder's reason names the file its text came from (`RedactionSummary.reasons`:
"it appears in excluded my-notes.md"), so the review can say why a word is masked.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from msgspec.structs import replace

from collector.reconstruct.workspace import Workspace
from collector.redact import PLACEHOLDER_RE, RedactionSummary, RuleSet
from collector.redact.placeholders import Registry, Secret
from collector.redact.stream import channels as ch
from collector.redact.stream.buffer import placeholders_in
from collector.redact.stream.pipeline import texts
from collector.redact.stream.text import TextRedactor
from collector.review.prompts import PROMPT_RULE, PromptMasks, ordinary, spellings, words
from schemas import steps as kinds
from schemas.common import PositionEncoding

CONTENT_RULE = "excluded-content"
NAME_RULE = "excluded-name"
MIN_LINE = 8
MIN_PART = 10
ONE_WORD = 20  # a line (or part) without a blank inside is masked elsewhere only from this length
_KEY = MIN_LINE  # lines are looked up by their first and last characters
FEW_KEYS = 64  # up to this many, a text is searched for each key (in C) rather than looked up at every place


def distinctive(text: str) -> bool:
    """Whether a line of an excluded file (stripped) says enough to be masked where else it is written:
    besides its placeholders (a secret's is not the file's), `MIN_LINE` characters or more, and a blank
    inside (two words or more) or `ONE_WORD` characters or more (a key, a URL)."""
    said = _said(text)
    return len(said) >= MIN_LINE and (len(said) >= ONE_WORD or any(char.isspace() for char in said))


def _said(text: str) -> str:
    """`text` without its placeholders (what it says of the file, not of a secret masked in it)."""
    return PLACEHOLDER_RE.sub("", text).strip() if "«" in text else text


def excluded_lines(steps: Iterable[kinds.Step], encoding: PositionEncoding,
                   paths: set[str]) -> dict[str, str]:
    """The lines (stripped, not blank) of every text the files at `paths` had, replayed from their steps,
    each with the first file it was found in (ReconstructionError when those do not replay)."""
    workspace = Workspace(encoding)
    lines: dict[str, str] = {}

    def take(path: str) -> None:
        text = workspace.text(path)
        if text:
            for line in text.splitlines():
                stripped = line.strip()
                if stripped:
                    lines.setdefault(stripped, path)

    for step in steps:
        mine: kinds.Step = step
        match step:
            case kinds.GapStep(state=list() as state):
                files = [file for file in state if file.path in paths]
                if not files:
                    continue
                mine, touched = replace(step, state=files), [file.path for file in files]
            case kinds.FileChangeStep(change="renamed", new_path=str() as new_path) if step.path in paths:
                touched = [new_path]
            case (kinds.OpenStep() | kinds.EditStep() | kinds.SaveStep() | kinds.CloseStep()
                  | kinds.FileChangeStep()) if step.path in paths:
                touched = [step.path]
                if isinstance(step, kinds.CloseStep):
                    take(step.path)  # what the editor showed last
            case _:  # on purpose: the other kinds hold no file's text
                continue
        workspace.apply(mine)
        if not isinstance(step, kinds.EditStep):
            for path in touched:
                take(path)
    for path in workspace.files():
        take(path)
    return lines


@dataclass
class FreeText:
    """What the review masks in the free text of the steps kept: `lines` (each with its rule, and the value
    its placeholder stands for when the whole line is found: a prompt's words, so that a prompt has one
    placeholder in every spelling), `names` (a regex whose group `name` is an excluded file's bare name),
    the `prompts` as they are given on command lines, `files`: an excluded file's line, or its bare
    name, -> the file (to say why a text is masked), and `short`: the lines of excluded files that do not
    say enough to be masked anywhere (but those only of placeholders), masked as whole lines of a text in
    which a line of the same file that does was found (`cat notes.md`)."""

    lines: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    names: re.Pattern[str] | None = None
    prompts: PromptMasks = field(default_factory=PromptMasks)
    files: dict[str, str] = field(default_factory=dict)
    short: frozenset[str] = frozenset()

    @classmethod
    def of(cls, content: dict[str, str], prompts: Iterable[str], names: re.Pattern[str] | None,
           paths: Iterable[str] = ()) -> FreeText:
        """`content`: an excluded file's line -> the file; `paths`: the excluded files (by bare name)."""
        lines: dict[str, tuple[str, str | None]] = {line: (CONTENT_RULE, None) for line in content
                                                    if distinctive(line)}
        files = {**{path.rsplit("/", 1)[-1]: path for path in sorted(paths, reverse=True)}, **content}
        prompts = [prompt for prompt in prompts if not ordinary(prompt)]
        for prompt in prompts:
            for form in spellings(prompt):
                whole = form.strip()
                for line in (line.strip() for line in form.splitlines()):
                    if len(line) >= MIN_LINE:
                        lines.setdefault(line, (PROMPT_RULE, words(prompt) if line == whole else None))
        short = frozenset(line for line in content if line not in lines and _said(line))
        return cls(lines, names, PromptMasks.of(prompts), files, short)

    def __bool__(self) -> bool:
        return bool(self.lines or self.names or self.prompts.texts)


class _Lines(TextRedactor):
    """A redactor that finds the given lines (no rules): whole, or a part of `MIN_PART` characters or more
    at a line's start or end, as a repr cut short shows them (`'Acquire Zeph...quarters\\n'`); and the
    names `FreeText.names` finds. `command` and `agent` mask the prompts given on command lines first."""

    def __init__(self, masks: FreeText, registry: Registry) -> None:
        super().__init__(RuleSet(()), registry)
        self.masks = masks
        self.heads: dict[str, list[str]] = {}
        self.tails: dict[str, list[str]] = {}
        for line in sorted(masks.lines):
            self.heads.setdefault(line[:_KEY], []).append(line)
            self.tails.setdefault(line[-_KEY:], []).append(line)
        self.keys = self.heads.keys() | self.tails.keys()
        self.reasons: dict[str, str] = {}  # placeholder -> why it is masked (`RedactionSummary.reasons`)

    def _places(self, text: str) -> Iterator[int]:
        """Where in `text` a line's first or last `_KEY` characters are (each place once per key)."""
        if len(self.keys) <= FEW_KEYS:
            for key in self.keys:
                at = text.find(key)
                while at != -1:
                    yield at
                    at = text.find(key, at + 1)
            return
        keys = self.keys
        yield from (at for at in range(len(text) - _KEY + 1) if text[at : at + _KEY] in keys)

    def find(self, text: str) -> list[tuple[int, int, Secret]]:
        found: list[tuple[int, int, str, str]] = []  # (start, stop, rule, the line or name found)
        for at in self._places(text):
            gram = text[at : at + _KEY]
            for line in self.heads.get(gram, ()):
                if not text.startswith(line[:MIN_PART], at):  # too little in common to be masked
                    continue
                n = _shared(text[at : at + len(line)], line)
                rule = self.masks.lines[line][0]
                if n == len(line) or self._part(line, text[at : at + n], _cut_after(text, at + n)):
                    found.append((at, at + len(text[at : at + n].rstrip()), rule, line))
            end = at + _KEY
            for line in self.tails.get(gram, ()):
                if not text.endswith(line[-MIN_PART:], 0, end):
                    continue
                n = _shared(text[max(0, end - len(line)) : end][::-1], line[::-1])
                rule = self.masks.lines[line][0]
                if n == len(line) or self._part(line, text[end - n : end], _cut_before(text, end - n)):
                    found.append((end - len(text[end - n : end].lstrip()), end, rule, line))
        if found and self.masks.short:
            found += self._short_lines(text, {self.masks.files.get(line) for *_, line in found})
        if self.masks.names is not None:
            found += [(*match.span("name"), NAME_RULE, match.group("name"))
                      for match in self.masks.names.finditer(text)]
        if found and "«" in text:  # a part that ends inside a placeholder takes all of it
            held = [match.span() for match in PLACEHOLDER_RE.finditer(text)]
            found = [(min([start, *(a for a, b in held if a < stop and b > start)]),
                      max([stop, *(b for a, b in held if a < stop and b > start)]), rule, source)
                     for start, stop, rule, source in found]
        spans: list[tuple[int, int, str, str]] = []
        for start, stop, rule, source in sorted(found):
            if spans and start <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], stop), spans[-1][2], spans[-1][3])
            else:
                spans.append((start, stop, rule, source))
        return [(start, stop, self._secret(rule, text[start:stop], source))
                for start, stop, rule, source in spans]

    def _short_lines(self, text: str, files: set[str | None]) -> list[tuple[int, int, str, str]]:
        """The whole lines of `text` that are short lines of one of `files` (`FreeText.short`)."""
        out: list[tuple[int, int, str, str]] = []
        at = 0
        for line in text.splitlines(keepends=True):
            stripped = line.strip()
            if stripped in self.masks.short and self.masks.files.get(stripped) in files:
                start = at + line.index(stripped)
                out.append((start, start + len(stripped), CONTENT_RULE, stripped))
            at += len(line)
        return out

    def _part(self, line: str, part: str, cut: bool) -> bool:
        """Whether `part` of `line` (its start or its end) is masked: `MIN_PART` characters or more without
        the blanks it ran on over; of an excluded file's line, only where the text was cut next to it
        (`_cut_after`, `_cut_before`) or from `ONE_WORD` characters on (a shared identifier or two common
        words, `twine upload`, are no sign of the file)."""
        size = len(part.strip())
        if self.masks.lines[line][0] != CONTENT_RULE:
            return size >= MIN_PART
        return size >= MIN_PART and (cut or size >= ONE_WORD)

    def _secret(self, rule: str, value: str, source: str) -> Secret:
        whole = self.masks.lines.get(value)
        secret = self.registry.secret_for(rule, whole[1] if whole is not None and whole[1] else value)
        self.reasons.setdefault(secret.placeholder, _reason(rule, self.masks.files.get(source)))
        return secret

    def _prompt(self, said: str) -> str:
        placeholder = self.registry.secret_for(PROMPT_RULE, said).placeholder
        self.reasons.setdefault(placeholder, _reason(PROMPT_RULE, None))
        return placeholder

    def command(self, step: kinds.CommandStep) -> kinds.CommandStep:
        """The command with the prompts given as its arguments or shell words masked, then its free text."""
        prompts = self.masks.prompts
        update: dict[str, object] = {}
        if step.argv is not None and prompts.texts:
            argv = prompts.arguments(step.argv, self._prompt)
            if argv != step.argv:
                update["argv"] = argv
        line = None if step.command_line is None else prompts.command_line(step.command_line, self._prompt)
        if line != step.command_line:
            update["command_line"] = line
        return ch.command(replace(step, **update) if update else step, self)

    def agent(self, step: kinds.AgentStep) -> kinds.AgentStep:
        """An agent's step with the prompts its shell command line gives masked, then its free text."""
        if step.command_line is not None:
            line = self.masks.prompts.command_line(step.command_line, self._prompt)
            step = replace(step, command_line=line) if line != step.command_line else step
        return ch.agent(step, self)


def _cut_after(text: str, at: int) -> bool:
    """Whether `text` was cut at `at`: an ellipsis follows (after a closing quote: a repr cut short,
    `'launch plan: c'...`, `'Acquire Zeph...quarters'`)."""
    return text[at : at + 4].lstrip("'\"").startswith(("...", "…"))


def _cut_before(text: str, at: int) -> bool:
    """Whether `text` was cut just before `at`: an ellipsis comes before (before an opening quote)."""
    return text[max(0, at - 4) : at].rstrip("'\"").endswith(("...", "…"))


def _reason(rule: str, file: str | None) -> str:
    """Why a text is masked, naming the excluded file it came from."""
    if rule == PROMPT_RULE:
        return "it is an agent prompt left out"
    where = f"excluded {file}" if file else "an excluded file"
    return f"it is the name of {where}" if rule == NAME_RULE else f"it appears in {where}"


def _shared(a: str, b: str) -> int:
    """How many characters `a` and `b` have in common at their start (found by halving, in slices)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def mask_contents(steps: Iterable[kinds.Step], masks: FreeText,
                  summary: RedactionSummary) -> Iterator[kinds.Step]:
    """`steps` with `masks` masked in their free text, then a `redaction` step per value masked;
    `summary` gets their counts (numbered after its own)."""
    if not masks:
        yield from steps
        return
    registry = Registry(summary.counts)
    redactor = _Lines(masks, registry)
    written: Counter[str] = Counter()
    last_t = 0
    for step in steps:
        last_t = step.t_ms
        out = _free_text(step, redactor)
        if out is not step:
            for text in texts(out):
                written.update(placeholders_in(text))
        yield out
    yield from registry.steps(written, last_t)
    registry.fill(summary, written)
    summary.reasons.update((placeholder, why) for placeholder, why in redactor.reasons.items()
                           if written[placeholder])


def _free_text(step: kinds.Step, redactor: _Lines) -> kinds.Step:
    """`step` with its free text (schemas/text_fields.py) masked; a command's and an agent's prompts given
    on their command lines first. A document's text is masked by line, above."""
    if type(step) is kinds.CommandStep:
        return redactor.command(step)
    if type(step) is kinds.AgentStep:
        return redactor.agent(step)
    return ch.free_text(step, redactor)
