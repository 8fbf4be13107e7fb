"""`codetape verify EPISODE`: check the container, every step, and a full replay; print `ok` or the problem.

The replay checks every save's sha256 against the reconstructed text and that edits only touch open
documents. A signed episode's signature is checked too (`ok (signed by KEY_ID)`); with --key, the
episode must be signed, and by that key. With --against-git REPO, every recorded commit is compared
with that commit's tree in REPO as well (see collector/gitcheck.py), one line per mismatch.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from collector.commands.cat import skipped_note
from collector.commands.checkout import tracked
from collector.consent.keys import decode_public
from collector.consent.verify import check_consent
from collector.episode import Episode
from collector.errors import EpisodeError, ReconstructionError, UsageError
from collector.gitcheck import against_git
from collector.reconstruct import Workspace, sha256_text
from collector.resolve import open_ref, show
from schemas.steps import CloseStep, EditStep, FileChangeStep, GapStep, OpenStep, SaveStep


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("verify", help="check that an episode is intact and replays exactly",
                            description=__doc__)
    parser.add_argument("episode", metavar="EPISODE", help="an episode file, or an episode id (prefix)")
    parser.add_argument("--key", metavar="PUBLIC_KEY",
                        help="require a signature by this key (base64, or a file holding it, such as "
                        "ed25519.pub)")
    parser.add_argument("--against-git", metavar="REPO", type=Path,
                        help="also compare the files at every recorded commit with the commit in REPO "
                        "(the workspace directory, or the same directory in a clone)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    expected = None if args.key is None else _public_key(args.key)
    episode = open_ref(args.episode)
    if episode.consent is None and expected is not None:
        raise EpisodeError("episode is not signed (no consent frame), and --key asks for a signature")
    signer = None
    if episode.consent is not None:
        signer = check_consent(episode, expected_key=expected).reviewer.key_id
    verify_replay(episode)
    notes = ([] if signer is None else [f"signed by {signer}"]) + (
        [f"skipped {skipped_note(episode.skipped)}"] if episode.skipped else [])
    if args.against_git is not None:
        notes.append(against_git(episode, args.against_git, print))
    print(f"ok ({'; '.join(notes)})" if notes else "ok")
    return 0


def _public_key(value: str) -> bytes:
    path = Path(value)
    text = value
    if path.is_file():
        try:
            text = path.read_text(encoding="ascii")[:1024].strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read a public key from {value}: {exc}") from None
    try:
        return decode_public(text)
    except ValueError as exc:
        raise UsageError(f"--key {value}: {exc}") from None


def verify_replay(episode: Episode) -> int:
    """Replay every step; raises ReconstructionError at the first step that does not hold."""
    workspace = Workspace(episode.header.position_encoding)
    open_docs: set[str] = set()
    index = -1
    for index, step in enumerate(tracked(episode.steps(), episode.step_count, "verifying")):
        match step:
            case EditStep() if step.path not in open_docs:
                raise ReconstructionError(f"step {index}: edit at {step.t_ms} ms to {show(step.path)}, "
                                          "which is not open")
            case SaveStep():
                problem = _save_problem(workspace, step)
                if problem is not None:
                    raise ReconstructionError(f"step {index}: {problem}")
            case OpenStep():
                open_docs.add(step.path)
            case CloseStep():
                open_docs.discard(step.path)
            case FileChangeStep(change="renamed", new_path=str() as new_path) if step.path in open_docs:
                open_docs.discard(step.path)
                open_docs.add(new_path)
            case GapStep(state=list() as state):
                # a gap's state stands in for the opens and closes it lost
                open_docs.update(file.path for file in state if file.text is not None)
                open_docs.difference_update(file.path for file in state if file.text is None)
            case _:
                pass
        try:
            workspace.apply(step)
        except ReconstructionError as exc:
            raise ReconstructionError(f"step {index}: {exc}") from None
    return index + 1


def _save_problem(workspace: Workspace, step: SaveStep) -> str | None:
    if step.sha256 is None:
        return None
    what = f"save at {step.t_ms} ms of {show(step.path)}"
    if step.text is not None and sha256_text(step.text) != step.sha256:
        return f"{what}: its text does not match its own hash"
    text = workspace.text(step.path)
    if text is None:
        return None if step.text is not None else f"{what}, which the episode never opened"
    if sha256_text(text) != step.sha256:
        return f"{what}: the reconstructed text does not match the saved hash"
    return None
