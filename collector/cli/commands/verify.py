"""`codetape verify EPISODE`: check the container, every step, and a full replay; print `ok` or the problem.

The replay checks every save's sha256 against the reconstructed text and that edits only touch open
documents. A signed episode's signature is checked too (`ok (signed by KEY_ID)`); with --key, the
episode must be signed, and by that key. Where the bridge corrected its copy of a document (a
`resync`: the editor's edits did not make the text it saved), the episode replays across it and `ok`
names each one, as it names the placeholders of notebooks' outputs masked at the seal (expected, not a
mismatch). With --against-git REPO, every recorded commit is compared with that commit's tree in
REPO as well (see collector/verify/), one line per mismatch.

An episode signed in unlinkable mode carries a per-episode key and an issuer's blind authorisation of it
instead of its contributor's key: `ok (unlinkable: episode key KEY_ID, authorised by issuer ID for
YYYY-MM, ...)`. The authorisation is checked with --trust-issuer ISSUER.pub (the issuer's public record,
`codetape issuer export`); without it, `ok` says it was not checked.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from collector.errors import EpisodeError, UsageError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from collector.consent.authorisation import IssuerRecord
    from schemas import Step
    from schemas.consent import ConsentStatement
    from schemas.steps import GapStep, RedactionStep

RESYNCS_SHOWN = 5


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("verify", help="check that an episode is intact and replays exactly",
                            description=__doc__)
    parser.add_argument("episode", metavar="EPISODE", help="an episode file, or an episode id (prefix)")
    parser.add_argument("--key", metavar="PUBLIC_KEY",
                        help="require a signature by this key (base64, or a file holding it, such as "
                        "ed25519.pub)")
    parser.add_argument("--trust-issuer", metavar="ISSUER.pub", type=Path,
                        help="require an unlinkable signature whose key this issuer authorised")
    parser.add_argument("--against-git", metavar="REPO", type=Path,
                        help="also compare the files at every recorded commit with the commit in REPO "
                        "(the workspace directory, or the same directory in a clone)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collector.cli.commands.cat import skipped_note
    from collector.cli.progress import tracked
    from collector.consent.verify import check_consent
    from collector.episode.resolve import open_ref
    from collector.home import Home
    from collector.verify.integrity import verify_replay

    expected = None if args.key is None else _public_key(args.key)
    episode = open_ref(args.episode, Home.from_env(args.env))
    if episode.consent is None and expected is not None:
        raise EpisodeError("episode is not signed (no consent frame), and --key asks for a signature")
    if episode.consent is None and args.trust_issuer is not None:
        raise EpisodeError("episode is not signed (no consent frame), and --trust-issuer asks for a "
                           "signature")
    signer = None
    if episode.consent is not None:
        statement = check_consent(episode, expected_key=expected)
        signer = signer_note(statement, None if args.trust_issuer is None else read_issuer(args.trust_issuer))
    resyncs: list[GapStep] = []
    masked: list[RedactionStep] = []
    steps = tracked(episode.steps(), episode.step_count, "verifying")
    verify_replay(episode, _noting_resyncs(steps, resyncs, masked))
    notes = ([] if signer is None else [signer]) + (
        [f"skipped {skipped_note(episode.skipped)}"] if episode.skipped else [])
    if resyncs:
        notes.append(_resyncs_note(resyncs))
    if masked:
        notes.append(_masked_note(masked))
    if args.against_git is not None:
        from collector.verify.against_git import against_git  # (loads GitPython, which runs git)

        notes.append(against_git(episode, args.against_git, print))
    print(f"ok ({'; '.join(notes)})" if notes else "ok")
    return 0


def read_issuer(path: Path) -> IssuerRecord:
    """The issuer's public record in `path`, its signature checked; UsageError naming what is wrong."""
    from collector.consent.authorisation import RecordError, load_record

    try:
        return load_record(path)
    except RecordError as exc:
        raise UsageError(f"--trust-issuer: {exc}") from None


def signer_note(statement: ConsentStatement, record: IssuerRecord | None) -> str:
    """Who signed, as `ok (...)` says it; EpisodeError when `record` does not authorise the key."""
    from collector.consent.retime import timing_words
    from collector.consent.unlinkable import authorisation_problem

    authorisation = statement.reviewer.authorisation
    if record is not None:
        problem = authorisation_problem(statement, record)
        if problem is not None:
            raise EpisodeError(f"not authorised by issuer {record.issuer}: {problem}")
    if authorisation is None:
        return f"signed by {statement.reviewer.key_id}"
    checked = "" if record is not None else " (not checked: give --trust-issuer ISSUER.pub)"
    return (f"unlinkable: episode key {statement.reviewer.key_id}, authorised by issuer "
            f"{authorisation.issuer} for {authorisation.epoch}{checked}; {timing_words(statement.timing)}")


def _noting_resyncs(steps: Iterable[Step], resyncs: list[GapStep], masked: list[RedactionStep]
                    ) -> Iterator[Step]:
    from collector.redact.notebook_outputs import RULES
    from schemas.steps import GapStep, RedactionStep

    for step in steps:
        if type(step) is GapStep and step.reason == "resync":
            resyncs.append(step)
        elif type(step) is RedactionStep and step.rule in RULES:
            masked.append(step)
        yield step


def _masked_note(masked: list[RedactionStep]) -> str:
    """That notebooks' outputs were masked at the seal (seal/notebooks.py): expected, not a mismatch."""
    from collector.replay.describe import plural

    return (f"notebook outputs, execution counts and kernel metadata masked: "
            f"{plural(sum(step.count for step in masked), 'placeholder')}")


def _resyncs_note(resyncs: list[GapStep]) -> str:
    """Where the bridge corrected its copy of a document (accepted: the episode replays across each)."""
    from collector.replay.describe import plural

    where = [f"{', '.join(file.path for file in step.state or [])} at {step.t_ms / 1000:g} s"
             for step in resyncs]
    more = f", and {len(where) - RESYNCS_SHOWN} more" if len(where) > RESYNCS_SHOWN else ""
    return f"{plural(len(resyncs), 'resync')} of a document the editor's edits did not make: " \
        f"{'; '.join(where[:RESYNCS_SHOWN])}{more}"


def _public_key(value: str) -> bytes:
    from collector.consent.keys import decode_public

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
        if text is value and ("/" in value or value.endswith(".pub")):  # meant as a file, not a key
            raise UsageError(f"--key {value}: no such file (give the key's file, or the key itself "
                             "in base64)") from None
        raise UsageError(f"--key {value}: {exc}") from None
