"""The review's redaction list reads as "what sensitive things are still in here" (issue 56, items 3 and 4):
a secret found at several lengths while it was typed is one secret; what went with an excluded file or a
dropped range is not listed; the review's own masks are apart from what was masked before review, each
saying why and where; masking an excluded file's text never takes the text around it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from msgspec.structs import replace

from collector.episode import open_episode, write_episode_file
from collector.redact import RedactionSummary, RuleSet, redact_steps
from collector.redact.placeholders import Secret, stages_of
from collector.review.plan import TrimPlan
from collector.review.redactions import EXCLUDED, REVIEW, SEALED, Redaction, redactions_in
from collector.review.summary_view import build_summary, redaction_lines
from collector.review.trim import trim_episode
from collector.seal.summaries import read_summary, summary_path, write_summary
from schemas import EpisodeHeader, WorkspaceIdentity, step_from_dict
from schemas.steps import CommandStep
from tests.unit.review.test_trim import HEADER

PYPI = "pypi-AgEIcHlwaS5vcmcCJGY4ZjBkYWQ2LTk3NjYtNDZmNy05MjQ3LTc1OGY1OWJkMjY3OAACKlszLCJlZWQ"
GH = "ghp_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4"
AWS = "AKIAQ3EGUIJ2ZK4PLMXW"
NOTES = ("TWINE_PASSWORD\nTWINE_PASSWORD lives in the team vault\n"
         f"launch plan: codename BLUEHERON, budget 40k\n{GH}\n")


def command(t_ms: int, line: str, output: str | None = None) -> dict[str, Any]:
    return {"kind": "command", "t_ms": t_ms, "source": "shell", "command_line": line, "exit_code": 0,
            **({"output_tail": output} if output is not None else {})}


def typed_in_stages(line: str, cuts: tuple[int, ...], t_ms: int = 0) -> list[dict[str, Any]]:
    """`line` typed into `.env` a key at a time, the file changed on disk and `cat` at each cut."""
    steps: list[dict[str, Any]] = [{"kind": "open", "t_ms": t_ms, "source": "bridge", "path": ".env",
                                    "text": "\n"}]
    done = 0
    for cut in cuts:
        for n in range(done, cut):
            at = {"line": 0, "character": n}
            steps.append({"kind": "edit", "t_ms": t_ms + 1 + n, "source": "bridge", "path": ".env",
                          "changes": [{"range": {"start": at, "end": at}, "text": line[n]}]})
        steps.append({"kind": "file_change", "t_ms": t_ms + 1 + cut, "source": "watcher", "path": ".env",
                      "change": "modified", "text": line[:cut] + "\n"})
        steps.append(command(t_ms + 1 + cut, "cat .env", line[:cut]))
        done = cut
    return steps


def sealed(path: Path, steps: list[dict[str, Any]], header: EpisodeHeader = HEADER) -> Path:
    """The steps redacted as the seal does, written with their redaction summary beside them."""
    summary = RedactionSummary()
    redacted = redact_steps([step_from_dict(step) for step in steps], "utf-16", RuleSet.default(), summary)
    models = list(redacted)
    write_episode_file(path, header, models, level=3)
    write_summary(summary_path(path), summary)
    return path


def listed(path: Path, redaction: RedactionSummary | None) -> list[Redaction]:
    return redactions_in(open_episode(path), redaction)


# -- a secret typed in stages -------------------------------------------------------------------------------


def test_a_secret_caught_at_several_lengths_while_typed_is_one_secret(tmp_path: Path) -> None:
    line = "TWINE_PASSWORD=" + PYPI
    src = sealed(tmp_path / "src.ctape", typed_in_stages(line, (40, 60, len(line))))
    summary = read_summary(src)
    assert summary is not None and len(summary.masked) == 4  # the seal found it four times, as it grew
    assert set(summary.stages.values()) == {"«redacted:pypi-token:1»"} and len(summary.stages) == 3
    [secret] = listed(src, summary)
    assert (secret.placeholder, secret.kind) == ("«redacted:pypi-token:1»", SEALED)
    # the stages still written in the steps (the third was only ever in a keystroke the seal rewrote)
    assert secret.stages == ("«redacted:env-secret:1»", "«redacted:env-secret:2»")
    assert secret.count == 7
    assert [place.what for place in secret.places].count('command "cat .env" exit 0') == 3
    lines = build_summary(open_episode(src), redaction=summary).lines()
    assert "redactions  1 secret masked before review, still in what is shared (1 found at several " \
           "lengths, each counted once)" in lines
    assert any(text.startswith("  «redacted:pypi-token:1»  pypi-…ZWQ  ×") and text.endswith(
        "  found at 3 lengths, typed or cut short (also «redacted:env-secret:1», «redacted:env-secret:2»)")
        for text in lines)
    # the stages are kept beside the episode with the rest of its summary
    assert RedactionSummary.from_dict(summary.to_dict()).stages == summary.stages


def test_only_a_value_that_starts_another_is_a_stage_of_it() -> None:
    def secret(rule: str, n: int, value: str) -> Secret:
        return Secret(rule, f"«redacted:{rule}:{n}»", value)

    secrets = [secret("env-secret", 1, "hunter2-abc"), secret("env-secret", 2, "hunter2-abcdef"),
               secret("password", 1, "hunter2-abcdefgh"), secret("password", 2, "hunter2-xyz"),
               secret("password", 3, "hunt"), secret("password", 4, "hunte")]
    assert stages_of(secrets) == {"«redacted:env-secret:1»": "«redacted:password:1»",
                                  "«redacted:env-secret:2»": "«redacted:password:1»"}


# -- what went with an excluded file or a dropped range --------------------------------------------------


def test_the_list_is_what_the_trimmed_episode_still_holds(tmp_path: Path) -> None:
    steps = [
        {"kind": "file_change", "t_ms": 0, "source": "watcher", "path": "app.py", "change": "created",
         "text": f'TOKEN = "{GH}"\n'},
        {"kind": "file_change", "t_ms": 10, "source": "watcher", "path": "private/keys.txt",
         "change": "created", "text": f"aws_access_key_id = {AWS}\n"},
        command(20, f"git push https://{GH}@github.com/me/x"),
        command(30, f"deploy --token {PYPI}"),
        command(40, "make"),
    ]
    src = sealed(tmp_path / "src.ctape", steps)
    before = {r.rule: r.count for r in listed(src, read_summary(src))}
    assert before == {"github-token": 2, "aws-access-key": 1, "pypi-token": 1}
    result = trim_episode(src, tmp_path / "out.ctape", TrimPlan().exclude("private/").drop(15, 35))
    after = listed(result.path, result.redaction)
    # the AWS key was only in the excluded file, the PyPI token only in the dropped range, and one of the
    # GitHub token's two places went with the range too
    assert [(r.placeholder, r.count, r.kind) for r in after if r.kind == SEALED] == [
        ("«redacted:github-token:1»", 1, SEALED)]
    lines = build_summary(open_episode(result.path), redaction=result.redaction).lines()
    assert "redactions  1 secret masked before review, still in what is shared" in lines
    assert not [text for text in lines if "aws" in text or "pypi" in text]


# -- who masked it, why, where ----------------------------------------------------------------------------


def notes_session() -> list[dict[str, Any]]:
    return [
        {"kind": "file_change", "t_ms": 0, "source": "watcher", "path": "my-notes.md", "change": "created",
         "text": NOTES},
        {"kind": "file_change", "t_ms": 1, "source": "watcher", "path": "notes/plan-b.md",
         "change": "created", "text": "x\n"},
        command(10, "cat my-notes.md", NOTES),
        command(20, "export TWINE_PASSWORD; twine upload dist/* -p TWINE_PASSWORD"),
        command(30, "echo launch plan: codename BLUEHERON, later"),
        command(40, "echo the codename BLUEHERON, budget 40k"),
        command(50, "pytest", "AssertionError: assert 'launch plan: code...RON, budget 40k\\n' == ''"),
        command(60, "ls notes", "plan-b.md\n"),
        command(70, f"git push https://{GH}@github.com/me/x"),
        command(80, "echo ZEPHYR-42 ready"),
    ]


def commands(path: Path) -> list[str]:
    return [f"{step.command_line} | {step.output_tail or ''}" for step in open_episode(path).steps()
            if isinstance(step, CommandStep)]


def test_masking_an_excluded_file_s_text_never_takes_the_text_around_it(tmp_path: Path) -> None:
    src = sealed(tmp_path / "src.ctape", notes_session())
    result = trim_episode(src, tmp_path / "out.ctape", TrimPlan().exclude("my-notes.md"))
    shown = commands(result.path)
    content = "«redacted:excluded-content:{}»"
    assert shown[1:5] == [
        # one identifier of the notes, alone on a line there or not, is ordinary text in a command
        "export TWINE_PASSWORD; twine upload dist/* -p TWINE_PASSWORD | ",
        # a line's start or end found elsewhere is masked without the blank it ran on over
        f"echo {content.format(4)} later | ",
        f"echo the {content.format(5)} | ",
        # and where a repr cut the line short, its ends from 10 characters on
        f"pytest | AssertionError: assert '{content.format(6)}...{content.format(7)}\\n' == ''",
    ]
    # the notes printed whole: every line, the short one too (a line of the notes is beside it), but the
    # secret's placeholder, which is no text of the notes
    assert shown[0] == f"cat «redacted:excluded-path:1» | {content.format(1)}\n{content.format(2)}\n" \
                       f"{content.format(3)}\n«redacted:github-token:1»\n"


def test_each_mask_of_the_review_says_why_and_where(tmp_path: Path) -> None:
    src = sealed(tmp_path / "src.ctape", notes_session())
    plan = TrimPlan().exclude("my-notes.md").exclude("notes/plan-b.md").redact("ZEPHYR-[0-9]+")
    result = trim_episode(src, tmp_path / "out.ctape", plan)
    found = {r.placeholder: r for r in listed(result.path, result.redaction)}
    assert {p: r.kind for p, r in found.items()} == {
        "«redacted:github-token:1»": SEALED, "«redacted:custom-1:1»": REVIEW,
        **{f"«redacted:excluded-content:{n}»": EXCLUDED for n in (2, 3, 5, 7)},
        "«redacted:excluded-path:1»": EXCLUDED, "«redacted:excluded-name:1»": EXCLUDED}
    # the start of a line masked on its own is listed with the line: one text of the notes
    assert found["«redacted:excluded-content:3»"].stages == ("«redacted:excluded-content:4»",
                                                            "«redacted:excluded-content:6»")
    line = found["«redacted:excluded-content:2»"]
    assert line.reason == "it appears in excluded my-notes.md"
    assert [(place.t_ms, place.what) for place in line.places] == [
        (10, 'command "cat «redacted:excluded-path:1»" exit 0')]
    assert found["«redacted:excluded-path:1»"].reason == "it is the path of excluded my-notes.md"
    assert found["«redacted:excluded-name:1»"].reason == "it is the name of excluded notes/plan-b.md"
    assert found["«redacted:custom-1:1»"].reason == "it matches /ZEPHYR-[0-9]+/, redacted in this review"
    sealed_reason = "rule github-token found it when the episode was sealed"
    assert found["«redacted:github-token:1»"].reason == sealed_reason
    lines = redaction_lines(list(found.values()))
    # the review's own redaction is not counted "before review"
    assert lines[0] == "redactions  1 secret masked before review, still in what is shared"
    assert "            1 text masked in this review (r)" in lines
    assert "            6 texts masked as excluded files hold them (x)" in lines
    at = lines.index("  «redacted:excluded-content:2»  TWIN…ult  ×2  (in part also "
                     "«redacted:excluded-content:1»)  masked because it appears in excluded my-notes.md")
    assert lines[at + 1] == '      in 0:00:00.010  command "cat «redacted:excluded-path:1»" exit 0'
    # no placeholder says what it hides
    assert not [p for p in found if "TWINE" in p or "BLUEHERON" in p or "plan-b" in p]


def test_a_pattern_of_the_review_is_listed_where_it_masked_the_header_too(tmp_path: Path) -> None:
    header = replace(HEADER, workspace=WorkspaceIdentity(root_name="acme-app"))
    src = sealed(tmp_path / "src.ctape", [command(10, "deploy acme-app --prod")], header)
    result = trim_episode(src, tmp_path / "out.ctape", TrimPlan().redact("acme"))
    [mask] = listed(result.path, result.redaction)
    assert (mask.placeholder, mask.kind, mask.count) == ("«redacted:custom-1:1»", REVIEW, 2)
    assert [(place.t_ms, place.what) for place in mask.places] == [
        (0, "header: the workspace"), (10, 'command "deploy «redacted:custom-1:1»-app --prod" exit 0')]
